/**
 * The entry of the compactor function: one function for every pipeline, each pipeline's schedule
 * invokes it with `{"pipeline": "<name>"}` (lib/constructs/lake-compactor.ts).
 */
import { compactorHandler } from './lambda-compactor';

export const handler = compactorHandler();
