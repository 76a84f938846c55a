/**
 * What the compactor rewrites, decided from table metadata alone (pure: no file is read here).
 *
 * A table's day partitions that no longer receive appends are **closed**: the partition's time
 * range, plus the window size for partials (a window starting late in the day ends the next
 * day), plus the pipeline's allowed lateness, lies before `now`; and no append (a snapshot other
 * than a `replace`) added a file to it for `quietMs` (a replay of old data keeps a partition open
 * while it writes there). The clock is processing time: late data is never dropped by the
 * processors, so "closed" only says when rewriting is worth it; correctness does not depend on it
 * (an append to a partition being rewritten is safe, see ./compactor.ts).
 *
 * By default the files of open partitions are rewritten the same way (`openPartitions`), every
 * file committed when the run planned (`openQuietMs`, default 0), so today's partition does not
 * keep one file per invocation until midnight: right after a run it is one file per target size,
 * plus what was appended while the run rewrote. A closed partition then holds what the last runs
 * left of it. (`quietMs` applies to closed partitions: a replay of old data into one delays its
 * rewrite until the replay is done.)
 *
 * In a closed partition:
 * - events and quarantine: the files below `minFileSizeBytes` are candidates; taken in time order
 *   (their lower bound of the partition's time column), they are bin-packed into groups of at most
 *   `targetFileSizeBytes` (a group of one file is left alone), each group rewritten as one file
 *   sorted by time (Iceberg's bin-pack strategy with a sort: min-input-files and
 *   min-file-size-bytes = 75% of the target as in RewriteDataFiles);
 * - window partials: every file of the partition is one group, whatever its size, so that all the
 *   partials of a (window, keys) meet and merge into one row (./compaction-rows.ts); the output is
 *   split into files of about the target size.
 */
import type { PartitionSpec, Schema, Snapshot } from '../adapters/rest-catalog';
import { ConfigurationError } from '../../model/errors';
import type { IcebergTableDef, LakeTableKind } from '../../model/lake-tables';
import { DEFAULT_ALLOWED_LATENESS_SECONDS, type PipelineSpec } from '../../model/spec';
import type { Column, ColumnType, TableSchema } from '../../model/tables';
import { partitionKey, partitionPath, type DataFile, type PartitionValue } from './data-file';
import { LakeMetadataError } from './errors';
import { fromSingleValue, isBoundType } from './single-value';

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** The compactor's settings. Every one has a default (COMPACTION_DEFAULTS); lateness comes from the pipeline spec. */
export interface CompactionOptions {
  /** Size of the files a rewrite writes. @default 128 MiB (Iceberg's write.target-file-size-bytes is 512 MiB; Athena reads 128 MiB splits) */
  readonly targetFileSizeBytes?: number;
  /** Events and quarantine files at least this large are left alone. @default 75% of targetFileSizeBytes (Iceberg's min-file-size-bytes) */
  readonly minFileSizeBytes?: number;
  /** A partition's files are rewritten only once it has this many candidates. @default 2 */
  readonly minInputFiles?: number;
  /** A partition is closed only after no append added a file to it for this long. @default the pipeline's allowed lateness */
  readonly quietMs?: number;
  /**
   * In an open partition, files appended less than this long ago wait for the next run.
   * @default 0: a run rewrites every file committed when it planned (appends meanwhile only add files)
   */
  readonly openQuietMs?: number;
  /**
   * Snapshots older than this are expired (time travel reaches this far back). Every commit
   * rewrites the table's metadata file, whose size grows with the snapshots it lists: with a
   * commit per batch (thousands an hour), hours of snapshots make every commit slower. @default 1 hour
   */
  readonly snapshotRetentionMs?: number;
  /** The newest snapshots of `main` kept whatever their age. @default 1 (Iceberg's history.expire.min-snapshots-to-keep) */
  readonly minSnapshotsToKeep?: number;
  /**
   * Unreferenced files younger than this are kept: a writer may be between writing its files and
   * committing them (a processor for at most its Lambda timeout, 15 minutes). @default 3 days (Iceberg's DeleteOrphanFiles)
   */
  readonly orphanMinAgeMs?: number;
  /**
   * Days of data each kind of table keeps, by its partition day (events: event day; quarantine:
   * arrival day; partials: window-start day): day partitions that ended longer ago are deleted
   * through the table (a `delete` snapshot). @default none: kept forever
   */
  readonly retentionDays?: Partial<Record<LakeTableKind, number>>;
  /**
   * Input bytes one run rewrites per table at most, oldest partitions first; the rest waits for the
   * next run (a first run over weeks of small files must still finish within the Lambda timeout).
   * @default 2 GiB
   */
  readonly maxRewriteBytesPerRun?: number;
  /**
   * Also rewrite the files (appended more than `openQuietMs` ago) of partitions that are still
   * open, such as today's: without it a day-partitioned table holds one file per invocation until
   * the day closes. Appends meanwhile only add files, so this is as safe as a closed partition's
   * rewrite. @default true
   */
  readonly openPartitions?: boolean;
}

