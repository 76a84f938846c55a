/**
 * Compacted tables read by the readers no one here wrote: Trino's Iceberg connector (Athena engine
 * v3's upstream) through the local Apache Iceberg REST catalog, and pyiceberg, beside DuckDB over
 * our own manifests. The sales tables are filled by the unchanged processor handler, compacted
 * (a processor appending between the compactor's plan and its commit), appended to again, then
 * every snapshot but the head expired and the orphans swept with no margin: every reader still
 * reads every produced record once, and the window view equals an independent computation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { RestCatalogClient } from '../../../lambda/adapters/rest-catalog';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { ROW_GROUP_SIZE_PROPERTY } from '../../../lambda/lake/compaction';
import { IcebergCompactor, type TableMaintenance } from '../../../lambda/lake/compactor';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { LAKE_NAMESPACE } from '../../../lambda/lake/iceberg-schema';
import { IcebergLakeWriter } from '../../../lambda/lake/lake-writer';
import { directoryLocation, storeTableFileListing, storeTableFiles } from '../../../lambda/lake/table-files';
import { generatorFor } from '../../../lambda/traffic/generate';
import { startRestCatalog, type RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { currentDataFiles } from '../../../local/query/iceberg-files';
import { REPO_ROOT } from '../../../local/runtime';
import type { TrinoClient } from '../../../local/trino/client';
import { startTrino, TRINO_ICEBERG_CATALOG, type RunningTrino } from '../../../local/trino/server';
import { icebergViews } from '../../../model/catalog';
import { eventsTableName, icebergTables, quarantineTableName } from '../../../model/lake-tables';
import { sales } from '../../../pipelines/sales';
import { expectedSalesWindows } from '../../local/expected';
import { TestDuckDb } from '../../support/duckdb';
import { seedReferences } from '../../support/lake';
import { mskEvent } from '../../support/msk';
import { recordingPublisher } from '../../support/publisher';
import { ensurePyiceberg } from '../../support/pyiceberg';

jest.setTimeout(900_000);

const START = Date.UTC(2026, 10, 22, 23, 40);
const EVENTS = eventsTableName(sales);
const QUARANTINE = quarantineTableName(sales);
const TABLES = icebergTables(sales).map((t) => t.name);

describe('compacted sales tables read by Trino (Iceberg connector), pyiceberg and DuckDB', () => {
  let root: string;
  let catalog: RunningRestCatalog;
  let trino: RunningTrino;
  let sql: TrinoClient;
  let db: TestDuckDb;
  let client: RestCatalogClient;
  const runs: TableMaintenance[][] = [];
  const produced = [0, 1].flatMap((partition) =>
    generatorFor(sales.name, { seed: 70 + partition, startTime: START, stepMillis: 4_000, malformedRatio: 0.05 })
      .batch(800)
      .map((generated, offset) => ({
        generated,
        record: { topic: sales.topic.name, partition, offset, timestamp: START + offset * 4_000 + 5, key: generated.key, value: generated.value },
      })),
  );
  const eventOf = (first: number, last: number) => mskEvent(produced.filter((p) => p.record.offset >= first && p.record.offset <= last).map((p) => p.record));

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-compacted-lake-'));
    catalog = await startRestCatalog({ repoRoot: REPO_ROOT, metadataDir: join(root, 'catalog'), warehouseDir: join(root, 'warehouse') });
    const starting = startTrino({ repoRoot: REPO_ROOT, lakeDir: join(root, 'hive-lake'), iceberg: { restCatalogUri: catalog.url } });
    starting.catch(() => undefined);
    client = new RestCatalogClient({ uri: catalog.url });
    const dir = join(root, 'lake');
    const store = new LocalLakeStore(dir);
    await seedReferences(store, [sales]);
    await ensureIcebergTables(client, sales, directoryLocation(dir), LAKE_NAMESPACE);
    // row groups of ~2 KiB in the events table: its compacted files hold dozens, newest first
    await client.commitTable(LAKE_NAMESPACE, EVENTS, { requirements: [], updates: [{ action: 'set-properties', updates: { [ROW_GROUP_SIZE_PROPERTY]: '2048' } }] });
    const files = storeTableFiles(store, directoryLocation(dir));
    const writer = new IcebergLakeWriter({ catalog: client, files, namespace: LAKE_NAMESPACE });
    const handler = createProcessorHandler({ spec: sales, store, lake: writer, summaryPublisher: recordingPublisher(), now: () => Date.UTC(2026, 10, 23, 13) });
    for (let first = 0; first < 500; first += 50) await handler(eventOf(first, first + 49));
    // a processor appends at the compactor's first commit of each table
    let next = 500;
    const raced = new Set<string>();
    const racing: typeof fetch = async (input, init) => {
      const m = init?.method === 'POST' ? /\/tables\/([^/?]+)$/.exec(String(input)) : null;
      if (m && !raced.has(m[1])) {
        raced.add(m[1]);
        await handler(eventOf(next, next + 49));
        next += 50;
      }
      return fetch(input, init);
    };
    const compactor = (c: RestCatalogClient) =>
      new IcebergCompactor({ catalog: c, files, listing: storeTableFileListing(store, directoryLocation(dir)), namespace: LAKE_NAMESPACE, backoffMs: 5 });
    runs.push(await compactor(new RestCatalogClient({ uri: catalog.url, fetch: racing })).maintain(sales, { quietMs: 0 }));
    for (let first = next; first < 800; first += 100) await handler(eventOf(first, first + 99));
    runs.push(await compactor(client).maintain(sales, { quietMs: 0, snapshotRetentionMs: 0, orphanMinAgeMs: 0 }));
    db = await TestDuckDb.open();
    trino = await starting;
    sql = trino.client({ catalog: TRINO_ICEBERG_CATALOG, schema: LAKE_NAMESPACE });
  }, 900_000);

  afterAll(async () => {
    db?.close();
    await trino?.stop();
    await catalog?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('every reader sees each produced record once, in events or quarantine, after a raced compaction, an expiry and a sweep', async () => {
    // the first run raced an append on every table; the second rewrote the later appends, expired all but its snapshot and swept the files only they reached
    for (const r of runs[0]) expect(r.compaction.conflicts).toBeGreaterThanOrEqual(1);
    for (const r of runs[1]) {
      expect(r.compaction.snapshotId).toEqual(expect.any(BigInt));
      expect(r.expiry.expired.length).toBeGreaterThan(10);
      expect(r.orphans!.deleted.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(10);
    }
    const good = produced.filter((p) => !p.generated.malformed).length;
    const coords = `count(*) AS n, count(DISTINCT CAST(kafka_partition AS varchar) || '/' || CAST(kafka_offset AS varchar)) AS d`;
    const [events] = await sql.rows(`SELECT ${coords} FROM ${EVENTS}`);
    const [quarantined] = await sql.rows(`SELECT ${coords} FROM ${QUARANTINE}`);
    expect([events.n, events.d, quarantined.n, quarantined.d].map(Number)).toEqual([good, good, produced.length - good, produced.length - good]);
    for (const t of TABLES) {
      const metadata = (await client.loadTable(LAKE_NAMESPACE, t)).metadata;
      expect(metadata.snapshots).toHaveLength(1);
      const [trinoFiles] = await sql.rows(`SELECT count(*) AS n FROM "${t}$files"`);
      expect(Number(trinoFiles.n)).toBe(currentDataFiles(metadata).length);
      const [duck] = await db.rows(
        `SELECT count(*) AS n FROM read_parquet([${currentDataFiles(metadata)
          .map((f) => `'${f}'`)
          .join(', ')}])`,
      );
      const [trinoCount] = await sql.rows(`SELECT count(*) AS n FROM ${t}`);
      expect(Number(trinoCount.n)).toBe(Number(duck.n));
    }
    const py = JSON.parse(
      execFileSync(ensurePyiceberg(), [
        '-c',
        `
import json, sys
from pyiceberg.catalog import load_catalog
catalog = load_catalog('streamlake', type='rest', uri=sys.argv[1])
out = {}
for name in sys.argv[2:]:
    d = catalog.load_table(('${LAKE_NAMESPACE}', name)).scan(selected_fields=('kafka_partition', 'kafka_offset')).to_arrow()
    out[name] = [d.num_rows, len(set(zip(d.column('kafka_partition').to_pylist(), d.column('kafka_offset').to_pylist())))]
print(json.dumps(out))
`,
        catalog.url,
        EVENTS,
        QUARANTINE,
      ]).toString(),
    ) as Record<string, [number, number]>;
    expect(py).toEqual({ [EVENTS]: [good, good], [QUARANTINE]: [produced.length - good, produced.length - good] });
  });

  it('compacted events files: many row groups, newest first; Trino reads the latest events and a time range across them as DuckDB does', async () => {
    const files = currentDataFiles((await client.loadTable(LAKE_NAMESPACE, EVENTS)).metadata);
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const f of files) {
      const [groups] = await db.rows(`SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata('${f}')`);
      expect(groups.n).toBeGreaterThan(5);
      const times = (await db.rows(`SELECT epoch_ms(payment_date) AS t FROM read_parquet('${f}', file_row_number = true) ORDER BY file_row_number`)).map((r) => Number(r.t));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
    const list = files.map((f) => `'${f}'`).join(', ');
    const latest = `SELECT kafka_partition, kafka_offset FROM %s ORDER BY payment_date DESC, kafka_partition, kafka_offset DESC LIMIT 10`;
    const asKeys = (rows: Record<string, unknown>[]) => rows.map((r) => `${Number(r.kafka_partition)}/${Number(r.kafka_offset)}`);
    const trinoLatest = asKeys(await sql.rows(latest.replace('%s', EVENTS)));
    expect(trinoLatest).toHaveLength(10);
    expect(trinoLatest).toEqual(asKeys(await db.rows(latest.replace('%s', `read_parquet([${list}])`))));
    const since = new Date(START + 30 * 60_000).toISOString();
    const range = `SELECT count(*) AS n FROM %s WHERE payment_date >= %t`;
    const [t] = await sql.rows(range.replace('%s', EVENTS).replace('%t', `from_iso8601_timestamp('${since}')`));
    const [d] = await db.rows(range.replace('%s', `read_parquet([${list}])`).replace('%t', `TIMESTAMPTZ '${since}'`));
    expect(Number(t.n)).toBe(Number(d.n));
    expect(Number(t.n)).toBeGreaterThan(0);
  });

  it('the window view on Trino equals an independent computation; the compacted windows are one row each', async () => {
    const view = icebergViews(sales)[0];
    const rows = await sql.rows(`SELECT CAST(to_unixtime(window_start) * 1000 AS bigint) AS w, region, sales, orders FROM (${view.sql}) AS v`);
    const expected = expectedSalesWindows(produced.map((p) => p.generated));
    expect(rows.map((r) => `${new Date(Number(r.w)).toISOString()}|${String(r.region)}`).sort()).toEqual([...expected.keys()].sort());
    for (const r of rows) {
      const e = expected.get(`${new Date(Number(r.w)).toISOString()}|${String(r.region)}`)!;
      expect(Number(r.orders)).toBe(e.orders);
      expect(Number(r.sales)).toBeCloseTo(e.sales, 4);
    }
    // the last appends (after the first compaction) were rewritten by the second: one partial row per window and region
    const partials = TABLES[2];
    const [p] = await sql.rows(`SELECT (SELECT count(*) FROM ${partials}) AS n, (SELECT count(*) FROM (SELECT DISTINCT window_start, region FROM ${partials})) AS d`);
    expect(Number(p.n)).toBe(Number(p.d));
    const ops = await sql.rows(`SELECT operation FROM "${partials}$snapshots"`);
    expect(ops.map((o) => o.operation)).toEqual(['replace']);
  });
});
