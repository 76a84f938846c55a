/**
 * The entry of every processor function: the pipeline comes from the environment
 * (STREAMLAKE_PIPELINE, set by the CDK app), so adding a pipeline is a spec file and a line in
 * pipelines/index.ts — no handler file per pipeline.
 */
import { lambdaProcessorHandler } from './lambda-processor';

export const handler = lambdaProcessorHandler();
