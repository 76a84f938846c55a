import { avroReencoder, avroSchemaOf, AvroDecoder, avroSchemaRefOf, encodeAvro, encodeAvroFrame, parseAvroFrame, type SchemaRef } from '../../../lambda/core/avro';
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { compilePipeline, processValue } from '../../../lambda/core/processor';
import { Rejection } from '../../../lambda/core/quarantine';
import type { PipelineSpec } from '../../../model/spec';
import { clickstream } from '../../../pipelines/clickstream';
import { generatorFor } from '../../../lambda/traffic/generate';
import { sales } from '../../../pipelines/sales';
import { referenceCsv } from '../../support/fixtures';
import type { BytesValueDecoder } from '../../../lambda/core/value-decoders/value-decoder';

const salesAvro: PipelineSpec = { ...sales, name: 'sales_avro', value: { kind: 'avro' } };
const writer = avroSchemaOf(salesAvro);
const GLUE: SchemaRef = { registry: 'glue', versionId: '0f8e2b7c-1d3a-4b5c-9e6f-a1b2c3d4e5f6' };
const CONFLUENT: SchemaRef = { registry: 'confluent', id: 42 };
const record = { payment_id: 7, customer_id: 1001, amount: 12.5, payment_date: Date.UTC(2026, 10, 22, 8), city: 'Lyon', district: null, country: 'France' };
const KAFKA_TS = Date.UTC(2026, 10, 22, 12);
const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);

const reasonOf = (v: unknown) => (v instanceof Rejection ? v.reason : 'ok');

describe('Avro wire formats', () => {
  it('round-trips the Glue Schema Registry format, plain and zlib-compressed', () => {
    const payload = encodeAvro(writer, record);
    for (const zlib of [false, true]) {
      const value = encodeAvroFrame(GLUE, payload, { zlib });
      expect(value[0]).toBe(3);
      expect(value[1]).toBe(zlib ? 5 : 0);
      const frame = parseAvroFrame(value);
      expect(frame).toEqual({ ref: GLUE, payload });
      expect(avroSchemaRefOf(value)).toEqual(GLUE);
    }
  });

  it('round-trips the Confluent format', () => {
    const payload = encodeAvro(writer, record);
    const value = encodeAvroFrame(CONFLUENT, payload);
    expect([...value.subarray(0, 5)]).toEqual([0, 0, 0, 0, 42]);
    expect(parseAvroFrame(value)).toEqual({ ref: CONFLUENT, payload });
  });

  it.each([
    [Buffer.from('{"json":true}'), /neither a Glue Schema Registry \(3\) nor a Confluent \(0\) header/],
    [Buffer.from([3, 0, 1, 2]), /needs 18 bytes/],
    [Buffer.from([0, 0, 1]), /needs 5 bytes/],
    [Buffer.concat([Buffer.from([3, 9]), Buffer.alloc(16), Buffer.from([1])]), /compression byte 9/],
    [Buffer.concat([Buffer.from([3, 5]), Buffer.alloc(16), Buffer.from('not zlib')]), /cannot be inflated/],
    [Buffer.alloc(0), /first byte none/],
  ])('rejects a bad frame %#', (value, detail) => {
    const r = parseAvroFrame(value);
    expect(r).toBeInstanceOf(Rejection);
    expect((r as Rejection).reason).toBe('invalid-avro-frame');
    expect((r as Rejection).detail).toMatch(detail);
  });
});

describe('Avro decoding with schema evolution', () => {
  const decoder = () => new AvroDecoder(salesAvro);

  it('decodes with the writer schema equal to the reader schema', () => {
    const d = decoder();
    d.addWriterSchema(GLUE, JSON.stringify(writer));
    expect(d.decode({ ref: GLUE, payload: encodeAvro(writer, record) })).toEqual(record);
  });

  it('skips writer fields the reader lacks and defaults optional reader fields the writer lacks', () => {
    const evolved = {
      ...writer,
      fields: [...writer.fields.filter((f) => f.name !== 'city' && f.name !== 'district'), { name: 'channel', type: 'string', default: 'web' }],
    };
    const d = decoder();
    d.addWriterSchema(CONFLUENT, JSON.stringify(evolved));
    const { city: _c, district: _d, ...rest } = record;
    void _c;
    void _d;
    const decoded = d.decode({ ref: CONFLUENT, payload: encodeAvro(evolved, { ...rest, channel: 'app' }) });
    expect(decoded).toEqual({ ...rest, city: null, district: null });
  });

  it('quarantines an incompatible writer schema (a required field missing, a type changed)', () => {
    const missing = { ...writer, fields: writer.fields.filter((f) => f.name !== 'country') };
    const changed = { ...writer, fields: writer.fields.map((f) => (f.name === 'amount' ? { name: 'amount', type: 'string' } : f)) };
    for (const w of [missing, changed]) {
      const d = decoder();
      d.addWriterSchema(GLUE, JSON.stringify(w));
      const r = d.decode({ ref: GLUE, payload: Buffer.from([0]) });
      expect(reasonOf(r)).toBe('incompatible-schema');
    }
  });

  it('quarantines an unknown schema and a corrupt payload', () => {
    const d = decoder();
    expect(reasonOf(d.decode({ ref: GLUE, payload: Buffer.from([0]) }))).toBe('unknown-schema');
    d.addWriterSchema(GLUE, null);
    expect(d.has(GLUE)).toBe(false);
    expect(reasonOf(d.decode({ ref: GLUE, payload: Buffer.from([0]) }))).toBe('unknown-schema');
    d.addWriterSchema(GLUE, JSON.stringify(writer));
    expect(reasonOf(d.decode({ ref: GLUE, payload: encodeAvro(writer, record).subarray(0, 5) }))).toBe('invalid-avro');
  });
});

