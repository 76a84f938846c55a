/**
 * `streamlake status`: where each pipeline stands, from the two sources of truth. Per pipeline
 * and Kafka partition: the end offset (the broker), the highest offset the events table has
 * committed (its snapshot summaries, as the processors read them), the lag between them, the
 * last commit of that partition and the freshness (0 when the table holds everything the topic
 * has; else the time since that partition's last commit, a lower bound of how stale the table
 * is). Per table: data files, bytes and records of the current snapshot, snapshots kept, and the
 * last compaction (the newest `replace` snapshot).
 *
 * `tableStatus` and `partitionStatus` are pure (metadata and offsets in, rows out); `collectStatus`
 * asks the catalog and the broker.
 */
import type { Admin } from 'kafkajs';
import type { RestCatalogClient, TableMetadata } from '../lambda/adapters/rest-catalog';
import { CatalogNotFoundError } from '../lambda/adapters/rest-catalog';
import { LAKE_NAMESPACE } from '../lambda/lake/iceberg-schema';
import { committedOffsetsOf, highestCommitted, refSnapshot, snapshotOffsets, topicPartitionKey } from '../lambda/lake/snapshot';
import { eventsTableName, icebergTables } from '../model/lake-tables';
import type { PipelineSpec } from '../model/spec';

export interface TableStatus {
  readonly table: string;
  /** False when the table does not exist yet. */
  readonly exists: boolean;
  readonly dataFiles: number;
  readonly bytes: number;
  readonly records: number;
  readonly snapshots: number;
  /** When the current snapshot was committed (epoch millis). */
  readonly lastCommitMs?: number;
  /** When the newest `replace` snapshot (a compaction) was committed. */
  readonly lastCompactionMs?: number;
}

export interface PartitionStatus {
  readonly pipeline: string;
  readonly topic: string;
  readonly partition: number;
  /** The broker's end offset: the offset the next record will get (undefined: broker not asked). */
  readonly endOffset?: number;
  /** The highest offset the events table holds for the partition (undefined: none). */
  readonly committedOffset?: number;
  /** Records the topic has that the table does not: endOffset − (committedOffset + 1). */
  readonly lag?: number;
  /** The last snapshot that committed offsets of this partition (epoch millis). */
  readonly lastCommitMs?: number;
  /** 0 when lag is 0; else ms since the partition's last commit (or undefined if it never had one). */
  readonly freshnessMs?: number;
}

export interface StatusReport {
  readonly at: number;
  readonly tables: readonly TableStatus[];
  readonly partitions: readonly PartitionStatus[];
  /** Why the broker figures are missing, if they are. */
  readonly brokerProblem?: string;
}

const figure = (summary: Readonly<Record<string, string>> | undefined, key: string): number => (summary?.[key] !== undefined ? Number(summary[key]) : 0);

export function tableStatus(table: string, metadata: TableMetadata | undefined): TableStatus {
  if (!metadata) return { table, exists: false, dataFiles: 0, bytes: 0, records: 0, snapshots: 0 };
  const current = refSnapshot(metadata);
  const snapshots = metadata.snapshots ?? [];
  const compactions = snapshots.filter((s) => s.summary?.operation === 'replace').map((s) => s['timestamp-ms']);
  return {
    table,
    exists: true,
    dataFiles: figure(current?.summary, 'total-data-files'),
    bytes: figure(current?.summary, 'total-files-size'),
    records: figure(current?.summary, 'total-records'),
    snapshots: snapshots.length,
    lastCommitMs: current?.['timestamp-ms'],
    lastCompactionMs: compactions.length > 0 ? Math.max(...compactions) : undefined,
  };
}

