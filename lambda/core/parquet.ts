/**
 * Parquet encoding of the lake tables: a writer specialised for what the processor writes — flat
 * schemas, one data page per column and row group (one row group unless `rowGroupRows` splits
 * the rows) — so it goes straight from the column arrays to bytes (typed arrays, no BigInt,
 * strings encoded once per distinct value). Chosen over
 * hyparquet-writer and parquet-wasm by measurement (README, Benchmark).
 *
 * Column types come from the TableSchema the Glue tables use: timestamps are INT64
 * TIMESTAMP_MILLIS, longs INT64, ints INT32, doubles DOUBLE, booleans BOOLEAN, strings UTF8
 * BYTE_ARRAY, bytes BYTE_ARRAY. Strings are dictionary-encoded unless nearly all distinct,
 * integers and timestamps DELTA_BINARY_PACKED (offsets, times and ids are near-sorted); PLAIN
 * pages and large dictionaries are compressed with GZIP level 1 where that makes them smaller
 * (bit-packed pages hardly compress: they are stored as they are). Numeric columns carry
 * min/max statistics so Athena can skip row groups.
 *
 * For Apache Iceberg, each column may carry its field id (`ParquetOptions.fieldIds`), and
 * `encodeParquetFile` returns, with the bytes, the per-column figures an Iceberg data file records
 * (value, null and NaN counts, min/max, bytes on disk), gathered while encoding: nothing is read
 * back. Timestamps are INT64 epoch millis with the converted type TIMESTAMP_MILLIS by default;
 * the lake's Iceberg data files store them as MICROS (`timestampUnit`), with the logical type
 * TIMESTAMP(isAdjustedToUTC=true, MICROS) that Iceberg's `timestamptz` is: Trino's Iceberg reader,
 * Athena's engine, refuses MILLIS there.
 */
import { gzipSync } from 'node:zlib';
import { bitWidth, ByteWriter, compareUtf8, int64Bytes, ThriftWriter, writeDeltaBinaryPacked, writeHybrid, writePlainInt64 } from './parquet-bytes';
import type { Column, ColumnType, TableSchema } from '../../model/tables';
import { InternalError } from '../../model/errors';

/** One value per row for each column, in schema order. Timestamps are epoch millis; null = missing. */
export type ColumnValues = unknown[];

export type ParquetCodec = 'GZIP' | 'UNCOMPRESSED';

export interface ParquetOptions {
  /** @default 'GZIP' */
  readonly codec?: ParquetCodec;
  /** Delta-encode int, long and timestamp columns. @default true */
  readonly deltaIntegers?: boolean;
  /** One Iceberg field id per column, in schema order, written as each column's `field_id`. */
  readonly fieldIds?: readonly number[];
  /**
   * How timestamp columns are stored. `MICROS` is what Iceberg's spec asks of writers and what
   * Trino's (so Athena's) Iceberg reader accepts for `timestamptz`; values in the column arrays
   * and in the returned figures stay epoch millis either way. @default 'MILLIS'
   */
  readonly timestampUnit?: TimestampUnit;
  /**
   * Rows per row group (the last one holds the rest). Readers skip a row group whose min/max
   * cannot match a filter, and decode one row group at a time: a large file written as one row
   * group is all-or-nothing, and a reader holds whole pages of it in memory. @default all rows in one
   */
  readonly rowGroupRows?: number;
}

export type TimestampUnit = 'MILLIS' | 'MICROS';

/** A column's smallest or largest value as written: a number (timestamps in epoch millis), string, boolean or bytes. */
export type StatisticValue = number | string | boolean | Uint8Array;

/** What the writer knows of one column of the file it wrote (Iceberg's data file metrics come from these). */
export interface ParquetColumnStats {
  /** Values in the column, nulls and NaNs included (= the file's rows). */
  readonly valueCount: number;
  readonly nullCount: number;
  /** NaN values (double columns only). */
  readonly nanCount?: number;
  /**
   * The smallest and largest non-null, non-NaN values (absent when there are none): numbers by
   * value, strings by code point (= UTF-8 byte) order, bytes unsigned lexicographically, false < true.
   */
  readonly min?: StatisticValue;
  readonly max?: StatisticValue;
  /** Bytes of the column chunk in the file (page headers and pages as stored, compressed). */
  readonly bytes: number;
}

