import { ConfigurationError } from '../model/errors';
import type { PipelineSpec } from '../model/spec';
import { validatePipelineSpec } from '../model/spec-rules';
import { clickstream } from './clickstream';
import { sales } from './sales';

/** Every shipped pipeline, by name. Adding a pipeline = adding a spec file and a line here. */
export const PIPELINES: Readonly<Record<string, PipelineSpec>> = { clickstream, sales };

export const PIPELINE_NAMES: readonly string[] = Object.keys(PIPELINES);

/** The validated spec of a shipped pipeline; an unknown name throws, listing the known ones. */
export function pipelineByName(name: string): PipelineSpec {
  const spec = PIPELINES[name];
  if (!spec) throw new ConfigurationError(`unknown pipeline '${name}' (known: ${PIPELINE_NAMES.join(', ')})`);
  return validatePipelineSpec(spec);
}
