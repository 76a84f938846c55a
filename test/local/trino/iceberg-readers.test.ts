/**
 * The other two readers of a streamlake Iceberg table: Trino's Iceberg connector (how Athena
 * engine v3 reads Iceberg tables) over the local Apache Iceberg REST catalog, and the local
 * Athena (DuckDB) through local/query/iceberg-files.ts (the current snapshot's data files, from
 * our manifest readers). The table is built as the processor will build it (two append commits of
 * its own planned clickstream events); both readers return exactly the rows it planned.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RestCatalogClient } from '../../../lambda/adapters/rest-catalog';
import { LAKE_NAMESPACE } from '../../../lambda/lake/iceberg-schema';
import { startRestCatalog, type RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { createIcebergView, currentDataFiles } from '../../../local/query/iceberg-files';
import { REPO_ROOT } from '../../../local/runtime';
import type { TrinoClient } from '../../../local/trino/client';
import { startTrino, TRINO_ICEBERG_CATALOG, type RunningTrino } from '../../../local/trino/server';
import { buildClickstreamTable, CLICKSTREAM_EVENTS, type BuiltTable } from '../../support/iceberg-table';

jest.setTimeout(180_000);

const NAME = 'clickstream_events';
const DAY = Date.UTC(2026, 10, 23);
const COLUMNS = CLICKSTREAM_EVENTS.columns.map((c) => c.name);

/** A value as both engines and the planned rows compare: bigint → number, Date → epoch millis. */
const norm = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v instanceof Date ? v.getTime() : v);
const normRow = (r: Record<string, unknown>) => Object.fromEntries(COLUMNS.map((c) => [c, norm(r[c])]));
const byCoordinates = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.kafka_partition as number) - (b.kafka_partition as number) || (a.kafka_offset as number) - (b.kafka_offset as number);

