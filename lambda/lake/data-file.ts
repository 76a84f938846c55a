/**
 * An Iceberg v2 `data_file` for a Parquet file the writer produced, from the figures it returned
 * (../core/parquet.ts `encodeParquetFile`): nothing is read back. Metrics are keyed by field id:
 * column sizes (the column chunk's bytes), value counts (rows), null counts, NaN counts (doubles),
 * and lower/upper bounds in Iceberg's single-value serialization (./single-value.ts); timestamps,
 * epoch millis in the file, are microseconds in the bounds, as Iceberg's `timestamptz` is.
 *
 * The partition tuple is derived from the same figures: a file holds one partition, so the
 * transform of the source column's min and max must agree (a file spanning two days is a bug of
 * the caller, reported as such). Data files are named
 * `<table location>/data/<partition path>/<topic>-<partition>-<first offset, 20 digits>-<uuid>.parquet`.
 */
import type { PartitionField, PartitionSpec, Schema, StructField } from '../adapters/rest-catalog';
import type { ParquetColumnStats, ParquetFile, StatisticValue } from '../core/parquet';
import { LakeMetadataError } from './errors';
import { isBoundType, lowerBound, upperBound, type BoundType, type SingleValue } from './single-value';
import { InternalError } from '../../model/errors';
import type { TableSchema } from '../../model/tables';

/** A partition tuple value: an int for the time transforms (days, hours, months, years from 1970), the source value for identity. */
export type PartitionValue = number | bigint | string | boolean | Uint8Array | null;

