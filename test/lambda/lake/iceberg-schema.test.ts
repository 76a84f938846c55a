/**
 * Iceberg schemas and partition specs from the table schemas: ids 1..N in column order, types
 * (timestamp → timestamptz), required from nullability, day partitioning per table kind, and
 * schema evolution that gives an added optional column the next id and never renumbers.
 */
import type { TableMetadata } from '../../../lambda/adapters/rest-catalog';
import { LakeMetadataError } from '../../../lambda/lake/errors';
import { createTableRequest, dayPartitionSpec, evolveSchema, icebergSchema, partitionSourceColumn, resolveSchema } from '../../../lambda/lake/iceberg-schema';
import type { PipelineSpec } from '../../../model/spec';
import { eventsSchema, partialsSchema, quarantineSchema } from '../../../model/tables';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { newTableMetadata } from '../../support/iceberg-table';

const metadataWith = (schema: ReturnType<typeof icebergSchema>, lastColumnId: number): TableMetadata => ({
  ...newTableMetadata({ name: 't', location: 'file:///lake/streamlake/t', schema }, { tableUuid: 'b6e3e0f4-0000-4000-8000-000000000001' }),
  'last-column-id': lastColumnId,
});

describe('icebergSchema', () => {
  it('numbers the clickstream events columns 1..N in order, with Iceberg types and `required` from nullability', () => {
    const schema = icebergSchema(eventsSchema(clickstream));
    expect(schema['schema-id']).toBe(0);
    expect(schema.fields.map((f) => [f.id, f.name, f.type, f.required])).toEqual([
      [1, 'recordtime', 'timestamptz', true],
      [2, 'eventid', 'long', true],
      [3, 'url', 'string', true],
      [4, 'ip', 'string', true],
      [5, 'domain', 'string', true],
      [6, 'kafka_topic', 'string', true],
      [7, 'kafka_partition', 'int', true],
      [8, 'kafka_offset', 'long', true],
      [9, 'kafka_timestamp', 'timestamptz', true],
      [10, 'kafka_key', 'string', false],
      [11, 'written_at', 'timestamptz', true],
    ]);
    expect(schema.fields[0].doc).toBe('pipeline field');
  });

  it('maps every column type: doubles, booleans and the quarantine bytes too', () => {
    const types = new Map(icebergSchema(quarantineSchema()).fields.map((f) => [f.name, f.type]));
    expect(types.get('raw_value')).toBe('binary');
    expect(icebergSchema(eventsSchema(sales)).fields.find((f) => f.name === 'amount')?.type).toBe('double');
    const withBoolean: PipelineSpec = { ...clickstream, schema: [...clickstream.schema, { name: 'bot', type: 'boolean', optional: true }] };
    expect(icebergSchema(eventsSchema(withBoolean)).fields.find((f) => f.name === 'bot')).toMatchObject({ type: 'boolean', required: false });
  });
});

describe('partition specs', () => {
  it.each([
    ['events', 'clickstream', clickstream, eventsSchema(clickstream), 'recordtime', 1],
    ['events', 'sales', sales, eventsSchema(sales), 'payment_date', 4],
    ['quarantine', 'clickstream', clickstream, quarantineSchema(), 'kafka_timestamp', 6],
    ['partials', 'clickstream', clickstream, partialsSchema(clickstream, clickstream.windows![0]), 'window_start', 1],
  ] as const)('%s of %s: by day, field id 1000', (kind, _name, spec, table, column, sourceId) => {
    expect(partitionSourceColumn(kind, spec)).toBe(column);
    expect(dayPartitionSpec(icebergSchema(table), column)).toEqual({
      'spec-id': 0,
      fields: [{ 'source-id': sourceId, 'field-id': 1000, name: `${column}_day`, transform: 'day' }],
    });
  });

  it('refuses a column that is missing or not a timestamp', () => {
    const schema = icebergSchema(eventsSchema(clickstream));
    expect(() => dayPartitionSpec(schema, 'nope')).toThrow(LakeMetadataError);
    expect(() => dayPartitionSpec(schema, 'url')).toThrow(`column 'url' is "string": day() partitions timestamps and dates only`);
  });

  it('makes the REST create-table request: format v2, the schema and the spec', () => {
    const request = createTableRequest('clickstream_events', eventsSchema(clickstream), 'recordtime', {
      location: 's3://lake/clickstream_events',
      properties: { 'streamlake.pipeline': 'clickstream' },
    });
    expect(request).toMatchObject({
      name: 'clickstream_events',
      location: 's3://lake/clickstream_events',
      'partition-spec': { fields: [{ 'source-id': 1, 'field-id': 1000, name: 'recordtime_day', transform: 'day' }] },
      properties: { 'format-version': '2', 'streamlake.pipeline': 'clickstream' },
    });
    expect(request.schema.fields).toHaveLength(11);
  });
});

