/**
 * The processor handler committing to Iceberg tables (Apache Iceberg's REST catalog, run locally),
 * read back by DuckDB from exactly the data files each table's current snapshot lists. The
 * commit protocol under faults: ./processor-iceberg.test.ts.
 */
import { recordingPublisher } from '../../support/publisher';
import { LakeStoreError, type LakeStore } from '../../../lambda/adapters/lake-store';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { generatorFor } from '../../../lambda/traffic/generate';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { TestDuckDb } from '../../support/duckdb';
import { loadEvent } from '../../support/fixtures';
import { testIcebergLake, type TestIcebergLake } from '../../support/iceberg-lake';
import { mskEvent } from '../../support/msk';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';

jest.setTimeout(60_000);
const START = Date.UTC(2026, 10, 22, 11, 50);

let catalog: TestCatalog;
let db: TestDuckDb;
beforeAll(async () => {
  catalog = await startTestCatalog('streamlake-processor');
  db = await TestDuckDb.open();
}, 120_000);
afterAll(async () => {
  db?.close();
  await stopTestCatalog(catalog);
});

describe('processor handler → Iceberg tables → DuckDB', () => {
  let lake: TestIcebergLake;
  beforeAll(async () => {
    lake = await testIcebergLake(catalog, [clickstream, sales]);
  });

  it('commits sales events that an independent reader reads back equal to the input, types included', async () => {
    const gen = generatorFor('sales', { startTime: START, seed: 7, stepMillis: 500 });
    const produced = gen.batch(500);
    const records = produced.map((r, i) => ({ topic: 'sales', partition: i % 3, offset: 1000 + Math.floor(i / 3), key: r.key, value: r.value, timestamp: r.eventTime + 20 }));
    const handler = createProcessorHandler({ spec: sales, store: lake.store, lake: lake.writer(), summaryPublisher: recordingPublisher(), now: () => START + 3_600_000 });
    const report = await handler(mskEvent(records));
    expect(report).toMatchObject({ recordsIn: 500, events: 500, quarantined: 0, skippedRecords: 0 });
    expect(report.commits.map((c) => c.table).sort()).toEqual(['sales_events', 'sales_quarantine', 'sales_region_10m_partials']);

    const source = await lake.source('sales_events');
    // Iceberg timestamptz: Parquet TIMESTAMP(UTC, MICROS), read by DuckDB as TIMESTAMP WITH TIME ZONE
    expect(await db.types(`SELECT * FROM ${source}`)).toEqual({
      payment_id: 'BIGINT',
      customer_id: 'BIGINT',
      amount: 'DOUBLE',
      payment_date: 'TIMESTAMP WITH TIME ZONE',
      city: 'VARCHAR',
      district: 'VARCHAR',
      country: 'VARCHAR',
      region: 'VARCHAR',
      kafka_topic: 'VARCHAR',
      kafka_partition: 'INTEGER',
      kafka_offset: 'BIGINT',
      kafka_timestamp: 'TIMESTAMP WITH TIME ZONE',
      kafka_key: 'VARCHAR',
      written_at: 'TIMESTAMP WITH TIME ZONE',
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
      expect((row.written_at as Date).getTime()).toBe(START + 3_600_000);
    });
  });

  it('commits clickstream events, partial aggregates and quarantine that DuckDB reads with real types', async () => {
    const handler = createProcessorHandler({ spec: clickstream, store: lake.store, lake: lake.writer() });
    const report = await handler(loadEvent('msk-clickstream'));
    expect(report).toMatchObject({ recordsIn: 5, events: 3, quarantined: 2, reasons: { 'wrong-column-count': 1, 'empty-value': 1 } });
    const events = await db.rows(`SELECT epoch_ms(recordtime) AS recordtime, eventid, domain, kafka_offset FROM ${await lake.source('clickstream_events')} ORDER BY recordtime`);
    expect(events).toEqual([
      { recordtime: 1795348800000n, eventid: 1n, domain: 'amazon3.com', kafka_offset: 15n },
      { recordtime: 1795348801000n, eventid: 2n, domain: 'amazon4.com', kafka_offset: 16n },
      { recordtime: 1795348861000n, eventid: 4n, domain: 'amazon3.com', kafka_offset: 3n },
    ]);
    const partials = await lake.source('clickstream_page_views_1m_partials');
    expect(await db.types(`SELECT window_start, page_views, first_offset, max_event_time FROM ${partials}`)).toEqual({
      window_start: 'TIMESTAMP WITH TIME ZONE',
      page_views: 'BIGINT',
      first_offset: 'BIGINT',
      max_event_time: 'TIMESTAMP WITH TIME ZONE',
    });
    const q = await db.rows(`SELECT reason, kafka_offset, raw_value, raw_key FROM ${await lake.source('clickstream_quarantine')} ORDER BY kafka_offset`);
    expect(q).toEqual([
      { reason: 'empty-value', kafka_offset: 4n, raw_value: null, raw_key: Buffer.from('k') },
      { reason: 'wrong-column-count', kafka_offset: 17n, raw_value: Buffer.from('1795348802000,3,www.amazon4.com'), raw_key: Buffer.from('192.168.2.9') },
    ]);
  });

  it('adds nothing for a retried batch, in a new container too', async () => {
    const count = async () => (await db.rows(`SELECT count(*) AS n FROM ${await lake.source('clickstream_events')}`))[0].n;
    const before = await count();
    const report = await createProcessorHandler({ spec: clickstream, store: lake.store, lake: lake.writer() })(loadEvent('msk-clickstream'));
    expect(report).toMatchObject({ recordsIn: 5, skippedRecords: 15, objects: [] });
    expect(await count()).toBe(before);
  });
});

