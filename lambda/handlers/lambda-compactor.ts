/**
 * Lambda wiring of the compactor (issue #14): one function for every pipeline, invoked by an
 * EventBridge Scheduler schedule per pipeline with `{"pipeline": "<name>"}`. It runs
 * `IcebergCompactor.maintain` on that pipeline's tables — rewrite closed partitions, expire
 * snapshots, sweep orphans — over the same S3 store and Glue Iceberg REST catalog (SigV4 `glue`)
 * the processors use, logs a summary per table and publishes EMF metrics with the pipeline
 * dimension (model/metric-names.ts, COMPACTION_METRIC). A table that failed makes the invocation
 * fail (rethrown after the metrics): Lambda's Errors metric and the alarms see it, and the next
 * scheduled run tries again (every step is idempotent).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { readCompactorEnvironment, type CompactorEnvironment } from '../../model/environment';
import { MalformedEventError } from '../../model/errors';
import { icebergTables } from '../../model/lake-tables';
import { COMPACTION_METRIC, COMPACTOR_SERVICE, METRICS_NAMESPACE, PIPELINE_DIMENSION } from '../../model/metric-names';
import { pipelineByName } from '../../pipelines';
import type { LakeStore, LakeStoreListing } from '../adapters/lake-store';
import { RestCatalogClient } from '../adapters/rest-catalog';
import { S3LakeStore } from '../adapters/s3-lake-store';
import { sigV4Signer } from '../adapters/sigv4';
import { oldestAgeSeconds, tableBacklog, type UncompactedPartition } from '../lake/compaction-backlog';
import type { CompactionOptions } from '../lake/compaction';
import { IcebergCompactor, MaintenanceError, type TableMaintenance } from '../lake/compactor';
import { storeTableFileListing, storeTableFiles } from '../lake/table-files';
import type { IcebergWriterOptions } from './lambda-processor';

/** What the schedule sends. */
export interface CompactorEvent {
  readonly pipeline: string;
}

export interface CompactorRun {
  readonly pipeline: string;
  readonly tables: readonly TableMaintenance[];
  readonly failures: readonly { readonly table: string; readonly error: string }[];
  /** Closed partitions still holding enough small files after the run, oldest first (../lake/compaction-backlog.ts). */
  readonly uncompacted: readonly UncompactedPartition[];
  readonly oldestUncompactedPartitionAgeSeconds: number;
}

export interface CompactorHandlerOptions {
  /** The lake store instead of the S3 bucket LAKE_BUCKET names (tests). */
  readonly store?: LakeStore & LakeStoreListing;
  /** How the catalog is reached (tests: a local catalog without SigV4). */
  readonly iceberg?: IcebergWriterOptions;
  /** Processing time. @default Date.now */
  readonly now?: () => number;
  /** Options over the environment's (tests: no quiet period). */
  readonly compaction?: CompactionOptions;
}

/** The compactor's options from the environment; the rest keep their defaults (lambda/lake/compaction.ts). */
export function compactionOptionsOf(env: CompactorEnvironment): CompactionOptions {
  return {
    ...(env.targetFileSizeBytes !== undefined ? { targetFileSizeBytes: env.targetFileSizeBytes } : {}),
    ...(env.snapshotRetentionSeconds !== undefined ? { snapshotRetentionMs: env.snapshotRetentionSeconds * 1000 } : {}),
    ...(env.orphanMinAgeSeconds !== undefined ? { orphanMinAgeMs: env.orphanMinAgeSeconds * 1000 } : {}),
    ...(env.retentionDays ? { retentionDays: Object.fromEntries(Object.entries(env.retentionDays).filter((e): e is [string, number] => e[1] !== undefined)) } : {}),
  };
}

function pipelineOf(event: unknown, env: CompactorEnvironment): string {
  const name = typeof event === 'object' && event !== null ? (event as Record<string, unknown>).pipeline : undefined;
  if (typeof name !== 'string' || !env.pipelines.includes(name)) {
    throw new MalformedEventError(`compactor: the event must be {"pipeline": one of ${env.pipelines.join(', ')}}, got ${JSON.stringify(event)?.slice(0, 200)}`);
  }
  return name;
}