export const COMPACTION_DEFAULTS = {
  targetFileSizeBytes: 128 * MIB,
  minFileSizeRatio: 0.75,
  minInputFiles: 2,
  snapshotRetentionMs: HOUR_MS,
  minSnapshotsToKeep: 1,
  orphanMinAgeMs: 3 * 24 * HOUR_MS,
  maxRewriteBytesPerRun: 2 * 1024 * MIB,
} as const;

/** The options with their defaults, for one table of a pipeline. */
export interface TablePolicy {
  readonly table: IcebergTableDef;
  readonly targetFileSizeBytes: number;
  readonly minFileSizeBytes: number;
  readonly minInputFiles: number;
  /** How long after a partition's time range ends it may still receive rows: the allowed lateness, plus the window size for partials. */
  readonly closeAfterMs: number;
  readonly quietMs: number;
  readonly openQuietMs: number;
  readonly snapshotRetentionMs: number;
  readonly minSnapshotsToKeep: number;
  readonly orphanMinAgeMs: number;
  /** Day partitions that ended more than this many days ago are deleted (undefined: kept forever). */
  readonly retentionDays?: number;
  readonly maxRewriteBytesPerRun: number;
  readonly openPartitions: boolean;
}

/** Every out-of-range option at once (ConfigurationError naming each). */
export function tablePolicy(spec: PipelineSpec, table: IcebergTableDef, o: CompactionOptions = {}): TablePolicy {
  const lateness = (spec.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS) * 1000;
  const target = o.targetFileSizeBytes ?? COMPACTION_DEFAULTS.targetFileSizeBytes;
  const policy: TablePolicy = {
    table,
    targetFileSizeBytes: target,
    minFileSizeBytes: o.minFileSizeBytes ?? Math.floor(target * COMPACTION_DEFAULTS.minFileSizeRatio),
    minInputFiles: o.minInputFiles ?? COMPACTION_DEFAULTS.minInputFiles,
    closeAfterMs: lateness + (table.kind === 'partials' && table.window ? table.window.sizeSeconds * 1000 : 0),
    quietMs: o.quietMs ?? lateness,
    openQuietMs: o.openQuietMs ?? 0,
    snapshotRetentionMs: o.snapshotRetentionMs ?? COMPACTION_DEFAULTS.snapshotRetentionMs,
    minSnapshotsToKeep: o.minSnapshotsToKeep ?? COMPACTION_DEFAULTS.minSnapshotsToKeep,
    orphanMinAgeMs: o.orphanMinAgeMs ?? COMPACTION_DEFAULTS.orphanMinAgeMs,
    retentionDays: o.retentionDays?.[table.kind],
    maxRewriteBytesPerRun: o.maxRewriteBytesPerRun ?? COMPACTION_DEFAULTS.maxRewriteBytesPerRun,
    openPartitions: o.openPartitions ?? true,
  };
  const problems: string[] = [];
  const check = (name: string, value: number, min: number) => {
    if (!Number.isSafeInteger(value) || value < min) problems.push(`${name} must be an integer of at least ${min}, got ${value}`);
  };
  check('targetFileSizeBytes', policy.targetFileSizeBytes, 1);
  check('minFileSizeBytes', policy.minFileSizeBytes, 0);
  check('minInputFiles', policy.minInputFiles, 2);
  check('quietMs', policy.quietMs, 0);
  check('openQuietMs', policy.openQuietMs, 0);
  check('snapshotRetentionMs', policy.snapshotRetentionMs, 0);
  check('minSnapshotsToKeep', policy.minSnapshotsToKeep, 1);
  check('orphanMinAgeMs', policy.orphanMinAgeMs, 0);
  check('maxRewriteBytesPerRun', policy.maxRewriteBytesPerRun, 1);
  if (policy.retentionDays !== undefined) check(`retentionDays.${table.kind}`, policy.retentionDays, 1);
  if (policy.minFileSizeBytes > policy.targetFileSizeBytes)
    problems.push(`minFileSizeBytes (${policy.minFileSizeBytes}) must not exceed targetFileSizeBytes (${policy.targetFileSizeBytes})`);
  if (problems.length > 0) throw new ConfigurationError(`compactor options for ${table.name}: ${problems.join('; ')}`);
  return policy;
}

