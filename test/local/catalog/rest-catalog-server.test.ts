/**
 * The local Iceberg REST catalog server (Apache Iceberg's RESTCatalogServer from Maven Central):
 * loopback only; tables read back by pyiceberg with the same schema and partition spec; a real
 * append snapshot written by pyiceberg through the same catalog, loaded back by our client and
 * read by the server's FileIO when it purges the table; stopped (InfrastructureError), stopped and
 * restarted, killed and restarted on the same directories with every commit still there; one server
 * per catalog database; no JVM left behind when its parent dies.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CatalogUnavailableError, refSnapshotId, RestCatalogClient, type CreateTableRequest } from '../../../lambda/adapters/rest-catalog';
import { startRestCatalog, type RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { REPO_ROOT } from '../../../local/runtime';
import { ConfigurationError, InfrastructureError } from '../../../model/errors';
import { appendWithPyiceberg, describeWithPyiceberg, ensurePyiceberg } from '../../support/pyiceberg';

jest.setTimeout(120_000);

const NS = 'streamlake';

function eventsTable(name: string, location: string): CreateTableRequest {
  return {
    name,
    location,
    schema: {
      type: 'struct',
      'schema-id': 0,
      fields: [
        { id: 1, name: 'event_id', type: 'string', required: true },
        { id: 2, name: 'event_time', type: 'timestamptz', required: true },
        { id: 3, name: 'url', type: 'string', required: false },
        { id: 4, name: 'kafka_offset', type: 'long', required: true },
        { id: 5, name: 'amount', type: 'decimal(12, 2)', required: false },
        { id: 6, name: 'tags', type: { type: 'list', 'element-id': 7, element: 'string', 'element-required': false }, required: false },
      ],
    },
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

/** Alive and not a zombie (an orphan's exit may wait for a reaper that a container's init never runs). */
const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
};

async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