const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** The handler: environment read once, clients created once per container (see the module comment). */
export function compactorHandler(
  env: CompactorEnvironment = readCompactorEnvironment(),
  options: CompactorHandlerOptions = {},
): (event: CompactorEvent, context?: Context) => Promise<CompactorRun> {
  const store = options.store ?? new S3LakeStore({ bucket: env.lakeBucket, endpoint: env.s3Endpoint });
  const sign = options.iceberg?.sign ?? sigV4Signer({ region: env.lake.region, service: 'glue' });
  const catalog = new RestCatalogClient({ uri: env.lake.catalogUri, warehouse: env.lake.warehouse, sign, fetch: options.iceberg?.fetch });
  const files = storeTableFiles(store, env.lake.lakeRoot);
  const listing = storeTableFileListing(store, env.lake.lakeRoot);
  const now = options.now ?? Date.now;
  const compaction = { ...compactionOptionsOf(env), ...options.compaction };
  const logger = new Logger({ serviceName: COMPACTOR_SERVICE });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: COMPACTOR_SERVICE });

  return async (event, context) => {
    if (context) logger.addContext(context);
    const pipeline = pipelineOf(event, env);
    const spec = pipelineByName(pipeline);
    logger.appendKeys({ pipeline });
    const compactor = new IcebergCompactor({ catalog, files, listing, namespace: env.lake.namespace, now, log: (line) => logger.debug(line) });
    let tables: readonly TableMaintenance[];
    let failures: readonly { table: string; error: unknown }[] = [];
    let failure: MaintenanceError | undefined;
    try {
      tables = await compactor.maintain(spec, compaction);
    } catch (err) {
      if (!(err instanceof MaintenanceError)) throw err;
      ({ reports: tables, failures } = err);
      failure = err;
    }

    // what is left, table by table; a table that cannot be read now is left out of the metric (its failure is counted)
    const uncompacted: UncompactedPartition[] = [];
    let measured = 0;
    for (const def of icebergTables(spec)) {
      try {
        uncompacted.push(...(await tableBacklog({ catalog, files, namespace: env.lake.namespace }, spec, def.name, compaction, now())));
        measured++;
      } catch (err) {
        logger.warn('cannot measure the compaction backlog', { table: def.name, error: message(err) });
      }
    }
    uncompacted.sort((a, b) => b.ageMs - a.ageMs);
    const oldest = oldestAgeSeconds(uncompacted);

    for (const t of tables) {
      const c = t.compaction;
      logger.info('table maintained', {
        table: c.table,
        snapshotId: c.snapshotId?.toString(),
        groups: c.groups,
        filesRemoved: c.filesRemoved,
        filesAdded: c.filesAdded,
        recordsRemoved: c.recordsRemoved,
        recordsAdded: c.recordsAdded,
        groupsDropped: c.groupsDropped,
        conflicts: c.conflicts,
        skipped: c.skipped.length,
        snapshotsExpired: t.expiry.expired.length,
        orphansDeleted: t.orphans?.deleted.length ?? 0,
        orphansYoung: t.orphans?.young ?? 0,
        metadataFilesDeleted: t.orphans?.metadataFilesDeleted.length ?? 0,
        uncompacted: uncompacted.filter((u) => u.table === c.table).map((u) => `${u.partition} (${u.files} files)`),
      });
    }
    for (const f of failures) logger.error('table maintenance failed', { table: f.table, error: message(f.error) });

    const sum = (f: (t: TableMaintenance) => number) => tables.reduce((n, t) => n + f(t), 0);
    metrics.addDimension(PIPELINE_DIMENSION, pipeline);
    const counts: readonly (readonly [string, number])[] = [
      [COMPACTION_METRIC.filesRewritten, sum((t) => t.compaction.filesRemoved)],
      [COMPACTION_METRIC.filesWritten, sum((t) => t.compaction.filesAdded)],
      [COMPACTION_METRIC.recordsRewritten, sum((t) => t.compaction.recordsRemoved)],
      [COMPACTION_METRIC.conflicts, sum((t) => t.compaction.conflicts)],
      [COMPACTION_METRIC.snapshotsExpired, sum((t) => t.expiry.expired.length)],
      // stale metadata files count as the orphans they are
      [COMPACTION_METRIC.orphansDeleted, sum((t) => (t.orphans?.deleted.length ?? 0) + (t.orphans?.metadataFilesDeleted.length ?? 0))],
      [COMPACTION_METRIC.recordsPastRetention, sum((t) => t.retention?.recordsDeleted ?? 0)],
    ];
    for (const [name, value] of counts) metrics.addMetric(name, MetricUnit.Count, value);
    metrics.addMetric(COMPACTION_METRIC.failures, MetricUnit.Count, failures.length);
    // only when every table was measured: a partial figure would understate the backlog
    if (measured === icebergTables(spec).length) metrics.addMetric(COMPACTION_METRIC.oldestUncompactedPartitionAgeSeconds, MetricUnit.Seconds, oldest);
    metrics.publishStoredMetrics();

    if (failure !== undefined) throw failure;
    return { pipeline, tables, failures: failures.map((f) => ({ table: f.table, error: message(f.error) })), uncompacted, oldestUncompactedPartitionAgeSeconds: oldest };
  };
}