/** A Parquet file and the figures of each of its columns, in schema order. */
export interface ParquetFile {
  readonly bytes: Uint8Array;
  readonly rows: number;
  /** Figures over the whole file (every row group). */
  readonly columns: readonly ParquetColumnStats[];
  /** Where each row group starts, ascending (Iceberg's `split_offsets`). */
  readonly rowGroupOffsets: readonly number[];
}

// parquet.thrift enums
const Type = { BOOLEAN: 0, INT32: 1, INT64: 2, DOUBLE: 5, BYTE_ARRAY: 6 } as const;
const ConvertedType = { UTF8: 0, TIMESTAMP_MILLIS: 9, TIMESTAMP_MICROS: 10 } as const;
const Repetition = { REQUIRED: 0, OPTIONAL: 1 } as const;
const Encoding = { PLAIN: 0, RLE: 3, DELTA_BINARY_PACKED: 5, RLE_DICTIONARY: 8 } as const;
const Codec = { UNCOMPRESSED: 0, GZIP: 2 } as const;
const PageType = { DATA_PAGE: 0, DICTIONARY_PAGE: 2 } as const;

const PHYSICAL: Record<ColumnType, number> = {
  string: Type.BYTE_ARRAY,
  binary: Type.BYTE_ARRAY,
  int: Type.INT32,
  long: Type.INT64,
  timestamp: Type.INT64,
  double: Type.DOUBLE,
  boolean: Type.BOOLEAN,
};

const MAGIC = Buffer.from('PAR1', 'ascii');
// a dictionary stops paying off when nearly every value is distinct, or gets large
const DICTIONARY_MAX_DISTINCT_SHARE = 0.75;
const DICTIONARY_MAX_BYTES = 1 << 20;
// below this a dictionary page gains little from GZIP, and its bit-packed indexes even less
const COMPRESSIBLE_DICTIONARY_BYTES = 2048;

interface ChunkMeta {
  readonly column: Column;
  readonly encodings: number[];
  readonly codec: number;
  readonly numValues: number;
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  readonly dataPageOffset: number;
  readonly dictionaryPageOffset?: number;
  readonly nullCount: number;
  readonly min?: Buffer;
  readonly max?: Buffer;
}

/** A page body before compression. */
interface Page {
  readonly type: number;
  readonly body: Buffer;
  readonly numValues: number;
  readonly encoding: number;
}

/** Values of one column split into definition levels and the non-null values. */
interface Split {
  readonly present: unknown[];
  /** 1 = value present, 0 = null; undefined for a required column (no levels written). */
  readonly levels?: Uint8Array;
}

function splitNulls(column: Column, values: ColumnValues, rows: number): Split {
  let nulls = 0;
  for (let i = 0; i < rows; i++) if (values[i] === null || values[i] === undefined) nulls++;
  if (nulls === 0) return { present: values, levels: column.nullable ? new Uint8Array(rows).fill(1) : undefined };
  if (!column.nullable) throw new InternalError(`parquet: column '${column.name}' is required but has ${nulls} null value(s)`);
  const levels = new Uint8Array(rows);
  const present: unknown[] = [];
  for (let i = 0; i < rows; i++) {
    const v = values[i];
    if (v === null || v === undefined) continue;
    levels[i] = 1;
    present.push(v);
  }
  return { present, levels };
}

function levelsPrefix(levels: Uint8Array | undefined, rows: number): ByteWriter {
  const w = new ByteWriter(64 + rows * 8);
  if (!levels) return w;
  w.u32(0); // length of the levels, filled in below
  writeHybrid(w, levels, rows, 1);
  w.buf.writeUInt32LE(w.pos - 4, 0);
  return w;
}