/** A live data file of the current snapshot, with what it inherited from its manifest. */
export interface LiveDataFile {
  readonly dataFile: DataFile;
  /** The snapshot that added it. */
  readonly snapshotId: bigint;
  readonly sequenceNumber: number;
  readonly fileSequenceNumber: number;
  readonly manifestPath: string;
  readonly specId: number;
}

/** Files of one partition rewritten together into `outputs` files. */
export interface RewriteGroup {
  /** The partition tuple (one day value). */
  readonly partition: readonly PartitionValue[];
  readonly inputs: readonly LiveDataFile[];
  /** Whether rows of the same (window, keys) merge (window partials). */
  readonly merge: boolean;
  /** How many files to split the output into (about the target size each). */
  readonly outputs: number;
}

/** Why a partition was left alone (for the run's report). */
export interface SkippedPartition {
  readonly partition: string;
  /** `deferred`: due, but past this run's maxRewriteBytesPerRun (the next run takes it). */
  readonly reason: 'open' | 'appended-recently' | 'too-few-files' | 'deferred';
}

export interface RewritePlan {
  readonly groups: readonly RewriteGroup[];
  readonly skipped: readonly SkippedPartition[];
}

/** The day a `day(…)` partition tuple stands for; a LakeMetadataError for any other partitioning. */
export function partitionDay(spec: PartitionSpec, partition: readonly PartitionValue[]): number | undefined {
  if (spec.fields.length !== 1 || spec.fields[0].transform !== 'day') {
    throw new LakeMetadataError(`iceberg: the compactor rewrites day-partitioned tables; this spec is [${spec.fields.map((f) => `${f.transform}(${f.name})`).join(', ')}]`);
  }
  const v = partition[0];
  return typeof v === 'number' ? v : undefined;
}

/** The smallest value of `fieldId` a file holds, as a number, for ordering files in time (undefined: unknown). */
function lowerTime(file: DataFile, schema: Schema, fieldId: number): number {
  const field = schema.fields.find((f) => f.id === fieldId);
  const bytes = file.lowerBounds?.get(fieldId);
  if (!field || !bytes || !isBoundType(field.type)) return Number.NEGATIVE_INFINITY;
  const v = fromSingleValue(field.type, bytes);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : Number.NEGATIVE_INFINITY;
}