/** The `data_file` struct of a v2 manifest entry. */
export interface DataFile {
  /** 0 data, 1 position deletes, 2 equality deletes. */
  readonly content: number;
  readonly filePath: string;
  /** `PARQUET` as streamlake writes it (readers compare it case-insensitively). */
  readonly fileFormat: string;
  /** One value per field of the partition spec, in its order. */
  readonly partition: readonly PartitionValue[];
  readonly recordCount: number;
  readonly fileSizeInBytes: number;
  readonly columnSizes?: ReadonlyMap<number, number>;
  readonly valueCounts?: ReadonlyMap<number, number>;
  readonly nullValueCounts?: ReadonlyMap<number, number>;
  readonly nanValueCounts?: ReadonlyMap<number, number>;
  readonly lowerBounds?: ReadonlyMap<number, Uint8Array>;
  readonly upperBounds?: ReadonlyMap<number, Uint8Array>;
  readonly keyMetadata?: Uint8Array;
  readonly splitOffsets?: readonly number[];
  readonly equalityIds?: readonly number[];
  readonly sortOrderId?: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The Iceberg type of a schema field, when it is one bounds are kept for. */
function boundType(field: StructField): BoundType | undefined {
  return isBoundType(field.type) ? field.type : undefined;
}

/** A column statistic as an Iceberg value: timestamps from epoch millis to microseconds. */
function icebergValue(type: BoundType, v: StatisticValue): SingleValue {
  if ((type === 'timestamptz' || type === 'timestamp') && typeof v === 'number') return BigInt(v) * 1000n;
  return v;
}

/** The result of a time transform on epoch millis, or of identity. */
function transform(name: string, type: BoundType, v: StatisticValue): PartitionValue {
  if (name === 'identity') return icebergValue(type, v) as PartitionValue;
  if (typeof v !== 'number') throw new LakeMetadataError(`iceberg: transform ${name} needs a timestamp or date, got ${String(v)}`);
  const millis = type === 'date' ? v * DAY_MS : v;
  switch (name) {
    case 'day':
      return Math.floor(millis / DAY_MS);
    case 'hour':
      return Math.floor(millis / HOUR_MS);
    case 'month': {
      const d = new Date(millis);
      return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
    }
    case 'year':
      return new Date(millis).getUTCFullYear() - 1970;
    default:
      throw new LakeMetadataError(`iceberg: streamlake does not write partition transform '${name}'`);
  }
}

/** The source column of a partition field, by field id, with its position in the written columns. */
function sourceOf(field: PartitionField, schema: Schema, fieldIds: readonly number[]): { column: number; field: StructField } {
  const source = schema.fields.find((f) => f.id === field['source-id']);
  const column = fieldIds.indexOf(field['source-id']);
  if (!source || column < 0) throw new LakeMetadataError(`iceberg: partition field '${field.name}' reads column id ${field['source-id']}, which the file does not have`);
  return { column, field: source };
}

/**
 * The partition tuple of a file: each partition field's transform of its source column, the same
 * for the column's min and max (else the file spans partitions: an InternalError), null when the
 * column holds only nulls.
 */
export function partitionOf(spec: PartitionSpec, schema: Schema, fieldIds: readonly number[], columns: readonly ParquetColumnStats[]): PartitionValue[] {
  return spec.fields.map((pf) => {
    const { column, field } = sourceOf(pf, schema, fieldIds);
    const stats = columns[column];
    const type = boundType(field);
    if (!type) throw new LakeMetadataError(`iceberg: cannot partition by column '${field.name}' of type ${JSON.stringify(field.type)}`);
    if (stats.min === undefined || stats.max === undefined) {
      if (stats.nullCount === stats.valueCount) return null;
      throw new InternalError(`iceberg: no min/max for column '${field.name}', which partition field '${pf.name}' needs`);
    }
    const low = transform(pf.transform, type, stats.min);
    const high = transform(pf.transform, type, stats.max);
    const same = low instanceof Uint8Array && high instanceof Uint8Array ? Buffer.compare(low, high) === 0 : low === high;
    if (!same) {
      throw new InternalError(`iceberg: a data file spans partitions: ${pf.name} = ${pf.transform}(${field.name}) is ${String(low)} for its min and ${String(high)} for its max`);
    }
    return low;
  });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A partition value as Iceberg prints it in paths: `2026-11-23` for day, `2026-11-23-10` for hour, `2026-11` for month, `2026` for year. */
export function partitionValueText(transformName: string, value: PartitionValue): string {
  if (value === null) return 'null';
  if (typeof value === 'number' && transformName !== 'identity') {
    const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    switch (transformName) {
      case 'day':
        return date(value * DAY_MS);
      case 'hour':
        return `${date(value * HOUR_MS)}-${pad(new Date(value * HOUR_MS).getUTCHours())}`;
      case 'month':
        return `${1970 + Math.floor(value / 12)}-${pad((((value % 12) + 12) % 12) + 1)}`;
      case 'year':
        return String(1970 + value);
    }
  }
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

/** `event_time_day=2026-11-23` (one `name=value` segment per partition field, URL-encoded). */
export function partitionPath(spec: PartitionSpec, values: readonly PartitionValue[]): string {
  return spec.fields.map((f, i) => `${encodeURIComponent(f.name)}=${encodeURIComponent(partitionValueText(f.transform, values[i]))}`).join('/');
}

/** A partition tuple as a string key (to count or group partitions): JSON, bigints as their digits. */
export function partitionKey(partition: readonly PartitionValue[]): string {
  return JSON.stringify(partition, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
}

/** `<location>/data/<partition path>/<topic>-<partition>-<first offset, 20 digits>-<uuid>.parquet`. */
export function dataFilePath(location: string, partition: string, topic: string, kafkaPartition: number, firstOffset: number | bigint, uuid: string): string {
  const dir = partition ? `data/${partition}` : 'data';
  return `${location.replace(/\/+$/, '')}/${dir}/${topic}-${kafkaPartition}-${String(firstOffset).padStart(20, '0')}-${uuid}.parquet`;
}

/** The `data_file` of a written Parquet file: metrics keyed by the columns' field ids, the partition from the columns' bounds. */
export function dataFile(path: string, file: ParquetFile, table: TableSchema, fieldIds: readonly number[], schema: Schema, spec: PartitionSpec): DataFile {
  if (fieldIds.length !== table.columns.length || file.columns.length !== table.columns.length) {
    throw new InternalError(`iceberg: ${fieldIds.length} field ids and ${file.columns.length} column figures for ${table.columns.length} columns`);
  }
  const fields = new Map(schema.fields.map((f) => [f.id, f]));
  const columnSizes = new Map<number, number>();
  const valueCounts = new Map<number, number>();
  const nullValueCounts = new Map<number, number>();
  const nanValueCounts = new Map<number, number>();
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  file.columns.forEach((stats, i) => {
    const id = fieldIds[i];
    const field = fields.get(id);
    if (!field) throw new LakeMetadataError(`iceberg: column '${table.columns[i].name}' has field id ${id}, which the table's schema ${schema['schema-id'] ?? 0} does not have`);
    columnSizes.set(id, stats.bytes);
    valueCounts.set(id, stats.valueCount);
    nullValueCounts.set(id, stats.nullCount);
    if (stats.nanCount !== undefined) nanValueCounts.set(id, stats.nanCount);
    const type = boundType(field);
    if (type && stats.min !== undefined && stats.max !== undefined) {
      lowerBounds.set(id, lowerBound(type, icebergValue(type, stats.min)));
      const upper = upperBound(type, icebergValue(type, stats.max));
      if (upper) upperBounds.set(id, upper);
    }
  });
  return {
    content: 0,
    filePath: path,
    fileFormat: 'PARQUET',
    partition: partitionOf(spec, schema, fieldIds, file.columns),
    recordCount: file.rows,
    fileSizeInBytes: file.bytes.byteLength,
    columnSizes,
    valueCounts,
    nullValueCounts,
    nanValueCounts,
    lowerBounds,
    upperBounds,
    splitOffsets: file.rowGroupOffsets,
  };
}

/** Where to write a Parquet file and its `data_file`: the path from its partition (derived from its figures), topic, partition, first offset and a fresh uuid. */
export function planDataFile(args: {
  readonly location: string;
  readonly file: ParquetFile;
  readonly table: TableSchema;
  readonly fieldIds: readonly number[];
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number | bigint;
  readonly uuid: string;
}): DataFile {
  const partition = partitionOf(args.spec, args.schema, args.fieldIds, args.file.columns);
  const path = dataFilePath(args.location, partitionPath(args.spec, partition), args.topic, args.partition, args.firstOffset, args.uuid);
  return dataFile(path, args.file, args.table, args.fieldIds, args.schema, args.spec);
}
