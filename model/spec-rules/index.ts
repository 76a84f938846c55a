/**
 * The rules a pipeline spec must follow, one concern per file. `validatePipelineSpec`
 * (`model/spec.ts`) runs them all and fails once, listing every problem.
 */
import type { PipelineSpec } from '../spec';
import { enrichmentsRule, referencesRule } from './enrichments';
import { eventTimeRule } from './event-time';
import type { SpecProblem, SpecRule } from './problem';
import { schemaRule } from './schema';
import { valueFormatRule } from './value-format';
import { windowsRule } from './windows';

export type { SpecProblem, SpecRule } from './problem';
export { enrichmentsRule, eventTimeRule, referencesRule, schemaRule, valueFormatRule, windowsRule };

/** Every rule, in the order their problems are listed. */
export const SPEC_RULES: readonly SpecRule[] = [schemaRule, valueFormatRule, eventTimeRule, referencesRule, enrichmentsRule, windowsRule];

/** Every problem of a spec, by every rule; none when the spec is valid. */
export function specProblems(spec: PipelineSpec): SpecProblem[] {
  return SPEC_RULES.flatMap((rule) => rule(spec));
}
