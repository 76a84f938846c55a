/**
 * Avro values end to end on a real broker: sales deployed with Avro values, records in both wire
 * formats (Glue with zlib, Confluent) and with an evolved writer schema, schemas from the local
 * registry directory. The lake must hold exactly what the JSON pipeline would: same events, same
 * windows; malformed and unknown-schema records in quarantine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { avroSchemaOf, encodeAvro, encodeAvroFrame } from '../../lambda/core/avro';
import type { GeneratedRecord } from '../../lambda/traffic/generate';
import { withAvroValues } from '../../model/spec';
import { produce, sendPaced } from '../../local/produce';
import { LakeDb } from '../../local/query/lake-db';
import { LocalRuntime } from '../../local/runtime';
import { localAvroEncoder } from '../../local/schemas';
import { sales } from '../../pipelines/sales';
import { expectedSalesWindows } from './expected';

jest.setTimeout(240_000);

const salesAvro = withAvroValues(sales);
// the two producers write disjoint hours, so (payment_id, event time) identifies a record
const DAY_AGO = Date.now() - 86_400_000;
const readerSchema = avroSchemaOf(salesAvro);
// a producer's next version: `district` removed (optional: the reader defaults it to null), `channel` added with a default
const evolved = {
  ...readerSchema,
  name: 'Payment',
  namespace: 'com.example.shop',
  fields: [...readerSchema.fields.filter((f) => f.name !== 'district'), { name: 'channel', type: 'string', default: 'web' }],
};

/** Produces with an encoder and keeps each record's generated JSON text next to what was sent. */
async function produceAvro(rt: LocalRuntime, encode: (v: Buffer) => Buffer | undefined, count: number, seed: number, startTime: number) {
  const originals: Buffer[] = [];
  const sent = await produce(rt.kafka, sales, { count, rate: Infinity, seed, startTime, malformedRatio: 0.01, encodeValue: (v) => (originals.push(v), encode(v)) });
  return sent.map((r, i): GeneratedRecord => ({ ...r, value: originals[i] }));
}

describe('Avro values on a real broker', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-avro-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('decodes Glue (zlib) and Confluent frames and an evolved writer schema into the same lake as JSON would', async () => {
    const rt = await LocalRuntime.start({ specs: [salesAvro], stateDir, batchSize: 500, batchingWindowMs: 100 });
    try {
      const glue = await produceAvro(rt, await localAvroEncoder(stateDir, sales, { wire: 'glue', zlib: true }), 3_000, 1, DAY_AGO - 3_600_000);
      const confluent = await produceAvro(rt, await localAvroEncoder(stateDir, sales, { wire: 'confluent', writerSchema: evolved }), 3_000, 2, DAY_AGO);
      // well-formed payloads whose schema ids no registry knows
      const unknown = [
        encodeAvroFrame(
          { registry: 'glue', versionId: '00000000-0000-4000-8000-000000000000' },
          encodeAvro(readerSchema, { payment_id: 1, customer_id: 1, amount: 1, payment_date: 0, city: null, district: null, country: 'Japan' }),
        ),
        encodeAvroFrame({ registry: 'confluent', id: 123 }, Buffer.from([2, 2])),
      ];
      await sendPaced(rt.kafka, sales.topic.name, [unknown.map((value) => ({ key: 'x', value }))], Infinity);
      await rt.waitForLagZero(120_000);

      const produced = [...glue, ...confluent];
      const malformed = produced.filter((r) => r.malformed).length;
      expect(malformed).toBeGreaterThan(20);
      const db = await LakeDb.open(rt.lakeDir, [salesAvro]);
      try {
        const [counts] = await db.query(`SELECT (SELECT count(*) FROM sales_events) AS events, (SELECT count(*) FROM sales_quarantine) AS quarantined,
          (SELECT count(*) FROM sales_quarantine WHERE reason = 'unknown-schema') AS unknown_schema`);
        expect(Number(counts.events)).toBe(produced.length - malformed);
        expect(Number(counts.quarantined)).toBe(malformed + unknown.length);
        expect(Number(counts.unknown_schema)).toBe(unknown.length);

        // the events carry the values the generator wrote, timestamps as timestamps
        const rows = await db.query(`SELECT payment_id, customer_id, amount, payment_date, city, district, country FROM sales_events`);
        const key = (id: unknown, t: number) => `${id}|${t}`;
        const actual = new Map(rows.map((r) => [key(r.payment_id, (r.payment_date as Date).getTime()), r]));
        for (const [records, dropsDistrict] of [
          [glue, false],
          [confluent, true],
        ] as const) {
          for (const r of records.filter((x) => !x.malformed)) {
            const e = JSON.parse(r.value.toString()) as Record<string, unknown>;
            const row = actual.get(key(BigInt(e.payment_id as number), r.eventTime));
            expect(row).toMatchObject({
              customer_id: BigInt(e.customer_id as number),
              amount: e.amount,
              country: e.country,
              city: e.city ?? null,
              district: dropsDistrict ? null : (e.district ?? null),
            });
          }
        }

        const windows = await db.query(`SELECT window_start, region, sales, orders FROM sales_region_10m`);
        const expected = expectedSalesWindows(produced);
        expect(windows).toHaveLength(expected.size);
        for (const w of windows) {
          const e = expected.get(`${(w.window_start as Date).toISOString()}|${w.region}`);
          expect(Number(w.orders)).toBe(e!.orders);
          expect(w.sales as number).toBeCloseTo(e!.sales, 4);
        }
      } finally {
        await db.close();
      }
    } finally {
      await rt.stop();
    }
  });
});
