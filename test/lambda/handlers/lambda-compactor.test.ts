/**
 * The compactor's Lambda wiring against a REAL Apache Iceberg REST catalog (run locally) with the
 * lake's S3 side on versitygw (an S3-compatible server over a directory, the catalog's metadata
 * files in the same directory): the unchanged processor handler commits several small files into
 * days long closed, then the compactor handler, invoked with the schedule's event, rewrites them —
 * fewer files, the same rows read back by DuckDB over exactly the files the current snapshot lists
 * — expires snapshots, deletes an orphan, and prints its metrics as CloudWatch EMF. A fake signer
 * stands in for SigV4 (the local server ignores it).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { S3LakeStore } from '../../../lambda/adapters/s3-lake-store';
import type { RestCatalogClient } from '../../../lambda/adapters/rest-catalog';
import { refSnapshot } from '../../../lambda/lake/snapshot';
import { clickstream } from '../../../pipelines/clickstream';
import { compactionOptionsOf, compactorHandler, type CompactorRun } from '../../../lambda/handlers/lambda-compactor';
import { lambdaProcessorHandler } from '../../../lambda/handlers/lambda-processor';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { MaintenanceError } from '../../../lambda/lake/compactor';
import { directoryLocation } from '../../../lambda/lake/table-files';
import { currentDataFiles } from '../../../local/query/iceberg-files';
import { REPO_ROOT } from '../../../local/runtime';
import { startS3Server, type RunningS3Server } from '../../../local/s3server/versitygw';
import { readCompactorEnvironment, readProcessorEnvironment } from '../../../model/environment';
import { COMPACTION_METRIC, COMPACTOR_SERVICE } from '../../../model/metric-names';
import { TestDuckDb } from '../../support/duckdb';
import { mskEvent, type TestRecord } from '../../support/msk';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';

jest.setTimeout(180_000);

/** Midnight between two days long closed: every partition is closed (by event time and by Kafka timestamp). */
const MIDNIGHT = Date.UTC(2024, 4, 2);
/**
 * The catalog refuses a commit dated before its table's last snapshot, so the compactor runs on
 * the real clock; without a quiet period (the pipeline's lateness, 2 minutes), the appends just
 * made do not keep the days open.
 */
const NO_QUIET = { quietMs: 0 };
const sign = <T>(r: T): T => r;