function checkedIntegers(column: Column, values: unknown[], int32: boolean): number[] {
  const n = values as number[];
  for (let i = 0; i < n.length; i++) {
    const v = n[i];
    if (!Number.isSafeInteger(v) || (int32 && (v < -2_147_483_648 || v > 2_147_483_647))) {
      throw new InternalError(`parquet: column '${column.name}' (${column.type}) has a value that is not ${int32 ? 'a 32-bit' : 'a safe'} integer: ${String(v)}`);
    }
  }
  return n;
}

function minMax(values: readonly number[]): { min: number; max: number } | undefined {
  if (values.length === 0) return undefined;
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return { min, max };
}

interface EncodedColumn {
  readonly pages: Page[];
  /** Worth a GZIP attempt: PLAIN values and large dictionaries compress, bit-packed pages hardly do. */
  readonly compressible: boolean;
  readonly encodings: number[];
  /** Parquet statistics (PLAIN encoded), written to the footer. */
  readonly min?: Buffer;
  readonly max?: Buffer;
  /** The same bounds as values, for the caller (every type, strings and bytes included). */
  readonly low?: StatisticValue;
  readonly high?: StatisticValue;
  readonly nanCount?: number;
}

/** Min and max of strings: JS comparison orders UTF-16 code units, the same as code points for any text below U+D800. */
class StringBounds {
  min: string | undefined;
  max: string | undefined;
  /** A value at or above U+0080 was seen: redo the bounds in code point order. */
  wide = false;
  /** A value that is not a string was written: no bounds. */
  mixed = false;

  add(s: string, utf8Bytes: number): void {
    if (this.min === undefined) {
      this.min = s;
      this.max = s;
    } else if (s < this.min) this.min = s;
    else if (s > this.max!) this.max = s;
    if (utf8Bytes !== s.length) this.wide = true;
  }

  result(values: Iterable<unknown>): { low?: string; high?: string } {
    if (this.mixed || this.min === undefined) return {};
    if (!this.wide) return { low: this.min, high: this.max };
    // rare: non-ASCII text, where UTF-16 and code point order may differ (astral vs U+E000–U+FFFF)
    let low: string | undefined;
    let high: string | undefined;
    for (const v of values) {
      const s = v as string;
      if (low === undefined || compareUtf8(s, low) < 0) low = s;
      if (high === undefined || compareUtf8(s, high) > 0) high = s;
    }
    return { low, high };
  }
}

function encodeStrings(present: unknown[], prefix: ByteWriter, rows: number): EncodedColumn {
  const count = present.length;
  const ids = new Map<string, number>();
  const indexes = new Uint32Array(count);
  const distinctLimit = Math.max(16, Math.floor(count * DICTIONARY_MAX_DISTINCT_SHARE));
  let dictionaryBytes = 0;
  let useDictionary = count > 0;
  let previous: string | undefined;
  let previousId = 0;
  for (let i = 0; useDictionary && i < count; i++) {
    const raw = present[i];
    const s = typeof raw === 'string' ? raw : String(raw);
    // runs of one value (the topic, a constant) skip the hash lookup
    if (s === previous) {
      indexes[i] = previousId;
      continue;
    }
    let id = ids.get(s);
    if (id === undefined) {
      id = ids.size;
      ids.set(s, id);
      dictionaryBytes += 4 + s.length * 3;
      if (ids.size > distinctLimit || dictionaryBytes > DICTIONARY_MAX_BYTES) {
        useDictionary = false;
        break;
      }
    }
    indexes[i] = id;
    previous = s;
    previousId = id;
  }
  const bounds = new StringBounds();
  if (useDictionary) {
    // bounds over the distinct values only
    const dict = new ByteWriter(dictionaryBytes);
    for (const s of ids.keys()) bounds.add(s, writeByteArray(dict, s));
    const width = Math.max(1, bitWidth(ids.size - 1));
    prefix.byte(width);
    writeHybrid(prefix, indexes, count, width);
    return {
      pages: [
        { type: PageType.DICTIONARY_PAGE, body: dict.view(), numValues: ids.size, encoding: Encoding.PLAIN },
        { type: PageType.DATA_PAGE, body: prefix.view(), numValues: rows, encoding: Encoding.RLE_DICTIONARY },
      ],
      encodings: [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY],
      compressible: dict.pos >= COMPRESSIBLE_DICTIONARY_BYTES,
      ...bounds.result(ids.keys()),
    };
  }
  for (let i = 0; i < count; i++) {
    const v = present[i];
    const n = writeByteArray(prefix, v);
    if (typeof v === 'string') bounds.add(v, n);
    else bounds.mixed = true;
  }
  return {
    pages: [{ type: PageType.DATA_PAGE, body: prefix.view(), numValues: rows, encoding: Encoding.PLAIN }],
    encodings: [Encoding.PLAIN, Encoding.RLE],
    compressible: true,
    ...bounds.result(present),
  };
}

