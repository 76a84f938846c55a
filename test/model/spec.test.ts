import { windowSlideSeconds, type PipelineSpec } from '../../model/spec';
import { PipelineSpecError, validatePipelineSpec } from '../../model/spec-rules';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

/** A copy of the sales spec with one part replaced. */
const salesWith = (patch: Partial<PipelineSpec>): PipelineSpec => ({ ...sales, ...patch });
const salesWindow = sales.windows![0];

function expectSpecError(spec: PipelineSpec, path: string, message: RegExp): void {
  let error: unknown;
  try {
    validatePipelineSpec(spec);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(PipelineSpecError);
  const e = error as PipelineSpecError;
  expect(e.pipeline).toBe(spec.name);
  expect(e.path).toContain(path);
  expect(e.message).toMatch(message);
}

describe('validatePipelineSpec', () => {
  it('accepts the shipped specs', () => {
    expect(validatePipelineSpec(clickstream)).toBe(clickstream);
    expect(validatePipelineSpec(sales)).toBe(sales);
  });

  it('rejects a hopping slide that does not divide the size, naming spec and field', () => {
    expectSpecError(salesWith({ windows: [{ ...salesWindow, slideSeconds: 420 }] }), "windows[0] 'region_10m'.slideSeconds", /420 does not divide sizeSeconds 600/);
  });

  it('rejects an unknown group-by field and lists the known ones', () => {
    expectSpecError(salesWith({ windows: [{ ...salesWindow, groupBy: ['continent'] }] }), 'groupBy[0]', /unknown field 'continent' \(fields: .*region/);
  });

  it('rejects an aggregate over a non-numeric field', () => {
    expectSpecError(
      salesWith({ windows: [{ ...salesWindow, aggregates: [{ name: 'total', fn: 'sum', field: 'country' }] }] }),
      "aggregates[0] 'total'.field",
      /sum needs a numeric field; 'country' is string/,
    );
  });

  it('rejects an event-time field that is not a timestamp', () => {
    expectSpecError(salesWith({ eventTime: { field: 'amount', encoding: 'iso-8601' } }), 'eventTime.field', /must have type timestamp/);
  });

  it('rejects a CSV column that is not in the schema', () => {
    expectSpecError({ ...clickstream, value: { kind: 'csv', columns: ['recordtime', 'eventid', 'url', 'ipaddr'] } }, 'value.columns[3]', /'ipaddr' is not a schema field/);
  });

  it('rejects a lookup against an undeclared reference', () => {
    expectSpecError(
      salesWith({ enrichments: [{ kind: 'lookup', name: 'region', from: 'country', reference: 'continents', valueColumn: 'region', default: 'x' }] }),
      'reference',
      /'continents' is not declared/,
    );
  });

  it('rejects reserved and duplicate names', () => {
    expectSpecError(salesWith({ schema: [...sales.schema, { name: 'kafka_offset', type: 'long' }] }), "'kafka_offset'", /reserved/);
    expectSpecError(salesWith({ schema: [...sales.schema, { name: 'amount', type: 'long' }] }), "'amount'", /duplicate/);
  });

  it('rejects out-of-range numbers with the allowed range', () => {
    expectSpecError(salesWith({ topic: { name: 'sales', partitions: 0 } }), 'topic.partitions', /from 1 to 1000, got 0/);
    expectSpecError(salesWith({ maxValueBytes: 10 * 1024 * 1024 }), 'maxValueBytes', /from 16 to 6291456/);
    expectSpecError(salesWith({ windows: [{ ...salesWindow, sizeSeconds: 7 }] }), 'sizeSeconds', /divide a day/);
  });

  it('reports a problem in each of three concerns in one error, the first one as path', () => {
    const spec = salesWith({
      topic: { name: 'sales', partitions: 0 },
      eventTime: { field: 'amount', encoding: 'iso-8601' },
      windows: [{ ...salesWindow, slideSeconds: 420 }],
    });
    let error: unknown;
    try {
      validatePipelineSpec(spec);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PipelineSpecError);
    const e = error as PipelineSpecError;
    expect(e).toMatchObject({ pipeline: 'sales', path: 'topic.partitions' });
    expect(e.problems.map((p) => p.path)).toEqual(['topic.partitions', 'eventTime.field', "windows[0] 'region_10m'.slideSeconds"]);
    expect(e.message.split('\n')).toEqual([
      "pipeline 'sales': topic.partitions: must be an integer from 1 to 1000, got 0",
      "pipeline 'sales': eventTime.field: 'amount' must have type timestamp, not double",
      "pipeline 'sales': windows[0] 'region_10m'.slideSeconds: 420 does not divide sizeSeconds 600",
    ]);
  });

  it('says one problem in one line, as before', () => {
    expect(() => validatePipelineSpec(salesWith({ maxValueBytes: 8 }))).toThrow(
      new PipelineSpecError('sales', [{ path: 'maxValueBytes', problem: 'must be an integer from 16 to 6291456 (the Lambda payload limit), got 8' }]),
    );
    expect(() => validatePipelineSpec(salesWith({ maxValueBytes: 8 }))).toThrow(
      /^pipeline 'sales': maxValueBytes: must be an integer from 16 to 6291456 \(the Lambda payload limit\), got 8$/,
    );
  });

  it('derives the slide of tumbling windows from their size', () => {
    expect(windowSlideSeconds(clickstream.windows![0])).toBe(60);
    expect(windowSlideSeconds(salesWindow)).toBe(300);
  });
});
