/**
 * An Iceberg table built as the lake tests build it (and the
 * processor will): the clickstream processor's own planned events, written as Parquet data files
 * with field ids and stats into the table's location, with our manifests and manifest lists,
 * committed as append snapshots through the REST client.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CreateTableRequest, RestCatalogClient, TableMetadata } from '../../lambda/adapters/rest-catalog';
import { encodeParquetFile } from '../../lambda/core/parquet';
import type { PlannedObject } from '../../lambda/core/plan-batch';
import { planAppend, type AppendPlan } from '../../lambda/lake/append';
import { planDataFile, type DataFile } from '../../lambda/lake/data-file';
import { createTableRequest, LAKE_NAMESPACE, partitionSourceColumn, resolveSchema } from '../../lambda/lake/iceberg-schema';
import { refSnapshot, topicPartitionKey, type OffsetRange } from '../../lambda/lake/snapshot';
import { eventsSchema } from '../../model/tables';
import { clickstream } from '../../pipelines/clickstream';
import { plannedBatch } from '../lambda/lake/support';

export const CLICKSTREAM_EVENTS = eventsSchema(clickstream);
/** 2026-11-22 22:00 UTC: with a 20 s step, 600 records span 3 h 20 min, two days. */
export const START = Date.UTC(2026, 10, 22, 22);
export const STEP = 20_000;

export interface PlannedEventsBatch {
  readonly objects: readonly PlannedObject[];
  readonly topic: string;
  readonly partition: number;
  readonly first: number;
  readonly last: number;
  readonly quarantined: number;
}

/** One processor batch of clickstream traffic: its planned events objects. */
export function clickstreamBatch(partition: number, first: number, count: number, start: number): PlannedEventsBatch {
  const { output } = plannedBatch(clickstream, { count, start, stepMillis: STEP, firstOffset: first, partition, seed: 11 + partition + first });
  return { objects: output.objects.filter((o) => o.kind === 'events'), topic: clickstream.topic.name, partition, first, last: first + count - 1, quarantined: output.quarantined };
}

/** Rows of planned objects, by column name, as the processor planned the values. */
export const rowsOf = (objects: readonly PlannedObject[]): Record<string, unknown>[] =>
  objects.flatMap((o) => Array.from({ length: o.rows }, (_, r) => Object.fromEntries(o.schema.columns.map((c, i) => [c.name, o.columns[i][r]]))));

/**
 * A new table's metadata as a catalog answers its creation (no snapshot yet), for the pure
 * planners' tests; unpartitioned when the request has no partition spec.
 */
export function newTableMetadata(request: CreateTableRequest, o: { readonly tableUuid?: string; readonly lastUpdatedMs?: number } = {}): TableMetadata {
  const spec = request['partition-spec'] ?? { 'spec-id': 0, fields: [] };
  return {
    'format-version': 2,
    'table-uuid': o.tableUuid ?? '0e6f7a5e-8d55-4b8e-9d1c-1f2b3c4d5e6f',
    location: request.location ?? `file:///lake/${request.name}`,
    'last-updated-ms': o.lastUpdatedMs ?? 0,
    'last-sequence-number': 0,
    'last-column-id': request.schema.fields.length,
    schemas: [request.schema],
    'current-schema-id': request.schema['schema-id'] ?? 0,
    'partition-specs': [spec],
    'default-spec-id': spec['spec-id'] ?? 0,
    // partition field ids start at 1000: 999 when there is none
    'last-partition-id': Math.max(999, ...spec.fields.map((f) => f['field-id'] ?? 0)),
    refs: {},
    snapshots: [],
  };
}

function write(uri: string, bytes: Uint8Array): void {
  const path = fileURLToPath(uri);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

/** What a processor invocation will do: write the events files of its batches, then plan the append. */
export function writeAndPlan(metadata: TableMetadata, batches: readonly PlannedEventsBatch[]): AppendPlan {
  const resolution = resolveSchema(metadata, CLICKSTREAM_EVENTS);
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id'])!;
  const dataFiles: DataFile[] = [];
  const offsets: Record<string, OffsetRange[]> = {};
  for (const b of batches) {
    offsets[topicPartitionKey(b.topic, b.partition)] = [[b.first, b.last]];
    for (const o of b.objects) {
      const file = encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds: resolution.fieldIds, timestampUnit: 'MICROS' });
      const f = planDataFile({
        location: metadata.location,
        file,
        table: CLICKSTREAM_EVENTS,
        fieldIds: resolution.fieldIds,
        schema: resolution.schema,
        spec,
        topic: b.topic,
        partition: b.partition,
        firstOffset: b.first,
        uuid: crypto.randomUUID(),
      });
      write(f.filePath, file.bytes);
      dataFiles.push(f);
    }
  }
  const parent = refSnapshot(metadata);
  const plan = planAppend({
    metadata,
    parentManifestList: parent ? readFileSync(fileURLToPath(parent['manifest-list'])) : undefined,
    dataFiles,
    offsets,
    schema: resolution,
  });
  for (const w of plan.writes) write(w.path, w.bytes);
  return plan;
}

export interface BuiltTable {
  readonly namespace: string;
  readonly name: string;
  /** The batches of each commit. */
  readonly commits: readonly (readonly PlannedEventsBatch[])[];
  readonly plans: readonly AppendPlan[];
  /** Every events row the processor planned, in commit order. */
  readonly rows: readonly Record<string, unknown>[];
}

/**
 * `streamlake.<name>` at `location`, with two append commits: partition 0 offsets 0–599 and
 * partition 1 offsets 0–299 (one invocation, two batches), then partition 0 offsets 600–1199.
 */
export async function buildClickstreamTable(client: RestCatalogClient, name: string, location: string): Promise<BuiltTable> {
  await client.ensureNamespace(LAKE_NAMESPACE);
  const commits = [[clickstreamBatch(0, 0, 600, START), clickstreamBatch(1, 0, 300, START)], [clickstreamBatch(0, 600, 600, START + 600 * STEP)]];
  const created = await client.createTable(
    LAKE_NAMESPACE,
    createTableRequest(name, CLICKSTREAM_EVENTS, partitionSourceColumn('events', clickstream), { location, properties: { 'streamlake.pipeline': 'clickstream' } }),
  );
  const plans: AppendPlan[] = [];
  let metadata = created.metadata;
  for (const batches of commits) {
    const plan = writeAndPlan(metadata, batches);
    await client.commitTable(LAKE_NAMESPACE, name, plan.commit);
    plans.push(plan);
    metadata = (await client.loadTable(LAKE_NAMESPACE, name)).metadata;
  }
  return { namespace: LAKE_NAMESPACE, name, commits, plans, rows: rowsOf(commits.flat().flatMap((b) => b.objects)) };
}