describe('processValue with Avro values', () => {
  const p = compilePipeline(salesAvro, refs);
  (p.valueDecoder as BytesValueDecoder).avro.addWriterSchema(GLUE, JSON.stringify(writer));

  it('validates and enriches an Avro record like a JSON one, timestamps as epoch millis', () => {
    const row = processValue(p, encodeAvroFrame(GLUE, encodeAvro(writer, record), { zlib: true }), KAFKA_TS);
    expect(row).toEqual([7, 1001, 12.5, Date.UTC(2026, 10, 22, 8), 'Lyon', null, 'France', 'Europe']);
  });

  it('applies the spec rules to decoded values', () => {
    const negative = encodeAvroFrame(GLUE, encodeAvro(writer, { ...record, amount: -1 }));
    expect(reasonOf(processValue(p, negative, KAFKA_TS))).toBe('value-out-of-range');
    const future = encodeAvroFrame(GLUE, encodeAvro(writer, { ...record, payment_date: KAFKA_TS + 400 * 86_400_000 }));
    expect(reasonOf(processValue(p, future, KAFKA_TS))).toBe('timestamp-out-of-range');
    expect(reasonOf(processValue(p, Buffer.from('{"payment_id":1}'), KAFKA_TS))).toBe('invalid-avro-frame');
  });
});

describe('avroReencoder (produce --format avro)', () => {
  const decoderWith = (spec: PipelineSpec, ref: SchemaRef, writerSchema: object) => {
    const d = new AvroDecoder({ ...spec, value: { kind: 'avro' } });
    d.addWriterSchema(ref, JSON.stringify(writerSchema));
    return d;
  };

  it('re-encodes generated sales JSON as Avro that decodes back to the same values', () => {
    const encode = avroReencoder({ kind: 'json' }, writer, { ref: GLUE, zlib: true });
    const decoder = decoderWith(sales, GLUE, writer);
    for (const r of generatorFor('sales', { seed: 3, startTime: Date.UTC(2026, 10, 22) }).batch(50)) {
      const json = JSON.parse(r.value.toString()) as Record<string, unknown>;
      const frame = parseAvroFrame(encode(r.value)!);
      const decoded = decoder.decode(frame as never) as Record<string, unknown>;
      expect(decoded).toEqual({ ...json, payment_date: Date.parse(json.payment_date as string), city: json.city ?? null, district: json.district ?? null });
    }
  });

  it('re-encodes clickstream CSV lines by their columns', () => {
    const clickWriter = avroSchemaOf({ ...clickstream, value: { kind: 'avro' } });
    const encode = avroReencoder(clickstream.value as { kind: 'csv'; columns: string[] }, clickWriter, { ref: CONFLUENT });
    const decoded = decoderWith(clickstream, CONFLUENT, clickWriter).decode(parseAvroFrame(encode(Buffer.from('1763798400000,17,www.amazon1.com,192.168.2.9'))!) as never);
    expect(decoded).toEqual({ recordtime: 1763798400000, eventid: 17, url: 'www.amazon1.com', ip: '192.168.2.9' });
  });

  it('writes with an evolved writer schema: an added field takes its default, a removed optional field is null on read', () => {
    const evolved = { ...writer, fields: [...writer.fields.filter((f) => f.name !== 'district'), { name: 'channel', type: 'string', default: 'web' }] };
    const encode = avroReencoder({ kind: 'json' }, evolved, { ref: CONFLUENT });
    const value = Buffer.from(JSON.stringify({ payment_id: 1, customer_id: 2, amount: 3.5, payment_date: '2026-11-22T08:00:00.000Z', district: 'dropped', country: 'Japan' }));
    const decoded = decoderWith(sales, CONFLUENT, evolved).decode(parseAvroFrame(encode(value)!) as never);
    expect(decoded).toEqual({ payment_id: 1, customer_id: 2, amount: 3.5, payment_date: Date.UTC(2026, 10, 22, 8), city: null, district: null, country: 'Japan' });
  });

  it('returns undefined for values that do not fit the writer schema (they are sent as they are and quarantined)', () => {
    const encode = avroReencoder({ kind: 'json' }, writer, { ref: GLUE });
    const base = { payment_id: 1, customer_id: 2, amount: 3.5, payment_date: '2026-11-22T08:00:00.000Z', country: 'Japan' };
    expect(encode(Buffer.from(JSON.stringify(base)))).toBeInstanceOf(Buffer);
    const { country: _c, ...missing } = base;
    void _c;
    for (const bad of [
      JSON.stringify({ ...base, amount: 'twelve' }),
      JSON.stringify(missing),
      JSON.stringify({ ...base, payment_date: 'last tuesday' }),
      '{"payment_id":1,',
      '[1,2]',
    ]) {
      expect(encode(Buffer.from(bad))).toBeUndefined();
    }
    expect(encode(Buffer.from([0xc3, 0x28, 0xff]))).toBeUndefined();
  });
});
