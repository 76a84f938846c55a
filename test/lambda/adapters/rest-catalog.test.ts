/**
 * The REST catalog client against Apache Iceberg's own REST catalog server (started once for the
 * file): namespaces, a v2 table with field ids and an identity + day partition spec, load, commits
 * with requirements that hold and that no longer do, 64-bit snapshot ids, concurrent writers, the
 * error family (conflict, not found, bad request, outage, unknown commit state) and the SigV4 hook.
 */
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CatalogNotFoundError,
  CatalogRequestError,
  CatalogUnavailableError,
  CommitConflictError,
  CommitStateUnknownError,
  parseCatalogJson,
  refSnapshotId,
  RestCatalogClient,
  stringifyCatalogJson,
  type CatalogHttpRequest,
  type CreateTableRequest,
  type Schema,
  type TableUpdate,
} from '../../../lambda/adapters/rest-catalog';
import { sigV4Signer } from '../../../lambda/adapters/sigv4';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { errorClass, InfrastructureError, isRetriable } from '../../../model/errors';
import { freePort } from '../../../local/process';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';

jest.setTimeout(120_000);

const NS = 'streamlake';

const schema: Schema = {
  type: 'struct',
  'schema-id': 0,
  fields: [
    { id: 1, name: 'event_id', type: 'string', required: true },
    { id: 2, name: 'event_time', type: 'timestamptz', required: true },
    { id: 3, name: 'url', type: 'string', required: false },
    { id: 4, name: 'amount', type: 'decimal(12, 2)', required: false },
    { id: 5, name: 'kafka_offset', type: 'long', required: true },
    { id: 6, name: 'tags', type: { type: 'list', 'element-id': 7, element: 'string', 'element-required': false }, required: false },
  ],
};

function tableRequest(name: string, location: string): CreateTableRequest {
  return {
    name,
    location,
    schema,
    'partition-spec': {
      'spec-id': 0,
      fields: [
        { 'source-id': 3, 'field-id': 1000, name: 'url', transform: 'identity' },
        { 'source-id': 2, 'field-id': 1001, name: 'event_time_day', transform: 'day' },
      ],
    },
    properties: { 'format-version': '2', 'streamlake.pipeline': 'clickstream' },
  };
}

