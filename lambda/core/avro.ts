/**
 * Avro values in the two registry wire formats, decoded with avsc and resolved against the
 * reader schema derived from the pipeline spec (Avro schema evolution rules: writer fields the
 * reader lacks are skipped, reader fields the writer lacks take their default).
 *
 * - AWS Glue Schema Registry: byte 0 = 3 (header version), byte 1 = compression (0 none,
 *   5 zlib), bytes 2–17 = schema version id (UUID), then the Avro binary payload.
 * - Confluent: byte 0 = 0 (magic), bytes 1–4 = schema id (big-endian int32), then the payload.
 *
 * Pure apart from zlib: the writer schemas are fetched by the handler (registry adapter) and
 * handed in, so decoding stays synchronous.
 */
import { Type, type Resolver } from 'avsc';
import { deflateSync, inflateSync } from 'node:zlib';
import { reject, Rejection } from './quarantine';
import type { FieldSpec, FieldType, PipelineSpec } from '../../model/spec';
import { ConfigurationError } from '../../model/errors';

export type SchemaRef = { readonly registry: 'glue'; readonly versionId: string } | { readonly registry: 'confluent'; readonly id: number };

export interface AvroFrame {
  readonly ref: SchemaRef;
  readonly payload: Buffer;
}

export const GLUE_HEADER_VERSION = 3;
export const GLUE_COMPRESSION_NONE = 0;
export const GLUE_COMPRESSION_ZLIB = 5;
export const CONFLUENT_MAGIC = 0;

/** Stable text of a schema reference: cache key and log text. */
export function schemaRefKey(ref: SchemaRef): string {
  return ref.registry === 'glue' ? `glue:${ref.versionId}` : `confluent:${ref.id}`;
}

function uuidOf(bytes: Buffer): string {
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Splits a value into schema reference and Avro payload, or a Rejection. Never throws. */
export function parseAvroFrame(value: Buffer): AvroFrame | Rejection {
  if (value.length >= 1 && value[0] === GLUE_HEADER_VERSION) {
    if (value.length < 18) return reject('invalid-avro-frame', `Glue Schema Registry header needs 18 bytes, got ${value.length}`);
    const ref: SchemaRef = { registry: 'glue', versionId: uuidOf(value.subarray(2, 18)) };
    const body = value.subarray(18);
    if (value[1] === GLUE_COMPRESSION_NONE) return { ref, payload: body };
    if (value[1] === GLUE_COMPRESSION_ZLIB) {
      try {
        return { ref, payload: inflateSync(body) };
      } catch (err) {
        return reject('invalid-avro-frame', `zlib payload cannot be inflated: ${(err as Error).message}`);
      }
    }
    return reject('invalid-avro-frame', `unknown Glue Schema Registry compression byte ${value[1]}`);
  }
  if (value.length >= 1 && value[0] === CONFLUENT_MAGIC) {
    if (value.length < 5) return reject('invalid-avro-frame', `Confluent header needs 5 bytes, got ${value.length}`);
    return { ref: { registry: 'confluent', id: value.readInt32BE(1) }, payload: value.subarray(5) };
  }
  return reject('invalid-avro-frame', `first byte ${value.length ? value[0] : 'none'} is neither a Glue Schema Registry (3) nor a Confluent (0) header`);
}

/** Builds a value in a wire format (producers and tests). */
export function encodeAvroFrame(ref: SchemaRef, payload: Buffer, options: { zlib?: boolean } = {}): Buffer {
  if (ref.registry === 'glue') {
    const id = Buffer.from(ref.versionId.replace(/-/g, ''), 'hex');
    if (id.length !== 16) throw new ConfigurationError(`schema version id '${ref.versionId}' is not a UUID`);
    const compressed = options.zlib === true;
    return Buffer.concat([Buffer.from([GLUE_HEADER_VERSION, compressed ? GLUE_COMPRESSION_ZLIB : GLUE_COMPRESSION_NONE]), id, compressed ? deflateSync(payload) : payload]);
  }
  const header = Buffer.alloc(5);
  header[0] = CONFLUENT_MAGIC;
  header.writeInt32BE(ref.id, 1);
  return Buffer.concat([header, payload]);
}

const AVRO_TYPE: Record<FieldType, unknown> = {
  string: 'string',
  int: 'int',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  // decoded as plain epoch millis (no logical-type hook): the field converter expects numbers
  timestamp: { type: 'long', logicalType: 'timestamp-millis' },
};

const pascal = (s: string) => s.replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());

/** The Avro reader schema of a spec: one record field per schema field; optional fields are `["null", T]` with default null. */
export function avroSchemaOf(spec: PipelineSpec): { type: 'record'; name: string; namespace: string; fields: { name: string; type: unknown; default?: null }[] } {
  return {
    type: 'record',
    name: pascal(spec.name),
    namespace: 'streamlake',
    fields: spec.schema.map((f: FieldSpec) => (f.optional ? { name: f.name, type: ['null', AVRO_TYPE[f.type]], default: null } : { name: f.name, type: AVRO_TYPE[f.type] })),
  };
}

/**
 * Decodes frames against the spec's reader schema. Writer schemas (by reference) are supplied
 * by the caller; resolvers are compiled once per writer schema and cached.
 */
export class AvroDecoder {
  private readonly reader: Type;
  /** ref key → writer schema text, or null when the registry does not know the reference. */
  private readonly writerSchemas = new Map<string, string | null>();
  private readonly resolvers = new Map<string, { reader: Type; resolver: Resolver } | Rejection>();

  constructor(readonly spec: PipelineSpec) {
    this.reader = Type.forSchema(avroSchemaOf(spec) as never);
  }

  readerSchemaText(): string {
    return JSON.stringify(avroSchemaOf(this.spec));
  }

