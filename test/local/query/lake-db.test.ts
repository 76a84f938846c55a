/** The local Athena (DuckDB) over the lake's Iceberg tables, committed by the processor through a real REST catalog. */
import { recordingPublisher } from '../../support/publisher';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatorFor, type GeneratedRecord } from '../../../lambda/traffic/generate';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { LakeDb } from '../../../local/query/lake-db';
import { testIcebergLake, type TestIcebergLake } from '../../support/iceberg-lake';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { mskEvent } from '../../support/msk';
import { expectedPageViews, expectedSalesWindows } from '../expected';

const specs = [clickstream, sales];

jest.setTimeout(60_000);

describe('LakeDb (DuckDB as the local Athena)', () => {
  let catalog: TestCatalog;
  let lake: TestIcebergLake;
  beforeAll(async () => {
    catalog = await startTestCatalog('streamlake-lakedb');
  }, 120_000);
  afterAll(() => stopTestCatalog(catalog));
  beforeEach(async () => {
    lake = await testIcebergLake(catalog, specs);
  });
  afterEach(() => lake.remove());

  it('answers every view and named query on a directory no processor has written (no catalog), and on empty tables', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-lakedb-'));
    try {
      const none = await LakeDb.open(dir, specs);
      for (const q of none.namedQueries()) expect(await none.named(q.name)).toEqual([]);
      expect(await none.query('SELECT count(*) AS n FROM sales_events')).toEqual([{ n: 0n }]);
      await none.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const db = await lake.db();
    for (const q of db.namedQueries()) expect(await db.named(q.name)).toEqual([]);
    expect(await db.query('SELECT count(*) AS n FROM clickstream_events')).toEqual([{ n: 0n }]);
    await db.close();
  });

  it('reads the reference table, and timestamptz columns as UTC timestamps', async () => {
    const handler = createProcessorHandler({ spec: sales, store: lake.store, lake: lake.writer(), summaryPublisher: recordingPublisher() });
    const records = generatorFor('sales', { seed: 3, startTime: Date.UTC(2026, 10, 22, 7, 0) }).batch(50);
    await handler(mskEvent(records.map((r, i) => ({ topic: 'sales', partition: 0, offset: i, key: r.key, value: r.value, timestamp: Date.UTC(2026, 10, 22, 9) }))));
    const db = await lake.db();
    expect((await db.query(`SELECT region FROM ref_country_region WHERE country = 'France'`))[0]).toEqual({ region: 'Europe' });
    const [row] = await db.query(`SELECT min(payment_date) AS first, typeof(min(payment_date)) AS t, count(*) AS n FROM sales_events`);
    expect(row).toEqual({ first: new Date(Math.min(...records.map((r) => r.eventTime))), t: 'TIMESTAMP', n: 50n });
    await db.close();
  });

  it('counts each record once when batches are retried with other boundaries and delivered twice', async () => {
    let clock = Date.UTC(2026, 10, 22, 12);
    const now = () => (clock += 1000);
    const produced: Record<string, GeneratedRecord[]> = {};
    for (const spec of specs) {
      // a new container per delivery: the tables, not a cache, say what is committed
      const handler = (e: Parameters<ReturnType<typeof createProcessorHandler>>[0]) =>
        createProcessorHandler({ spec, store: lake.store, lake: lake.writer(), now, summaryPublisher: recordingPublisher() })(e);
      // event times spread over hours (and days: several day partitions per batch)
      const records = generatorFor(spec.name, { seed: 9, startTime: Date.UTC(2026, 10, 22, 5), stepMillis: 20_000, malformedRatio: 0.02, disorderMillis: 900_000 }).batch(800);
      produced[spec.name] = records;
      const event = (from: number, to: number) =>
        mskEvent(
          records.slice(from, to).map((r, i) => ({ topic: spec.topic.name, partition: 1, offset: from + i, key: r.key, value: r.value, timestamp: Date.UTC(2026, 10, 22, 12) })),
        );
      await handler(event(0, 500)); // attempt 1 committed 0–499, then its Kafka offset commit was lost
      await handler(event(0, 300)); // the redelivery fetched fewer records: all held already
      await handler(event(300, 700)); // the next batch overlaps what is committed: 500–699 are new
      await handler(event(300, 650)); // a redelivery with other boundaries again
      await handler(event(650, 800)); // … and the next batch starts inside the committed range
      await handler(event(650, 800)); // a duplicate delivery of a successful batch
    }
    const db = await lake.db();
    for (const spec of specs) {
      const [c] = await db.query(
        `SELECT count(*) AS n, count(DISTINCT kafka_offset) AS offsets, min(kafka_offset) AS lo, max(kafka_offset) AS hi FROM (SELECT kafka_offset FROM "${spec.name}_events" UNION ALL SELECT kafka_offset FROM "${spec.name}_quarantine")`,
      );
      expect(c).toEqual({ n: 800n, offsets: 800n, lo: 0n, hi: 799n });
    }
    const views = new Map(
      (await db.query(`SELECT window_start, url, page_views FROM clickstream_page_views_1m`)).map((r) => [
        `${(r.window_start as Date).toISOString()}|${r.url}`,
        Number(r.page_views),
      ]),
    );
    expect(views).toEqual(expectedPageViews(produced.clickstream));
    const salesRows = await db.query(`SELECT window_start, region, sales, orders FROM sales_region_10m`);
    const expected = expectedSalesWindows(produced.sales);
    expect(salesRows).toHaveLength(expected.size);
    for (const r of salesRows) {
      const e = expected.get(`${(r.window_start as Date).toISOString()}|${r.region}`)!;
      expect([Number(r.orders), Math.round((r.sales as number) * 100)]).toEqual([e.orders, Math.round(e.sales * 100)]);
    }
    await db.close();
  });

  it('marks windows final once the watermark passes their end', async () => {
    const handler = createProcessorHandler({ spec: clickstream, store: lake.store, lake: lake.writer() });
    const t0 = Date.UTC(2026, 10, 22, 10, 0);
    const values = [t0 + 1000, t0 + 61_000, t0 + 5 * 60_000].map((t, i) => `${t},${i},www.amazon1.com,192.168.2.1`);
    await handler(mskEvent(values.map((value, i) => ({ topic: 'clickstream', partition: 0, offset: i, value, timestamp: t0 + 10 * 60_000 }))));
    const db = await lake.db();
    const rows = await db.query(`SELECT minute(window_start) AS m, is_final FROM clickstream_page_views_1m ORDER BY 1`);
    // watermark = 10:05 − 120 s allowed lateness = 10:03
    expect(rows).toEqual([
      { m: 0n, is_final: true },
      { m: 1n, is_final: true },
      { m: 5n, is_final: false },
    ]);
    await db.close();
  });
});
