/**
 * Avro object container files (the format of Iceberg manifests and manifest lists), written and
 * read in memory, synchronously: a header (magic `Obj\x01`, key-value metadata with
 * `avro.schema` and `avro.codec`, a 16-byte sync marker), then blocks of records (count, byte
 * length, data, sync marker). Records are encoded and decoded by avsc from the schema JSON; the
 * schema's extra attributes (Iceberg's `field-id`, `element-id`, `logicalType: map` …) are written
 * to the header as given. Longs are read as `bigint` (Iceberg snapshot ids are 63-bit) and written
 * from `number` or `bigint`. Codec `deflate` (raw deflate, as the Avro spec says) or `null`.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { Type, types } from 'avsc';
import { LakeMetadataError } from './errors';

export type AvroCodec = 'null' | 'deflate';

export interface AvroContainer {
  /** The writer schema, as JSON (from the header). */
  readonly schema: unknown;
  /** The header's key-value metadata, as UTF-8 text (`avro.schema` and `avro.codec` included). */
  readonly metadata: Readonly<Record<string, string>>;
  readonly records: readonly unknown[];
}

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);
const SYNC_BYTES = 16;

/** Avro longs as bigints when read, from numbers or bigints when written. */
const BIGINT_LONG = types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(0),
  toBuffer: (n: bigint | number) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n), 0);
    return buf;
  },
  fromJSON: (json: unknown) => BigInt(json as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

const TYPES = new Map<string, Type>();
const MAX_CACHED_TYPES = 64;

/** A type for `schema`, longs as bigints (compiled once per schema text: avsc generates code for each). */
export function avroType(schema: unknown): Type {
  const key = JSON.stringify(schema);
  let type = TYPES.get(key);
  if (!type) {
    type = Type.forSchema(schema as Parameters<typeof Type.forSchema>[0], { registry: { long: BIGINT_LONG } });
    if (TYPES.size >= MAX_CACHED_TYPES) TYPES.clear();
    TYPES.set(key, type);
  }
  return type;
}

const META_TYPE = Type.forSchema({ type: 'map', values: 'bytes' });
const LONG_TYPE = Type.forSchema('long');

/** The container file of `records` (each valid for `schema`), with `metadata` in its header. */
export function writeAvroContainer(
  schema: unknown,
  records: readonly unknown[],
  metadata: Readonly<Record<string, string>> = {},
  options: { readonly codec?: AvroCodec; readonly syncMarker?: Uint8Array } = {},
): Uint8Array {
  const codec = options.codec ?? 'deflate';
  const sync = Buffer.from(options.syncMarker ?? randomBytes(SYNC_BYTES));
  if (sync.length !== SYNC_BYTES) throw new LakeMetadataError(`avro: a sync marker has ${SYNC_BYTES} bytes, got ${sync.length}`);
  const type = avroType(schema);
  const meta: Record<string, Buffer> = {};
  for (const [k, v] of Object.entries(metadata)) meta[k] = Buffer.from(v, 'utf8');
  meta['avro.schema'] = Buffer.from(JSON.stringify(schema), 'utf8');
  meta['avro.codec'] = Buffer.from(codec, 'utf8');
  const parts: Buffer[] = [MAGIC, META_TYPE.toBuffer(meta), sync];
  if (records.length > 0) {
    const data = Buffer.concat(records.map((r) => type.toBuffer(r)));
    const block = codec === 'deflate' ? deflateRawSync(data) : data;
    parts.push(LONG_TYPE.toBuffer(records.length), LONG_TYPE.toBuffer(block.length), block, sync);
  }
  return Buffer.concat(parts);
}

/** Reads a container file written by any Avro writer (codecs `null` and `deflate`): its schema, metadata and records. */
export function readAvroContainer(bytes: Uint8Array): AvroContainer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < MAGIC.length || !buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new LakeMetadataError('avro: not an Avro object container file (no Obj\\x01 magic)');
  const decode = <T>(type: Type, pos: number, what: string): { value: T; offset: number } => {
    let r: { value: T; offset: number };
    try {
      r = type.decode(buf, pos) as { value: T; offset: number };
    } catch (err) {
      throw new LakeMetadataError(`avro: cannot read the ${what} at byte ${pos}: ${(err as Error).message}`);
    }
    if (r.offset < 0) throw new LakeMetadataError(`avro: the file ends inside the ${what} at byte ${pos}`);
    return r;
  };
  const header = decode<Record<string, Buffer>>(META_TYPE, MAGIC.length, 'header metadata');
  const metadata: Record<string, string> = {};
  for (const [k, v] of Object.entries(header.value)) metadata[k] = v.toString('utf8');
  let pos = header.offset;
  const sync = buf.subarray(pos, pos + SYNC_BYTES);
  pos += SYNC_BYTES;
  const codec = metadata['avro.codec'] ?? 'null';
  if (codec !== 'null' && codec !== 'deflate') throw new LakeMetadataError(`avro: codec '${codec}' is not supported (null, deflate)`);
  let schema: unknown;
  try {
    schema = JSON.parse(metadata['avro.schema'] ?? '');
  } catch {
    throw new LakeMetadataError('avro: the header has no valid avro.schema');
  }
  const type = avroType(schema);
  const records: unknown[] = [];
  while (pos < buf.length) {
    const count = decode<bigint>(BIGINT_LONG, pos, 'block count');
    const size = decode<bigint>(BIGINT_LONG, count.offset, 'block size');
    const start = size.offset;
    const end = start + Number(size.value);
    if (end + SYNC_BYTES > buf.length) throw new LakeMetadataError(`avro: a block at byte ${pos} runs past the end of the file`);
    if (!buf.subarray(end, end + SYNC_BYTES).equals(sync)) throw new LakeMetadataError(`avro: the block at byte ${pos} does not end with the file's sync marker`);
    const raw = buf.subarray(start, end);
    const data = codec === 'deflate' ? inflateRawSync(raw) : raw;
    let at = 0;
    for (let i = 0n; i < count.value; i++) {
      const r = type.decode(data, at);
      if (r.offset < 0) throw new LakeMetadataError(`avro: block at byte ${pos} holds fewer records than its count (${count.value})`);
      records.push(r.value);
      at = r.offset;
    }
    pos = end + SYNC_BYTES;
  }
  return { schema, metadata, records };
}