  /** Whether the writer schema of `ref` is known (an unknown reference is asked for again next batch). */
  has(ref: SchemaRef): boolean {
    return typeof this.writerSchemas.get(schemaRefKey(ref)) === 'string';
  }

  /** Registers a writer schema (or null: unknown to the registry). */
  addWriterSchema(ref: SchemaRef, schemaText: string | null): void {
    this.writerSchemas.set(schemaRefKey(ref), schemaText);
  }

  private resolverFor(ref: SchemaRef): { reader: Type; resolver: Resolver } | Rejection {
    const key = schemaRefKey(ref);
    const cached = this.resolvers.get(key);
    if (cached) return cached;
    const text = this.writerSchemas.get(key);
    let result: { reader: Type; resolver: Resolver } | Rejection;
    if (text === undefined || text === null) {
      // not cached: a later batch may find the schema once it is registered
      return reject('unknown-schema', `schema ${key} is not in the registry`);
    }
    try {
      const writer = Type.forSchema(JSON.parse(text));
      // the record's name is the producer's choice (com.acme.Payment …): match on fields only
      const reader = writer.name && writer.name !== this.reader.name ? Type.forSchema({ ...avroSchemaOf(this.spec), aliases: [writer.name] } as never) : this.reader;
      result = { reader, resolver: reader.createResolver(writer) };
    } catch (err) {
      result = reject('incompatible-schema', `writer schema ${key} cannot be read as ${pascal(this.spec.name)}: ${(err as Error).message}`.slice(0, 400));
    }
    this.resolvers.set(key, result);
    return result;
  }

  /** Decodes one frame into a record keyed by field name, or a Rejection. Never throws. */
  decode(frame: AvroFrame): Record<string, unknown> | Rejection {
    const resolved = this.resolverFor(frame.ref);
    if (resolved instanceof Rejection) return resolved;
    try {
      return resolved.reader.fromBuffer(frame.payload, resolved.resolver) as Record<string, unknown>;
    } catch (err) {
      return reject('invalid-avro', `payload does not decode with schema ${schemaRefKey(frame.ref)}: ${(err as Error).message}`.slice(0, 400));
    }
  }
}

/** Encodes a record with a writer schema (producers, tests). */
export function encodeAvro(schema: object, record: object): Buffer {
  return Type.forSchema(schema as never).toBuffer(record);
}

/** The schema reference in a value's header without decoding the payload, or undefined. */
export function avroSchemaRefOf(value: Buffer | null): SchemaRef | undefined {
  if (value === null || value.length < 5) return undefined;
  if (value[0] === GLUE_HEADER_VERSION && value.length >= 18) return { registry: 'glue', versionId: uuidOf(value.subarray(2, 18)) };
  if (value[0] === CONFLUENT_MAGIC) return { registry: 'confluent', id: value.readInt32BE(1) };
  return undefined;
}

type AvroFieldSchema = { name: string; type: unknown; default?: unknown };

function coerce(type: unknown, v: unknown): unknown {
  if (Array.isArray(type)) {
    // unions: null for a missing value, else the first branch that takes the value
    if (v === undefined || v === null || v === '') return type.includes('null') ? null : undefined;
    for (const branch of type) {
      if (branch === 'null') continue;
      const c = coerce(branch, v);
      if (c !== undefined) return c;
    }
    return undefined;
  }
  const t = typeof type === 'object' && type !== null ? (type as { type: string; logicalType?: string }) : { type: type as string };
  if (v === undefined || v === null) return undefined;
  switch (t.type) {
    case 'string':
      return String(v);
    case 'boolean':
      return v === true || v === 'true' ? true : v === false || v === 'false' ? false : undefined;
    case 'int':
    case 'long':
    case 'double':
    case 'float': {
      const n = typeof v === 'number' ? v : t.logicalType === 'timestamp-millis' && typeof v === 'string' && !/^-?\d+$/.test(v) ? Date.parse(v) : Number(v);
      return Number.isFinite(n) ? n : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Re-encodes text values (a JSON object or a CSV line in `source` format, as the demo
 * generators write them) as Avro frames with a writer schema (by default the spec's own; pass
 * another to produce with an evolved schema). Returns undefined for a value that does not fit
 * the writer schema: the caller sends the original bytes, which the processor quarantines as an
 * invalid frame, so deliberately malformed demo records stay malformed.
 */
export function avroReencoder(
  source: { kind: 'json' } | { kind: 'csv'; columns: readonly string[]; delimiter?: string },
  writerSchema: object,
  frame: { ref: SchemaRef; zlib?: boolean },
): (value: Buffer) => Buffer | undefined {
  const type = Type.forSchema(writerSchema as never);
  const fields = (writerSchema as { fields: AvroFieldSchema[] }).fields;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const parse = (text: string): Record<string, unknown> | undefined => {
    if (source.kind === 'json') {
      const o = JSON.parse(text) as unknown;
      return typeof o === 'object' && o !== null && !Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
    }
    const cells = text.split(source.delimiter ?? ',');
    if (cells.length !== source.columns.length) return undefined;
    return Object.fromEntries(source.columns.map((c, i) => [c, cells[i]]));
  };
  return (value) => {
    let input: Record<string, unknown> | undefined;
    try {
      input = parse(decoder.decode(value));
    } catch {
      return undefined;
    }
    if (!input) return undefined;
    const record: Record<string, unknown> = {};
    for (const f of fields) {
      const v = f.name in input ? coerce(f.type, input[f.name]) : 'default' in f ? f.default : coerce(f.type, undefined);
      if (v === undefined) return undefined;
      record[f.name] = v;
    }
    if (!type.isValid(record)) return undefined;
    return encodeAvroFrame(frame.ref, type.toBuffer(record), { zlib: frame.zlib });
  };
}
