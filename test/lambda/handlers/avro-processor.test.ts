import { recordingPublisher } from '../../support/publisher';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectorySchemaRegistry, SchemaRegistryError, type SchemaRegistry } from '../../../lambda/adapters/schema-registry';
import { avroSchemaOf, encodeAvro, encodeAvroFrame, type SchemaRef } from '../../../lambda/core/avro';
import type { PipelineSpec } from '../../../model/spec';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { sales } from '../../../pipelines/sales';
import { TestDuckDb } from '../../support/duckdb';
import { testIcebergLake } from '../../support/iceberg-lake';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';
import { mskEvent } from '../../support/msk';

const salesAvro: PipelineSpec = { ...sales, name: 'sales_avro', value: { kind: 'avro' } };
const writer = avroSchemaOf(salesAvro);
const GLUE: SchemaRef = { registry: 'glue', versionId: '11111111-2222-4333-8444-555555555555' };
const CONFLUENT: SchemaRef = { registry: 'confluent', id: 7 };
const record = (i: number) => ({
  payment_id: i,
  customer_id: 1000 + i,
  amount: i + 0.25,
  payment_date: Date.UTC(2026, 10, 22, 8, i),
  city: null,
  district: null,
  country: i % 2 ? 'Japan' : 'Atlantis',
});

jest.setTimeout(60_000);

describe('processor handler with Avro values', () => {
  let schemaDir: string;
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await startTestCatalog('streamlake-avro-processor');
    schemaDir = mkdtempSync(join(tmpdir(), 'streamlake-schemas-'));
    mkdirSync(join(schemaDir, 'glue'));
    mkdirSync(join(schemaDir, 'confluent'));
    writeFileSync(DirectorySchemaRegistry.pathOf(schemaDir, GLUE), JSON.stringify(writer));
    writeFileSync(DirectorySchemaRegistry.pathOf(schemaDir, CONFLUENT), JSON.stringify(writer));
  }, 120_000);
  afterAll(async () => {
    rmSync(schemaDir, { recursive: true, force: true });
    await stopTestCatalog(catalog);
  });

  it('decodes both wire formats, quarantines unknown schema ids, and commits Parquet DuckDB reads', async () => {
    const lake = await testIcebergLake(catalog, [salesAvro]);
    const values = [
      encodeAvroFrame(GLUE, encodeAvro(writer, record(1))),
      encodeAvroFrame(GLUE, encodeAvro(writer, record(2)), { zlib: true }),
      encodeAvroFrame(CONFLUENT, encodeAvro(writer, record(3))),
      encodeAvroFrame({ registry: 'confluent', id: 999 }, encodeAvro(writer, record(4))),
    ];
    const handler = createProcessorHandler({
      spec: salesAvro,
      store: lake.store,
      lake: lake.writer(),
      schemaRegistry: new DirectorySchemaRegistry(schemaDir),
      summaryPublisher: recordingPublisher(),
    });
    const report = await handler(mskEvent(values.map((value, i) => ({ topic: 'sales', partition: 0, offset: i, value }))));
    expect(report).toMatchObject({ recordsIn: 4, events: 3, quarantined: 1, reasons: { 'unknown-schema': 1 } });
    const db = await TestDuckDb.open();
    const rows = await db.rows(`SELECT payment_id, amount, payment_date::TIMESTAMP AS payment_date, region FROM ${await lake.source('sales_avro_events')} ORDER BY payment_id`);
    expect(rows).toEqual([
      { payment_id: 1n, amount: 1.25, payment_date: new Date(Date.UTC(2026, 10, 22, 8, 1)), region: 'Asia Pacific' },
      { payment_id: 2n, amount: 2.25, payment_date: new Date(Date.UTC(2026, 10, 22, 8, 2)), region: 'Unassigned' },
      { payment_id: 3n, amount: 3.25, payment_date: new Date(Date.UTC(2026, 10, 22, 8, 3)), region: 'Asia Pacific' },
    ]);
    db.close();
    lake.remove();
  });

  it('asks the registry once per schema, retries the batch when the registry is down', async () => {
    const lake = await testIcebergLake(catalog, [salesAvro]);
    const inner = new DirectorySchemaRegistry(schemaDir);
    let calls = 0;
    let down = true;
    const registry: SchemaRegistry = {
      getSchema: async (ref) => {
        calls += 1;
        if (down) throw new SchemaRegistryError('registry unreachable');
        return inner.getSchema(ref);
      },
    };
    const handler = createProcessorHandler({ spec: salesAvro, store: lake.store, lake: lake.writer(), schemaRegistry: registry, summaryPublisher: recordingPublisher() });
    const event = mskEvent([1, 2, 3].map((i) => ({ topic: 'sales', partition: 0, offset: i, value: encodeAvroFrame(GLUE, encodeAvro(writer, record(i))) })));
    await expect(handler(event)).rejects.toThrow(SchemaRegistryError);
    down = false;
    await expect(handler(event)).resolves.toMatchObject({ events: 3, skippedRecords: 0 });
    // the same batch again: decoded with the cached schema (then skipped by the tables)
    await expect(handler(event)).resolves.toMatchObject({ events: 3, skippedRecords: 9 });
    expect(calls).toBe(2);
    lake.remove();
  });

  it('refuses to start an Avro pipeline without a registry', async () => {
    const lake = await testIcebergLake(catalog, [salesAvro]);
    expect(() => createProcessorHandler({ spec: salesAvro, store: lake.store, lake: lake.writer() })).toThrow(/needs a schemaRegistry/);
    lake.remove();
  });
});