describe('the compactor function', () => {
  let t: TestCatalog;
  let s3: RunningS3Server;
  let db: TestDuckDb;
  beforeAll(async () => {
    t = await startTestCatalog('streamlake-lambda-compactor');
    s3 = await startS3Server(REPO_ROOT, join(t.root, 's3'));
    db = await TestDuckDb.open();
  }, 300_000);
  afterAll(async () => {
    db?.close();
    await s3?.stop();
    await stopTestCatalog(t);
  });

  /** A bucket with the clickstream tables (namespace `ns`), filled by `batches` processor invocations, each crossing midnight (two day partitions). */
  async function filledLake(bucket: string, ns: string, batches: number) {
    await s3.createBucket(bucket);
    const lakeRoot = directoryLocation(join(s3.root, bucket));
    await ensureIcebergTables(t.catalog, clickstream, lakeRoot, ns);
    const vars = {
      LAKE_BUCKET: bucket,
      ICEBERG_CATALOG_URI: t.server.url,
      ICEBERG_WAREHOUSE: '123456789012',
      ICEBERG_REGION: 'eu-west-1',
      ICEBERG_NAMESPACE: ns,
      LAKE_ROOT: lakeRoot,
    };
    const store = new S3LakeStore({ bucket, client: s3.client() });
    const processor = lambdaProcessorHandler(readProcessorEnvironment({ STREAMLAKE_PIPELINE: 'clickstream', ...vars }), undefined, { store, iceberg: { sign } });
    const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      for (let b = 0; b < batches; b++) {
        const records: TestRecord[] = Array.from({ length: 20 }, (_, i) => {
          const offset = b * 20 + i;
          const time = MIDNIGHT + (i % 2 === 0 ? -1 : 1) * (offset + 1) * 1_000; // every batch on both days
          return {
            topic: 'clickstream',
            partition: 0,
            offset,
            timestamp: time,
            value: i === 7 ? 'not,valid' : `${time},${offset},www.amazon${offset % 3}.com,192.168.2.${offset % 5}`,
          };
        });
        await processor(mskEvent(records));
      }
    } finally {
      quiet.mockRestore();
    }
    const env = readCompactorEnvironment({ COMPACTOR_PIPELINES: 'clickstream,sales', ...vars, SNAPSHOT_RETENTION_SECONDS: '0', ORPHAN_MIN_AGE_SECONDS: '0' });
    return { store, env, lakeRoot };
  }

  async function invoke(
    handler: ReturnType<typeof compactorHandler>,
    event: unknown,
  ): Promise<{ run?: CompactorRun; error?: unknown; emf: Record<string, unknown>[]; logs: string[] }> {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      return { run: await handler(event as never), emf: emfOf(lines), logs: lines };
    } catch (error) {
      return { error, emf: emfOf(lines), logs: lines };
    } finally {
      spy.mockRestore();
    }
  }
  const emfOf = (lines: readonly string[]) =>
    lines
      .flatMap((l) => l.split('\n'))
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  const tableRows = async (catalog: RestCatalogClient, ns: string, table: string, sql: (from: string) => string) => {
    const { metadata } = await catalog.loadTable(ns, table);
    const files = currentDataFiles(metadata);
    const from = `read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`;
    return { files: files.length, rows: JSON.stringify(await db.rows(sql(from)), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)), metadata };
  };

  it('compacts closed days into fewer files with the same rows, expires snapshots, deletes orphans, and reports it in EMF', async () => {
    const ns = 'compacted';
    const { store, env } = await filledLake('lake-compacted', ns, 7);
    const events = (from: string) => `SELECT kafka_partition, kafka_offset, recordtime, url, ip, domain FROM ${from} ORDER BY kafka_offset`;
    // the partials merged as the window view does: one row per window and url
    const windows = (from: string) => `SELECT window_start, url, sum(page_views)::BIGINT AS page_views FROM ${from} GROUP BY ALL ORDER BY ALL`;
    const quarantine = (from: string) => `SELECT kafka_offset, reason FROM ${from} ORDER BY kafka_offset`;
    const before = {
      events: await tableRows(t.catalog, ns, 'clickstream_events', events),
      windows: await tableRows(t.catalog, ns, 'clickstream_page_views_1m_partials', windows),
      quarantine: await tableRows(t.catalog, ns, 'clickstream_quarantine', quarantine),
    };
    // 7 invocations, each one file per day partition: 14 small files
    expect(before.events.files).toBe(14);
    expect(before.quarantine.files).toBeGreaterThanOrEqual(7);
    // just after the appends: the days are closed but not quiet yet (the pipeline's lateness), so nothing is rewritten
    const soon = Date.now();
    const early = await invoke(compactorHandler(env, { store, iceberg: { sign }, now: () => soon }), { pipeline: 'clickstream' });
    expect(early.error).toBeUndefined();
    expect(early.run!.tables.every((m) => m.compaction.filesRemoved === 0)).toBe(true);
    // with no retention, every snapshot but the current one is expired: 7 appends, 6 expired
    expect(early.run!.tables.find((m) => m.compaction.table === 'clickstream_events')?.expiry.expired).toHaveLength(6);
    // ... and the backlog says so: the oldest day ended at MIDNIGHT
    expect(early.run!.uncompacted.map((u) => `${u.table} ${u.partition}`)).toEqual(
      expect.arrayContaining(['clickstream_events recordtime_day=2024-05-01', 'clickstream_events recordtime_day=2024-05-02']),
    );
    const oldestEarly = Math.floor((soon - MIDNIGHT) / 1000);
    expect(early.run!.oldestUncompactedPartitionAgeSeconds).toBe(oldestEarly);
    expect(early.emf).toHaveLength(1);
    expect(early.emf[0][COMPACTION_METRIC.oldestUncompactedPartitionAgeSeconds]).toBe(oldestEarly);

    // a file no snapshot lists (a processor that died before its commit)
    await store.put('iceberg/clickstream_events/data/recordtime_day=2024-05-01/orphan.parquet', Buffer.from('PAR1'));
    // without the quiet period: rewritten
    const { run, error, emf } = await invoke(compactorHandler(env, { store, iceberg: { sign }, compaction: NO_QUIET }), { pipeline: 'clickstream' });
    expect(error).toBeUndefined();
    const byTable = Object.fromEntries(run!.tables.map((m) => [m.compaction.table, m]));
    expect(byTable.clickstream_events.compaction).toMatchObject({ filesRemoved: 14, filesAdded: 2, recordsRemoved: 133, recordsAdded: 133 });
    expect(byTable.clickstream_page_views_1m_partials.compaction.filesAdded).toBe(2);
    // the replace is the current snapshot now: the last append's is expired
    expect(byTable.clickstream_events.expiry.expired).toHaveLength(1);
    // no retention, no margin: the orphan, and the 14 files the replace removed (no retained snapshot lists them any more) with their manifests
    const deleted = byTable.clickstream_events.orphans?.deleted ?? [];
    expect(deleted).toContainEqual(expect.stringMatching(/recordtime_day=2024-05-01\/orphan\.parquet$/));
    expect(deleted.filter((l) => l.includes('/data/'))).toHaveLength(15);
    expect(deleted.filter((l) => l.includes('/data/') && l.includes('compacted-'))).toEqual([]);
    expect(await store.get('iceberg/clickstream_events/data/recordtime_day=2024-05-01/orphan.parquet')).toBeUndefined();
    expect(run!.uncompacted).toEqual([]);

    const after = {
      events: await tableRows(t.catalog, ns, 'clickstream_events', events),
      windows: await tableRows(t.catalog, ns, 'clickstream_page_views_1m_partials', windows),
      quarantine: await tableRows(t.catalog, ns, 'clickstream_quarantine', quarantine),
    };
    expect(after.events.files).toBe(2);
    expect(after.events.rows).toBe(before.events.rows);
    expect(JSON.parse(after.events.rows)).toHaveLength(133);
    expect(after.windows.files).toBe(2);
    expect(after.windows.rows).toBe(before.windows.rows);
    expect(after.quarantine.files).toBeLessThan(before.quarantine.files);
    expect(after.quarantine.rows).toBe(before.quarantine.rows);
    expect(refSnapshot(after.events.metadata)?.summary.operation).toBe('replace');

    // one EMF document, with the pipeline dimension and the run's figures
    expect(emf).toHaveLength(1);
    const [doc] = emf;
    const aws = doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
    expect(aws.CloudWatchMetrics[0].Namespace).toBe('streamlake');
    expect(aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['pipeline', 'service']));
    expect(doc.pipeline).toBe('clickstream');
    expect(doc.service).toBe(COMPACTOR_SERVICE);
    const sum = (f: (m: CompactorRun['tables'][number]) => number) => run!.tables.reduce((n, m) => n + f(m), 0);
    expect(doc[COMPACTION_METRIC.filesRewritten]).toBe(sum((m) => m.compaction.filesRemoved));
    expect(doc[COMPACTION_METRIC.filesWritten]).toBe(sum((m) => m.compaction.filesAdded));
    expect(doc[COMPACTION_METRIC.recordsRewritten]).toBe(sum((m) => m.compaction.recordsRemoved));
    expect(doc[COMPACTION_METRIC.snapshotsExpired]).toBe(sum((m) => m.expiry.expired.length));
    expect(doc[COMPACTION_METRIC.orphansDeleted]).toBe(sum((m) => m.orphans?.deleted.length ?? 0));
    // no retention configured in this run: nothing past it
    expect(doc[COMPACTION_METRIC.recordsPastRetention]).toBe(0);
    expect(doc[COMPACTION_METRIC.failures]).toBe(0);
    expect(doc[COMPACTION_METRIC.oldestUncompactedPartitionAgeSeconds]).toBe(0);
    expect((doc[COMPACTION_METRIC.filesRewritten] as number) > 20).toBe(true);

    // the next run has nothing to do
    const again = await invoke(compactorHandler(env, { store, iceberg: { sign }, compaction: NO_QUIET }), { pipeline: 'clickstream' });
    expect(again.run!.tables.every((m) => m.compaction.filesRemoved === 0)).toBe(true);
  });

  it('fails the invocation when a table fails, after maintaining the others and publishing the failure count', async () => {
    const ns = 'broken';
    const { store, env } = await filledLake('lake-broken', ns, 3);
    // the quarantine table's current manifest list disappears: its maintenance cannot even plan
    const { metadata } = await t.catalog.loadTable(ns, 'clickstream_quarantine');
    const list = refSnapshot(metadata)!['manifest-list'];
    rmSync(new URL(list.replace(/^file:\/(?!\/)/, 'file:///')));
    const { error, emf } = await invoke(compactorHandler(env, { store, iceberg: { sign }, compaction: NO_QUIET }), { pipeline: 'clickstream' });
    expect(error).toBeInstanceOf(MaintenanceError);
    expect((error as MaintenanceError).failures.map((f) => f.table)).toEqual(['clickstream_quarantine']);
    expect((error as MaintenanceError).reports.map((r) => r.compaction.table).sort()).toEqual(['clickstream_events', 'clickstream_page_views_1m_partials']);
    expect(emf).toHaveLength(1);
    expect(emf[0][COMPACTION_METRIC.failures]).toBe(1);
    expect(emf[0][COMPACTION_METRIC.filesRewritten]).toBe(12);
    // the backlog could not be measured on every table: no figure rather than an understated one
    expect(emf[0][COMPACTION_METRIC.oldestUncompactedPartitionAgeSeconds]).toBeUndefined();
  });

  it('rejects an event that names no pipeline it maintains', async () => {
    const env = readCompactorEnvironment({
      COMPACTOR_PIPELINES: 'clickstream',
      LAKE_BUCKET: 'x',
      ICEBERG_CATALOG_URI: t.server.url,
      ICEBERG_WAREHOUSE: 'w',
      ICEBERG_REGION: 'eu-west-1',
      ICEBERG_NAMESPACE: 'n',
      LAKE_ROOT: 's3://x/',
    });
    const handler = compactorHandler(env, { store: new S3LakeStore({ bucket: 'x', client: s3.client() }), iceberg: { sign } });
    await expect(handler({ pipeline: 'sales' })).rejects.toThrow(/one of clickstream\}, got \{"pipeline":"sales"\}/);
    await expect(handler({} as never)).rejects.toThrow(/must be \{"pipeline"/);
  });
});

