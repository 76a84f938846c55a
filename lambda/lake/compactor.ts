/**
 * The compactor of a pipeline's Iceberg tables (issue #14): for each table, rewrite the closed
 * partitions into large sorted files (window partials merged, one row per window and keys) as ONE
 * `replace` snapshot, expire old snapshots, and delete orphan files. The decisions are pure
 * (./compaction.ts, ./compaction-rows.ts, ./replace.ts, ./maintenance.ts); this is the I/O.
 *
 * Safe against concurrent writers, with the catalog's optimistic concurrency: the replace asserts
 * that `main` is still the snapshot it was planned on. On a conflict (a processor appended, another
 * compactor committed) the table is reloaded: every group of files whose inputs are all still live
 * is re-planned on the new snapshot with the files already written (appends to the same partitions
 * only add files, which stay); a group with an input that is gone (another compactor rewrote it)
 * is dropped, its outputs left as orphans for the sweep. So a row is never lost (only live files
 * are replaced, by files holding exactly their rows) and never doubled (a file replaced twice
 * cannot commit twice). A commit whose answer was lost is looked up by its snapshot id. The
 * catalog unreachable (restarting) is waited out with the same backoff, up to `commitAttempts`.
 *
 * A compactor killed between writing its files and committing leaves only orphans: no manifest
 * lists them, readers never see them, and the sweep deletes them once older than its margin.
 */
import { randomUUID } from 'node:crypto';
import { InfrastructureError, InternalError, isRetriable, StreamlakeError } from '../../model/errors';
import { icebergTables, type IcebergTableDef } from '../../model/lake-tables';
import type { PipelineSpec } from '../../model/spec';
import { CatalogUnavailableError, CommitConflictError, CommitStateUnknownError, type Namespace, type RestCatalogClient, type TableMetadata } from '../adapters/rest-catalog';
import { encodeParquetFile } from '../core/parquet';
import {
  compactedFilePath,
  expiredPartitionFiles,
  planRewrites,
  rowGroupRowsFor,
  tablePolicy,
  writerSchemaOf,
  type CompactionOptions,
  type RewriteGroup,
  type SkippedPartition,
  type TablePolicy,
} from './compaction';
import { backOff, commitAttempts, type CommitRetryOptions } from './commit-retry';
import { concatRows, mergePartials, partialsRoles, sortForRewrite, splitRows, type Rows } from './compaction-rows';
import { dataFile, type DataFile } from './data-file';
import { readDataFile, type DataFileReader } from './data-reader';
import { currentSchema, defaultPartitionSpec, LAKE_NAMESPACE } from './iceberg-schema';
import { LakeFileMissingError } from './lake-writer';
import { readManifestList } from './manifest';
import { orphanFiles, planExpiry, staleMetadataFiles } from './maintenance';
import { liveDataFiles, planReplace, type SnapshotManifests } from './replace';
import { refSnapshot } from './snapshot';
import type { TableFileListing, TableFiles } from './table-files';

