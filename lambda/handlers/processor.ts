/**
 * The processor handler, independent of where it runs: decode the MSK event, run the pure core,
 * encode Parquet and commit it to the pipeline's Iceberg tables, exactly once (`lake`, see
 * ../lake/lake-writer.ts). Lambda (S3, Glue's Iceberg REST endpoint) and the local runtime
 * (a directory or S3-compatible store, Apache Iceberg's REST catalog) call this same function.
 */
import { loadReferenceTable, type ReferenceTable } from '../core/enrich';
import { referenceKey } from '../../model/layout';
import type { MskEvent } from '../core/msk-event';
import { compilePipeline, decodeMskEvent, processBatch, type CompiledPipeline } from '../core/processor';
import type { QuarantineReason } from '../core/quarantine';
import { ConfigurationError, InfrastructureError } from '../../model/errors';
import { publishesSummaries, requirementsOf } from '../../model/requirements';
import type { PipelineSpec } from '../../model/spec';
import type { LakeStore } from '../adapters/lake-store';
import type { SchemaRegistry } from '../adapters/schema-registry';
import type { SummaryPublisher } from '../adapters/summary-publisher';
import type { AvroDecoder, SchemaRef } from '../core/avro';
import type { PartitionBatch } from '../core/msk-decode';
import type { BatchOutput } from '../core/plan-batch';
import type { CommitOutcome, IcebergLakeWriter, TableAppend, TableRows } from '../lake/lake-writer';
import { isCommitted, topicPartitionKey, uncommittedRanges, type OffsetRange } from '../lake/snapshot';
import { icebergTables } from '../../model/lake-tables';
import type { TableSchema } from '../../model/tables';

export interface BatchReport {
  readonly pipeline: string;
  readonly recordsIn: number;
  readonly events: number;
  readonly quarantined: number;
  readonly reasons: Partial<Record<QuarantineReason, number>>;
  readonly partialRows: number;
  /** Updates published to summary topics. */
  readonly summaryMessages: number;
  /** The data files committed (their locations). */
  readonly objects: readonly string[];
  readonly bytesWritten: number;
  /** Newest Kafka timestamp of the event's records (epoch millis), or null for an empty event. */
  readonly maxKafkaTimestamp: number | null;
  readonly writtenAt: number;
  /** The Iceberg commits of the invocation, one per table that got rows or offsets. */
  readonly commits: readonly CommitOutcome[];
  /** Records skipped because a table already held them (a retried batch), summed over tables. */
  readonly skippedRecords: number;
}

export interface ProcessorHandlerOptions {
  readonly spec: PipelineSpec;
  /** Where reference data are read from. */
  readonly store: LakeStore;
  /** The pipeline's Iceberg tables, which every invocation commits to. */
  readonly lake: IcebergLakeWriter;
  /** Called once per successful invocation (logging, metrics). */
  readonly observe?: (report: BatchReport) => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Publishes window updates to summary topics; required when a window names one. */
  readonly summaryPublisher?: SummaryPublisher;
  /** Where Avro writer schemas come from; required for `avro` pipelines. */
  readonly schemaRegistry?: SchemaRegistry;
}

export type ProcessorHandler = (event: MskEvent) => Promise<BatchReport>;

/** Loads every reference data set of the spec from the store (`reference/<name>/<file>`). */
export async function loadReferences(spec: PipelineSpec, store: LakeStore): Promise<Map<string, ReferenceTable>> {
  const tables = new Map<string, ReferenceTable>();
  for (const ref of requirementsOf(spec).references) {
    const key = referenceKey(ref);
    const bytes = await store.get(key);
    // retriable: the deployment copies reference data next to the first processor start
    if (!bytes) throw new InfrastructureError(`reference data '${ref.name}' not found at ${store.describe()}/${key}`);
    tables.set(ref.name, loadReferenceTable(ref, Buffer.from(bytes).toString('utf8')));
  }
  return tables;
}

