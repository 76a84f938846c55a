/** Shared by the lake tests: the processor's own planned objects for a pipeline, from generated traffic. */
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { compilePipeline, processBatch, type BatchOutput, type KafkaRecord } from '../../../lambda/core/processor';
import { generatorFor } from '../../../lambda/traffic/generate';
import type { PipelineSpec } from '../../../model/spec';
import { referenceCsv } from '../../support/fixtures';

export const WRITTEN_AT = Date.UTC(2026, 10, 23, 13);

/** `count` generated records of `spec` from `start` every `stepMillis`, offsets from `firstOffset`, some malformed; one processor batch. */
export function plannedBatch(
  spec: PipelineSpec,
  o: { readonly count: number; readonly start: number; readonly stepMillis: number; readonly firstOffset: number; readonly partition?: number; readonly seed?: number },
): { readonly records: KafkaRecord[]; readonly output: BatchOutput } {
  const refs = new Map((spec.references ?? []).map((r) => [r.name, loadReferenceTable(r, referenceCsv(r.file))]));
  const p = compilePipeline(spec, refs);
  const partition = o.partition ?? 0;
  const records: KafkaRecord[] = generatorFor(spec.name, { seed: o.seed ?? 7, startTime: o.start, stepMillis: o.stepMillis, malformedRatio: 0.05 })
    .batch(o.count)
    .map((r, i) => ({ topic: spec.topic.name, partition, offset: o.firstOffset + i, timestamp: o.start + o.stepMillis * i + 5, key: Buffer.from(r.key), value: r.value }));
  return { records, output: processBatch(p, { topic: spec.topic.name, partition, records }, WRITTEN_AT) };
}
