/**
 * Throughput of the processor path (decode base64 → parse → validate → enrich → window →
 * Parquet bytes) in this process, with no store and no network.
 */
import { loadReferenceTable, type ReferenceTable } from '../lambda/core/enrich';
import { generatorFor, type GeneratedRecord } from '../lambda/traffic/generate';
import type { MskEvent, MskRecord } from '../lambda/core/msk-event';
import { encodeParquet } from '../lambda/core/parquet';
import { compilePipeline, decodeMskEvent, processBatch } from '../lambda/core/processor';
import type { PipelineSpec } from '../model/spec';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../local/runtime';

export const BENCH_START = Date.UTC(2026, 10, 22, 0, 0);

export function referencesFor(spec: PipelineSpec): Map<string, ReferenceTable> {
  return new Map((spec.references ?? []).map((r) => [r.name, loadReferenceTable(r, readFileSync(join(REPO_ROOT, 'pipelines', 'reference', r.file), 'utf8'))]));
}

/** The same deterministic input for our processor and for DuckDB. */
export function benchInput(spec: PipelineSpec, count: number): GeneratedRecord[] {
  return generatorFor(spec.name, { seed: 42, startTime: BENCH_START, stepMillis: 50 }).batch(count);
}

/**
 * The records of benchInput(spec, count) in batches, generated as they are consumed: the
 * 1,000,000-record run never holds its whole input (in Lambda an invocation holds one batch).
 */
export function* benchBatches(spec: PipelineSpec, count: number, batchSize: number): Generator<GeneratedRecord[]> {
  const generator = generatorFor(spec.name, { seed: 42, startTime: BENCH_START, stepMillis: 50 });
  for (let from = 0; from < count; from += batchSize) yield generator.batch(Math.min(batchSize, count - from));
}

/** MSK events (base64, documented shape) of `batchSize` records each, one partition. */
export function toMskEvents(spec: PipelineSpec, records: readonly GeneratedRecord[], batchSize: number): MskEvent[] {
  const events: MskEvent[] = [];
  for (let from = 0; from < records.length; from += batchSize) events.push(mskEvent(spec, records.slice(from, from + batchSize), from));
  return events;
}

/**
 * The events of benchBatches as the Lambda runtime receives them: JSON text. They are generated
 * ahead in chunks of `chunk` events, so the generator's own work (far more than the runtime
 * does between invocations) runs in bursts instead of between every two timed batches.
 */
export function* streamedEventTexts(spec: PipelineSpec, count: number, batchSize: number, chunk = 10): Generator<string> {
  let offset = 0;
  let texts: string[] = [];
  for (const batch of benchBatches(spec, count, batchSize)) {
    texts.push(JSON.stringify(mskEvent(spec, batch, offset)));
    offset += batch.length;
    if (texts.length === chunk) {
      yield* texts;
      texts = [];
    }
  }
  yield* texts;
}

function mskEvent(spec: PipelineSpec, records: readonly GeneratedRecord[], firstOffset: number): MskEvent {
  const list: MskRecord[] = records.map((r, i) => ({
    topic: spec.topic.name,
    partition: 0,
    offset: firstOffset + i,
    timestamp: r.eventTime + 5,
    timestampType: 'CREATE_TIME',
    key: Buffer.from(r.key).toString('base64'),
    value: r.value.toString('base64'),
    headers: [],
  }));
  return { eventSource: 'aws:kafka', records: { [`${spec.topic.name}-0`]: list } };
}

export interface ProcessorRun {
  readonly records: number;
  readonly batchSize: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly eventsBytes: number;
  readonly totalBytes: number;
  readonly bytesPerRecord: number;
}

/**
 * Runs every event through the processor path; returns the best of `repeats` timings. Each event
 * comes as JSON text and is parsed right before its timed invocation, untimed, as the Lambda
 * runtime does: the handler starts with a freshly allocated event, as in Lambda. `eventTexts`
 * may be produced lazily (the 1M-record run).
 */
export function runProcessor(spec: PipelineSpec, eventTexts: Iterable<string>, records: number, batchSize: number, repeats: number): ProcessorRun {
  const p = compilePipeline(spec, referencesFor(spec));
  let best = Infinity;
  let eventsBytes = 0;
  let totalBytes = 0;
  for (let rep = 0; rep < repeats; rep++) {
    eventsBytes = 0;
    totalBytes = 0;
    let nanos = 0n;
    for (const text of eventTexts) {
      const event = JSON.parse(text) as MskEvent;
      const t0 = process.hrtime.bigint();
      for (const batch of decodeMskEvent(event)) {
        const out = processBatch(p, batch, BENCH_START);
        for (const o of out.objects) {
          // as the lake writes them: Iceberg timestamptz in micros
          const n = encodeParquet(o.schema, o.columns, o.rows, { timestampUnit: 'MICROS' }).byteLength;
          totalBytes += n;
          if (o.kind === 'events') eventsBytes += n;
        }
      }
      nanos += process.hrtime.bigint() - t0;
    }
    const seconds = Number(nanos) / 1e9;
    best = Math.min(best, seconds);
  }
  return { records, batchSize, seconds: best, recordsPerSec: records / best, eventsBytes, totalBytes, bytesPerRecord: eventsBytes / records };
}