/** PLAIN BYTE_ARRAY: 4-byte length, then the bytes (UTF-8 for strings). Returns the length. */
function writeByteArray(w: ByteWriter, v: unknown): number {
  if (typeof v === 'string') {
    w.ensure(4 + v.length * 3);
    const n = w.buf.write(v, w.pos + 4, 'utf8');
    w.buf.writeUInt32LE(n, w.pos);
    w.pos += 4 + n;
    return n;
  }
  const bytes = v instanceof Uint8Array ? v : Buffer.from(String(v), 'utf8');
  w.u32(bytes.length);
  w.bytes(bytes);
  return bytes.length;
}

/** Unsigned lexicographic min and max of byte values; none when a value is not bytes. */
function bytesBounds(values: readonly unknown[]): { low?: Uint8Array; high?: Uint8Array } {
  let low: Uint8Array | undefined;
  let high: Uint8Array | undefined;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v instanceof Uint8Array)) return {};
    if (low === undefined) {
      low = v;
      high = v;
    } else if (Buffer.compare(v, low) < 0) low = v;
    else if (Buffer.compare(v, high!) > 0) high = v;
  }
  return low === undefined ? {} : { low, high };
}

function encodeColumn(column: Column, values: ColumnValues, rows: number, delta: boolean, micros: boolean): EncodedColumn & { nullCount: number } {
  const { present, levels } = splitNulls(column, values, rows);
  const nullCount = rows - present.length;
  const w = levelsPrefix(levels, rows);
  const page = (encoding: number): Page[] => [{ type: PageType.DATA_PAGE, body: w.view(), numValues: rows, encoding }];
  const count = present.length;
  switch (column.type) {
    case 'string':
    case 'binary': {
      if (column.type === 'string') return { ...encodeStrings(present, w, rows), nullCount };
      for (let i = 0; i < count; i++) writeByteArray(w, present[i]);
      return { pages: page(Encoding.PLAIN), encodings: [Encoding.PLAIN, Encoding.RLE], compressible: true, nullCount, ...bytesBounds(present) };
    }
    case 'int': {
      const ints = checkedIntegers(column, present, true);
      const mm = minMax(ints);
      // INT32 readers add deltas in 32-bit arithmetic: delta-encode only when every delta fits
      if (delta && (mm === undefined || mm.max - mm.min < 2 ** 31)) {
        const start = w.pos;
        if (writeDeltaBinaryPacked(w, ints, count)) {
          return { pages: page(Encoding.DELTA_BINARY_PACKED), encodings: [Encoding.DELTA_BINARY_PACKED, Encoding.RLE], compressible: false, nullCount, ...int32Stats(mm) };
        }
        w.pos = start;
      }
      const arr = Int32Array.from(ints);
      w.bytes(new Uint8Array(arr.buffer));
      return { pages: page(Encoding.PLAIN), encodings: [Encoding.PLAIN, Encoding.RLE], compressible: true, nullCount, ...int32Stats(mm) };
    }
    case 'long':
    case 'timestamp': {
      const checked = checkedIntegers(column, present, false);
      const mm = minMax(checked);
      // MICROS: the file holds millis × 1000 (exact below 2^53, i.e. until the year 2255); the figures stay millis
      const scale = micros && column.type === 'timestamp' ? 1000 : 1;
      const longs = scale === 1 ? checked : checked.map((v) => v * scale);
      const stats = mm ? { min: int64Bytes(mm.min * scale), max: int64Bytes(mm.max * scale), low: mm.min, high: mm.max } : {};
      if (delta) {
        const start = w.pos;
        if (writeDeltaBinaryPacked(w, longs, count)) {
          return { pages: page(Encoding.DELTA_BINARY_PACKED), encodings: [Encoding.DELTA_BINARY_PACKED, Encoding.RLE], compressible: false, nullCount, ...stats };
        }
        w.pos = start; // a value or delta too large for delta encoding: PLAIN
      }
      writePlainInt64(w, longs, count);
      return { pages: page(Encoding.PLAIN), encodings: [Encoding.PLAIN, Encoding.RLE], compressible: true, nullCount, ...stats };
    }
    case 'double': {
      const doubles = present as number[];
      for (let i = 0; i < count; i++) {
        if (typeof doubles[i] !== 'number') throw new InternalError(`parquet: column '${column.name}' (double) has a non-number value: ${String(doubles[i])}`);
      }
      const arr = Float64Array.from(doubles);
      w.bytes(new Uint8Array(arr.buffer));
      const finite = doubles.filter((d) => !Number.isNaN(d));
      const mm = minMax(finite);
      const stats = mm ? { min: doubleBytes(mm.min), max: doubleBytes(mm.max), low: mm.min, high: mm.max } : {};
      return { pages: page(Encoding.PLAIN), encodings: [Encoding.PLAIN, Encoding.RLE], compressible: true, nullCount, nanCount: count - finite.length, ...stats };
    }
    case 'boolean': {
      // PLAIN booleans: bit-packed, LSB first, no run header
      const bytes = new Uint8Array(Math.ceil(count / 8));
      let trues = 0;
      for (let i = 0; i < count; i++)
        if (present[i]) {
          bytes[i >> 3] |= 1 << (i & 7);
          trues++;
        }
      w.bytes(bytes);
      const bounds = count === 0 ? {} : { low: trues === count, high: trues > 0 };
      return { pages: page(Encoding.PLAIN), encodings: [Encoding.PLAIN, Encoding.RLE], compressible: true, nullCount, ...bounds };
    }
  }
}

