/**
 * What a pipeline needs around its processor, decided once from its spec: the Lambda entry, the
 * local runtime, `replay-failed` and the CDK construct all ask here instead of inspecting the
 * spec themselves. Pure.
 */
import type { PipelineSpec, ReferenceSpec } from './spec';

export interface PipelineRequirements {
  /** Avro values: writer schemas come from a schema registry. */
  readonly schemaRegistry: boolean;
  /** Topics its windows publish updates to (empty: no Kafka producer needed). */
  readonly summaryTopics: readonly string[];
  /** Reference data sets it loads from the lake before the first batch. */
  readonly references: readonly ReferenceSpec[];
}

export function requirementsOf(spec: PipelineSpec): PipelineRequirements {
  const windows = spec.windows ?? [];
  return {
    schemaRegistry: spec.value.kind === 'avro',
    summaryTopics: windows.flatMap((w) => (w.summaryTopic ? [w.summaryTopic] : [])),
    references: spec.references ?? [],
  };
}

/** Whether the processor needs a Kafka producer for summary topics. */
export const publishesSummaries = (r: PipelineRequirements): boolean => r.summaryTopics.length > 0;
