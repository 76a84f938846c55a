import { recordingPublisher } from '../../support/publisher';
import { LakeStoreError, type LakeStore } from '../../../lambda/adapters/lake-store';
import { generatorFor } from '../../../lambda/traffic/generate';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { readArea, TestDuckDb } from '../../support/duckdb';
import { loadEvent } from '../../support/fixtures';
import { tempLake } from '../../support/lake';
import { mskEvent } from '../../support/msk';

const START = Date.UTC(2026, 10, 22, 11, 50);

describe('processor handler → Parquet → DuckDB', () => {
  let lake: Awaited<ReturnType<typeof tempLake>>;
  let db: TestDuckDb;
  beforeAll(async () => {
    lake = await tempLake([clickstream, sales]);
    db = await TestDuckDb.open();
  });
  afterAll(() => {
    db.close();
    lake.remove();
  });

  it('writes sales events that an independent reader reads back equal to the input, types included', async () => {
    const gen = generatorFor('sales', { startTime: START, seed: 7, stepMillis: 500 });
    const produced = gen.batch(500);
    const records = produced.map((r, i) => ({ topic: 'sales', partition: i % 3, offset: 1000 + Math.floor(i / 3), key: r.key, value: r.value, timestamp: r.eventTime + 20 }));
    const handler = createProcessorHandler({ spec: sales, store: lake.store, summaryPublisher: recordingPublisher(), now: () => START + 3_600_000 });
    const report = await handler(mskEvent(records));
    expect(report).toMatchObject({ recordsIn: 500, events: 500, quarantined: 0 });

    const source = readArea(lake.dir, 'events/sales/');
    expect(await db.types(`SELECT * FROM ${source}`)).toEqual({
      payment_id: 'BIGINT',
      customer_id: 'BIGINT',
      amount: 'DOUBLE',
      payment_date: 'TIMESTAMP',
      city: 'VARCHAR',
      district: 'VARCHAR',
      country: 'VARCHAR',
      region: 'VARCHAR',
      kafka_topic: 'VARCHAR',
      kafka_partition: 'INTEGER',
      kafka_offset: 'BIGINT',
      kafka_timestamp: 'TIMESTAMP',
      kafka_key: 'VARCHAR',
      written_at: 'TIMESTAMP',
      dt: 'VARCHAR',
      hr: 'VARCHAR',
    });
    const rows = await db.rows(`SELECT * FROM ${source} ORDER BY payment_id`);
    expect(rows).toHaveLength(500);
    rows.forEach((row, i) => {
      const input = JSON.parse(produced[i].value.toString());
      expect(row.payment_id).toBe(BigInt(input.payment_id));
      expect(row.customer_id).toBe(BigInt(input.customer_id));
      expect(row.amount).toBe(input.amount);
      expect((row.payment_date as Date).toISOString()).toBe(input.payment_date);
      expect(row.city).toBe(input.city ?? null);
      expect(row.district).toBe(input.district ?? null);
      expect(row.country).toBe(input.country);
      expect(row.kafka_key).toBe(produced[i].key);
      expect(row.kafka_offset).toBe(BigInt(records[i].offset));
      expect(row.kafka_partition).toBe(records[i].partition);
      expect((row.kafka_timestamp as Date).getTime()).toBe(records[i].timestamp);
      expect(row.dt).toBe(input.payment_date.slice(0, 10));
      expect(row.hr).toBe(input.payment_date.slice(11, 13));
    });
  });

  it('writes clickstream events, partial aggregates and quarantine that DuckDB reads with real types', async () => {
    const handler = createProcessorHandler({ spec: clickstream, store: lake.store });
    const report = await handler(loadEvent('msk-clickstream'));
    expect(report).toMatchObject({ recordsIn: 5, events: 3, quarantined: 2, reasons: { 'wrong-column-count': 1, 'empty-value': 1 } });
    const events = await db.rows(`SELECT recordtime, eventid, domain, kafka_offset FROM ${readArea(lake.dir, 'events/clickstream/')} ORDER BY recordtime`);
    expect(events).toEqual([
      { recordtime: new Date(1795348800000), eventid: 1n, domain: 'amazon3.com', kafka_offset: 15n },
      { recordtime: new Date(1795348801000), eventid: 2n, domain: 'amazon4.com', kafka_offset: 16n },
      { recordtime: new Date(1795348861000), eventid: 4n, domain: 'amazon3.com', kafka_offset: 3n },
    ]);
    const partials = readArea(lake.dir, 'aggregates/clickstream/page_views_1m/');
    expect(await db.types(`SELECT window_start, page_views, first_offset, max_event_time FROM ${partials}`)).toEqual({
      window_start: 'TIMESTAMP',
      page_views: 'BIGINT',
      first_offset: 'BIGINT',
      max_event_time: 'TIMESTAMP',
    });
    const q = await db.rows(`SELECT reason, kafka_offset, raw_value, raw_key FROM ${readArea(lake.dir, 'quarantine/clickstream/')} ORDER BY kafka_offset`);
    expect(q).toEqual([
      { reason: 'empty-value', kafka_offset: 4n, raw_value: null, raw_key: Buffer.from('k') },
      { reason: 'wrong-column-count', kafka_offset: 17n, raw_value: Buffer.from('1795348802000,3,www.amazon4.com'), raw_key: Buffer.from('192.168.2.9') },
    ]);
  });

  it('overwrites the objects of a retried batch instead of adding copies', async () => {
    const handler = createProcessorHandler({ spec: clickstream, store: lake.store });
    const before = await db.rows(`SELECT count(*) AS n FROM ${readArea(lake.dir, 'events/clickstream/')}`);
    await handler(loadEvent('msk-clickstream'));
    const after = await db.rows(`SELECT count(*) AS n FROM ${readArea(lake.dir, 'events/clickstream/')}`);
    expect(after).toEqual(before);
  });
});