describe('the compactor environment', () => {
  const base = {
    COMPACTOR_PIPELINES: 'sales',
    LAKE_BUCKET: 'b',
    ICEBERG_CATALOG_URI: 'u',
    ICEBERG_WAREHOUSE: 'w',
    ICEBERG_REGION: 'r',
    ICEBERG_NAMESPACE: 'n',
    LAKE_ROOT: 's3://b/',
  };
  it('names a missing or bad variable', () => {
    expect(() => readCompactorEnvironment({ ...base, COMPACTOR_PIPELINES: '' })).toThrow(/COMPACTOR_PIPELINES is not set/);
    expect(() => readCompactorEnvironment({ ...base, ICEBERG_NAMESPACE: '' })).toThrow(/ICEBERG_NAMESPACE is not set: the compactor maintains/);
    expect(() => readCompactorEnvironment({ ...base, COMPACTION_TARGET_FILE_SIZE_BYTES: '12MB' })).toThrow(
      /COMPACTION_TARGET_FILE_SIZE_BYTES must be an integer of at least 1, got '12MB'/,
    );
    expect(() => readCompactorEnvironment({ ...base, LAKE_ROOT: 's3://b' })).toThrow(/LAKE_ROOT must be a location ending with '\/'/);
  });
  it('reads the partition retention by kind of table, and gives it to the compactor', () => {
    const env = readCompactorEnvironment({ ...base, EVENTS_RETENTION_DAYS: '365', AGGREGATES_RETENTION_DAYS: '730' });
    expect(env.retentionDays).toEqual({ events: 365, quarantine: undefined, partials: 730 });
    expect(compactionOptionsOf(env).retentionDays).toEqual({ events: 365, partials: 730 });
    expect(() => readCompactorEnvironment({ ...base, QUARANTINE_RETENTION_DAYS: '0' })).toThrow(/QUARANTINE_RETENTION_DAYS must be an integer of at least 1, got '0'/);
  });

  it('reads the options, absent ones left to the compactor defaults', () => {
    expect(readCompactorEnvironment({ ...base, COMPACTOR_PIPELINES: 'sales, clickstream', SNAPSHOT_RETENTION_SECONDS: '21600' })).toMatchObject({
      pipelines: ['sales', 'clickstream'],
      snapshotRetentionSeconds: 21600,
      targetFileSizeBytes: undefined,
      orphanMinAgeSeconds: undefined,
    });
  });
});
