import { columnIndexes, eventsColumnMap, partialsColumnMap, quarantineColumnMap } from '../../../lambda/core/column-maps';
import { outputFields, type PipelineSpec } from '../../../model/spec';
import { eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from '../../../model/tables';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';

/** A window with every kind of state (avg takes two columns) and two keys. */
const salesManyAggregates: PipelineSpec = {
  ...sales,
  windows: [
    {
      name: 'by_country',
      kind: 'tumbling',
      sizeSeconds: 600,
      groupBy: ['country', 'region'],
      aggregates: [
        { name: 'mean', fn: 'avg', field: 'amount' },
        { name: 'low', fn: 'min', field: 'amount' },
        { name: 'high', fn: 'max', field: 'amount' },
        { name: 'total', fn: 'sum', field: 'amount' },
        { name: 'orders', fn: 'count' },
      ],
    },
  ],
};

/** Every index a map holds, arrays flattened, sorted. */
const indexesOf = (map: object): number[] =>
  Object.values(map)
    .flat()
    .sort((a: number, b: number) => a - b);
const everyColumn = (schema: TableSchema): number[] => schema.columns.map((_, i) => i);

describe.each([clickstream, sales, salesManyAggregates])('column maps of $name', (spec) => {
  it('the events map writes every events column exactly once, each field in its own column', () => {
    const schema = eventsSchema(spec);
    const names = outputFields(spec).map((f) => f.name);
    const map = eventsColumnMap(schema, names);
    expect(indexesOf(map)).toEqual(everyColumn(schema));
    expect(map.fields.map((i) => schema.columns[i].name)).toEqual(names);
    expect(schema.columns[map.kafka_key].name).toBe('kafka_key');
  });

  it('the quarantine map writes every quarantine column exactly once', () => {
    const schema = quarantineSchema();
    const map = quarantineColumnMap(schema);
    expect(indexesOf(map)).toEqual(everyColumn(schema));
    for (const [name, i] of Object.entries(map)) expect(schema.columns[i as number].name).toBe(name);
  });

  it('each window map writes every partials column exactly once, the state slots in aggregate order', () => {
    for (const w of spec.windows ?? []) {
      const schema = partialsSchema(spec, w);
      const map = partialsColumnMap(schema, spec, w);
      expect(indexesOf(map)).toEqual(everyColumn(schema));
      expect(map.keys.map((i) => schema.columns[i].name)).toEqual(w.groupBy);
    }
  });
});

describe('partialsColumnMap', () => {
  it('gives avg two state slots, sum then count', () => {
    const w = salesManyAggregates.windows![0];
    const schema = partialsSchema(salesManyAggregates, w);
    const map = partialsColumnMap(schema, salesManyAggregates, w);
    expect(map.state.map((i) => schema.columns[i].name)).toEqual(['mean_sum', 'mean_count', 'low', 'high', 'total', 'orders']);
  });
});

describe('columnIndexes', () => {
  it('names the column a schema lacks', () => {
    expect(() => columnIndexes(quarantineSchema(), ['reason', 'kafka_key'])).toThrow(/no column 'kafka_key'/);
  });
});