/**
 * Fetches the writer schema of every Avro reference in the batch that the decoder has not seen.
 * A registry outage throws (batch retried); an unknown reference is remembered as null for this
 * batch only, so its records are quarantined and a later batch asks again.
 */
async function resolveWriterSchemas(avro: AvroDecoder, batches: ReturnType<typeof decodeMskEvent>, registry: SchemaRegistry): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: avsc is loaded only by Avro pipelines (cold start)
  const { avroSchemaRefOf, schemaRefKey } = require('../core/avro') as typeof import('../core/avro');
  const wanted = new Map<string, SchemaRef>();
  for (const b of batches) {
    for (const r of b.records) {
      const ref = avroSchemaRefOf(r.value);
      if (ref && !avro.has(ref)) wanted.set(schemaRefKey(ref), ref);
    }
  }
  await Promise.all([...wanted.values()].map(async (ref) => avro.addWriterSchema(ref, (await registry.getSchema(ref)) ?? null)));
}

/**
 * What a processor is wired with where it runs (Lambda, the local runtime, `replay-failed`). The
 * clients a pipeline may need are factories: `buildProcessor` calls only those the pipeline's
 * requirements name, so a CSV pipeline never creates a Kafka producer or a registry client.
 */
export interface ProcessorDependencies {
  /** Where reference data are read from. */
  readonly store: LakeStore;
  /** The pipeline's Iceberg tables. */
  readonly lake: IcebergLakeWriter;
  readonly schemaRegistry?: () => SchemaRegistry;
  readonly summaryPublisher?: () => SummaryPublisher;
  readonly observe?: (report: BatchReport) => void;
  readonly now?: () => number;
}

/** Wires a pipeline's processor from its requirements (`requirementsOf`): the one way every runtime builds one. */
export function buildProcessor(spec: PipelineSpec, deps: ProcessorDependencies): ProcessorHandler {
  const needs = requirementsOf(spec);
  const { schemaRegistry, summaryPublisher, ...rest } = deps;
  return createProcessorHandler({
    ...rest,
    spec,
    schemaRegistry: needs.schemaRegistry ? schemaRegistry?.() : undefined,
    summaryPublisher: publishesSummaries(needs) ? summaryPublisher?.() : undefined,
  });
}

export function createProcessorHandler(options: ProcessorHandlerOptions): ProcessorHandler {
  const { spec, store } = options;
  const needs = requirementsOf(spec);
  if (needs.schemaRegistry && !options.schemaRegistry) {
    throw new ConfigurationError(`pipeline '${spec.name}' has Avro values: the processor needs a schemaRegistry`);
  }
  if (publishesSummaries(needs) && !options.summaryPublisher) {
    throw new ConfigurationError(`pipeline '${spec.name}' publishes window results to a summary topic: the processor needs a summaryPublisher`);
  }
  const now = options.now ?? Date.now;
  let compiled: Promise<CompiledPipeline> | undefined;
  // compile once per container; a failed load (S3 down) is retried by the next invocation
  const pipeline = (): Promise<CompiledPipeline> => {
    compiled ??= loadReferences(spec, store).then((refs) => compilePipeline(spec, refs));
    compiled.catch(() => {
      compiled = undefined;
    });
    return compiled;
  };

  return async (event) => {
    const p = await pipeline();
    const writtenAt = now();
    const batches = decodeMskEvent(event);
    // the Avro decoder's writer schemas come from the registry, before the batch is decoded
    if (p.valueDecoder.input === 'bytes') await resolveWriterSchemas(p.valueDecoder.avro, batches, options.schemaRegistry!);
    const outputs = batches.map((b) => processBatch(p, b, writtenAt));
    const committed = await commitToTables(options.lake, p, batches, outputs, writtenAt);
    // after the commits: a failure of either throws, and the retried batch skips what was committed
    const summaries = outputs.flatMap((o) => o.summaries).filter((s) => s.messages.length > 0);
    for (const s of summaries) await options.summaryPublisher!.publish(s.topic, s.messages);
    const reasons: Partial<Record<QuarantineReason, number>> = {};
    for (const o of outputs) for (const [r, n] of Object.entries(o.reasons)) reasons[r as QuarantineReason] = (reasons[r as QuarantineReason] ?? 0) + (n as number);
    const maxTs = Math.max(...outputs.map((o) => o.maxKafkaTimestamp), -Infinity);
    const report: BatchReport = {
      pipeline: spec.name,
      recordsIn: outputs.reduce((n, o) => n + o.recordsIn, 0),
      events: outputs.reduce((n, o) => n + o.events, 0),
      quarantined: outputs.reduce((n, o) => n + o.quarantined, 0),
      reasons,
      partialRows: outputs.reduce((n, o) => n + o.partialRows, 0),
      summaryMessages: summaries.reduce((n, s) => n + s.messages.length, 0),
      objects: committed.objects,
      bytesWritten: committed.commits.reduce((n, c) => n + c.bytes, 0),
      maxKafkaTimestamp: Number.isFinite(maxTs) ? maxTs : null,
      writtenAt,
      commits: committed.commits,
      skippedRecords: committed.skippedRecords,
    };
    options.observe?.(report);
    return report;
  };
}