describe('RestCatalogClient on the Iceberg REST catalog server', () => {
  let root: string;
  let server: RunningRestCatalog;
  let client: RestCatalogClient;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${counter++}`;
  const location = (name: string) => `${server.warehouse}/tables/${name}`;

  beforeAll(async () => {
    ({ root, server, catalog: client } = await startTestCatalog('streamlake-rest-catalog'));
    await client.ensureNamespace(NS);
  }, 600_000);
  afterAll(() => stopTestCatalog({ root, server }));

  it('reads the config and creates a namespace only when it is absent', async () => {
    const config = await client.config();
    expect(config.endpoints).toEqual(expect.arrayContaining(['POST /v1/{prefix}/namespaces/{namespace}/tables/{table}']));
    const ns = unique('ns');
    expect(await client.ensureNamespace(ns, { owner: 'streamlake' })).toBe(true);
    expect(await client.ensureNamespace(ns)).toBe(false);
  });

  it('creates a v2 table with field ids, an identity + day partition spec, properties and an explicit location, and loads it back', async () => {
    const name = unique('events');
    const created = await client.createTable(NS, tableRequest(name, location(name)));
    const m = created.metadata;
    expect(m['format-version']).toBe(2);
    expect(m.location).toBe(location(name));
    // HadoopFileIO writes the metadata location in Hadoop's form, file:/… for file:///…
    const metadataFile = fileURLToPath(created['metadata-location']!);
    expect(metadataFile).toMatch(new RegExp(`^${fileURLToPath(location(name))}/metadata/00000-.*\\.metadata\\.json$`));
    expect(existsSync(metadataFile)).toBe(true);
    expect(m.schemas.find((s) => s['schema-id'] === m['current-schema-id'])?.fields).toEqual(schema.fields);
    expect(m['partition-specs'].find((s) => s['spec-id'] === m['default-spec-id'])?.fields).toEqual([
      { name: 'url', transform: 'identity', 'source-id': 3, 'field-id': 1000 },
      { name: 'event_time_day', transform: 'day', 'source-id': 2, 'field-id': 1001 },
    ]);
    expect(m.properties).toMatchObject({ 'streamlake.pipeline': 'clickstream' });
    expect(refSnapshotId(m)).toBeUndefined();

    const loaded = await client.loadTable(NS, name);
    expect(loaded['metadata-location']).toBe(created['metadata-location']);
    expect(loaded.metadata['table-uuid']).toBe(m['table-uuid']);
    expect(loaded.metadata.schemas).toEqual(m.schemas);
    expect(await client.tableExists(NS, name)).toBe(true);
    expect(await client.tableExists(NS, unique('missing'))).toBe(false);
  });

  it('commits a metadata-only change whose requirements hold, and evolves the schema', async () => {
    const name = unique('events');
    const { metadata } = await client.createTable(NS, tableRequest(name, location(name)));
    const committed = await client.commitTable(NS, name, {
      requirements: [
        { type: 'assert-table-uuid', uuid: metadata['table-uuid'] },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
      ],
      updates: [{ action: 'set-properties', updates: { 'streamlake.note': 'one' } }],
    });
    expect(committed.metadata.properties).toMatchObject({ 'streamlake.note': 'one', 'streamlake.pipeline': 'clickstream' });
    expect(committed['metadata-location']).toMatch(/\/metadata\/00001-.*\.metadata\.json$/);

    // an optional field added, as the spec's evolution does
    const evolved = await client.commitTable(NS, name, {
      requirements: [
        { type: 'assert-current-schema-id', 'current-schema-id': 0 },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 7 },
      ],
      updates: [
        {
          action: 'add-schema',
          schema: { ...schema, 'schema-id': 1, fields: [...schema.fields, { id: 8, name: 'referrer', type: 'string', required: false }] },
          'last-column-id': 8,
        },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    });
    expect(evolved.metadata['current-schema-id']).toBe(1);
    expect(evolved.metadata['last-column-id']).toBe(8);
    expect((await client.loadTable(NS, name)).metadata.schemas.map((s) => s.fields.length)).toEqual([6, 7]);
  });

  it('answers a stale assert-ref-snapshot-id or assert-table-uuid with a retriable CommitConflictError', async () => {
    const name = unique('events');
    const { metadata } = await client.createTable(NS, tableRequest(name, location(name)));
    const set: TableUpdate = { action: 'set-properties', updates: { stale: 'yes' } };
    const staleRef = client.commitTable(NS, name, { requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 42n }], updates: [set] });
    await expect(staleRef).rejects.toThrow(CommitConflictError);
    const err = (await staleRef.catch((e: unknown) => e)) as CommitConflictError;
    expect(err).toBeInstanceOf(InfrastructureError);
    expect(err.retriable).toBe(true);
    expect(isRetriable(err)).toBe(true);
    expect(errorClass(err)).toBe('CommitConflictError');
    expect(err.details).toMatchObject({ status: 409, type: 'CommitFailedException', method: 'POST' });
    expect(err.message).toContain(`commit table ${NS}.${name}`);

    const staleUuid = client.commitTable(NS, name, { requirements: [{ type: 'assert-table-uuid', uuid: '00000000-0000-0000-0000-000000000000' }], updates: [set] });
    await expect(staleUuid).rejects.toThrow(CommitConflictError);
    await expect(staleUuid).rejects.toThrow(/CommitFailedException/);
    // nothing was applied
    expect((await client.loadTable(NS, name)).metadata.properties?.stale).toBeUndefined();
    expect((await client.loadTable(NS, name)).metadata['table-uuid']).toBe(metadata['table-uuid']);
  });

  it('keeps 64-bit snapshot ids exact through commits, loads and requirements', async () => {
    const name = unique('ids');
    const { metadata } = await client.createTable(NS, tableRequest(name, location(name)));
    // a random 63-bit id as Iceberg Java and pyiceberg make them, far beyond 2^53
    const id = 0x7a3c_5e2f_9b1d_4c87n;
    const snapshot = {
      'snapshot-id': id,
      'sequence-number': 1,
      'timestamp-ms': Date.now(),
      'manifest-list': `${metadata.location}/metadata/snap-${id}-1-test.avro`,
      summary: { operation: 'append' as const, 'streamlake.offsets': '{"clickstream-0":[[0,99]]}', 'streamlake.committed': '{"clickstream-0":[[0,99]]}' },
      'schema-id': 0,
    };
    await client.commitTable(NS, name, {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null }],
      updates: [
        { action: 'add-snapshot', snapshot },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': id },
      ],
    });
    const loaded = (await client.loadTable(NS, name)).metadata;
    expect(refSnapshotId(loaded)).toBe(id);
    expect(loaded['current-snapshot-id']).toBe(id);
    expect(loaded.snapshots?.[0]).toMatchObject({ 'snapshot-id': id, summary: snapshot.summary, 'manifest-list': snapshot['manifest-list'] });
    // the exact id holds the ref; one off does not
    await client.commitTable(NS, name, {
      requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': id }],
      updates: [{ action: 'set-properties', updates: { a: '1' } }],
    });
    await expect(
      client.commitTable(NS, name, {
        requirements: [{ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': id + 1n }],
        updates: [{ action: 'set-properties', updates: { a: '2' } }],
      }),
    ).rejects.toThrow(CommitConflictError);
  });

  it('lets exactly one of several concurrent writers with the same base commit', async () => {
    const name = unique('race');
    const { metadata } = await client.createTable(NS, tableRequest(name, location(name)));
    const writers = 6;
    const results = await Promise.allSettled(
      Array.from({ length: writers }, (_, i) =>
        client.commitTable(NS, name, {
          requirements: [
            { type: 'assert-table-uuid', uuid: metadata['table-uuid'] },
            { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
          ],
          updates: [
            {
              action: 'add-snapshot',
              snapshot: {
                'snapshot-id': BigInt(1000 + i),
                'sequence-number': 1,
                'timestamp-ms': Date.now(),
                'manifest-list': `${metadata.location}/metadata/snap-${i}.avro`,
                summary: { operation: 'append' },
              },
            },
            { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': BigInt(1000 + i) },
          ],
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost.map((r) => (r.reason as Error).name)).toEqual(Array(writers - 1).fill('CommitConflictError'));
    expect((await client.loadTable(NS, name)).metadata.snapshots).toHaveLength(1);
  });

  it('says what was asked when a table or namespace does not exist (404, not retriable)', async () => {
    const missing = client.loadTable(NS, 'no_such_table');
    await expect(missing).rejects.toThrow(CatalogNotFoundError);
    const err = (await missing.catch((e: unknown) => e)) as CatalogNotFoundError;
    expect(err.retriable).toBe(false);
    expect(err.message).toContain(`load table ${NS}.no_such_table`);
    expect(err.message).toMatch(/HTTP 404 NoSuchTableException/);
    // (the local JdbcCatalog creates tables in namespaces it has never seen, Glue does not: callers ensureNamespace first)
    await expect(client.loadTable('no_such_namespace', 't')).rejects.toThrow(CatalogNotFoundError);
    await expect(client.commitTable(NS, 'no_such_table', { requirements: [], updates: [] })).rejects.toThrow(CatalogNotFoundError);
  });

  it('answers bad requests and existing tables with a non-retriable CatalogRequestError', async () => {
    const name = unique('events');
    await client.createTable(NS, tableRequest(name, location(name)));
    const again = client.createTable(NS, tableRequest(name, location(name)));
    await expect(again).rejects.toThrow(CatalogRequestError);
    await expect(again).rejects.toThrow(/HTTP 409 AlreadyExistsException/);
    // a partition field over a column the schema does not have
    const bad = client.createTable(NS, {
      ...tableRequest(unique('bad'), location('bad')),
      'partition-spec': { 'spec-id': 0, fields: [{ 'source-id': 99, 'field-id': 1000, name: 'x', transform: 'identity' }] },
    });
    await expect(bad).rejects.toThrow(CatalogRequestError);
    const err = (await bad.catch((e: unknown) => e)) as CatalogRequestError;
    expect(err.retriable).toBe(false);
    expect(err.details.status).toBe(400);
    const unknownSchema = client.commitTable(NS, name, { requirements: [], updates: [{ action: 'set-current-schema', 'schema-id': 99 }] });
    await expect(unknownSchema).rejects.toThrow(CatalogRequestError);
    await expect(unknownSchema).rejects.toThrow(/HTTP 400 .*99/);
  });

  it('calls the sign hook on every request, with the final URL, headers and body', async () => {
    const seen: CatalogHttpRequest[] = [];
    const signed = new RestCatalogClient({
      uri: server.url,
      sign: (r) => {
        seen.push(r);
        return { ...r, headers: { ...r.headers, 'x-streamlake-signed': '1' } };
      },
    });
    const name = unique('signed');
    await signed.createTable(NS, tableRequest(name, location(name)));
    await signed.loadTable(NS, name, { snapshots: 'refs' });
    expect(seen.map((r) => `${r.method} ${r.url.slice(server.url.length)}`)).toEqual([
      'GET /v1/config',
      `POST /v1/namespaces/${NS}/tables`,
      `GET /v1/namespaces/${NS}/tables/${name}?snapshots=refs`,
    ]);
    expect(JSON.parse(seen[1].body!)).toMatchObject({ name, location: location(name) });
    expect(seen[1].headers['content-type']).toBe('application/json');
  });
});

describe('RestCatalogClient when the catalog fails', () => {
  let fake: Server;
  let fakeUrl: string;
  let answer: (path: string) => { status: number; body: string; contentType?: string } | 'hang';
  beforeAll(async () => {
    fake = createServer((req, res) => {
      const a = answer(req.url ?? '/');
      if (a === 'hang') return; // never answers
      res.writeHead(a.status, { 'content-type': a.contentType ?? 'application/json' });
      res.end(a.body);
    });
    await new Promise<void>((r) => fake.listen(0, '127.0.0.1', () => r()));
    fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    fake.closeAllConnections();
    await new Promise((r) => fake.close(r));
  });
  const config = { status: 200, body: '{"defaults":{},"overrides":{}}' };
  const commit = (c: RestCatalogClient) => c.commitTable(NS, 't', { requirements: [], updates: [] });

  it('throws a retriable CatalogUnavailableError when nothing listens (even for a commit: it was never sent)', async () => {
    const port = await freePort();
    const c = new RestCatalogClient({ uri: `http://127.0.0.1:${port}` });
    const load = c.loadTable(NS, 't');
    await expect(load).rejects.toThrow(CatalogUnavailableError);
    await expect(load).rejects.toThrow(/ECONNREFUSED/);
    expect(isRetriable(await load.catch((e: unknown) => e))).toBe(true);
    const direct = new RestCatalogClient({ uri: `http://127.0.0.1:${port}` });
    await expect(commit(direct)).rejects.toThrow(CatalogUnavailableError);
  });

  it('maps 503 and a servlet error page to CatalogUnavailableError, and 500 on a commit to CommitStateUnknownError', async () => {
    answer = (p) => (p.startsWith('/v1/config') ? config : { status: 503, body: '<html><title>Error 503 Service Unavailable</title></html>', contentType: 'text/html' });
    const c = new RestCatalogClient({ uri: fakeUrl });
    await expect(c.loadTable(NS, 't')).rejects.toThrow(/HTTP 503: Error 503 Service Unavailable/);
    answer = (p) => (p.startsWith('/v1/config') ? config : { status: 500, body: '{"error":{"message":"boom","type":"CommitStateUnknownException","code":500}}' });
    const unknown = commit(c);
    await expect(unknown).rejects.toThrow(CommitStateUnknownError);
    const err = (await unknown.catch((e: unknown) => e)) as CommitStateUnknownError;
    expect(err).toBeInstanceOf(InfrastructureError);
    expect(err.message).toMatch(/HTTP 500 CommitStateUnknownException: boom/);
    await expect(c.loadTable(NS, 't')).rejects.toThrow(CatalogUnavailableError);
    answer = (p) => (p.startsWith('/v1/config') ? config : { status: 429, body: '{"error":{"message":"slow down","type":"ThrottlingException","code":429}}' });
    await expect(c.loadTable(NS, 't')).rejects.toThrow(CatalogUnavailableError);
    answer = (p) => (p.startsWith('/v1/config') ? config : { status: 403, body: '{"error":{"message":"not allowed","type":"ForbiddenException","code":403}}' });
    await expect(c.loadTable(NS, 't')).rejects.toThrow(CatalogRequestError);
  });

  it('times out: a load is unavailable, a commit is of unknown state', async () => {
    answer = (p) => (p.startsWith('/v1/config') ? config : 'hang');
    const c = new RestCatalogClient({ uri: fakeUrl, timeoutMs: 300 });
    await expect(c.loadTable(NS, 't')).rejects.toThrow(/no answer within 300 ms/);
    await expect(c.loadTable(NS, 't')).rejects.toThrow(CatalogUnavailableError);
    await expect(commit(c)).rejects.toThrow(CommitStateUnknownError);
  });

  it('uses the prefix and namespace separator the config gives, and asks the config again after a failure', async () => {
    const paths: string[] = [];
    let configFails = true;
    answer = (p) => {
      paths.push(p);
      if (p.includes('/v1/config'))
        return configFails
          ? { status: 503, body: '' }
          : { status: 200, body: '{"defaults":{"prefix":"ignored"},"overrides":{"prefix":"catalogs/123456789012","namespace-separator":"%1F"}}' };
      return {
        status: 200,
        body: '{"metadata-location":"s3://b/m.json","metadata":{"current-snapshot-id":9007199254740993,"snapshots":[{"snapshot-id":3,"parent-snapshot-id":2}]}}',
      };
    };
    const c = new RestCatalogClient({ uri: `${fakeUrl}/iceberg/`, warehouse: '123456789012' });
    await expect(c.loadTable(['a', 'b'], 't')).rejects.toThrow(CatalogUnavailableError);
    configFails = false;
    const loaded = await c.loadTable(['a', 'b'], 't');
    expect(paths).toEqual([
      '/iceberg/v1/config?warehouse=123456789012',
      '/iceberg/v1/config?warehouse=123456789012',
      '/iceberg/v1/catalogs/123456789012/namespaces/a%1Fb/tables/t',
    ]);
    expect(loaded.metadata['current-snapshot-id']).toBe(9007199254740993n);
    expect(loaded.metadata.snapshots?.[0]).toEqual({ 'snapshot-id': 3n, 'parent-snapshot-id': 2n });
  });
});

