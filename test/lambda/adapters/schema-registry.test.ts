import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntityNotFoundException, GlueClient } from '@aws-sdk/client-glue';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChainedSchemaRegistry, ConfluentSchemaRegistry, DirectorySchemaRegistry, GlueSchemaRegistry, SchemaRegistryError } from '../../../lambda/adapters/schema-registry';

describe('ConfluentSchemaRegistry against an HTTP server on loopback', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.method === 'POST' && req.url === '/subjects/sales-value/versions') {
        let body = '';
        req.on('data', (c) => (body += c));
        req.on('end', () => {
          const ok = req.headers['content-type'] === 'application/vnd.schemaregistry.v1+json' && JSON.parse(body).schema === '"long"';
          res.writeHead(ok ? 200 : 422, { 'content-type': 'application/json' });
          res.end(ok ? '{"id":42}' : '{"error_code":42201,"message":"Invalid schema"}');
        });
      } else if (req.url === '/schemas/ids/5') {
        res.writeHead(200, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
        res.end(JSON.stringify({ schema: '{"type":"string"}' }));
      } else if (req.url === '/schemas/ids/500') {
        res.writeHead(500);
        res.end('boom');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error_code":40403,"message":"Schema not found"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('returns the schema, undefined for an unknown id, and throws on a server error', async () => {
    const registry = new ConfluentSchemaRegistry(url + '/');
    await expect(registry.getSchema({ registry: 'confluent', id: 5 })).resolves.toBe('{"type":"string"}');
    await expect(registry.getSchema({ registry: 'confluent', id: 6 })).resolves.toBeUndefined();
    await expect(registry.getSchema({ registry: 'confluent', id: 500 })).rejects.toThrow(SchemaRegistryError);
    await expect(registry.getSchema({ registry: 'glue', versionId: 'x' })).resolves.toBeUndefined();
  });

  it('registers a schema under a subject and reports a refusal with the server message', async () => {
    const registry = new ConfluentSchemaRegistry(url);
    await expect(registry.register('sales-value', '"long"')).resolves.toEqual({ registry: 'confluent', id: 42 });
    await expect(registry.register('sales-value', '"nope"')).rejects.toThrow(/422.*Invalid schema/);
  });

  it('throws a retriable error when the registry is unreachable', async () => {
    await expect(new ConfluentSchemaRegistry('http://127.0.0.1:1').getSchema({ registry: 'confluent', id: 5 })).rejects.toThrow(/unreachable/);
  });

  it('chains registries: the first that knows the reference answers', async () => {
    const chain = new ChainedSchemaRegistry([new ConfluentSchemaRegistry('http://127.0.0.1:1'), new ConfluentSchemaRegistry(url)].reverse());
    await expect(chain.getSchema({ registry: 'confluent', id: 5 })).resolves.toBe('{"type":"string"}');
  });
});

describe('GlueSchemaRegistry', () => {
  // No Glue endpoint runs here: the client's send is answered per command to check the mapping.
  const SCHEMA = { registryName: 'streamlake', schemaName: 'sales' };
  const V1 = '11111111-2222-4333-8444-555555555555';
  const V2 = '66666666-2222-4333-8444-555555555555';
  function fakeGlue(versions: { id: string; n: number; status?: string; definition: string }[], fail?: Error) {
    const calls: { command: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (cmd: { constructor: { name: string }; input: Record<string, unknown> }) => {
        calls.push({ command: cmd.constructor.name, input: cmd.input });
        if (fail) throw fail;
        if (cmd.constructor.name === 'ListSchemaVersionsCommand') {
          // two pages, to follow NextToken
          const page = cmd.input.NextToken ? versions.slice(1) : versions.slice(0, 1);
          return {
            Schemas: page.map((v) => ({ SchemaVersionId: v.id, VersionNumber: v.n, Status: v.status ?? 'AVAILABLE' })),
            NextToken: cmd.input.NextToken ? undefined : 'page-2',
          };
        }
        const wanted = cmd.input.SchemaVersionNumber as { VersionNumber?: number; LatestVersion?: boolean };
        const v = wanted.LatestVersion ? versions[versions.length - 1] : versions.find((x) => x.n === wanted.VersionNumber);
        if (!v) throw new EntityNotFoundException({ message: 'no such version', $metadata: {} });
        return { SchemaVersionId: v.id, VersionNumber: v.n, SchemaDefinition: v.definition };
      },
    };
    return { client: client as unknown as GlueClient, calls };
  }

  it('reads a version of its own schema by registry, schema and number (scoped IAM), once per id', async () => {
    const { client, calls } = fakeGlue([
      { id: V1, n: 1, definition: '"long"' },
      { id: V2, n: 2, definition: '"int"' },
    ]);
    const glue = new GlueSchemaRegistry(SCHEMA, client);
    await expect(glue.getSchema({ registry: 'glue', versionId: V2 })).resolves.toBe('"int"');
    await expect(glue.getSchema({ registry: 'glue', versionId: V1 })).resolves.toBe('"long"');
    // every call names the schema: nothing asks by bare version id
    for (const c of calls) expect(c.input.SchemaId).toEqual({ RegistryName: 'streamlake', SchemaName: 'sales' });
    expect(calls.map((c) => c.command)).toEqual(['ListSchemaVersionsCommand', 'ListSchemaVersionsCommand', 'GetSchemaVersionCommand', 'GetSchemaVersionCommand']);
    await expect(glue.latest()).resolves.toEqual({ versionId: V2, definition: '"int"' });
  });

  it('answers unknown for a version id of another schema, a failed version and a Confluent id', async () => {
    const { client } = fakeGlue([
      { id: V1, n: 1, definition: '"long"' },
      { id: V2, n: 2, status: 'FAILURE', definition: '"int"' },
    ]);
    const glue = new GlueSchemaRegistry(SCHEMA, client);
    await expect(glue.getSchema({ registry: 'glue', versionId: 'aaaaaaaa-2222-4333-8444-555555555555' })).resolves.toBeUndefined();
    await expect(glue.getSchema({ registry: 'glue', versionId: V2 })).resolves.toBeUndefined();
    await expect(glue.getSchema({ registry: 'confluent', id: 1 })).resolves.toBeUndefined();
  });

  it('maps a missing schema to unknown and other errors to a retriable error', async () => {
    const ref = { registry: 'glue' as const, versionId: V1 };
    const notFound = new EntityNotFoundException({ message: 'no such schema', $metadata: {} });
    await expect(new GlueSchemaRegistry(SCHEMA, fakeGlue([], notFound).client).getSchema(ref)).resolves.toBeUndefined();
    await expect(new GlueSchemaRegistry(SCHEMA, fakeGlue([], new Error('throttled')).client).getSchema(ref)).rejects.toThrow(SchemaRegistryError);
    await expect(new GlueSchemaRegistry(SCHEMA, fakeGlue([]).client).latest()).rejects.toThrow(/has no versions/);
  });
});

describe('DirectorySchemaRegistry.register', () => {
  it('registers under both wire formats with ids that depend only on name and text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-register-'));
    try {
      const registry = new DirectorySchemaRegistry(dir);
      const a = await registry.register('sales', '"long"');
      const again = await new DirectorySchemaRegistry(dir).register('sales', '"long"');
      const b = await registry.register('sales', '"int"');
      expect(again).toEqual(a);
      expect(b.glue.versionId).not.toBe(a.glue.versionId);
      expect(b.confluent.id).not.toBe(a.confluent.id);
      expect(a.glue.versionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      await expect(registry.getSchema(a.glue)).resolves.toBe('"long"');
      await expect(registry.getSchema(b.confluent)).resolves.toBe('"int"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
