/**
 * Reads an Iceberg data file (Parquet) back into the column arrays the Parquet writer
 * (../core/parquet.ts) takes: the compactor's read side. Columns are matched by Iceberg field id,
 * as the table spec's column projection asks (a file written before a column was added has no
 * such field id: its values are null); names are not used, so a renamed column still reads.
 *
 * Values come back as the writer takes them: timestamps as epoch millis (the files hold
 * microseconds; a value with a sub-millisecond part cannot be rewritten by our writer and is a
 * LakeMetadataError rather than a silently truncated time), longs as numbers (a LakeMetadataError
 * beyond 2^53), binary as Uint8Array, strings as strings.
 *
 * The decoder is hyparquet (pure JavaScript, every Parquet encoding and GZIP through node:zlib):
 * it bundles into a Lambda function with esbuild and needs no native module, unlike DuckDB.
 */
import { parquetMetadata, parquetRead, type FileMetaData } from 'hyparquet';
import { gunzipSync } from 'node:zlib';
import type { ColumnValues } from '../core/parquet';
import type { TableSchema } from '../../model/tables';
import { LakeMetadataError } from './errors';

export interface DataFileRows {
  /** One array per column of the table schema, in its order. */
  readonly columns: ColumnValues[];
  readonly rows: number;
}

/** Reads a data file's rows for the columns of `table` (with their field ids, one per column). */
export type DataFileReader = (bytes: Uint8Array, table: TableSchema, fieldIds: readonly number[], path: string) => Promise<DataFileRows>;

const MICROS_PER_MILLI = 1000n;

function toMillis(micros: bigint, path: string, column: string): number {
  if (micros % MICROS_PER_MILLI !== 0n) {
    throw new LakeMetadataError(`iceberg: ${path}: column '${column}' holds ${micros} µs, which has a sub-millisecond part streamlake's writer does not keep`);
  }
  return Number(micros / MICROS_PER_MILLI);
}

function toNumber(v: bigint, path: string, column: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new LakeMetadataError(`iceberg: ${path}: column '${column}' holds ${v}, beyond what streamlake's writer keeps (2^53)`);
  return n;
}

/** The file's top-level column name for each field id (a flat schema: the root's children). */
function columnsById(metadata: FileMetaData): Map<number, string> {
  const out = new Map<number, string>();
  const [root, ...elements] = metadata.schema;
  let children = root.num_children ?? elements.length;
  for (let i = 0; i < elements.length && children > 0; i++, children--) {
    const e = elements[i];
    if ((e.num_children ?? 0) > 0) throw new LakeMetadataError(`iceberg: column '${e.name}' is nested: streamlake's tables are flat`);
    if (e.field_id !== undefined) out.set(e.field_id, e.name);
  }
  return out;
}

/** hyparquet: timestamps kept as bigint microseconds or millis (converted below), byte arrays without a UTF8 annotation as bytes. */
const PARSERS = {
  timestampFromMilliseconds: (millis: bigint) => millis * MICROS_PER_MILLI,
  timestampFromMicroseconds: (micros: bigint) => micros,
  timestampFromNanoseconds: (nanos: bigint) => nanos / 1000n,
};

export const readDataFile: DataFileReader = async (bytes, table, fieldIds, path) => {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let metadata: FileMetaData;
  try {
    metadata = parquetMetadata(file);
  } catch (err) {
    throw new LakeMetadataError(`iceberg: ${path} is not a readable Parquet file: ${(err as Error).message}`, { cause: err });
  }
  const rows = Number(metadata.num_rows);
  const byId = columnsById(metadata);
  const names = fieldIds.map((id) => byId.get(id));
  const wanted = names.filter((n): n is string => n !== undefined);
  const read = new Map<string, unknown[]>();
  if (wanted.length > 0 && rows > 0) {
    await parquetRead({
      file,
      metadata,
      columns: wanted,
      utf8: false,
      parsers: PARSERS,
      compressors: { GZIP: (input: Uint8Array) => gunzipSync(input) },
      onChunk: (chunk) => {
        let values = read.get(chunk.columnName);
        if (!values) read.set(chunk.columnName, (values = new Array<unknown>(rows)));
        for (let i = 0; i < chunk.columnData.length; i++) values[chunk.rowStart + i] = chunk.columnData[i];
      },
    });
  }
  const columns = table.columns.map((column, i): ColumnValues => {
    const name = names[i];
    const values = name === undefined ? undefined : read.get(name);
    if (values === undefined) {
      if (!column.nullable && rows > 0) throw new LakeMetadataError(`iceberg: ${path} has no column with field id ${fieldIds[i]} ('${column.name}'), which is required`);
      return new Array<unknown>(rows).fill(null);
    }
    const out = new Array<unknown>(rows);
    for (let r = 0; r < rows; r++) {
      const v = values[r];
      if (v === null || v === undefined) out[r] = null;
      else if (column.type === 'timestamp') out[r] = toMillis(v as bigint, path, column.name);
      else if (column.type === 'long') out[r] = toNumber(v as bigint, path, column.name);
      else if (column.type === 'binary') out[r] = v instanceof Uint8Array ? v : Buffer.from(String(v), 'utf8');
      else out[r] = v;
    }
    return out;
  });
  return { columns, rows };
};