function int32Stats(mm: { min: number; max: number } | undefined): { min?: Buffer; max?: Buffer; low?: number; high?: number } {
  if (!mm) return {};
  const min = Buffer.allocUnsafe(4);
  min.writeInt32LE(mm.min, 0);
  const max = Buffer.allocUnsafe(4);
  max.writeInt32LE(mm.max, 0);
  return { min, max, low: mm.min, high: mm.max };
}

function doubleBytes(d: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  // -0.0 and +0.0 compare equal; write +0 so min/max bounds are canonical
  b.writeDoubleLE(d === 0 ? 0 : d, 0);
  return b;
}

function writePageHeader(out: ByteWriter, page: Page, compressedBytes: number): void {
  const t = new ThriftWriter(out).begin();
  t.i32(1, page.type).i32(2, page.body.length).i32(3, compressedBytes);
  if (page.type === PageType.DICTIONARY_PAGE) {
    t.struct(7).i32(1, page.numValues).i32(2, page.encoding).end();
  } else {
    t.struct(5).i32(1, page.numValues).i32(2, page.encoding).i32(3, Encoding.RLE).i32(4, Encoding.RLE).end();
  }
  t.end();
}

/** Encodes columns (each as long as `rows`) into one Parquet file. */
export function encodeParquet(schema: TableSchema, columns: readonly ColumnValues[], rows: number, options: ParquetOptions = {}): Uint8Array {
  return encodeParquetFile(schema, columns, rows, options).bytes;
}

