/**
 * Commits a processor invocation's rows to the pipeline's Iceberg tables, exactly once.
 *
 * Per table: the rows go into Parquet data files (one per Kafka partition and day), then ONE
 * append snapshot whose summary records the Kafka offset ranges it holds and, cumulatively, the
 * highest offset per topic-partition the table holds (./snapshot.ts). The table is the source of
 * truth: `committed(table)` says which offsets to skip, so a retried batch, with the same or other
 * boundaries, adds nothing twice whether it crashed before the commit (its files are orphans, never
 * listed by a manifest) or after it (its offsets are already held).
 *
 * The table's metadata is cached per container and refreshed when a commit conflicts: commits
 * assert that `main` still points at the snapshot they were planned on, so a stale cache can never
 * commit. On a conflict the append is re-planned on the reloaded table with the same data files,
 * with exponential backoff and jitter, unless another writer has meanwhile committed offsets of
 * this invocation's own partitions (a rebalance): then an OffsetsRaceError (retriable) sends the
 * whole batch back to be filtered again. A commit whose outcome is unknown (a 5xx, a lost
 * connection) is looked up by its snapshot id before it is tried again.
 */
import { randomUUID } from 'node:crypto';
import { InfrastructureError } from '../../model/errors';
import type { TableSchema } from '../../model/tables';
import { CommitConflictError, CommitStateUnknownError, type LoadTableResult, type Namespace, type RestCatalogClient, type TableMetadata } from '../adapters/rest-catalog';
import type { ColumnValues, ParquetFile } from '../core/parquet';
import { encodeParquetFile } from '../core/parquet';
import { manifestsToMerge, planAppend, type AppendPlan, type MetadataFile } from './append';
import { backOff, commitAttempts, type CommitRetryOptions } from './commit-retry';
import { readManifestList } from './manifest';
import { planDataFile, type DataFile } from './data-file';
import { defaultPartitionSpec, LAKE_NAMESPACE, resolveSchema, type SchemaResolution } from './iceberg-schema';
import { committedOffsetsOf, overlappingRanges, refSnapshot, type CommittedOffsets, type OffsetRanges } from './snapshot';
import type { TableFiles } from './table-files';

/** Rows of one table from one Kafka partition's batch, split by day (the table's partition). */
export interface TableRows {
  readonly topic: string;
  readonly partition: number;
  /** The first offset these rows were planned from (names the data files). */
  readonly firstOffset: number;
  readonly parts: readonly { readonly day: number; readonly columns: readonly ColumnValues[]; readonly rows: number }[];
}

export interface TableAppend {
  readonly table: string;
  readonly schema: TableSchema;
  readonly rows: readonly TableRows[];
  /** The offset ranges the commit holds, by `<topic>-<partition>`: every record in them, whether it gave rows or not. */
  readonly offsets: OffsetRanges;
  /** Rows per Parquet row group. @default all of a file's rows in one (an invocation's files are small) */
  readonly rowGroupRows?: number;
}

export interface CommitOutcome {
  readonly table: string;
  readonly snapshotId: bigint | undefined;
  readonly dataFiles: number;
  /** The data files' locations. */
  readonly paths: readonly string[];
  readonly records: number;
  readonly bytes: number;
  /** Commits tried (1 unless a conflict or an unknown outcome made it retry). */
  readonly attempts: number;
  readonly conflicts: number;
}

export interface IcebergLakeWriterOptions extends CommitRetryOptions {
  readonly catalog: RestCatalogClient;
  readonly files: TableFiles;
  /** @default 'streamlake' */
  readonly namespace?: Namespace;
  /** Merge the carried manifests once an append would list this many. @default 100 (Iceberg's commit.manifest.min-count-to-merge) */
  readonly minManifestsToMerge?: number;
  readonly now?: () => number;
}

/** Another writer committed offsets of this invocation's partitions while it ran (a rebalance): retry the batch, which skips them. */
export class OffsetsRaceError extends InfrastructureError {
  override readonly name: string = 'OffsetsRaceError';
}

/** A metadata file the table's current snapshot names cannot be read: retry (never read the table as empty). */
export class LakeFileMissingError extends InfrastructureError {
  override readonly name: string = 'LakeFileMissingError';
}

/** Conflicts outlasted every attempt: the batch is retried. */
export class CommitRetriesExhaustedError extends InfrastructureError {
  override readonly name: string = 'CommitRetriesExhaustedError';
}

