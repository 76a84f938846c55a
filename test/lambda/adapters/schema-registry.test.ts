import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntityNotFoundException, GlueClient } from '@aws-sdk/client-glue';
import { ChainedSchemaRegistry, ConfluentSchemaRegistry, GlueSchemaRegistry, SchemaRegistryError } from '../../../lambda/adapters/schema-registry';

describe('ConfluentSchemaRegistry against an HTTP server on loopback', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/schemas/ids/5') {
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

  it('throws a retriable error when the registry is unreachable', async () => {
    await expect(new ConfluentSchemaRegistry('http://127.0.0.1:1').getSchema({ registry: 'confluent', id: 5 })).rejects.toThrow(/unreachable/);
  });

  it('chains registries: the first that knows the reference answers', async () => {
    const chain = new ChainedSchemaRegistry([new ConfluentSchemaRegistry('http://127.0.0.1:1'), new ConfluentSchemaRegistry(url)].reverse());
    await expect(chain.getSchema({ registry: 'confluent', id: 5 })).resolves.toBe('{"type":"string"}');
  });
});

describe('GlueSchemaRegistry', () => {
  // No Glue endpoint runs here: the client's send is replaced to check the error mapping only.
  const clientAnswering = (answer: () => Promise<unknown>) => ({ send: answer }) as unknown as GlueClient;

  it('maps EntityNotFoundException to an unknown schema and other errors to a retriable error', async () => {
    const ref = { registry: 'glue' as const, versionId: '11111111-2222-4333-8444-555555555555' };
    await expect(new GlueSchemaRegistry(clientAnswering(async () => ({ SchemaDefinition: '"long"' }))).getSchema(ref)).resolves.toBe('"long"');
    const notFound = new EntityNotFoundException({ message: 'no such version', $metadata: {} });
    await expect(new GlueSchemaRegistry(clientAnswering(() => Promise.reject(notFound))).getSchema(ref)).resolves.toBeUndefined();
    await expect(new GlueSchemaRegistry(clientAnswering(() => Promise.reject(new Error('throttled')))).getSchema(ref)).rejects.toThrow(SchemaRegistryError);
  });
});
