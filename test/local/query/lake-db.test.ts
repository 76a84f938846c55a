import { recordingPublisher } from '../../support/publisher';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { generatorFor, type GeneratedRecord } from '../../../lambda/traffic/generate';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { LakeDb } from '../../../local/query/lake-db';
import { seedReferenceData } from '../../../local/runtime';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { mskEvent } from '../../support/msk';
import { expectedPageViews, expectedSalesWindows } from '../expected';

const specs = [clickstream, sales];

describe('LakeDb (DuckDB as the local Athena)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-lakedb-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers every view and named query on an empty lake', async () => {
    const db = await LakeDb.open(dir, specs);
    for (const q of db.namedQueries()) expect(await db.named(q.name)).toEqual([]);
    expect(await db.query('SELECT count(*) AS n FROM sales_events')).toEqual([{ n: 0n }]);
    await db.close();
  });

  it('reads the reference table and keeps partition columns as strings', async () => {
    const store = new LocalLakeStore(dir);
    await seedReferenceData(store, specs);
    const handler = createProcessorHandler({ spec: sales, store, summaryPublisher: recordingPublisher() });
    const records = generatorFor('sales', { seed: 3, startTime: Date.UTC(2026, 10, 22, 7, 0) }).batch(50);
    await handler(mskEvent(records.map((r, i) => ({ topic: 'sales', partition: 0, offset: i, key: r.key, value: r.value, timestamp: Date.UTC(2026, 10, 22, 9) }))));
    const db = await LakeDb.open(dir, specs);
    expect((await db.query(`SELECT region FROM ref_country_region WHERE country = 'France'`))[0]).toEqual({ region: 'Europe' });
    const [row] = await db.query(`SELECT dt, hr, typeof(dt) AS t FROM sales_events LIMIT 1`);
    expect(row).toEqual({ dt: '2026-11-22', hr: '07', t: 'VARCHAR' });
    await db.close();
  });

  it('counts each record once when a crashed batch is retried with other boundaries', async () => {
    const store = new LocalLakeStore(dir);
    await seedReferenceData(store, specs);
    let clock = Date.UTC(2026, 10, 22, 12);
    const now = () => (clock += 1000);
    const produced: Record<string, GeneratedRecord[]> = {};
    for (const spec of specs) {
      const handler = createProcessorHandler({ spec, store, now, summaryPublisher: recordingPublisher() });
      // event times spread over hours so one batch writes into several dt/hr partitions
      const records = generatorFor(spec.name, { seed: 9, startTime: Date.UTC(2026, 10, 22, 5), stepMillis: 20_000, malformedRatio: 0.02, disorderMillis: 900_000 }).batch(800);
      produced[spec.name] = records;
      const event = (from: number, to: number) =>
        mskEvent(
          records.slice(from, to).map((r, i) => ({ topic: spec.topic.name, partition: 1, offset: from + i, key: r.key, value: r.value, timestamp: Date.UTC(2026, 10, 22, 12) })),
        );
      await handler(event(0, 500)); // attempt 1 wrote 0–499, then crashed before its commit
      await handler(event(0, 300)); // the retry after the restart fetched fewer records
      await handler(event(300, 700)); // the next batch crashed after writing, too
      await handler(event(300, 650)); // its retry fetched fewer records again
      await handler(event(650, 800)); // … and the next batch starts inside the crashed attempt's range
      await handler(event(650, 800)); // a duplicate delivery of a successful batch
    }
    const db = await LakeDb.open(dir, specs);
    for (const spec of specs) {
      const [c] = await db.query(
        `SELECT (SELECT count(*) FROM "${spec.name}_events") + (SELECT count(*) FROM "${spec.name}_quarantine") AS n, (SELECT count(*) FROM "${spec.name}_events_raw") AS raw`,
      );
      expect(Number(c.n)).toBe(800);
      expect(Number(c.raw)).toBeGreaterThan(Number(c.n) - 16); // the raw table does hold duplicates
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
    const store = new LocalLakeStore(dir);
    const handler = createProcessorHandler({ spec: clickstream, store });
    const t0 = Date.UTC(2026, 10, 22, 10, 0);
    const values = [t0 + 1000, t0 + 61_000, t0 + 5 * 60_000].map((t, i) => `${t},${i},www.amazon1.com,192.168.2.1`);
    await handler(mskEvent(values.map((value, i) => ({ topic: 'clickstream', partition: 0, offset: i, value, timestamp: t0 + 10 * 60_000 }))));
    const db = await LakeDb.open(dir, specs);
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