interface CachedTable {
  readonly metadata: TableMetadata;
  /** The manifest list of `main`'s snapshot when this writer wrote it (saves reading it back). */
  readonly manifestList?: MetadataFile;
}

export class IcebergLakeWriter {
  private readonly cache = new Map<string, CachedTable>();
  /** The tail of each table's queue of appends: this writer's appends to one table run one at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly namespace: Namespace;

  constructor(private readonly options: IcebergLakeWriterOptions) {
    this.namespace = options.namespace ?? LAKE_NAMESPACE;
  }

  /** The highest offset per topic-partition the table holds (from the cache, loaded on first use). */
  async committed(table: string): Promise<CommittedOffsets> {
    return committedOffsetsOf((await this.table(table)).metadata);
  }

  /** Forgets every cached table (the next call loads them again). */
  invalidate(table?: string): void {
    if (table === undefined) this.cache.clear();
    else this.cache.delete(table);
  }

  /**
   * Writes the rows' data files and commits them, with the offsets, as one append. Offsets that
   * gave the table no rows are committed too (a snapshot with no data file): else its ranges would
   * fragment into one per batch that gave it rows, and a gap would not say whether it was
   * processed or is a parked batch still to replay. Nothing is committed without offsets.
   */
  async append(a: TableAppend): Promise<CommitOutcome> {
    // concurrent invocations sharing this writer (the local emulator's partitions) would only
    // conflict with each other: each waits for the previous append to the table, then plans on
    // the metadata that commit returned. Across writers (Lambda containers) conflicts stay.
    const previous = this.queues.get(a.table) ?? Promise.resolve();
    const run = previous.then(
      () => this.appendNow(a),
      () => this.appendNow(a),
    );
    const tail = run.catch(() => undefined);
    this.queues.set(a.table, tail);
    void tail.then(() => {
      if (this.queues.get(a.table) === tail) this.queues.delete(a.table);
    });
    return run;
  }

  private async appendNow(a: TableAppend): Promise<CommitOutcome> {
    if (Object.keys(a.offsets).length === 0) return { table: a.table, snapshotId: undefined, dataFiles: 0, paths: [], records: 0, bytes: 0, attempts: 0, conflicts: 0 };
    const { files } = this.options;
    const attempts = commitAttempts(this.options);
    let state = await this.table(a.table);
    let resolution = resolveSchema(state.metadata, a.schema);
    let dataFiles = await this.writeDataFiles(state.metadata, a, resolution);
    let conflicts = 0;
    for (let attempt = 1; ; attempt++) {
      this.checkNotCommitted(a, state.metadata);
      const again = resolveSchema(state.metadata, a.schema);
      if (again.fieldIds.join() !== resolution.fieldIds.join()) {
        // another writer evolved the schema: the files' field ids must be the new schema's
        resolution = again;
        dataFiles = await this.writeDataFiles(state.metadata, a, resolution);
      } else resolution = again;
      const parentManifestList = await this.parentManifestList(state);
      const plan = planAppend({
        metadata: state.metadata,
        parentManifestList,
        mergeManifests: await this.manifestsToMerge(state.metadata, parentManifestList),
        dataFiles,
        offsets: a.offsets,
        schema: resolution,
        now: this.options.now?.(),
      });
      for (const w of plan.writes) await files.put(w.path, w.bytes, 'application/octet-stream');
      try {
        const result = await this.options.catalog.commitTable(this.namespace, a.table, plan.commit);
        this.cache.set(a.table, { metadata: result.metadata, manifestList: plan.manifestList });
        return this.outcome(a.table, plan, dataFiles, attempt, conflicts);
      } catch (err) {
        this.cache.delete(a.table);
        if (err instanceof CommitStateUnknownError) {
          state = await this.table(a.table);
          // applied after all: our snapshot is in the table
          if (state.metadata.snapshots?.some((s) => s['snapshot-id'] === plan.snapshot['snapshot-id'])) return this.outcome(a.table, plan, dataFiles, attempt, conflicts);
        } else if (err instanceof CommitConflictError) {
          conflicts++;
        } else throw err;
        if (attempt >= attempts) {
          throw new CommitRetriesExhaustedError(`iceberg: ${a.table}: ${attempt} commits failed (${conflicts} conflicts); last: ${(err as Error).message}`, { cause: err });
        }
        await backOff(this.options, attempt);
        state = await this.table(a.table);
      }
    }
  }