describe('the local Iceberg REST catalog server', () => {
  let root: string;
  let dirs: { metadataDir: string; warehouseDir: string };
  let server: RunningRestCatalog;
  let client: RestCatalogClient;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}_${counter++}`;
  const location = (name: string) => `${server.warehouse}/${NS}/${name}`;

  beforeAll(async () => {
    ensurePyiceberg(); // a venv from PyPI on first use
    root = mkdtempSync(join(tmpdir(), 'streamlake-catalog-server-'));
    dirs = { metadataDir: join(root, 'catalog'), warehouseDir: join(root, 'lake') };
    server = await startRestCatalog({ repoRoot: REPO_ROOT, ...dirs });
    client = new RestCatalogClient({ uri: server.url });
    await client.ensureNamespace(NS);
  }, 900_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('listens on loopback only, keeps its SQLite catalog and its log where asked', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.catalogDb).toBe(join(dirs.metadataDir, 'catalog.db'));
    expect(existsSync(server.catalogDb)).toBe(true);
    expect(server.warehouse).toBe(`file://${dirs.warehouseDir}`);
    expect(readFileSync(server.logFile, 'utf8')).toContain('Creating rest_backend catalog with properties');
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
    if (external) {
      const refused = await new Promise<string>((r) => {
        const socket = connect({ host: external, port: server.port }, () => (socket.destroy(), r('connected')));
        socket.on('error', (err: NodeJS.ErrnoException) => r(err.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    }
  });

  it('serves tables pyiceberg loads with the same schema (field ids, types, required) and partition spec', async () => {
    const name = unique('events');
    const { metadata } = await client.createTable(NS, eventsTable(name, location(name)));
    const seen = describeWithPyiceberg(server.url, NS, name);
    expect(seen).toMatchObject({ formatVersion: 2, location: location(name), tableUuid: metadata['table-uuid'], currentSnapshotId: null });
    expect(seen.properties).toMatchObject({ 'streamlake.pipeline': 'clickstream' });
    expect(seen.schema).toEqual([
      { id: 1, name: 'event_id', type: 'string', required: true },
      { id: 2, name: 'event_time', type: 'timestamptz', required: true },
      { id: 3, name: 'url', type: 'string', required: false },
      { id: 4, name: 'kafka_offset', type: 'long', required: true },
      { id: 5, name: 'amount', type: 'decimal(12, 2)', required: false },
      { id: 6, name: 'tags', type: 'list<string>', required: false },
    ]);
    expect(seen.spec).toEqual([
      { sourceId: 3, fieldId: 1000, name: 'url', transform: 'identity' },
      { sourceId: 2, fieldId: 1001, name: 'event_time_day', transform: 'day' },
    ]);
  });

  it("takes pyiceberg's own append (Parquet, manifests, manifest list) that our client loads back, and reads those files through its FileIO when purging", async () => {
    const name = unique('events');
    await client.createTable(NS, eventsTable(name, location(name)));
    const us = (iso: string) => Date.parse(iso) * 1000;
    const appended = appendWithPyiceberg(
      server.url,
      NS,
      name,
      [
        { event_id: 'a', event_time: us('2026-11-22T10:00:00Z'), url: 'www.amazon1.com', kafka_offset: 10, tags: ['x'] },
        { event_id: 'b', event_time: us('2026-11-22T23:59:59Z'), url: 'www.amazon1.com', kafka_offset: 11, tags: null },
        { event_id: 'c', event_time: us('2026-11-23T00:00:00Z'), url: null, kafka_offset: 12, tags: [] },
      ],
      { 'streamlake.offsets': '{"clickstream-0":[[10,12]]}', 'streamlake.committed': '{"clickstream-0":[[10,12]]}' },
    );
    expect(appended.rowsRead).toBe(3);
    expect(appended.dataFiles.map((f) => f.slice(location(name).length))).toEqual([
      expect.stringMatching(/^\/data\/url=null\/event_time_day=2026-11-23\/.*\.parquet$/),
      expect.stringMatching(/^\/data\/url=www\.amazon1\.com\/event_time_day=2026-11-22\/.*\.parquet$/),
    ]);

    const { metadata, 'metadata-location': metadataLocation } = await client.loadTable(NS, name);
    expect(String(refSnapshotId(metadata))).toBe(appended.snapshotId);
    const snapshot = metadata.snapshots?.find((s) => s['snapshot-id'] === refSnapshotId(metadata));
    expect(snapshot?.summary).toMatchObject({
      operation: 'append',
      'added-records': '3',
      'added-data-files': '2',
      'streamlake.offsets': '{"clickstream-0":[[10,12]]}',
      'streamlake.committed': '{"clickstream-0":[[10,12]]}',
    });
    expect(snapshot?.['manifest-list']).toBe(appended.manifestList);
    expect(existsSync(fileURLToPath(appended.manifestList))).toBe(true);
    expect(existsSync(fileURLToPath(metadataLocation!))).toBe(true);

    // the server opens the manifest list and manifests (Avro, written by pyiceberg) to find the files to delete
    await client.dropTable(NS, name, { purge: true });
    expect(await client.tableExists(NS, name)).toBe(false);
    expect(appended.dataFiles.filter((f) => existsSync(fileURLToPath(f)))).toEqual([]);
    expect(existsSync(fileURLToPath(appended.manifestList))).toBe(false);
  });

  it('refuses a second server on the same catalog database', async () => {
    await expect(startRestCatalog({ repoRoot: REPO_ROOT, ...dirs })).rejects.toThrow(ConfigurationError);
  });

  it('stopped: the client throws a retriable InfrastructureError; restarted on the same directories and port: the same tables and properties', async () => {
    const name = unique('events');
    const { metadata } = await client.createTable(NS, eventsTable(name, location(name)));
    const committed = await client.commitTable(NS, name, {
      requirements: [{ type: 'assert-table-uuid', uuid: metadata['table-uuid'] }],
      updates: [{ action: 'set-properties', updates: { 'streamlake.note': 'before the restart' } }],
    });
    const port = server.port;
    await server.stop();

    const down = client.loadTable(NS, name);
    await expect(down).rejects.toThrow(CatalogUnavailableError);
    await expect(down).rejects.toBeInstanceOf(InfrastructureError);

    server = await startRestCatalog({ repoRoot: REPO_ROOT, ...dirs, port });
    // the same client, unchanged, carries on
    const loaded = await client.loadTable(NS, name);
    expect(loaded['metadata-location']).toBe(committed['metadata-location']);
    expect(loaded.metadata['table-uuid']).toBe(metadata['table-uuid']);
    expect(loaded.metadata.properties).toMatchObject({ 'streamlake.pipeline': 'clickstream', 'streamlake.note': 'before the restart' });
    expect(describeWithPyiceberg(server.url, NS, name).properties).toMatchObject({ 'streamlake.note': 'before the restart' });
  });

  it('killed (SIGKILL) mid-stream and restarted: every acknowledged commit is there', async () => {
    const name = unique('events');
    await client.createTable(NS, eventsTable(name, location(name)));
    let acknowledged = 0;
    const writer = (async () => {
      for (let i = 1; i <= 1000; i++) {
        try {
          await client.commitTable(NS, name, { requirements: [], updates: [{ action: 'set-properties', updates: { 'streamlake.count': String(i) } }] });
          acknowledged = i;
        } catch (err) {
          expect(err).toBeInstanceOf(InfrastructureError);
          return;
        }
      }
    })();
    await eventually(() => acknowledged >= 5, 30_000);
    const port = server.port;
    await server.kill();
    await writer;
    server = await startRestCatalog({ repoRoot: REPO_ROOT, ...dirs, port });
    const count = Number((await client.loadTable(NS, name)).metadata.properties?.['streamlake.count']);
    // the commit in flight when the server died may or may not have landed (its state is unknown)
    expect(count === acknowledged || count === acknowledged + 1).toBe(true);
  });

  it('leaves no JVM behind when the process that started it is killed', async () => {
    const script = join(root, 'start-and-wait.ts');
    writeFileSync(
      script,
      `import { startRestCatalog } from ${JSON.stringify(join(REPO_ROOT, 'local', 'catalog', 'rest-catalog-server'))};
startRestCatalog({ repoRoot: ${JSON.stringify(REPO_ROOT)}, metadataDir: ${JSON.stringify(join(root, 'orphan', 'catalog'))}, warehouseDir: ${JSON.stringify(join(root, 'orphan', 'lake'))} })
  .then((s) => { console.log(JSON.stringify({ pid: s.pid })); setInterval(() => undefined, 60_000); });
`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const jvm = await new Promise<number>((resolve, reject) => {
      let out = '';
      parent.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const line = /\{"pid":(\d+)\}/.exec(out);
        if (line) resolve(Number(line[1]));
      });
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before the catalog started: ${out}`)));
    });
    expect(pidAlive(jvm)).toBe(true);
    parent.kill('SIGKILL');
    expect(await eventually(() => !pidAlive(jvm), 15_000)).toBe(true);
  });
});
