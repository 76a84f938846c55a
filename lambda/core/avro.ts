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
import type { FieldSpec, FieldType, PipelineSpec } from './spec';

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
    if (id.length !== 16) throw new Error(`schema version id '${ref.versionId}' is not a UUID`);
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
  private readonly resolvers = new Map<string, Resolver | Rejection>();

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

  private resolverFor(ref: SchemaRef): Resolver | Rejection {
    const key = schemaRefKey(ref);
    const cached = this.resolvers.get(key);
    if (cached) return cached;
    const text = this.writerSchemas.get(key);
    let result: Resolver | Rejection;
    if (text === undefined || text === null) {
      // not cached: a later batch may find the schema once it is registered
      return reject('unknown-schema', `schema ${key} is not in the registry`);
    }
    try {
      const writer = Type.forSchema(JSON.parse(text));
      result = this.reader.createResolver(writer);
    } catch (err) {
      result = reject('incompatible-schema', `writer schema ${key} cannot be read as ${pascal(this.spec.name)}: ${(err as Error).message}`.slice(0, 400));
    }
    this.resolvers.set(key, result);
    return result;
  }

  /** Decodes one frame into a record keyed by field name, or a Rejection. Never throws. */
  decode(frame: AvroFrame): Record<string, unknown> | Rejection {
    const resolver = this.resolverFor(frame.ref);
    if (resolver instanceof Rejection) return resolver;
    try {
      return this.reader.fromBuffer(frame.payload, resolver) as Record<string, unknown>;
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