/** The partitions of `topic`: the broker's (when given) and every one the table has committed. */
export function partitionStatus(spec: PipelineSpec, events: TableMetadata | undefined, endOffsets: ReadonlyMap<number, number> | undefined, now: number): PartitionStatus[] {
  const topic = spec.topic.name;
  const committed = events ? committedOffsetsOf(events) : {};
  const partitions = new Set<number>(endOffsets?.keys() ?? []);
  for (const key of Object.keys(committed)) {
    const p = Number(key.slice(key.lastIndexOf('-') + 1));
    if (key === topicPartitionKey(topic, p)) partitions.add(p);
  }
  // newest first: the first snapshot naming a partition is its last commit
  const snapshots = [...(events?.snapshots ?? [])].sort((a, b) => b['timestamp-ms'] - a['timestamp-ms']);
  return [...partitions]
    .sort((a, b) => a - b)
    .map((partition) => {
      const key = topicPartitionKey(topic, partition);
      const committedOffset = highestCommitted(committed, key);
      const endOffset = endOffsets?.get(partition);
      const lag = endOffset === undefined ? undefined : Math.max(0, endOffset - (committedOffset === undefined ? 0 : committedOffset + 1));
      const last = snapshots.find((s) => snapshotOffsets(s.summary)[key] !== undefined);
      const lastCommitMs = last?.['timestamp-ms'];
      const freshnessMs = lag === 0 ? 0 : lastCommitMs === undefined ? undefined : Math.max(0, now - lastCommitMs);
      return { pipeline: spec.name, topic, partition, endOffset, committedOffset, lag, lastCommitMs, freshnessMs };
    });
}

async function loadOrNothing(catalog: RestCatalogClient, namespace: string, table: string): Promise<TableMetadata | undefined> {
  try {
    return (await catalog.loadTable(namespace, table, { snapshots: 'all' })).metadata;
  } catch (err) {
    if (err instanceof CatalogNotFoundError) return undefined;
    throw err;
  }
}

/** The broker's end offsets of `topic` by partition. */
export async function endOffsetsOf(admin: Admin, topic: string): Promise<Map<number, number>> {
  return new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, Number(o.high)]));
}

export async function collectStatus(o: {
  readonly specs: readonly PipelineSpec[];
  readonly catalog: RestCatalogClient;
  /** The broker's admin client; absent: no Kafka figures (`brokerProblem` says why). */
  readonly admin?: Admin;
  readonly brokerProblem?: string;
  readonly namespace?: string;
  readonly now?: () => number;
}): Promise<StatusReport> {
  const now = (o.now ?? Date.now)();
  const namespace = o.namespace ?? LAKE_NAMESPACE;
  const tables: TableStatus[] = [];
  const partitions: PartitionStatus[] = [];
  let brokerProblem = o.brokerProblem;
  for (const spec of o.specs) {
    const metadata = new Map<string, TableMetadata | undefined>();
    for (const t of icebergTables(spec)) {
      metadata.set(t.name, await loadOrNothing(o.catalog, namespace, t.name));
      tables.push(tableStatus(t.name, metadata.get(t.name)));
    }
    let ends: Map<number, number> | undefined;
    if (o.admin && brokerProblem === undefined) {
      try {
        ends = await endOffsetsOf(o.admin, spec.topic.name);
      } catch (err) {
        brokerProblem = `the broker did not give the end offsets of ${spec.topic.name}: ${(err as Error).message}`;
      }
    }
    partitions.push(...partitionStatus(spec, metadata.get(eventsTableName(spec)), ends, now));
  }
  return { at: now, tables, partitions, brokerProblem };
}

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const num = (n: number | undefined): string => (n === undefined ? '-' : n.toLocaleString('en-US'));
const seconds = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

/** The report as the two tables the CLI prints. */
export function statusRows(r: StatusReport): { readonly partitions: Record<string, string>[]; readonly tables: Record<string, string>[] } {
  return {
    partitions: r.partitions.map((p) => ({
      pipeline: p.pipeline,
      partition: `${p.topic}-${p.partition}`,
      'end offset': num(p.endOffset),
      committed: num(p.committedOffset),
      lag: num(p.lag),
      'last commit': iso(p.lastCommitMs),
      freshness: seconds(p.freshnessMs),
    })),
    tables: r.tables.map((t) => ({
      table: t.table,
      files: t.exists ? num(t.dataFiles) : 'not created',
      bytes: t.exists ? num(t.bytes) : '-',
      records: t.exists ? num(t.records) : '-',
      snapshots: t.exists ? num(t.snapshots) : '-',
      'last commit': iso(t.lastCommitMs),
      'last compaction': iso(t.lastCompactionMs),
    })),
  };
}
