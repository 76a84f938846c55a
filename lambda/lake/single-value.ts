/**
 * Iceberg's binary single-value serialization (table spec, Appendix D), which manifests use for
 * column lower and upper bounds and for partition summaries:
 *
 * | type | bytes |
 * |---|---|
 * | boolean | one byte, 0x00 false, 0x01 true |
 * | int, date | 4-byte little-endian (date: days from 1970-01-01) |
 * | long, timestamp, timestamptz | 8-byte little-endian (timestamps: microseconds from the epoch) |
 * | double | 8-byte little-endian IEEE 754 |
 * | string | UTF-8 bytes, no length |
 * | binary | the bytes |
 *
 * Bounds of strings and binaries are truncated to 16 code points / bytes, as Iceberg's default
 * metrics mode `truncate(16)` does: the lower bound is the prefix; the upper bound is the prefix
 * with its last code point (byte) incremented, carrying leftward, or none when nothing can be
 * incremented. A bound of -0.0 or +0.0: the lower bound is -0.0 and the upper +0.0, since the spec
 * orders -0.0 before +0.0 and the writer does not tell them apart. Pure.
 */
import { LakeMetadataError } from './errors';

/** The Iceberg primitive types streamlake's tables use (and `date`, the day transform's result). */
export type BoundType = 'boolean' | 'int' | 'date' | 'long' | 'timestamp' | 'timestamptz' | 'double' | 'string' | 'binary';

export type SingleValue = boolean | number | bigint | string | Uint8Array;

/** Iceberg's default metrics mode truncates string and binary bounds to this many code points or bytes. */
export const TRUNCATE_LENGTH = 16;

const BOUND_TYPES = new Set<string>(['boolean', 'int', 'date', 'long', 'timestamp', 'timestamptz', 'double', 'string', 'binary']);

export function isBoundType(type: unknown): type is BoundType {
  return typeof type === 'string' && BOUND_TYPES.has(type);
}

function integer(value: SingleValue, type: BoundType): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  throw new LakeMetadataError(`iceberg: a ${type} value must be an integer, got ${String(value)}`);
}

/** The value's single-value serialization. Timestamps are microseconds. */
export function toSingleValue(type: BoundType, value: SingleValue): Uint8Array {
  switch (type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new LakeMetadataError(`iceberg: a boolean value must be true or false, got ${String(value)}`);
      return Uint8Array.of(value ? 1 : 0);
    case 'int':
    case 'date': {
      const n = integer(value, type);
      if (n < -2147483648n || n > 2147483647n) throw new LakeMetadataError(`iceberg: ${n} is not a 32-bit ${type}`);
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(n), 0);
      return b;
    }
    case 'long':
    case 'timestamp':
    case 'timestamptz': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(integer(value, type), 0);
      return b;
    }
    case 'double': {
      if (typeof value !== 'number') throw new LakeMetadataError(`iceberg: a double value must be a number, got ${String(value)}`);
      const b = Buffer.alloc(8);
      b.writeDoubleLE(value, 0);
      return b;
    }
    case 'string':
      if (typeof value !== 'string') throw new LakeMetadataError(`iceberg: a string value must be a string, got ${typeof value}`);
      return Buffer.from(value, 'utf8');
    case 'binary':
      if (!(value instanceof Uint8Array)) throw new LakeMetadataError(`iceberg: a binary value must be bytes, got ${typeof value}`);
      return Uint8Array.from(value);
  }
}

/** Reads a single-value serialization: int and date as numbers, long and timestamps as bigints. */
export function fromSingleValue(type: BoundType, bytes: Uint8Array): SingleValue {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = (n: number): void => {
    if (b.length !== n) throw new LakeMetadataError(`iceberg: a ${type} value takes ${n} bytes, got ${b.length}`);
  };
  switch (type) {
    case 'boolean':
      size(1);
      return b[0] !== 0;
    case 'int':
    case 'date':
      size(4);
      return b.readInt32LE(0);
    case 'long':
    case 'timestamp':
    case 'timestamptz':
      size(8);
      return b.readBigInt64LE(0);
    case 'double':
      size(8);
      return b.readDoubleLE(0);
    case 'string':
      return b.toString('utf8');
    case 'binary':
      return Uint8Array.from(b);
  }
}

/** The first `length` code points of `s` (a surrogate pair is one code point). */
function codePointPrefix(s: string, length: number): { prefix: string; truncated: boolean } {
  let units = 0;
  for (let points = 0; points < length; points++) {
    if (units >= s.length) return { prefix: s, truncated: false };
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff && units + 1 < s.length ? 2 : 1;
  }
  return { prefix: s.slice(0, units), truncated: units < s.length };
}

/** The smallest string greater than every string starting with `prefix` and at most as long, or undefined. */
function incrementString(prefix: string): string | undefined {
  const points = Array.from(prefix);
  for (let i = points.length - 1; i >= 0; i--) {
    let next = points[i].codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000; // surrogates are not code points of text
    if (next <= 0x10ffff) return points.slice(0, i).join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/** The lower bound of a column whose smallest value is `min` (strings and binaries truncated). */
export function lowerBound(type: BoundType, min: SingleValue, length = TRUNCATE_LENGTH): Uint8Array {
  if (type === 'string' && typeof min === 'string') return toSingleValue(type, codePointPrefix(min, length).prefix);
  if (type === 'binary' && min instanceof Uint8Array) return Uint8Array.from(min.subarray(0, length));
  if (type === 'double' && min === 0) return toSingleValue(type, -0);
  return toSingleValue(type, min);
}

/** The upper bound of a column whose largest value is `max`, or undefined when a truncated bound cannot be made. */
export function upperBound(type: BoundType, max: SingleValue, length = TRUNCATE_LENGTH): Uint8Array | undefined {
  if (type === 'string' && typeof max === 'string') {
    const { prefix, truncated } = codePointPrefix(max, length);
    if (!truncated) return toSingleValue(type, max);
    const next = incrementString(prefix);
    return next === undefined ? undefined : toSingleValue(type, next);
  }
  if (type === 'binary' && max instanceof Uint8Array) {
    if (max.length <= length) return Uint8Array.from(max);
    const bytes = Uint8Array.from(max.subarray(0, length));
    for (let i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] !== 0xff) {
        bytes[i] += 1;
        return bytes.slice(0, i + 1);
      }
    }
    return undefined;
  }
  if (type === 'double' && max === 0) return toSingleValue(type, 0);
  return toSingleValue(type, max);
}
