/** What a spec rule returns: one entry per broken rule, naming the field by its path in the spec. */
import type { PipelineSpec } from '../spec';

export interface SpecProblem {
  /** Where in the spec, e.g. `windows[0] 'region_10m'.slideSeconds`. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly problem: string;
}

/**
 * A rule checks one concern of a spec and returns every problem it finds (none: compliant).
 * Pure, and total: a rule never throws, even when another concern of the spec is broken.
 */
export type SpecRule = (spec: PipelineSpec) => SpecProblem[];

export const problemAt = (path: string, problem: string): SpecProblem => ({ path, problem });