  private outcome(table: string, plan: AppendPlan, dataFiles: readonly DataFile[], attempts: number, conflicts: number): CommitOutcome {
    return {
      table,
      snapshotId: plan.snapshot['snapshot-id'],
      dataFiles: dataFiles.length,
      paths: dataFiles.map((f) => f.filePath),
      records: dataFiles.reduce((n, f) => n + f.recordCount, 0),
      bytes: dataFiles.reduce((n, f) => n + f.fileSizeInBytes, 0),
      attempts,
      conflicts,
    };
  }

  /** Refuses to commit offsets the table already holds: the batch was filtered on an older view of the table. */
  private checkNotCommitted(a: TableAppend, metadata: TableMetadata): void {
    const committed = committedOffsetsOf(metadata);
    for (const [key, ranges] of Object.entries(a.offsets)) {
      for (const [first, last] of ranges) {
        const held = overlappingRanges(committed, key, first, last);
        if (held.length > 0) {
          throw new OffsetsRaceError(
            `iceberg: ${a.table} already holds ${key} offsets ${held.map(([x, y]) => `${x}..${y}`).join(', ')}, which this batch (${first}..${last}) was planned without: it is retried`,
          );
        }
      }
    }
  }

  private async table(name: string): Promise<CachedTable> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const loaded: LoadTableResult = await this.options.catalog.loadTable(this.namespace, name);
    const entry = { metadata: loaded.metadata };
    this.cache.set(name, entry);
    return entry;
  }

  private async parentManifestList(state: CachedTable): Promise<Uint8Array | undefined> {
    const parent = refSnapshot(state.metadata);
    if (!parent) return undefined;
    const path = parent['manifest-list'];
    if (state.manifestList?.path === path) return state.manifestList.bytes;
    const bytes = await this.options.files.get(path);
    if (!bytes) {
      throw new LakeFileMissingError(`iceberg: table ${state.metadata['table-uuid']}: the manifest list of its current snapshot ${parent['snapshot-id']} (${path}) cannot be read`);
    }
    return bytes;
  }

  /** The bytes of the parent's manifests to merge, when the append would list enough of them (`commit.manifest.min-count-to-merge`). */
  private async manifestsToMerge(metadata: TableMetadata, parentManifestList: Uint8Array | undefined): Promise<ReadonlyMap<string, Uint8Array> | undefined> {
    if (!parentManifestList) return undefined;
    const merging = manifestsToMerge(readManifestList(parentManifestList).manifests, defaultPartitionSpec(metadata)['spec-id'] ?? 0, this.options.minManifestsToMerge);
    if (merging.length === 0) return undefined;
    const read = await Promise.all(
      merging.map(async (m) => {
        const bytes = await this.options.files.get(m.manifestPath);
        if (!bytes) throw new LakeFileMissingError(`iceberg: table ${metadata['table-uuid']}: manifest ${m.manifestPath} of its current snapshot cannot be read`);
        return [m.manifestPath, bytes] as const;
      }),
    );
    return new Map(read);
  }

  /** Encodes and writes one data file per (Kafka partition, day); returns their `data_file`s. */
  private async writeDataFiles(metadata: TableMetadata, a: TableAppend, resolution: SchemaResolution): Promise<DataFile[]> {
    const spec = defaultPartitionSpec(metadata);
    const out: DataFile[] = [];
    const writes: Promise<void>[] = [];
    for (const r of a.rows) {
      for (const part of r.parts) {
        if (part.rows === 0) continue;
        const file: ParquetFile = encodeParquetFile(a.schema, part.columns, part.rows, { fieldIds: resolution.fieldIds, timestampUnit: 'MICROS', rowGroupRows: a.rowGroupRows });
        const f = planDataFile({
          location: metadata.location,
          file,
          table: a.schema,
          fieldIds: resolution.fieldIds,
          schema: resolution.schema,
          spec,
          topic: r.topic,
          partition: r.partition,
          firstOffset: r.firstOffset,
          uuid: randomUUID(),
        });
        out.push(f);
        writes.push(this.options.files.put(f.filePath, file.bytes, 'application/vnd.apache.parquet'));
      }
    }
    // every write settles before a failure is reported: none is left running into the retry
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason instanceof Error ? failed.reason : new InfrastructureError(String(failed.reason));
    return out;
  }
}
