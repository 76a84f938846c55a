/**
 * Data files from the writer's own figures: counts and sizes by field id, bounds in single-value
 * serialization (timestamps in microseconds), the partition tuple from the source column's bounds
 * (a file spanning two days is refused), paths under data/<partition>/.
 */
import { encodeParquetFile } from '../../../lambda/core/parquet';
import { dataFile, dataFilePath, partitionOf, partitionPath, partitionValueText, planDataFile } from '../../../lambda/lake/data-file';
import { dayPartitionSpec, icebergSchema } from '../../../lambda/lake/iceberg-schema';
import { fromSingleValue } from '../../../lambda/lake/single-value';
import { InternalError } from '../../../model/errors';
import { eventsSchema, quarantineSchema, type TableSchema } from '../../../model/tables';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { plannedBatch } from './support';

const T = Date.UTC(2026, 10, 23, 10);
const DAY = Date.UTC(2026, 10, 23) / 86_400_000;

describe('dataFile', () => {
  const { output } = plannedBatch(clickstream, { count: 2_000, start: T, stepMillis: 1_000, firstOffset: 500 });
  const events = output.objects.filter((o) => o.kind === 'events');
  const table = eventsSchema(clickstream);
  const schema = icebergSchema(table);
  const spec = dayPartitionSpec(schema, 'recordtime');
  const fieldIds = schema.fields.map((f) => f.id);

  it('records counts, sizes and bounds by field id, timestamps as microseconds', () => {
    const o = events[0];
    const file = encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds });
    const f = dataFile('file:///lake/t/data/x.parquet', file, table, fieldIds, schema, spec);
    expect(f).toMatchObject({ content: 0, fileFormat: 'PARQUET', recordCount: o.rows, fileSizeInBytes: file.bytes.byteLength, partition: [DAY], splitOffsets: [4] });
    const col = (name: string) => table.columns.findIndex((c) => c.name === name);
    const id = (name: string) => fieldIds[col(name)];
    const values = (name: string) => o.columns[col(name)] as number[];
    expect([...f.valueCounts!.values()].every((n) => n === o.rows)).toBe(true);
    expect(f.nullValueCounts!.get(id('kafka_key'))).toBe(values('kafka_key').filter((v) => v === null).length);
    expect([...f.columnSizes!.values()].reduce((a, b) => a + b, 0)).toBeLessThan(file.bytes.byteLength);
    expect(f.nanValueCounts!.size).toBe(0);
    const bound = (m: ReadonlyMap<number, Uint8Array>, name: string, type: Parameters<typeof fromSingleValue>[0]) => fromSingleValue(type, m.get(id(name))!);
    expect(bound(f.lowerBounds!, 'recordtime', 'timestamptz')).toBe(BigInt(Math.min(...values('recordtime'))) * 1000n);
    expect(bound(f.upperBounds!, 'recordtime', 'timestamptz')).toBe(BigInt(Math.max(...values('recordtime'))) * 1000n);
    expect(bound(f.lowerBounds!, 'kafka_offset', 'long')).toBe(BigInt(Math.min(...values('kafka_offset'))));
    expect(bound(f.upperBounds!, 'kafka_partition', 'int')).toBe(0);
    const urls = (o.columns[col('url')] as string[]).slice().sort();
    expect(bound(f.lowerBounds!, 'url', 'string')).toBe(urls[0].slice(0, 16));
    expect(bound(f.upperBounds!, 'kafka_topic', 'string')).toBe('clickstream');
  });

  it('records NaN counts and double bounds (sales amounts)', () => {
    const salesOut = plannedBatch(sales, { count: 300, start: T, stepMillis: 1_000, firstOffset: 0 }).output;
    const o = salesOut.objects.find((x) => x.kind === 'events')!;
    const t = eventsSchema(sales);
    const s = icebergSchema(t);
    const ids = s.fields.map((f) => f.id);
    const amount = t.columns.findIndex((c) => c.name === 'amount');
    const f = dataFile('x', encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds: ids }), t, ids, s, dayPartitionSpec(s, 'payment_date'));
    expect(f.nanValueCounts!.get(ids[amount])).toBe(0);
    expect(fromSingleValue('double', f.lowerBounds!.get(ids[amount])!)).toBe(Math.min(...(o.columns[amount] as number[])));
  });

  it('takes the partition from the source column: one day per file, null when the column holds only nulls', () => {
    const t: TableSchema = { columns: [{ name: 'ts', type: 'timestamp', nullable: true }], partitionKeys: [] };
    const s = icebergSchema(t);
    const daySpec = dayPartitionSpec(s, 'ts');
    const stats = (values: (number | null)[]) => encodeParquetFile(t, [values], values.length, { fieldIds: [1] }).columns;
    expect(partitionOf(daySpec, s, [1], stats([T, T + 3_600_000, null]))).toEqual([DAY]);
    expect(partitionOf(daySpec, s, [1], stats([null, null]))).toEqual([null]);
    expect(() => partitionOf(daySpec, s, [1], stats([T, T + 86_400_000]))).toThrow(InternalError);
    expect(() => partitionOf(daySpec, s, [1], stats([T, T + 86_400_000]))).toThrow('a data file spans partitions: ts_day = day(ts) is 20780 for its min and 20781 for its max');
    // before 1970: days count down
    expect(partitionOf(daySpec, s, [1], stats([-1]))).toEqual([-1]);
    expect(partitionOf({ 'spec-id': 1, fields: [{ 'source-id': 1, 'field-id': 1001, name: 'ts_hour', transform: 'hour' }] }, s, [1], stats([T + 1]))).toEqual([T / 3_600_000]);
  });

  it('names files <location>/data/<field>=<value>/<topic>-<partition>-<first offset, 20 digits>-<uuid>.parquet', () => {
    expect(partitionValueText('day', DAY)).toBe('2026-11-23');
    expect(partitionValueText('day', -1)).toBe('1969-12-31');
    expect(partitionValueText('hour', T / 3_600_000)).toBe('2026-11-23-10');
    expect(partitionValueText('month', 12 * 56 + 10)).toBe('2026-11');
    expect(partitionValueText('year', 56)).toBe('2026');
    expect(partitionPath(spec, [DAY])).toBe('recordtime_day=2026-11-23');
    expect(partitionPath(spec, [null])).toBe('recordtime_day=null');
    expect(dataFilePath('s3://b/lake/t/', 'recordtime_day=2026-11-23', 'clickstream', 1, 42, 'u-1')).toBe(
      's3://b/lake/t/data/recordtime_day=2026-11-23/clickstream-1-00000000000000000042-u-1.parquet',
    );
    const o = events[0];
    const file = encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds });
    const f = planDataFile({ location: 'file:///lake/t', file, table, fieldIds, schema, spec, topic: 'clickstream', partition: 0, firstOffset: 500, uuid: 'abc' });
    expect(f.filePath).toBe('file:///lake/t/data/recordtime_day=2026-11-23/clickstream-0-00000000000000000500-abc.parquet');
  });

  it('keeps bounds of raw bytes truncated to 16 bytes (quarantine)', () => {
    const t = quarantineSchema();
    const s = icebergSchema(t);
    const ids = s.fields.map((f) => f.id);
    const long = Buffer.alloc(100, 0x41);
    const file = encodeParquetFile(t, [['empty-value'], ['d'], ['clickstream'], [0], [1], [T], [null], [long], [T]], 1, { fieldIds: ids });
    const f = dataFile('x', file, t, ids, s, dayPartitionSpec(s, 'kafka_timestamp'));
    const rawValue = ids[t.columns.findIndex((c) => c.name === 'raw_value')];
    expect(Buffer.from(f.lowerBounds!.get(rawValue)!).toString()).toBe('A'.repeat(16));
    expect(Buffer.from(f.upperBounds!.get(rawValue)!).toString()).toBe('A'.repeat(15) + 'B');
    expect(f.lowerBounds!.has(ids[t.columns.findIndex((c) => c.name === 'raw_key')])).toBe(false);
  });
});