export interface IcebergCompactorOptions extends CommitRetryOptions {
  readonly catalog: RestCatalogClient;
  /** Reads the table's files and writes the rewritten ones. */
  readonly files: TableFiles;
  /** Lists and deletes files for the orphan sweep; without it the sweep is skipped. */
  readonly listing?: TableFileListing;
  /** @default 'streamlake' */
  readonly namespace?: Namespace;
  /** @default hyparquet (./data-reader.ts) */
  readonly reader?: DataFileReader;
  /** Processing time: closes partitions, dates snapshots, ages snapshots and files. @default Date.now */
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

export interface TableCompaction {
  readonly table: string;
  /** The replace snapshot committed, if any. */
  readonly snapshotId?: bigint;
  /** Groups of files rewritten (committed). */
  readonly groups: number;
  readonly filesRemoved: number;
  readonly filesAdded: number;
  readonly recordsRemoved: number;
  readonly recordsAdded: number;
  /** Groups dropped because another writer replaced one of their inputs meanwhile. */
  readonly groupsDropped: number;
  /** Catalog calls that had to be tried again or committed (loads while the catalog was unreachable, commits). */
  readonly attempts: number;
  readonly conflicts: number;
  readonly skipped: readonly SkippedPartition[];
}

export interface SnapshotExpiry {
  readonly table: string;
  readonly expired: readonly bigint[];
}

export interface OrphanSweep {
  readonly table: string;
  /** Locations deleted. */
  readonly deleted: readonly string[];
  /** Unreferenced files kept because they are younger than the margin. */
  readonly young: number;
  /** The catalog's `*.metadata.json` files that are neither current nor in the table's metadata log (maintenance.ts `staleMetadataFiles`). */
  readonly metadataFilesDeleted: readonly string[];
}

/** Day partitions past the table's retention, deleted through the table (a `delete` snapshot). */
export interface PartitionRetention {
  readonly table: string;
  readonly snapshotId?: bigint;
  readonly filesDeleted: number;
  readonly recordsDeleted: number;
}

export interface TableMaintenance {
  /** Absent without a retention for the table's kind. */
  readonly retention?: PartitionRetention;
  readonly compaction: TableCompaction;
  readonly expiry: SnapshotExpiry;
  /** Absent without a listing. */
  readonly orphans?: OrphanSweep;
}

/**
 * Some tables of a pipeline failed their maintenance (the others were maintained: `reports`).
 * Retriable when every failure is: the next scheduled run tries again.
 */
export class MaintenanceError extends StreamlakeError {
  override readonly name: string = 'MaintenanceError';
  readonly retriable: boolean;
  constructor(
    readonly reports: readonly TableMaintenance[],
    readonly failures: readonly { readonly table: string; readonly error: unknown }[],
  ) {
    super(`compactor: ${failures.map((f) => `${f.table}: ${f.error instanceof Error ? f.error.message : String(f.error)}`).join('; ')}`, { cause: failures[0]?.error });
    this.retriable = failures.every((f) => isRetriable(f.error));
  }
}

/** Commits failed (conflicts, unknown outcomes, the catalog unreachable) more often than commitAttempts: run again later. */
export class CompactionRetriesExhaustedError extends InfrastructureError {
  override readonly name: string = 'CompactionRetriesExhaustedError';
}

/** One table operation's retriable failures so far (each is an attempt), shared by its retried calls. */
interface RetryCount {
  failures: number;
  conflicts: number;
}

interface Rewritten {
  readonly group: RewriteGroup;
  readonly outputs: readonly DataFile[];
}

/** Metadata files read at once by the orphan sweep. */
const READ_CONCURRENCY = 16;

/** `fn` over the items, at most `concurrency` at a time, results in order. */
async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export class IcebergCompactor {
  private readonly namespace: Namespace;
  private readonly reader: DataFileReader;
  /** Manifests and manifest lists never change once written: read each once. */
  private readonly metadataFiles = new Map<string, Uint8Array>();

  constructor(private readonly options: IcebergCompactorOptions) {
    this.namespace = options.namespace ?? LAKE_NAMESPACE;
    this.reader = options.reader ?? readDataFile;
  }

  /**
   * Each table of the pipeline in turn: compacts it, then expires its snapshots, then sweeps its
   * orphans (with a listing). A table that fails does not stop the others: the failures are
   * thrown together afterwards as a MaintenanceError carrying the other tables' reports.
   */
  async maintain(spec: PipelineSpec, options: CompactionOptions = {}): Promise<TableMaintenance[]> {
    const policies = icebergTables(spec).map((def) => tablePolicy(spec, def, options));
    const out: TableMaintenance[] = [];
    const failures: { table: string; error: unknown }[] = [];
    for (const policy of policies) {
      const def = policy.table;
      try {
        const retention = policy.retentionDays !== undefined ? await this.dropExpiredPartitions(def.name, policy) : undefined;
        const compaction = await this.compactTable(spec, def, policy);
        const expiry = await this.expireTable(def.name, policy);
        const orphans = this.options.listing ? await this.sweepTable(def.name, policy) : undefined;
        out.push({ ...(retention ? { retention } : {}), compaction, expiry, ...(orphans ? { orphans } : {}) });
      } catch (error) {
        this.log(`compactor: ${def.name} failed: ${error instanceof Error ? error.message : String(error)}`);
        failures.push({ table: def.name, error });
      }
    }
    if (failures.length > 0) throw new MaintenanceError(out, failures);
    return out;
  }

  /** Rewrites the table's closed partitions as one replace snapshot (see the module comment). */
  async compact(spec: PipelineSpec, table: string, options: CompactionOptions = {}): Promise<TableCompaction> {
    const def = this.tableDef(spec, table);
    return this.compactTable(spec, def, tablePolicy(spec, def, options));
  }

  /** Removes the table's snapshots older than the retention (./maintenance.ts `planExpiry`). */
  async expireSnapshots(spec: PipelineSpec, table: string, options: CompactionOptions = {}): Promise<SnapshotExpiry> {
    const def = this.tableDef(spec, table);
    return this.expireTable(def.name, tablePolicy(spec, def, options));
  }

  /** Deletes the table's files no retained snapshot reaches, older than the margin (needs `listing`). */
  async deleteOrphanFiles(spec: PipelineSpec, table: string, options: CompactionOptions = {}): Promise<OrphanSweep> {
    const def = this.tableDef(spec, table);
    return this.sweepTable(def.name, tablePolicy(spec, def, options));
  }

  private tableDef(spec: PipelineSpec, table: string): IcebergTableDef {
    const def = icebergTables(spec).find((t) => t.name === table);
    if (!def)
      throw new InternalError(
        `compactor: pipeline '${spec.name}' has no table '${table}' (${icebergTables(spec)
          .map((t) => t.name)
          .join(', ')})`,
      );
    return def;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  private async read(location: string, what: string, table: string): Promise<Uint8Array> {
    const cached = this.metadataFiles.get(location);
    if (cached) return cached;
    const bytes = await this.options.files.get(location);
    if (!bytes) throw new LakeFileMissingError(`iceberg: ${table}: ${what} ${location} cannot be read`);
    if (location.endsWith('.avro')) this.metadataFiles.set(location, bytes);
    return bytes;
  }

  /** The current `main` snapshot's manifests (undefined for a table with no snapshot). */
  private async manifestsOf(table: string, metadata: TableMetadata): Promise<SnapshotManifests | undefined> {
    const head = refSnapshot(metadata);
    if (!head) return undefined;
    const list = readManifestList(await this.read(head['manifest-list'], `the manifest list of snapshot ${head['snapshot-id']}`, table));
    const bytes = new Map<string, Uint8Array>();
    for (const m of list.manifests) bytes.set(m.manifestPath, await this.read(m.manifestPath, 'manifest', table));
    return { snapshotId: head['snapshot-id'], manifests: list.manifests, bytes };
  }

  private async compactTable(spec: PipelineSpec, def: IcebergTableDef, policy: TablePolicy): Promise<TableCompaction> {
    const table = def.name;
    this.metadataFiles.clear();
    // the first load and the commits share one count: a catalog down while loading uses up attempts too
    const count: RetryCount = { failures: 0, conflicts: 0 };
    const withRetries = <T>(attempt: (retry: boolean) => Promise<T>): Promise<T> =>
      this.withCommitRetries(table, count, (c) => `${c.failures} attempts failed (${c.conflicts} conflicts)`, attempt);
    const load = async (): Promise<TableMetadata> => (await this.options.catalog.loadTable(this.namespace, table)).metadata;

    let metadata = await withRetries(load);
    // attempts: the failed loads and commits, plus the commit that succeeded
    const report = (r: Partial<TableCompaction>, committed = false): TableCompaction => ({
      table,
      groups: 0,
      filesRemoved: 0,
      filesAdded: 0,
      recordsRemoved: 0,
      recordsAdded: 0,
      groupsDropped: 0,
      attempts: count.failures + (committed ? 1 : 0),
      conflicts: count.conflicts,
      skipped: [],
      ...r,
    });
    let parent = await this.manifestsOf(table, metadata);
    if (!parent) return report({});
    const plan = planRewrites({
      files: liveDataFiles(metadata['table-uuid'], parent),
      spec: defaultPartitionSpec(metadata),
      schema: currentSchema(metadata),
      snapshots: metadata.snapshots ?? [],
      policy,
      now: this.now(),
    });
    if (plan.groups.length === 0) return report({ skipped: plan.skipped });

    let rewritten: Rewritten[] = [];
    for (const group of plan.groups) rewritten.push({ group, outputs: await this.rewrite(spec, def, metadata, group) });
    const planned = rewritten.length;
    const done = (snapshotId: bigint | undefined, committed = false): TableCompaction => {
      const added = rewritten.flatMap((r) => r.outputs);
      return report(
        {
          snapshotId,
          groups: rewritten.length,
          filesRemoved: rewritten.reduce((n, r) => n + r.group.inputs.length, 0),
          filesAdded: added.length,
          recordsRemoved: rewritten.reduce((n, r) => n + r.group.inputs.reduce((m, f) => m + f.dataFile.recordCount, 0), 0),
          recordsAdded: added.reduce((n, f) => n + f.recordCount, 0),
          groupsDropped: planned - rewritten.length,
          skipped: plan.skipped,
        },
        committed,
      );
    };
    const tried: bigint[] = [];
    return withRetries(async (retry) => {
      if (retry) {
        // the commit (or the load since) failed: re-plan on the table as it is now
        metadata = await load();
        // an attempt whose answer was lost may have been applied
        const applied = tried.find((id) => metadata.snapshots?.some((s) => s['snapshot-id'] === id));
        if (applied !== undefined) return done(applied);
        parent = await this.manifestsOf(table, metadata);
        const live = new Set(parent ? liveDataFiles(metadata['table-uuid'], parent).map((f) => f.dataFile.filePath) : []);
        const before = rewritten.length;
        rewritten = rewritten.filter((r) => r.group.inputs.every((f) => live.has(f.dataFile.filePath)));
        if (rewritten.length < before) this.log(`compactor: ${table}: ${before - rewritten.length} group(s) dropped, their files were replaced meanwhile`);
      }
      if (rewritten.length === 0) return done(undefined);
      const removed = rewritten.flatMap((r) => r.group.inputs.map((f) => f.dataFile.filePath));
      const added = rewritten.flatMap((r) => r.outputs);
      const replace = planReplace({ metadata, parent: parent!, removed, added, now: this.now() });
      tried.push(replace.snapshot['snapshot-id']);
      for (const w of replace.writes) await this.options.files.put(w.path, w.bytes, 'application/octet-stream');
      await this.options.catalog.commitTable(this.namespace, table, replace.commit);
      this.log(`compactor: ${table}: replaced ${removed.length} files by ${added.length} (snapshot ${replace.snapshot['snapshot-id']})`);
      return done(replace.snapshot['snapshot-id'], true);
    });
  }

  /** Reads a group's files, sorts (and merges) their rows, writes the output files; returns their data files. */
  private async rewrite(spec: PipelineSpec, def: IcebergTableDef, metadata: TableMetadata, group: RewriteGroup): Promise<DataFile[]> {
    const schema = currentSchema(metadata);
    const partitionSpec = defaultPartitionSpec(metadata);
    const { table, fieldIds } = writerSchemaOf(schema);
    const parts: Rows[] = [];
    for (const f of group.inputs) {
      const path = f.dataFile.filePath;
      const rows = await this.reader(await this.read(path, 'data file', def.name), table, fieldIds, path);
      if (rows.rows !== f.dataFile.recordCount) throw new InternalError(`compactor: ${path} has ${rows.rows} rows, its manifest entry says ${f.dataFile.recordCount}`);
      parts.push(rows);
    }
    let rows = concatRows(parts, table.columns.length);
    if (group.merge && def.window) rows = mergePartials(rows, partialsRoles(spec, def.window, table));
    else if (rows.rows !== group.inputs.reduce((n, f) => n + f.dataFile.recordCount, 0)) throw new InternalError(`compactor: ${def.name}: rows lost while rewriting`);
    rows = sortForRewrite(
      def,
      table.columns.map((c) => c.name),
      rows,
    );
    const outputs: DataFile[] = [];
    const rowGroupRows = rowGroupRowsFor(
      metadata.properties,
      group.inputs.map((f) => f.dataFile),
    );
    for (const slice of splitRows(rows, group.outputs)) {
      const file = encodeParquetFile(table, slice.columns, slice.rows, { fieldIds, timestampUnit: 'MICROS', rowGroupRows });
      const path = compactedFilePath(metadata.location, partitionSpec, group.partition, randomUUID());
      const written = dataFile(path, file, table, fieldIds, schema, partitionSpec);
      if (JSON.stringify(written.partition) !== JSON.stringify(group.partition)) {
        throw new InternalError(`compactor: ${path} is in partition ${JSON.stringify(written.partition)}, its inputs in ${JSON.stringify(group.partition)}`);
      }
      await this.options.files.put(path, file.bytes, 'application/vnd.apache.parquet');
      outputs.push(written);
    }
    return outputs;
  }

  /**
   * Deletes the table's day partitions past its retention as one `delete` snapshot (committed
   * offsets carried: the records stay committed, so no processor writes them again). On a
   * conflict or an unknown outcome the table is reloaded and the files past the retention are
   * chosen again from its live files; the expired files themselves go with the snapshots that list
   * them (expiry, then the orphan sweep).
   */
  private async dropExpiredPartitions(table: string, policy: TablePolicy): Promise<PartitionRetention> {
    const tried: bigint[] = [];
    let last: { readonly files: number; readonly records: number } = { files: 0, records: 0 };
    return this.withCommitRetries(
      table,
      { failures: 0, conflicts: 0 },
      (c) => `retention failed ${c.failures} times`,
      async () => {
        this.metadataFiles.clear();
        const metadata = (await this.options.catalog.loadTable(this.namespace, table)).metadata;
        const applied = tried.find((id) => metadata.snapshots?.some((x) => x['snapshot-id'] === id));
        if (applied !== undefined) return { table, snapshotId: applied, filesDeleted: last.files, recordsDeleted: last.records };
        const parent = await this.manifestsOf(table, metadata);
        if (!parent) return { table, filesDeleted: 0, recordsDeleted: 0 };
        const expired = expiredPartitionFiles(liveDataFiles(metadata['table-uuid'], parent), defaultPartitionSpec(metadata), policy.retentionDays, this.now());
        if (expired.length === 0) return { table, filesDeleted: 0, recordsDeleted: 0 };
        const plan = planReplace({ metadata, parent, removed: expired.map((f) => f.dataFile.filePath), added: [], operation: 'delete', now: this.now() });
        tried.push(plan.snapshot['snapshot-id']);
        last = { files: expired.length, records: expired.reduce((n, f) => n + f.dataFile.recordCount, 0) };
        for (const w of plan.writes) await this.options.files.put(w.path, w.bytes, 'application/octet-stream');
        await this.options.catalog.commitTable(this.namespace, table, plan.commit);
        this.log(`compactor: ${table}: deleted ${last.files} file(s), ${last.records} record(s) past the ${policy.retentionDays}-day retention`);
        return { table, snapshotId: plan.snapshot['snapshot-id'], filesDeleted: last.files, recordsDeleted: last.records };
      },
    );
  }

  private async expireTable(table: string, policy: TablePolicy): Promise<SnapshotExpiry> {
    // removing snapshots is idempotent: an unknown outcome or a conflict is planned again on the reloaded table
    return this.withCommitRetries(
      table,
      { failures: 0, conflicts: 0 },
      (c) => `snapshot expiry failed ${c.failures} times`,
      async () => {
        const metadata = (await this.options.catalog.loadTable(this.namespace, table)).metadata;
        const plan = planExpiry(metadata, { now: this.now(), retentionMs: policy.snapshotRetentionMs, minSnapshotsToKeep: policy.minSnapshotsToKeep });
        if (plan.commit) await this.options.catalog.commitTable(this.namespace, table, plan.commit);
        if (plan.expire.length > 0) this.log(`compactor: ${table}: expired ${plan.expire.length} snapshot(s)`);
        return { table, expired: plan.expire.map((s) => s['snapshot-id']) };
      },
    );
  }

  /**
   * Runs `attempt` until it returns. A conflict, an unknown commit outcome or the catalog
   * unreachable is counted in `count` and retried after the backoff (`attempt(true)`: the table
   * may have changed); the failure that reaches commitAttempts throws a
   * CompactionRetriesExhaustedError (`compactor: <table>: <failed(count)>; last: <its message>`).
   * Any other error is thrown as it is.
   */
  private async withCommitRetries<T>(table: string, count: RetryCount, failed: (count: RetryCount) => string, attempt: (retry: boolean) => Promise<T>): Promise<T> {
    const attempts = commitAttempts(this.options);
    for (let retry = false; ; retry = true) {
      try {
        return await attempt(retry);
      } catch (err) {
        if (!(err instanceof CommitConflictError || err instanceof CommitStateUnknownError || err instanceof CatalogUnavailableError)) throw err;
        count.failures++;
        if (err instanceof CommitConflictError) count.conflicts++;
        if (count.failures >= attempts) throw new CompactionRetriesExhaustedError(`compactor: ${table}: ${failed(count)}; last: ${err.message}`, { cause: err });
        await backOff(this.options, count.failures);
      }
    }
  }

  private async sweepTable(table: string, policy: TablePolicy): Promise<OrphanSweep> {
    const listing = this.options.listing;
    if (!listing) throw new InternalError(`compactor: no file listing to sweep ${table}'s orphans with`);
    this.metadataFiles.clear();
    const loaded = await this.options.catalog.loadTable(this.namespace, table);
    const metadata = loaded.metadata;
    // every file a retained snapshot reaches; an unreadable one stops the sweep (it would make live files look orphaned)
    const reachable = new Set<string>();
    // manifest lists, then the manifests they name (each once), read READ_CONCURRENCY at a time: a table keeps a snapshot per commit
    const snapshots = metadata.snapshots ?? [];
    const lists = await mapConcurrently(
      snapshots,
      READ_CONCURRENCY,
      async (s) => readManifestList(await this.read(s['manifest-list'], `the manifest list of snapshot ${s['snapshot-id']}`, table)).manifests,
    );
    snapshots.forEach((s) => reachable.add(s['manifest-list']));
    const unique = new Map(lists.flat().map((m) => [m.manifestPath, m]));
    const live = await mapConcurrently([...unique.values()], READ_CONCURRENCY, async (m) =>
      liveDataFiles(metadata['table-uuid'], {
        snapshotId: m.addedSnapshotId,
        manifests: [m],
        bytes: new Map([[m.manifestPath, await this.read(m.manifestPath, 'manifest', table)]]),
      }),
    );
    for (const m of unique.keys()) reachable.add(m);
    for (const f of live.flat()) reachable.add(f.dataFile.filePath);
    const location = metadata.location.replace(/\/+$/, '');
    const listed = await listing.list(`${location}/`);
    const orphans = orphanFiles({ tableLocation: location, listed, reachable, now: this.now(), minAgeMs: policy.orphanMinAgeMs });
    const unreferenced = orphanFiles({ tableLocation: location, listed, reachable, now: Number.POSITIVE_INFINITY, minAgeMs: 0 });
    if (orphans.length > 0) {
      await listing.delete(orphans.map((f) => f.location));
      for (const f of orphans) this.metadataFiles.delete(f.location);
      this.log(`compactor: ${table}: deleted ${orphans.length} orphan file(s)`);
    }
    // without the current metadata file's location nothing tells the stale ones apart
    const current = loaded['metadata-location'];
    const stale = current ? staleMetadataFiles({ tableLocation: location, listed, metadata, current, now: this.now() }) : [];
    if (stale.length > 0) {
      await listing.delete(stale.map((f) => f.location));
      this.log(`compactor: ${table}: deleted ${stale.length} metadata file(s) the table no longer lists`);
    }
    return { table, deleted: orphans.map((f) => f.location), young: unreferenced.length - orphans.length, metadataFilesDeleted: stale.map((f) => f.location) };
  }
}
