import { AvroDecoder, avroSchemaOf, parseAvroFrame } from '../../../lambda/core/avro';
import { generatorFor } from '../../../lambda/traffic/generate';
import { withAvroValues } from '../../../model/spec';
import { avroEncoders, parseGeneratorInput } from '../../../lambda/handlers/generator';
import { sales } from '../../../pipelines/sales';

describe('generator function input', () => {
  it('accepts a pipeline, count and rate, with defaults', () => {
    expect(parseGeneratorInput({ pipeline: 'sales', count: 500, ratePerSecond: 50, seed: 3 })).toEqual({
      pipeline: 'sales',
      count: 500,
      ratePerSecond: 50,
      seed: 3,
      malformedRatio: 0,
    });
    expect(parseGeneratorInput({ pipeline: 'clickstream' })).toMatchObject({ count: 1000, ratePerSecond: 1000 });
  });
  it.each([
    [{ pipeline: 'tweets' }, "unknown pipeline 'tweets'"],
    [{ pipeline: 'sales', count: 0 }, 'count must be an integer from 1 to 1000000'],
    [{ pipeline: 'sales', ratePerSecond: -1 }, 'ratePerSecond must be a number from 1 to 100000'],
    [{ pipeline: 'sales', malformedRatio: 2 }, 'malformedRatio must be from 0 to 1'],
  ])('rejects %j', (input, message) => {
    expect(() => parseGeneratorInput(input)).toThrow(message);
  });
});

describe('generator Avro encoding (AVRO_SCHEMA_VERSION_IDS)', () => {
  const versionId = '0f8e2b7c-1d3a-4b5c-9e6f-a1b2c3d4e5f6';
  it('frames sales values in the Glue wire format with the deployed schema version, decodable with the spec', () => {
    const encode = avroEncoders({ sales: versionId }).get('sales')!;
    const decoder = new AvroDecoder(withAvroValues(sales));
    decoder.addWriterSchema({ registry: 'glue', versionId }, JSON.stringify(avroSchemaOf(sales)));
    const [r] = generatorFor('sales', { seed: 1, startTime: Date.UTC(2026, 10, 22) }).batch(1);
    const frame = parseAvroFrame(encode(r.value)!);
    expect(frame).toMatchObject({ ref: { registry: 'glue', versionId } });
    expect(decoder.decode(frame as never)).toMatchObject({ payment_date: r.eventTime, country: JSON.parse(r.value.toString()).country });
  });
  it('encodes nothing without the variable and rejects an unknown pipeline', () => {
    expect(avroEncoders({}).size).toBe(0);
    expect(() => avroEncoders({ tweets: 'x' })).toThrow(/unknown pipeline 'tweets'/);
  });
});