describe('schema evolution', () => {
  const v1 = icebergSchema(eventsSchema(clickstream));
  const withReferrer: PipelineSpec = { ...clickstream, schema: [...clickstream.schema, { name: 'referrer', type: 'string', optional: true }] };

  it('gives a column the spec added (optional) the next id after last-column-id, keeping every other id', () => {
    const table = eventsSchema(withReferrer);
    // the new field sits after the spec's fields, before the enrichments and the Kafka columns, in the table schema
    expect(table.columns.map((c) => c.name).indexOf('referrer')).toBe(4);
    const evolved = evolveSchema(v1, 11, table, 1);
    expect(evolved.added).toEqual([{ id: 12, name: 'referrer', type: 'string', required: false, doc: 'pipeline field' }]);
    expect(evolved.lastColumnId).toBe(12);
    expect(evolved.schema['schema-id']).toBe(1);
    expect(evolved.schema.fields.slice(0, 11)).toEqual(v1.fields);

    const resolved = resolveSchema(metadataWith(v1, 11), table);
    expect(resolved.fieldIds).toEqual([1, 2, 3, 4, 12, 5, 6, 7, 8, 9, 10, 11]);
    expect(resolved.evolution).toEqual({
      requirements: [
        { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 11 },
      ],
      updates: [
        { action: 'add-schema', schema: evolved.schema, 'last-column-id': 12 },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
  });

  it('needs no change when the table already has every column (ids by name, whatever the order)', () => {
    const resolved = resolveSchema(metadataWith({ ...v1, fields: [...v1.fields].reverse() }, 11), eventsSchema(clickstream));
    expect(resolved.evolution).toBeUndefined();
    expect(resolved.fieldIds).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // a dropped column's id is not reused: last-column-id counts
    expect(evolveSchema(v1, 40, eventsSchema(withReferrer), 3).added[0].id).toBe(41);
  });

  it('refuses a new required column, a changed type, a required column no longer written, a required column made optional', () => {
    const required: PipelineSpec = { ...clickstream, schema: [...clickstream.schema, { name: 'referrer', type: 'string' }] };
    expect(() => evolveSchema(v1, 11, eventsSchema(required), 1)).toThrow("new column 'referrer' must be optional");
    const retyped: PipelineSpec = { ...clickstream, schema: clickstream.schema.map((f) => (f.name === 'eventid' ? { ...f, type: 'string' as const } : f)) };
    expect(() => evolveSchema(v1, 11, eventsSchema(retyped), 1)).toThrow(`column 'eventid' is "long" in the table, string in the spec`);
    const dropped: PipelineSpec = { ...clickstream, schema: clickstream.schema.filter((f) => f.name !== 'ip'), value: { kind: 'json' } };
    expect(() => evolveSchema(v1, 11, eventsSchema(dropped), 1)).toThrow("required column 'ip' is no longer written");
    const loosened: PipelineSpec = { ...clickstream, schema: clickstream.schema.map((f) => (f.name === 'ip' ? { ...f, optional: true } : f)) };
    expect(() => evolveSchema(v1, 11, eventsSchema(loosened), 1)).toThrow("column 'ip' is required in the table, optional in the spec");
  });
});