/** Encodes columns (each as long as `rows`) into one Parquet file, and reports each column's figures. */
export function encodeParquetFile(schema: TableSchema, columns: readonly ColumnValues[], rows: number, options: ParquetOptions = {}): ParquetFile {
  if (columns.length !== schema.columns.length) {
    throw new InternalError(`parquet: ${columns.length} column arrays for ${schema.columns.length} schema columns`);
  }
  const fieldIds = options.fieldIds;
  if (fieldIds !== undefined && (fieldIds.length !== schema.columns.length || !fieldIds.every((id) => Number.isInteger(id) && id > 0))) {
    throw new InternalError(`parquet: ${fieldIds.length} field ids for ${schema.columns.length} schema columns, or one that is not a positive integer: ${fieldIds.join(', ')}`);
  }
  const groupRows = options.rowGroupRows ?? Math.max(rows, 1);
  if (!Number.isSafeInteger(groupRows) || groupRows < 1) throw new InternalError(`parquet: rowGroupRows must be a positive integer, got ${groupRows}`);
  schema.columns.forEach((column, i) => {
    if (columns[i].length !== rows) throw new InternalError(`parquet: column '${column.name}' has ${columns[i].length} values, expected ${rows}`);
  });
  const delta = options.deltaIntegers ?? true;
  const gzip = (options.codec ?? 'GZIP') === 'GZIP';
  const micros = options.timestampUnit === 'MICROS';
  const parts: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const header = new ByteWriter(256);
  const totals = schema.columns.map(() => new ColumnTotals());
  const groups: RowGroupMeta[] = [];
  // an empty file still has one (empty) row group
  for (let first = 0; first === 0 || first < rows; first += groupRows) {
    const count = Math.min(groupRows, rows - first);
    const groupOffset = offset;
    const chunks: ChunkMeta[] = schema.columns.map((column, i) => {
      const values = count === rows ? columns[i] : columns[i].slice(first, first + count);
      const encoded = encodeColumn(column, values, count, delta, micros);
      const compressed = gzip && encoded.compressible ? encoded.pages.map((p) => gzipSync(p.body, { level: 1 })) : undefined;
      // GZIP only where it pays: a tiny page (a constant column's dictionary) grows under it
      const raw = encoded.pages.reduce((n, p) => n + p.body.length, 0);
      const useGzip = compressed !== undefined && compressed.reduce((n, c) => n + c.length, 0) < raw;
      let uncompressedBytes = 0;
      let compressedBytes = 0;
      let dataPageOffset = offset;
      let dictionaryPageOffset: number | undefined;
      encoded.pages.forEach((page, k) => {
        const body = useGzip ? compressed![k] : page.body;
        header.pos = 0;
        writePageHeader(header, page, body.length);
        if (page.type === PageType.DICTIONARY_PAGE) dictionaryPageOffset = offset;
        else dataPageOffset = offset;
        parts.push(Buffer.from(header.view()), body);
        uncompressedBytes += header.pos + page.body.length;
        compressedBytes += header.pos + body.length;
        offset += header.pos + body.length;
      });
      totals[i].add(column, encoded, compressedBytes);
      return {
        column,
        encodings: encoded.encodings,
        codec: useGzip ? Codec.GZIP : Codec.UNCOMPRESSED,
        numValues: count,
        uncompressedBytes,
        compressedBytes,
        dataPageOffset,
        dictionaryPageOffset,
        nullCount: encoded.nullCount,
        min: encoded.min,
        max: encoded.max,
      };
    });
    groups.push({ chunks, rows: count, offset: groupOffset });
  }

  const footer = new ByteWriter(1024);
  writeFileMetaData(footer, schema, groups, rows, fieldIds, micros);
  const footerBytes = footer.view();
  const tail = Buffer.allocUnsafe(8);
  tail.writeUInt32LE(footerBytes.length, 0);
  MAGIC.copy(tail, 4);
  parts.push(footerBytes, tail);
  return { bytes: Buffer.concat(parts), rows, columns: totals.map((t) => t.stats(rows)), rowGroupOffsets: groups.map((g) => g.offset) };
}

interface RowGroupMeta {
  readonly chunks: readonly ChunkMeta[];
  readonly rows: number;
  /** Where its first column chunk starts. */
  readonly offset: number;
}

/** One column's figures summed (counts, bytes) and bounded (min, max) over the row groups written so far. */
class ColumnTotals {
  private nullCount = 0;
  private nanCount: number | undefined;
  private bytes = 0;
  private low: StatisticValue | undefined;
  private high: StatisticValue | undefined;

