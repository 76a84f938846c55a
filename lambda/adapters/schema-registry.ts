/**
 * Where the processor finds Avro writer schemas: AWS Glue Schema Registry in AWS, a schema
 * directory or a Confluent-compatible registry endpoint locally. `getSchema` returns undefined
 * for a reference the registry does not know (the record is quarantined) and throws when the
 * registry cannot be reached (the batch is retried).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EntityNotFoundException, GetSchemaVersionCommand, GlueClient } from '@aws-sdk/client-glue';
import type { SchemaRef } from '../core/avro';

export interface SchemaRegistry {
  getSchema(ref: SchemaRef): Promise<string | undefined>;
}

export class SchemaRegistryError extends Error {
  readonly retriable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SchemaRegistryError';
  }
}

/** `<dir>/glue/<schema version id>.avsc` and `<dir>/confluent/<id>.avsc`. */
export class DirectorySchemaRegistry implements SchemaRegistry {
  constructor(readonly dir: string) {}

  static pathOf(dir: string, ref: SchemaRef): string {
    return ref.registry === 'glue' ? join(dir, 'glue', `${ref.versionId}.avsc`) : join(dir, 'confluent', `${ref.id}.avsc`);
  }

  async getSchema(ref: SchemaRef): Promise<string | undefined> {
    try {
      return await readFile(DirectorySchemaRegistry.pathOf(this.dir, ref), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new SchemaRegistryError(`cannot read schema directory ${this.dir}: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** A Confluent-compatible registry (`GET /schemas/ids/{id}`); Glue references are unknown to it. */
export class ConfluentSchemaRegistry implements SchemaRegistry {
  constructor(readonly url: string) {}

  async getSchema(ref: SchemaRef): Promise<string | undefined> {
    if (ref.registry !== 'confluent') return undefined;
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/+$/, '')}/schemas/ids/${ref.id}`);
    } catch (err) {
      throw new SchemaRegistryError(`schema registry ${this.url} unreachable: ${(err as Error).message}`, { cause: err });
    }
    if (res.status === 404) return undefined;
    if (!res.ok) throw new SchemaRegistryError(`schema registry ${this.url} answered ${res.status} for id ${ref.id}`);
    return ((await res.json()) as { schema: string }).schema;
  }
}

/** AWS Glue Schema Registry (`glue:GetSchemaVersion` by schema version id). */
export class GlueSchemaRegistry implements SchemaRegistry {
  constructor(private readonly client: GlueClient = new GlueClient({})) {}

  async getSchema(ref: SchemaRef): Promise<string | undefined> {
    if (ref.registry !== 'glue') return undefined;
    try {
      const out = await this.client.send(new GetSchemaVersionCommand({ SchemaVersionId: ref.versionId }));
      return out.SchemaDefinition;
    } catch (err) {
      if (err instanceof EntityNotFoundException || (err as { name?: string }).name === 'EntityNotFoundException') return undefined;
      throw new SchemaRegistryError(`Glue Schema Registry GetSchemaVersion ${ref.versionId} failed: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Asks each registry in turn; the first that knows the reference answers. */
export class ChainedSchemaRegistry implements SchemaRegistry {
  constructor(private readonly registries: readonly SchemaRegistry[]) {}

  async getSchema(ref: SchemaRef): Promise<string | undefined> {
    for (const r of this.registries) {
      const schema = await r.getSchema(ref);
      if (schema !== undefined) return schema;
    }
    return undefined;
  }
}