describe('catalog JSON', () => {
  it('parses 64-bit ids and large integers exactly, leaves strings and small numbers alone', () => {
    const text =
      '{"snapshot-id": 8801244530163452039, "current-snapshot-id":-1, "n":12, "big":[12345678901234567890,-98765432109876543], "s":"99999999999999999999, 1", ' +
      '"f": 1.2345678901234567, "x": 12345678901234567e3, "y": 1.5e-12345678901234567, "e":"a\\"12345678901234567", "p":"c:\\\\", "q": 9007199254740991}';
    expect(parseCatalogJson(text)).toEqual({
      'snapshot-id': 8801244530163452039n,
      'current-snapshot-id': -1n,
      n: 12,
      big: [12345678901234567890n, -98765432109876543n],
      s: '99999999999999999999, 1',
      f: 1.2345678901234567,
      x: 12345678901234567e3,
      y: 0,
      e: 'a"12345678901234567',
      p: 'c:\\',
      q: 9007199254740991,
    });
  });

  it('reads any JSON as JSON.parse does, but for the exactness of long integers (property)', () => {
    const asNumbers = (v: unknown): unknown =>
      typeof v === 'bigint'
        ? Number(v)
        : Array.isArray(v)
          ? v.map(asNumbers)
          : v && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asNumbers(x)]))
            : v;
    fc.assert(
      fc.property(fc.json({ depthSize: 'medium' }), (text) => {
        expect(asNumbers(parseCatalogJson(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(2n ** 53n, 2n ** 53n - 1n, -(2n ** 53n), 0n, -1n)), fc.string(), (id, s) => {
        expect(parseCatalogJson(stringifyCatalogJson({ s, snapshots: [{ 'snapshot-id': id, other: id }] }))).toEqual({
          s,
          snapshots: [{ 'snapshot-id': id, other: id > BigInt(Number.MAX_SAFE_INTEGER) || id < -BigInt(Number.MAX_SAFE_INTEGER) ? id : Number(id) }],
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('writes bigints as JSON integers', () => {
    expect(stringifyCatalogJson({ 'snapshot-id': 8801244530163452039n, ids: [1n, 2n], s: 'x' })).toBe('{"snapshot-id":8801244530163452039,"ids":[1,2],"s":"x"}');
    expect(parseCatalogJson(stringifyCatalogJson({ 'snapshot-id': 2n ** 63n - 1n }))).toEqual({ 'snapshot-id': 2n ** 63n - 1n });
  });
});

describe('sigV4Signer', () => {
  // the AWS Signature Version 4 test suite's vanilla requests (AKIDEXAMPLE, 20150830T123600Z)
  const signer = sigV4Signer({
    region: 'us-east-1',
    service: 'service',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    now: () => new Date('2015-08-30T12:36:00Z'),
  });
  const signature = async (r: CatalogHttpRequest) => /Signature=([0-9a-f]+)/.exec((await signer(r)).headers.authorization)?.[1];

  it('signs the suite’s get-vanilla, post-vanilla and get-vanilla-query-order-key-case requests as the suite expects', async () => {
    const signed = await signer({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {} });
    expect(signed.headers).toEqual({
      'x-amz-date': '20150830T123600Z',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    });
    expect(await signature({ method: 'POST', url: 'https://example.amazonaws.com/', headers: {} })).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
    expect(await signature({ method: 'GET', url: 'https://example.amazonaws.com/?Param2=value2&Param1=value1', headers: {} })).toBe(
      'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
    );
  });

  it('signs the body, adds the session token of temporary credentials, and signs for glue by default', async () => {
    const glue = sigV4Signer({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret', sessionToken: 'token' },
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    const request: CatalogHttpRequest = {
      method: 'POST',
      url: 'https://glue.eu-west-1.amazonaws.com/iceberg/v1/catalogs/123/namespaces/db/tables/t',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    };
    const a = await glue(request);
    const b = await glue({ ...request, body: '{"a":2}' });
    expect(a.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKID\/20260101\/eu-west-1\/glue\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=/,
    );
    expect(a.headers['x-amz-security-token']).toBe('token');
    expect(a.headers.authorization).not.toBe(b.headers.authorization);
    expect(a.body).toBe(request.body);
    expect(Object.keys(a.headers)).not.toContain('host');
  });
});
