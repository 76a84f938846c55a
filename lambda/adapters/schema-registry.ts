/**
 * Where the processor finds Avro writer schemas: AWS Glue Schema Registry in AWS, a schema
 * directory or a Confluent-compatible registry endpoint locally. `getSchema` returns undefined
 * for a reference the registry does not know (the record is quarantined) and throws when the
 * registry cannot be reached (the batch is retried).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EntityNotFoundException, GetSchemaVersionCommand, GlueClient, ListSchemaVersionsCommand } from '@aws-sdk/client-glue';
import { InfrastructureError } from '../../model/errors';
import type { SchemaRef } from '../core/avro';
import { ConfigurationError } from '../../model/errors';

export interface SchemaRegistry {
  getSchema(ref: SchemaRef): Promise<string | undefined>;
}

/** The registry could not be asked (outage, throttling): the batch is retried. */
export class SchemaRegistryError extends InfrastructureError {
  override readonly name: string = 'SchemaRegistryError';
}

/** `<dir>/glue/<schema version id>.avsc` and `<dir>/confluent/<id>.avsc`. */
export class DirectorySchemaRegistry implements SchemaRegistry {
  constructor(readonly dir: string) {}

  static pathOf(dir: string, ref: SchemaRef): string {
    return ref.registry === 'glue' ? join(dir, 'glue', `${ref.versionId}.avsc`) : join(dir, 'confluent', `${ref.id}.avsc`);
  }

  /**
   * Registers a schema under both wire formats and returns its references. Ids derive from the
   * schema name and text, so registering again (every `up`, every `produce`) is idempotent and
   * needs no shared counter between processes.
   */
  async register(schemaName: string, schemaText: string): Promise<{ glue: SchemaRef & { registry: 'glue' }; confluent: SchemaRef & { registry: 'confluent' } }> {
    const digest = createHash('sha256').update(`${schemaName}\n${schemaText}`).digest();
    const hex = digest.subarray(0, 16).toString('hex');
    const glue = { registry: 'glue' as const, versionId: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}` };
    const confluent = { registry: 'confluent' as const, id: digest.readUInt32BE(16) & 0x7fffffff || 1 };
    for (const ref of [glue, confluent]) {
      const path = DirectorySchemaRegistry.pathOf(this.dir, ref);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, schemaText);
    }
    return { glue, confluent };
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

  /** Registers a schema under a subject (`POST /subjects/{subject}/versions`); returns its id (producers). */
  async register(subject: string, schemaText: string): Promise<SchemaRef & { registry: 'confluent' }> {
    let res: Response;
    try {
      res = await fetch(`${this.url.replace(/\/+$/, '')}/subjects/${encodeURIComponent(subject)}/versions`, {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: schemaText }),
      });
    } catch (err) {
      throw new SchemaRegistryError(`schema registry ${this.url} unreachable: ${(err as Error).message}`, { cause: err });
    }
    if (!res.ok) throw new SchemaRegistryError(`schema registry ${this.url} refused the schema for subject ${subject}: ${res.status} ${(await res.text()).slice(0, 200)}`);
    return { registry: 'confluent', id: ((await res.json()) as { id: number }).id };
  }

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

/** The one Glue schema a pipeline's values are written with. */
export interface GlueSchemaId {
  readonly registryName: string;
  readonly schemaName: string;
}

/**
 * AWS Glue Schema Registry, scoped to the pipeline's schema. A schema version id from the wire
 * is looked up among that schema's versions (`glue:ListSchemaVersions`) and then read by
 * registry, schema and version number (`glue:GetSchemaVersion`): both calls authorize against
 * the registry and schema ARNs, so the role needs no `Resource: *` (a GetSchemaVersion by bare
 * version id does), and a version id of any other schema is unknown here (quarantined).
 */
export class GlueSchemaRegistry implements SchemaRegistry {
  /** schema version id → version number, for the AVAILABLE versions seen so far */
  private readonly versionNumbers = new Map<string, number>();

  constructor(
    readonly schema: GlueSchemaId,
    private readonly client: GlueClient = new GlueClient({}),
  ) {}

  private get schemaId() {
    return { RegistryName: this.schema.registryName, SchemaName: this.schema.schemaName };
  }

  private async glue<T>(what: string, call: () => Promise<T>): Promise<T | undefined> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof EntityNotFoundException || (err as { name?: string }).name === 'EntityNotFoundException') return undefined;
      throw new SchemaRegistryError(`Glue Schema Registry ${what} on ${this.schema.registryName}/${this.schema.schemaName} failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async refreshVersionNumbers(): Promise<void> {
    let NextToken: string | undefined;
    do {
      const page = await this.glue('ListSchemaVersions', () => this.client.send(new ListSchemaVersionsCommand({ SchemaId: this.schemaId, NextToken })));
      if (!page) return;
      for (const v of page.Schemas ?? []) {
        if (v.SchemaVersionId && v.VersionNumber !== undefined && v.Status === 'AVAILABLE') this.versionNumbers.set(v.SchemaVersionId, v.VersionNumber);
      }
      NextToken = page.NextToken;
    } while (NextToken);
  }

  async getSchema(ref: SchemaRef): Promise<string | undefined> {
    if (ref.registry !== 'glue') return undefined;
    if (!this.versionNumbers.has(ref.versionId)) await this.refreshVersionNumbers();
    const VersionNumber = this.versionNumbers.get(ref.versionId);
    if (VersionNumber === undefined) return undefined;
    const out = await this.glue('GetSchemaVersion', () => this.client.send(new GetSchemaVersionCommand({ SchemaId: this.schemaId, SchemaVersionNumber: { VersionNumber } })));
    if (!out || out.SchemaVersionId !== ref.versionId) return undefined;
    return out.SchemaDefinition;
  }

  /** The newest version (producers: `produce --msk --format avro --wire glue`). */
  async latest(): Promise<{ versionId: string; definition: string }> {
    const out = await this.glue('GetSchemaVersion', () => this.client.send(new GetSchemaVersionCommand({ SchemaId: this.schemaId, SchemaVersionNumber: { LatestVersion: true } })));
    if (!out?.SchemaVersionId || !out.SchemaDefinition)
      throw new ConfigurationError(`Glue schema ${this.schema.registryName}/${this.schema.schemaName} has no versions (is the pipeline deployed with Avro values?)`);
    return { versionId: out.SchemaVersionId, definition: out.SchemaDefinition };
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