describe('processor handler failures', () => {
  const event = loadEvent('msk-sales');

  it('throws when the store fails, so the batch is retried, and succeeds once it recovers', async () => {
    const lake = await testIcebergLake(catalog, [sales]);
    let failing = true;
    const flaky: LakeStore = {
      put: async (key, body) => {
        if (failing) throw new LakeStoreError(`simulated S3 outage writing ${key}`);
        return lake.store.put(key, body);
      },
      get: (key) => lake.store.get(key),
      describe: () => 'flaky',
    };
    const handler = createProcessorHandler({ spec: sales, store: flaky, lake: lake.writer(flaky), summaryPublisher: recordingPublisher() });
    await expect(handler(event)).rejects.toThrow(LakeStoreError);
    failing = false;
    await expect(handler(event)).resolves.toMatchObject({ recordsIn: 6, events: 3, quarantined: 3 });
    lake.remove();
  });

  it('throws a clear error when reference data is missing, and loads it once it appears', async () => {
    const lake = await testIcebergLake(catalog, [sales]);
    const references = new LocalLakeStore(`${lake.dir}-references`);
    const handler = createProcessorHandler({ spec: sales, store: references, lake: lake.writer(), summaryPublisher: recordingPublisher() });
    await expect(handler(event)).rejects.toThrow(/reference data 'country_region' not found at .*reference\/country_region\/country_region.csv/);
    await references.put('reference/country_region/country_region.csv', (await lake.store.get('reference/country_region/country_region.csv'))!);
    await expect(handler(event)).resolves.toMatchObject({ events: 3 });
    lake.remove();
  });

  it('reports every batch to the observer', async () => {
    const lake = await testIcebergLake(catalog, [sales]);
    const seen: number[] = [];
    const handler = createProcessorHandler({ spec: sales, store: lake.store, lake: lake.writer(), summaryPublisher: recordingPublisher(), observe: (r) => seen.push(r.recordsIn) });
    await handler(event);
    await handler(mskEvent([]));
    expect(seen).toEqual([6, 0]);
    lake.remove();
  });
});
