import { avroSchemaOf, encodeAvro, encodeAvroFrame, type SchemaRef } from '../../../../lambda/core/avro';
import { Rejection } from '../../../../lambda/core/quarantine';
import { valueDecoderFor, type ValueDecoder } from '../../../../lambda/core/value-decoders';
import type { PipelineSpec } from '../../../../model/spec';
import { clickstream } from '../../../../pipelines/clickstream';
import { sales } from '../../../../pipelines/sales';

const salesAvro: PipelineSpec = { ...sales, name: 'sales_avro', value: { kind: 'avro' } };
const CONFLUENT: SchemaRef = { registry: 'confluent', id: 7 };

const decodeText = (d: ValueDecoder, text: string) => {
  if (d.input !== 'text') throw new Error('expected a text decoder');
  return d.decode(text);
};

describe('valueDecoderFor', () => {
  it('gives text formats a text decoder and Avro a bytes decoder with its writer-schema store', () => {
    expect(valueDecoderFor(clickstream).input).toBe('text');
    expect(valueDecoderFor(sales).input).toBe('text');
    const avro = valueDecoderFor(salesAvro);
    expect(avro.input).toBe('bytes');
    expect(avro.input === 'bytes' && typeof avro.avro.addWriterSchema).toBe('function');
  });

  it('CSV: reorders columns into schema order and leaves an optional field absent from the line undefined', () => {
    const spec: PipelineSpec = {
      ...clickstream,
      schema: [...clickstream.schema, { name: 'referrer', type: 'string', optional: true }],
      value: { kind: 'csv', columns: ['ip', 'url', 'eventid', 'recordtime'] },
    };
    expect(decodeText(valueDecoderFor(spec), '1.2.3.4,www.amazon1.com,17,1795348800000')).toEqual(['1795348800000', '17', 'www.amazon1.com', '1.2.3.4', undefined]);
    expect((decodeText(valueDecoderFor(spec), '1.2.3.4,www.amazon1.com') as Rejection).reason).toBe('wrong-column-count');
  });

  it('JSON: the flat fast path and the JSON.parse fallback read the same values', () => {
    const d = valueDecoderFor(sales);
    const fields = { payment_id: 1, customer_id: 2, amount: 3.5, payment_date: '2026-11-22T10:00:00Z', city: 'Lyon', country: 'France' };
    const flat = [...(decodeText(d, JSON.stringify(fields)) as unknown[])];
    // an escaped string and a nested value send it to JSON.parse
    const slow = [...(decodeText(d, JSON.stringify({ ...fields, extra: { a: [1] } }).replace('Lyon', 'Ly\\u006fn')) as unknown[])];
    expect(slow).toEqual(flat);
    expect(flat).toEqual([1, 2, 3.5, '2026-11-22T10:00:00Z', 'Lyon', undefined, 'France']);
  });

  it('Avro: decodes a framed record with a registered writer schema into schema order', () => {
    const d = valueDecoderFor(salesAvro);
    if (d.input !== 'bytes') throw new Error('expected a bytes decoder');
    const writer = avroSchemaOf(salesAvro);
    d.avro.addWriterSchema(CONFLUENT, JSON.stringify(writer));
    const record = { payment_id: 7, customer_id: 1001, amount: 12.5, payment_date: 1795348800000, city: null, district: 'Rhône', country: 'France' };
    expect(d.decode(encodeAvroFrame(CONFLUENT, encodeAvro(writer, record)))).toEqual([7, 1001, 12.5, 1795348800000, null, 'Rhône', 'France']);
    expect((d.decode(Buffer.from('{}')) as Rejection).reason).toBe('invalid-avro-frame');
  });

  it('loads avsc only for Avro pipelines (cold start of the CSV and JSON processors)', () => {
    jest.isolateModules(() => {
      jest.doMock('avsc', () => {
        throw new Error('avsc loaded');
      });
      const { valueDecoderFor: isolated } = jest.requireActual<typeof import('../../../../lambda/core/value-decoders')>('../../../../lambda/core/value-decoders');
      expect(isolated(clickstream).input).toBe('text');
      expect(isolated(sales).input).toBe('text');
      // the mock is live: the Avro decoder does reach for avsc
      expect(() => isolated(salesAvro)).toThrow('avsc loaded');
    });
  });
});