/** Greedy bin-packing of files (in the order given) into groups of at most `target` bytes. */
export function binPack<T extends { readonly dataFile: DataFile }>(files: readonly T[], target: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const f of files) {
    if (current.length > 0 && size + f.dataFile.fileSizeInBytes > target) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(f);
    size += f.dataFile.fileSizeInBytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/**
 * The groups of files to rewrite: closed partitions only, as the module comment says. `snapshots`
 * are the table's (to date each file's append); `now` is processing time.
 */
export function planRewrites(args: {
  readonly files: readonly LiveDataFile[];
  readonly spec: PartitionSpec;
  readonly schema: Schema;
  readonly snapshots: readonly Snapshot[];
  readonly policy: TablePolicy;
  readonly now: number;
}): RewritePlan {
  const { spec, policy, now } = args;
  const merge = policy.table.kind === 'partials';
  const specId = spec['spec-id'] ?? 0;
  const appendedAt = new Map<bigint, number>();
  for (const s of args.snapshots) if (s.summary.operation !== 'replace') appendedAt.set(s['snapshot-id'], s['timestamp-ms']);
  const byPartition = new Map<string, LiveDataFile[]>();
  for (const f of args.files) {
    // files of an older partition spec are left as they are
    if (f.specId !== specId || f.dataFile.content !== 0) continue;
    const key = partitionKey(f.dataFile.partition);
    const list = byPartition.get(key) ?? [];
    list.push(f);
    byPartition.set(key, list);
  }
  const timeField = spec.fields[0]?.['source-id'];
  const groups: RewriteGroup[] = [];
  const skipped: SkippedPartition[] = [];
  // oldest day first (a run's budget goes to the oldest partitions); a partition without a day last
  const dayOrKey = ([key, files]: [string, LiveDataFile[]]): [number, string] => [partitionDay(spec, files[0].dataFile.partition) ?? Number.POSITIVE_INFINITY, key];
  const partitions = [...byPartition.entries()].sort((a, b) => {
    const [[da, ka], [db, kb]] = [dayOrKey(a), dayOrKey(b)];
    return da !== db ? da - db : ka.localeCompare(kb);
  });
  for (const [, files] of partitions) {
    const partition = files[0].dataFile.partition;
    const day = partitionDay(spec, partition);
    const label = partitionPath(spec, partition);
    const closed = day !== undefined && (day + 1) * DAY_MS + policy.closeAfterMs <= now;
    if (!closed && !policy.openPartitions) {
      skipped.push({ partition: label, reason: 'open' });
      continue;
    }
    // settled files: their append is older than the quiet period (a file of an expired snapshot is old)
    const quiet = closed ? policy.quietMs : policy.openQuietMs;
    const settled = files.filter((f) => now - (appendedAt.get(f.snapshotId) ?? Number.NEGATIVE_INFINITY) >= quiet);
    const candidates = merge ? settled : settled.filter((f) => f.dataFile.fileSizeInBytes < policy.minFileSizeBytes);
    if (candidates.length < policy.minInputFiles) {
      skipped.push({ partition: label, reason: settled.length === files.length ? 'too-few-files' : closed ? 'appended-recently' : 'open' });
      continue;
    }
    const ordered = [...candidates].sort((a, b) => {
      const [x, y] = [lowerTime(a.dataFile, args.schema, timeField), lowerTime(b.dataFile, args.schema, timeField)];
      return x < y ? -1 : x > y ? 1 : a.dataFile.filePath < b.dataFile.filePath ? -1 : a.dataFile.filePath > b.dataFile.filePath ? 1 : 0;
    });
    if (merge) {
      const bytes = ordered.reduce((n, f) => n + f.dataFile.fileSizeInBytes, 0);
      groups.push({ partition, inputs: ordered, merge, outputs: Math.max(1, Math.ceil(bytes / policy.targetFileSizeBytes)) });
      continue;
    }
    const packed = binPack(ordered, policy.targetFileSizeBytes).filter((g) => g.length >= policy.minInputFiles);
    if (packed.length === 0) skipped.push({ partition: label, reason: 'too-few-files' });
    for (const g of packed) groups.push({ partition, inputs: g, merge, outputs: 1 });
  }
  // oldest partitions first (the loop's order), up to the run's budget; at least one group, so every run progresses
  const due: RewriteGroup[] = [];
  let bytes = 0;
  for (const g of groups) {
    const size = g.inputs.reduce((n, f) => n + f.dataFile.fileSizeInBytes, 0);
    if (due.length > 0 && bytes + size > policy.maxRewriteBytesPerRun) {
      const label = partitionPath(spec, g.partition);
      if (!skipped.some((s) => s.partition === label && s.reason === 'deferred')) skipped.push({ partition: label, reason: 'deferred' });
      continue;
    }
    due.push(g);
    bytes += size;
  }
  return { groups: due, skipped };
}

/** `<location>/data/<partition path>/compacted-<uuid>.parquet`: where a rewrite's output goes. */
export function compactedFilePath(location: string, spec: PartitionSpec, partition: readonly PartitionValue[], uuid: string): string {
  const dir = spec.fields.length > 0 ? `data/${partitionPath(spec, partition)}` : 'data';
  return `${location.replace(/\/+$/, '')}/${dir}/compacted-${uuid}.parquet`;
}

const COLUMN_TYPES: Readonly<Record<string, ColumnType>> = {
  string: 'string',
  int: 'int',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  timestamptz: 'timestamp',
  binary: 'binary',
};

/** The table's Iceberg schema as the Parquet writer's table schema, and each column's field id: a rewrite writes what the table is, whatever the spec says now. */
export function writerSchemaOf(schema: Schema): { readonly table: TableSchema; readonly fieldIds: readonly number[] } {
  const columns = schema.fields.map((f): Column => {
    const type = typeof f.type === 'string' ? COLUMN_TYPES[f.type] : undefined;
    if (!type) throw new LakeMetadataError(`iceberg: column '${f.name}' is ${JSON.stringify(f.type)}, which streamlake's Parquet writer does not write`);
    return { name: f.name, type, nullable: !f.required, ...(f.doc ? { comment: f.doc } : {}) };
  });
  return { table: { columns, partitionKeys: [] }, fieldIds: schema.fields.map((f) => f.id) };
}

/** The Iceberg table property for the size of the Parquet row groups a writer makes. */
export const ROW_GROUP_SIZE_PROPERTY = 'write.parquet.row-group-size-bytes';
/** Iceberg's default for it, for tables that do not set it. */
export const ICEBERG_DEFAULT_ROW_GROUP_SIZE_BYTES = 128 * MIB;

/**
 * Rows per row group for a rewrite's output: the table's `write.parquet.row-group-size-bytes`
 * over the bytes per row of its input files (the output compresses at least as well as the small
 * inputs, so row groups come out at most about that size).
 */
export function rowGroupRowsFor(
  properties: Readonly<Record<string, string>> | undefined,
  inputs: readonly { readonly fileSizeInBytes: number; readonly recordCount: number }[],
): number {
  const raw = properties?.[ROW_GROUP_SIZE_PROPERTY];
  const size = raw === undefined ? ICEBERG_DEFAULT_ROW_GROUP_SIZE_BYTES : Number(raw);
  if (!Number.isSafeInteger(size) || size < 1) {
    throw new ConfigurationError(
      `iceberg: the table property ${ROW_GROUP_SIZE_PROPERTY} must be a positive number of bytes, got '${raw}': set it to a value such as ${8 * MIB} (8 MiB), or unset it`,
    );
  }
  const bytes = inputs.reduce((n, f) => n + f.fileSizeInBytes, 0);
  const rows = inputs.reduce((n, f) => n + f.recordCount, 0);
  if (rows === 0 || bytes === 0) return 1;
  return Math.max(1, Math.floor(size / (bytes / rows)));
}

/** The columns a rewrite sorts by: the time the table is partitioned by, then the Kafka coordinates (events, quarantine) or the window's keys (partials). */
export function sortColumnsOf(def: IcebergTableDef): string[] {
  if (def.kind === 'partials') return ['window_start', 'window_end', ...(def.window?.groupBy ?? [])];
  return [def.partitionColumn, 'kafka_topic', 'kafka_partition', 'kafka_offset'];
}

/**
 * The live files of day partitions past the retention: those whose day ended more than
 * `retentionDays` days before `now` (today counts as day 0). None without a retention.
 */
export function expiredPartitionFiles<T extends { readonly dataFile: DataFile }>(files: readonly T[], spec: PartitionSpec, retentionDays: number | undefined, now: number): T[] {
  if (retentionDays === undefined) return [];
  const today = Math.floor(now / DAY_MS);
  return files.filter((f) => {
    const day = partitionDay(spec, f.dataFile.partition);
    // a file without a day (a null partition value) is never expired by date
    return day !== undefined && day < today - retentionDays;
  });
}