describe('processor handler failures', () => {
  const event = loadEvent('msk-sales');

  it('throws when the store fails, so the batch is retried, and succeeds once it recovers', async () => {
    const { store, remove } = await tempLake([sales]);
    let failing = true;
    const flaky: LakeStore = {
      put: async (key, body) => {
        if (failing) throw new LakeStoreError(`simulated S3 outage writing ${key}`);
        return store.put(key, body);
      },
      get: (key) => store.get(key),
      describe: () => 'flaky',
    };
    const handler = createProcessorHandler({ spec: sales, store: flaky, summaryPublisher: recordingPublisher() });
    await expect(handler(event)).rejects.toThrow(LakeStoreError);
    failing = false;
    await expect(handler(event)).resolves.toMatchObject({ recordsIn: 6, events: 3, quarantined: 3 });
    remove();
  });

  it('throws a clear error when reference data is missing, and loads it once it appears', async () => {
    const { store, remove } = await tempLake([]);
    const handler = createProcessorHandler({ spec: sales, store, summaryPublisher: recordingPublisher() });
    await expect(handler(event)).rejects.toThrow(/reference data 'country_region' not found at .*reference\/country_region\/country_region.csv/);
    const seeded = await tempLake([sales]);
    await store.put('reference/country_region/country_region.csv', (await seeded.store.get('reference/country_region/country_region.csv'))!);
    await expect(handler(event)).resolves.toMatchObject({ events: 3 });
    seeded.remove();
    remove();
  });

  it('reports every batch to the observer', async () => {
    const { store, remove } = await tempLake([sales]);
    const seen: number[] = [];
    const handler = createProcessorHandler({ spec: sales, store, summaryPublisher: recordingPublisher(), observe: (r) => seen.push(r.recordsIn) });
    await handler(event);
    await handler(mskEvent([]));
    expect(seen).toEqual([6, 0]);
    remove();
  });
});
