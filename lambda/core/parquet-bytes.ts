/**
 * Byte-level building blocks of the Parquet writer: a growable buffer, the Thrift compact
 * protocol (page headers and the footer), and the value encodings Parquet defines (PLAIN, the
 * RLE/bit-packing hybrid, DELTA_BINARY_PACKED). Integers are JS numbers (safe integers): no
 * BigInt on the hot path. Pure.
 */

const TWO_32 = 4_294_967_296;

/** A little-endian byte buffer that grows as it is written. */
export class ByteWriter {
  buf: Buffer;
  pos = 0;

  constructor(initialBytes = 4096) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  u32(n: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(n, this.pos);
    this.pos += 4;
  }

  /** Unsigned LEB128 of a non-negative safe integer. */
  uvarint(n: number): void {
    this.ensure(8);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.buf[this.pos++] = n;
  }

  /** ZigZag + LEB128 (Thrift i16/i32/i64, delta encoding), exact for |n| < 2^52. */
  zigzag(n: number): void {
    this.uvarint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  /** The bytes written so far (a view: copy before writing more). */
  view(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** Thrift compact-protocol field types. */
const enum CT {
  TRUE = 1,
  FALSE = 2,
  I16 = 4,
  I32 = 5,
  I64 = 6,
  BINARY = 8,
  LIST = 9,
  STRUCT = 12,
}

/**
 * The Thrift compact protocol, write side, for the structs of parquet.thrift. Fields are written
 * in increasing id order as the caller calls the methods; `end()` closes the current struct.
 */
export class ThriftWriter {
  private lastId = 0;
  private readonly stack: number[] = [];

  constructor(readonly out: ByteWriter) {}

  private field(id: number, type: number): void {
    const delta = id - this.lastId;
    if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
    else {
      this.out.byte(type);
      this.out.zigzag(id);
    }
    this.lastId = id;
  }

  i16(id: number, v: number): this {
    this.field(id, CT.I16);
    this.out.zigzag(v);
    return this;
  }
  i32(id: number, v: number): this {
    this.field(id, CT.I32);
    this.out.zigzag(v);
    return this;
  }
  i64(id: number, v: number): this {
    this.field(id, CT.I64);
    this.out.zigzag(v);
    return this;
  }
  bool(id: number, v: boolean): this {
    this.field(id, v ? CT.TRUE : CT.FALSE);
    return this;
  }
  binary(id: number, v: Uint8Array | string): this {
    this.field(id, CT.BINARY);
    this.rawBinary(v);
    return this;
  }
  /** Opens a struct field; close it with `end()`. */
  struct(id: number): this {
    this.field(id, CT.STRUCT);
    return this.begin();
  }
  /** Opens a struct that is a list element or the top-level message. */
  begin(): this {
    this.stack.push(this.lastId);
    this.lastId = 0;
    return this;
  }
  end(): this {
    this.out.byte(0);
    this.lastId = this.stack.pop() ?? 0;
    return this;
  }
  private listHeader(id: number, elementType: number, size: number): void {
    this.field(id, CT.LIST);
    if (size < 15) this.out.byte((size << 4) | elementType);
    else {
      this.out.byte(0xf0 | elementType);
      this.out.uvarint(size);
    }
  }
  i32List(id: number, values: readonly number[]): this {
    this.listHeader(id, CT.I32, values.length);
    for (const v of values) this.out.zigzag(v);
    return this;
  }
  binaryList(id: number, values: readonly string[]): this {
    this.listHeader(id, CT.BINARY, values.length);
    for (const v of values) this.rawBinary(v);
    return this;
  }
  /** A list of structs: `each` writes one element's fields between begin() and end(). */
  structList<T>(id: number, items: readonly T[], each: (t: ThriftWriter, item: T, index: number) => void): this {
    this.listHeader(id, CT.STRUCT, items.length);
    for (let i = 0; i < items.length; i++) {
      this.begin();
      each(this, items[i], i);
      this.end();
    }
    return this;
  }
  private rawBinary(v: Uint8Array | string): void {
    const bytes = typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.out.uvarint(bytes.length);
    this.out.bytes(bytes);
  }
}

/** Bits needed for `max` (a non-negative safe integer): 0 for 0. */
export function bitWidth(max: number): number {
  let bits = 0;
  while (max >= 1) {
    bits += 1;
    max = Math.floor(max / 2);
  }
  return bits;
}

/**
 * Bit-packs `values[from, to)` LSB first at `width` bits each (≤ 45), zero-padded to `slots`
 * values. A float accumulator keeps widths above 32 exact without BigInt.
 */
export function packBits(w: ByteWriter, values: ArrayLike<number>, from: number, to: number, slots: number, width: number, offset = 0): void {
  const bytes = Math.ceil((slots * width) / 8);
  w.ensure(bytes);
  const buf = w.buf;
  let pos = w.pos;
  if (width === 0) return;
  if (width <= 24) {
    let acc = 0;
    let bits = 0;
    for (let i = from; i < from + slots; i++) {
      const v = i < to ? values[i] - offset : 0;
      acc |= v << bits;
      bits += width;
      while (bits >= 8) {
        buf[pos++] = acc & 0xff;
        acc >>>= 8;
        bits -= 8;
      }
    }
    if (bits > 0) buf[pos++] = acc & 0xff;
  } else {
    let acc = 0;
    let bits = 0;
    for (let i = from; i < from + slots; i++) {
      const v = i < to ? values[i] - offset : 0;
      acc += v * 2 ** bits;
      bits += width;
      while (bits >= 8) {
        const b = acc % 256;
        buf[pos++] = b;
        acc = (acc - b) / 256;
        bits -= 8;
      }
    }
    if (bits > 0) buf[pos++] = acc;
  }
  w.pos = pos;
}

/**
 * The RLE/bit-packing hybrid (definition levels, dictionary indexes): runs of 8 or more equal
 * values become RLE runs, everything else bit-packed groups of 8.
 */
export function writeHybrid(w: ByteWriter, values: ArrayLike<number>, count: number, width: number): void {
  const valueBytes = (width + 7) >> 3;
  let i = 0;
  while (i < count) {
    const v = values[i];
    let j = i + 1;
    while (j < count && values[j] === v) j++;
    if (j - i >= 8) {
      w.uvarint((j - i) * 2);
      w.ensure(valueBytes);
      for (let b = 0, x = v; b < valueBytes; b++, x >>>= 8) w.buf[w.pos++] = x & 0xff;
      i = j;
      continue;
    }
    // bit-packed groups of 8 until a run of 8 equal values starts at a group boundary
    const start = i;
    let groups = 0;
    for (;;) {
      i = Math.min(i + 8, count);
      groups += 1;
      if (i >= count) break;
      const u = values[i];
      let k = i + 1;
      while (k < count && k < i + 8 && values[k] === u) k++;
      if (k - i >= 8) break;
    }
    w.uvarint(groups * 2 + 1);
    packBits(w, values, start, i, groups * 8, width);
  }
}

const DELTA_BLOCK = 128;
const DELTA_MINIBLOCKS = 4;
const DELTA_MINIBLOCK_VALUES = DELTA_BLOCK / DELTA_MINIBLOCKS;
const DELTA_MAX = 2 ** 45;
const scratch = new Float64Array(DELTA_BLOCK);

/**
 * DELTA_BINARY_PACKED (blocks of 128, 4 miniblocks) of safe integers. Returns false, having
 * written nothing usable, when a first value or delta is too large for exact float arithmetic;
 * the caller then resets the writer and uses PLAIN.
 */
export function writeDeltaBinaryPacked(w: ByteWriter, values: ArrayLike<number>, count: number): boolean {
  if (count > 0 && Math.abs(values[0]) > DELTA_MAX) return false;
  w.uvarint(DELTA_BLOCK);
  w.uvarint(DELTA_MINIBLOCKS);
  w.uvarint(count);
  w.zigzag(count > 0 ? values[0] : 0);
  for (let b = 1; b < count; b += DELTA_BLOCK) {
    const n = Math.min(DELTA_BLOCK, count - b);
    let min = Infinity;
    for (let k = 0; k < n; k++) {
      const d = values[b + k] - values[b + k - 1];
      scratch[k] = d;
      if (d < min) min = d;
    }
    if (Math.abs(min) > DELTA_MAX) return false;
    w.zigzag(min);
    const widths = [0, 0, 0, 0];
    for (let m = 0; m < DELTA_MINIBLOCKS; m++) {
      let max = 0;
      for (let k = m * DELTA_MINIBLOCK_VALUES; k < Math.min(n, (m + 1) * DELTA_MINIBLOCK_VALUES); k++) if (scratch[k] - min > max) max = scratch[k] - min;
      if (max > DELTA_MAX) return false;
      widths[m] = bitWidth(max);
    }
    w.ensure(DELTA_MINIBLOCKS);
    for (const width of widths) w.buf[w.pos++] = width;
    for (let m = 0; m < DELTA_MINIBLOCKS && m * DELTA_MINIBLOCK_VALUES < n; m++) {
      const from = m * DELTA_MINIBLOCK_VALUES;
      packBits(w, scratch, from, Math.min(n, from + DELTA_MINIBLOCK_VALUES), DELTA_MINIBLOCK_VALUES, widths[m], min);
    }
  }
  return true;
}

/** PLAIN INT64 of safe integers: low word unsigned, high word signed. */
export function writePlainInt64(w: ByteWriter, values: ArrayLike<number>, count: number): void {
  w.ensure(count * 8);
  const buf = w.buf;
  let pos = w.pos;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    buf.writeUInt32LE(v >>> 0, pos);
    buf.writeInt32LE(Math.floor(v / TWO_32), pos + 4);
    pos += 8;
  }
  w.pos = pos;
}

/** Encodes a safe integer as the 8 bytes of a PLAIN INT64 (statistics). */
export function int64Bytes(v: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeUInt32LE(v >>> 0, 0);
  b.writeInt32LE(Math.floor(v / TWO_32), 4);
  return b;
}

/**
 * Compares two strings in code point order, which is the order of their UTF-8 bytes (Parquet's
 * and Iceberg's order for strings). JavaScript's `<` compares UTF-16 code units instead, which
 * differs only between a surrogate pair (a code point above U+FFFF) and U+E000–U+FFFF.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // surrogates up above U+FFFF, U+E000–U+FFFF down below them
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}