/** One table's rows of a batch output: one data file per day partition (the core plans one object per table and day). */
function rowsOf(table: string, batch: PartitionBatch, firstOffset: number, output: BatchOutput): TableRows {
  const parts = output.objects.filter((o) => o.table === table).map((o) => ({ day: o.day, columns: o.columns, rows: o.rows }));
  return { topic: batch.topic, partition: batch.partition, firstOffset, parts };
}

/**
 * Commits the invocation's rows to each Iceberg table, skipping per table the records it already
 * holds. The common case (no table holds any of them) uses the outputs already planned; a batch a
 * table holds part of is planned again from its remaining records, for that table only.
 */
async function commitToTables(
  lake: IcebergLakeWriter,
  p: CompiledPipeline,
  batches: readonly PartitionBatch[],
  outputs: readonly BatchOutput[],
  writtenAt: number,
): Promise<{ readonly commits: readonly CommitOutcome[]; readonly skippedRecords: number; readonly objects: readonly string[] }> {
  const tables = icebergTables(p.spec);
  const committed = await Promise.all(tables.map((t) => lake.committed(t.name)));
  const appends: TableAppend[] = [];
  let skippedRecords = 0;
  tables.forEach((t, ti) => {
    const rows: TableRows[] = [];
    const offsets: Record<string, OffsetRange[]> = {};
    batches.forEach((b, bi) => {
      if (b.records.length === 0) return;
      const key = topicPartitionKey(b.topic, b.partition);
      const first = b.records[0].offset;
      const last = b.records[b.records.length - 1].offset;
      const todo = uncommittedRanges(committed[ti], key, first, last);
      if (todo.length === 0) {
        skippedRecords += b.records.length;
        return;
      }
      offsets[key] = todo;
      if (todo.length === 1 && todo[0][0] === first && todo[0][1] === last) {
        rows.push(rowsOf(t.name, b, first, outputs[bi]));
        return;
      }
      // the table holds part of the batch (a retry with other boundaries, a replayed gap): plan the rest again
      const rest = b.records.filter((r) => !isCommitted(committed[ti], key, r.offset));
      skippedRecords += b.records.length - rest.length;
      if (rest.length > 0) rows.push(rowsOf(t.name, b, rest[0].offset, processBatch(p, { ...b, records: rest }, writtenAt)));
    });
    appends.push({ table: t.name, schema: t.schema as TableSchema, rows, offsets });
  });
  // every table's commit settles before a failure is reported: none is abandoned mid-flight
  const settled = await Promise.allSettled(appends.map((a) => lake.append(a)));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason instanceof Error ? failed.reason : new InfrastructureError(String(failed.reason));
  const commits = settled.map((s) => (s as PromiseFulfilledResult<CommitOutcome>).value).filter((c) => c.snapshotId !== undefined);
  return { commits, skippedRecords, objects: commits.flatMap((c) => c.paths) };
}