describe('an Iceberg table of processor batches, read by Trino (Iceberg connector, REST catalog) and by DuckDB (current snapshot files)', () => {
  let root: string;
  let catalog: RunningRestCatalog;
  let trino: RunningTrino;
  let sql: TrinoClient;
  let duck: DuckDBConnection;
  let table: BuiltTable;
  let duckFiles: string[];
  let expected: Record<string, unknown>[];

  const duckRows = async (statement: string) => (await duck.runAndReadAll(statement)).getRowObjectsJS() as Record<string, unknown>[];
  const trinoRows = (statement: string) => sql.rows(statement);

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-iceberg-readers-'));
    catalog = await startRestCatalog({ repoRoot: REPO_ROOT, metadataDir: join(root, 'catalog'), warehouseDir: join(root, 'lake') });
    // Trino boots (15–25 s) while the table is built and committed
    const starting = startTrino({ repoRoot: REPO_ROOT, lakeDir: join(root, 'hive-lake'), iceberg: { restCatalogUri: catalog.url } });
    starting.catch(() => undefined);
    const client = new RestCatalogClient({ uri: catalog.url });
    table = await buildClickstreamTable(client, NAME, `${catalog.warehouse}/${LAKE_NAMESPACE}/${NAME}`);
    expected = table.rows.map(normRow).sort(byCoordinates);
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    duck = await instance.connect();
    duckFiles = await createIcebergView(duck, NAME, (await client.loadTable(LAKE_NAMESPACE, NAME)).metadata);
    trino = await starting;
    sql = trino.client({ catalog: TRINO_ICEBERG_CATALOG, schema: LAKE_NAMESPACE });
  }, 900_000);

  afterAll(async () => {
    duck?.closeSync();
    await trino?.stop();
    await catalog?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('Trino counts every planned row once', async () => {
    const [r] = await trinoRows(
      `SELECT count(*) AS n, count(DISTINCT kafka_offset) AS offsets, count(DISTINCT CAST(kafka_partition AS varchar) || '/' || CAST(kafka_offset AS varchar)) AS coordinates FROM ${NAME}`,
    );
    expect(table.rows.length).toBeGreaterThan(1000);
    expect(r).toEqual({ n: BigInt(expected.length), offsets: BigInt(new Set(expected.map((e) => e.kafka_offset)).size), coordinates: BigInt(expected.length) });
  });

  const order = `ORDER BY kafka_partition, kafka_offset`;
  /** Each column's min and max over the planned rows, as `min_<c>`/`max_<c>`. */
  const plannedMinMax = (columns: readonly string[]) =>
    Object.fromEntries(
      columns.flatMap((c) => {
        const values = expected.map((e) => e[c]).filter((v) => v !== null && v !== undefined) as (number | string)[];
        const sorted = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        return [
          [`min_${c}`, sorted[0] ?? null],
          [`max_${c}`, sorted.at(-1) ?? null],
        ];
      }),
    );
  const minMaxSql = (columns: readonly string[]) => `SELECT ${columns.flatMap((c) => [`min("${c}") AS "min_${c}"`, `max("${c}") AS "max_${c}"`]).join(', ')} FROM ${NAME}`;
  const normAll = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, norm(v)]));
  const pick = (r: Record<string, unknown>, columns: readonly string[]) => Object.fromEntries(columns.map((c) => [c, r[c]]));

  it('DuckDB, through the view over the current snapshot, returns exactly the rows the processor planned, and their min/max per column', async () => {
    expect((await duckRows(`SELECT * FROM ${NAME} ${order}`)).map(normRow)).toEqual(expected);
    expect(normAll((await duckRows(minMaxSql(COLUMNS)))[0])).toEqual(plannedMinMax(COLUMNS));
  });

  it('Trino returns the planned values of every column that is not a timestamp, and their min/max', async () => {
    const columns = CLICKSTREAM_EVENTS.columns.filter((c) => c.type !== 'timestamp').map((c) => c.name);
    const rows = await trinoRows(`SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM ${NAME} ${order}`);
    expect(rows.map((r) => pick(normRow(r), columns))).toEqual(expected.map((e) => pick(e, columns)));
    expect(normAll((await trinoRows(minMaxSql(columns)))[0])).toEqual(plannedMinMax(columns));
  });

  it('Trino returns exactly the rows the processor planned, every column, and the same min/max per column', async () => {
    expect((await trinoRows(`SELECT * FROM ${NAME} ${order}`)).map(normRow)).toEqual(expected);
    expect(normAll((await trinoRows(minMaxSql(COLUMNS)))[0])).toEqual(plannedMinMax(COLUMNS));
  });

  it('Trino shows both snapshots with their streamlake summaries', async () => {
    const snapshots = await trinoRows(
      `SELECT CAST(snapshot_id AS varchar) AS id, CAST(parent_id AS varchar) AS parent, operation, summary FROM "${NAME}$snapshots" ORDER BY committed_at`,
    );
    const [p1, p2] = table.plans.map((p) => String(p.snapshot['snapshot-id']));
    expect(snapshots.map((s) => [s.id, s.parent, s.operation])).toEqual([
      [p1, null, 'append'],
      [p2, p1, 'append'],
    ]);
    expect(snapshots[0].summary).toMatchObject({
      'streamlake.offsets': '{"clickstream-0":[[0,599]],"clickstream-1":[[0,299]]}',
      'streamlake.committed': '{"clickstream-0":[[0,599]],"clickstream-1":[[0,299]]}',
    });
    expect(snapshots[1].summary).toMatchObject({
      'streamlake.offsets': '{"clickstream-0":[[600,1199]]}',
      'streamlake.committed': '{"clickstream-0":[[0,1199]],"clickstream-1":[[0,299]]}',
    });
  });

  it("Trino's $files lists exactly the files the DuckDB view reads: the current snapshot's manifests, not a directory glob", async () => {
    const files = (await trinoRows(`SELECT file_path FROM "${NAME}$files"`)).map((r) => fileURLToPath(r.file_path as string)).sort();
    expect(files).toEqual(duckFiles);
    expect(files.length).toBe(table.commits.flat().reduce((n, b) => n + b.objects.length, 0));
    const [{ n }] = await duckRows(`SELECT count(DISTINCT filename) AS n FROM read_parquet([${duckFiles.map((f) => `'${f}'`).join(', ')}], filename = true)`);
    expect(Number(n)).toBe(files.length);
  });

  it('a query on one event day reads only that day: Trino prunes by the partition, and its $files agrees with our manifests', async () => {
    const dayFiles = (await trinoRows(`SELECT file_path, record_count FROM "${NAME}$files" WHERE partition.recordtime_day = DATE '2026-11-23'`)).map((r) => ({
      path: fileURLToPath(r.file_path as string),
      rows: Number(r.record_count),
    }));
    const dayRows = expected.filter((e) => (e.recordtime as number) >= DAY).length;
    expect(dayFiles.length).toBeGreaterThan(0);
    expect(dayFiles.length).toBeLessThan(duckFiles.length);
    expect(dayRows).toBeLessThan(expected.length);
    expect(dayFiles.reduce((n, f) => n + f.rows, 0)).toBe(dayRows);

    const filter = `WHERE recordtime >= TIMESTAMP '2026-11-23 00:00:00 UTC'`;
    const [{ n }] = await trinoRows(`SELECT count(*) AS n FROM ${NAME} ${filter}`);
    expect(Number(n)).toBe(dayRows);
    const [{ n: viaDuck }] = await duckRows(`SELECT count(*) AS n FROM ${NAME} ${filter.replace(' UTC', '+00')}`);
    expect(Number(viaDuck)).toBe(dayRows);
    // the scan's input is the rows of the day's files only: the other day's files were never opened
    const plan = (await trinoRows(`EXPLAIN ANALYZE SELECT count(*) FROM ${NAME} ${filter}`)).map((r) => Object.values(r)[0] as string).join('\n');
    const scan = /TableScan\[table = [^\n]*\n(?:[^\n]*\n)*?\s*Input: (\d+) rows/.exec(plan) ?? /ScanFilter[^\n]*\n(?:[^\n]*\n)*?\s*Input: (\d+) rows/.exec(plan);
    expect(scan).not.toBeNull();
    expect(Number(scan![1])).toBe(dayRows);
    expect(currentDataFiles((await new RestCatalogClient({ uri: catalog.url }).loadTable(LAKE_NAMESPACE, NAME)).metadata)).toEqual(duckFiles);
  });
});
