/**
 * The rules a pipeline spec must follow, one concern per file, and `validatePipelineSpec`, which
 * runs them all and fails once, listing every problem.
 */
import { ConfigurationError } from '../errors';
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

/**
 * A spec that breaks one rule or more. The message lists every problem, one line each, naming
 * the spec and the field; `path` is the first problem's, `problems` all of them.
 */
export class PipelineSpecError extends ConfigurationError {
  override readonly name: string = 'PipelineSpecError';
  /** Path of the first problem, e.g. `windows[0] 'region_10m'.slideSeconds`. */
  readonly path: string;
  constructor(
    readonly pipeline: string,
    readonly problems: readonly SpecProblem[],
  ) {
    super(problems.map((p) => `pipeline '${pipeline}': ${p.path}: ${p.problem}`).join('\n'));
    this.path = problems[0]?.path ?? '';
  }
}

/**
 * Checks every rule of a spec (`model/spec-rules/`) and returns it unchanged, or throws one
 * PipelineSpecError listing every problem found. Called by the CDK app at synth time and by the
 * processor at cold start.
 */
export function validatePipelineSpec(spec: PipelineSpec): PipelineSpec {
  const problems = specProblems(spec);
  if (problems.length > 0) throw new PipelineSpecError(typeof spec?.name === 'string' ? spec.name : '<unnamed>', problems);
  return spec;
}