  add(column: Column, encoded: EncodedColumn & { readonly nullCount: number }, bytes: number): void {
    this.nullCount += encoded.nullCount;
    if (encoded.nanCount !== undefined) this.nanCount = (this.nanCount ?? 0) + encoded.nanCount;
    this.bytes += bytes;
    if (encoded.low === undefined || encoded.high === undefined) return;
    if (this.low === undefined || compareStatistic(column, encoded.low, this.low) < 0) this.low = encoded.low;
    if (this.high === undefined || compareStatistic(column, encoded.high, this.high!) > 0) this.high = encoded.high;
  }

  stats(rows: number): ParquetColumnStats {
    return {
      valueCount: rows,
      nullCount: this.nullCount,
      ...(this.nanCount !== undefined ? { nanCount: this.nanCount } : {}),
      ...(this.low !== undefined ? { min: this.low, max: this.high } : {}),
      bytes: this.bytes,
    };
  }
}

/** Orders two bounds of a column as its statistics do: numbers by value, strings by code point, bytes unsigned, false < true. */
function compareStatistic(column: Column, a: StatisticValue, b: StatisticValue): number {
  switch (column.type) {
    case 'string':
      return compareUtf8(a as string, b as string);
    case 'binary':
      return Buffer.compare(a as Uint8Array, b as Uint8Array);
    case 'boolean':
      return Number(a) - Number(b);
    default:
      return (a as number) - (b as number);
  }
}

function writeFileMetaData(out: ByteWriter, schema: TableSchema, groups: readonly RowGroupMeta[], rows: number, fieldIds: readonly number[] | undefined, micros: boolean): void {
  const t = new ThriftWriter(out).begin();
  t.i32(1, 1);
  const elements: readonly (readonly [Column, number | undefined] | null)[] = [null, ...schema.columns.map((c, i) => [c, fieldIds?.[i]] as const)];
  t.structList(2, elements, (s, e) => {
    if (e === null) {
      s.binary(4, 'schema').i32(5, schema.columns.length);
      return;
    }
    const [c, fieldId] = e;
    s.i32(1, PHYSICAL[c.type])
      .i32(3, c.nullable ? Repetition.OPTIONAL : Repetition.REQUIRED)
      .binary(4, c.name);
    if (c.type === 'string') s.i32(6, ConvertedType.UTF8);
    if (c.type === 'timestamp') s.i32(6, micros ? ConvertedType.TIMESTAMP_MICROS : ConvertedType.TIMESTAMP_MILLIS);
    if (fieldId !== undefined) s.i32(9, fieldId);
    // MICROS (Iceberg files) also carries the logical type TIMESTAMP(isAdjustedToUTC=true, MICROS): an instant, Iceberg's timestamptz
    if (c.type === 'timestamp' && micros) s.struct(10).struct(8).bool(1, true).struct(2).struct(2).end().end().end().end();
  });
  t.i64(3, rows);
  t.structList(4, groups, (rg, group, ordinal) => {
    const { chunks } = group;
    const totalUncompressed = chunks.reduce((n, c) => n + c.uncompressedBytes, 0);
    const totalCompressed = chunks.reduce((n, c) => n + c.compressedBytes, 0);
    rg.structList(1, chunks, (cc, c) => {
      const start = c.dictionaryPageOffset ?? c.dataPageOffset;
      cc.i64(2, start);
      cc.struct(3);
      cc.i32(1, PHYSICAL[c.column.type]).i32List(2, c.encodings).binaryList(3, [c.column.name]).i32(4, c.codec);
      cc.i64(5, c.numValues).i64(6, c.uncompressedBytes).i64(7, c.compressedBytes).i64(9, c.dataPageOffset);
      if (c.dictionaryPageOffset !== undefined) cc.i64(11, c.dictionaryPageOffset);
      cc.struct(12).i64(3, c.nullCount);
      if (c.max && c.min) cc.binary(5, c.max).binary(6, c.min);
      cc.end();
      cc.end();
    });
    rg.i64(2, totalUncompressed).i64(3, group.rows).i64(5, group.offset).i64(6, totalCompressed).i16(7, ordinal);
  });
  t.binary(6, 'streamlake');
  // min_value/max_value above follow each type's defined sort order
  t.structList(7, schema.columns, (o) => {
    o.struct(1).end();
  });
  t.end();
}
