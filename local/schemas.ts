/**
 * The local stand-in for Glue Schema Registry: a schema directory (`.streamlake/schemas`) that
 * `up` fills with every Avro pipeline's schema (as the CDK app creates the Glue schema) and
 * `produce --format avro` registers its writer schema in. Ids derive from the schema text, so
 * separate processes agree on them without a server.
 */
import { join } from 'node:path';
import { ChainedSchemaRegistry, ConfluentSchemaRegistry, DirectorySchemaRegistry, type SchemaRegistry } from '../lambda/adapters/schema-registry';
import { avroReencoder, avroSchemaOf, type SchemaRef } from '../lambda/core/avro';
import { avroSchemaNameOf, type PipelineSpec } from '../model/spec';
import { ConfigurationError } from '../model/errors';

export const schemaDirOf = (stateDir: string): string => join(stateDir, 'schemas');

/** Registers a writer schema (default: the spec's own) for the pipeline; returns its references in both wire formats. */
export async function registerLocalSchema(stateDir: string, spec: PipelineSpec, writerSchema: object = avroSchemaOf(spec)) {
  return new DirectorySchemaRegistry(schemaDirOf(stateDir)).register(avroSchemaNameOf(spec), JSON.stringify(writerSchema));
}

/** The schema directory, then a Confluent-compatible registry when a URL is given. */
export function localSchemaRegistry(stateDir: string, confluentUrl?: string): SchemaRegistry {
  const dir = new DirectorySchemaRegistry(schemaDirOf(stateDir));
  return confluentUrl ? new ChainedSchemaRegistry([dir, new ConfluentSchemaRegistry(confluentUrl)]) : dir;
}

export type AvroWire = 'glue' | 'confluent';

export interface AvroProduceOptions {
  readonly wire: AvroWire;
  /** zlib-compress payloads (Glue wire format only). */
  readonly zlib?: boolean;
  /** Writer schema to produce with (an evolution of the spec's); @default the spec's own. */
  readonly writerSchema?: object;
}

/** Text format the demo generators write for a shipped pipeline (its spec's own value format). */
function sourceFormatOf(shipped: PipelineSpec) {
  if (shipped.value.kind === 'avro') throw new ConfigurationError(`pipeline '${shipped.name}' ships Avro values: the generators write text values only`);
  return shipped.value;
}

/** `produce --format avro` locally: registers the writer schema in the schema directory and encodes with it. */
export async function localAvroEncoder(stateDir: string, shipped: PipelineSpec, o: AvroProduceOptions): Promise<(value: Buffer) => Buffer | undefined> {
  if (o.zlib && o.wire !== 'glue') throw new ConfigurationError('zlib compression exists in the Glue Schema Registry wire format only (--wire glue)');
  const writerSchema = o.writerSchema ?? avroSchemaOf(shipped);
  const refs = await registerLocalSchema(stateDir, shipped, writerSchema);
  return avroReencoder(sourceFormatOf(shipped), writerSchema, { ref: o.wire === 'glue' ? refs.glue : refs.confluent, zlib: o.zlib });
}

/** An encoder for a writer schema already registered elsewhere (Glue Schema Registry in AWS, a Confluent registry). */
export function registeredAvroEncoder(shipped: PipelineSpec, writerSchema: object, ref: SchemaRef, zlib = false): (value: Buffer) => Buffer | undefined {
  return avroReencoder(sourceFormatOf(shipped), writerSchema, { ref, zlib });
}
