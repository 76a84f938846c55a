/**
 * The Lambda artifact itself: the processor entry bundled as the CDK app bundles it (esbuild,
 * minified, target node22, AWS SDK external), loaded by a fresh Node process whose environment
 * names the clickstream pipeline and its Iceberg lake (as the CDK app sets them) and invoked with
 * an MSK event. It writes the tables' files through the real S3 client to an S3 endpoint on
 * loopback that keeps what it receives, and commits through Apache Iceberg's REST catalog (run
 * locally; the requests are SigV4-signed as for Glue, which the local server ignores).
 * `scripts/node22.sh` runs this file with Node.js 22, the Lambda runtime's version.
 */
import { buildSync } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { directoryLocation } from '../../../lambda/lake/table-files';
import { REPO_ROOT } from '../../../local/runtime';
import { clickstream } from '../../../pipelines/clickstream';
import { mskEvent } from '../../support/msk';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';

jest.setTimeout(60_000);

describe('the bundled clickstream handler in a fresh Node process', () => {
  const puts = new Map<string, Buffer>();
  let server: Server;
  let endpoint: string;
  let catalog: TestCatalog;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const key = decodeURIComponent(req.url!.split('?')[0]);
        if (req.method === 'PUT') puts.set(key, Buffer.concat(chunks));
        const body = req.method === 'GET' ? puts.get(key) : undefined;
        res.writeHead(req.method === 'PUT' || body ? 200 : 404, { ETag: '"0"' });
        res.end(body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    catalog = await startTestCatalog('streamlake-bundled');
  }, 120_000);
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await stopTestCatalog(catalog);
  });

  it("processes an MSK event, PUTs the tables' Parquet files and metadata, and commits them", async () => {
    // the tables' metadata JSON is the catalog's (a directory here); their data and manifests go through S3 (the fake above)
    const lakeRoot = directoryLocation(join(catalog.root, 'lake'));
    await ensureIcebergTables(catalog.catalog, clickstream, lakeRoot, 'streamlake');
    const dir = join(REPO_ROOT, '.streamlake', 'test-bundle');
    mkdirSync(dir, { recursive: true });
    const bundle = join(dir, 'clickstream.js');
    buildSync({
      entryPoints: [join(REPO_ROOT, 'lambda/handlers/processor-entry.ts')],
      outfile: bundle,
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      logLevel: 'error',
    });
    const t = Date.UTC(2026, 10, 22, 9, 30);
    const event = mskEvent([
      { topic: 'clickstream', partition: 0, offset: 10, value: `${t},1,www.amazon1.com,192.168.2.1` },
      { topic: 'clickstream', partition: 0, offset: 11, value: `${t + 1000},2,www.amazon2.com,192.168.2.2` },
      { topic: 'clickstream', partition: 0, offset: 12, value: 'not,a,valid' },
    ]);
    const eventFile = join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(event));
    const script = `require(${JSON.stringify(bundle)}).handler(require(${JSON.stringify(eventFile)})).then((r) => process.stdout.write(JSON.stringify({ node: process.version, report: r }, (k, v) => (typeof v === 'bigint' ? String(v) : v))))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        STREAMLAKE_PIPELINE: 'clickstream',
        LAKE_BUCKET: 'lake',
        ICEBERG_CATALOG_URI: catalog.server.url,
        ICEBERG_WAREHOUSE: '123456789012',
        ICEBERG_REGION: 'us-east-1',
        ICEBERG_NAMESPACE: 'streamlake',
        LAKE_ROOT: lakeRoot,
        S3_ENDPOINT: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_METRICS_NAMESPACE: 'streamlake',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    const out = JSON.parse(stdout.slice(stdout.indexOf('{"node"'))) as {
      node: string;
      report: { recordsIn: number; events: number; quarantined: number; objects: string[]; commits: { table: string }[] };
    };
    expect(out.node).toBe(process.version);
    expect(out.report).toMatchObject({ recordsIn: 3, events: 2, quarantined: 1 });
    expect(out.report.commits.map((c) => c.table).sort()).toEqual(['clickstream_events', 'clickstream_page_views_1m_partials', 'clickstream_quarantine']);
    const parquet = [...puts.keys()].filter((k) => k.endsWith('.parquet')).sort();
    expect(parquet.some((k) => k.startsWith('/lake/iceberg/clickstream_events/data/recordtime_day=2026-11-22/clickstream-0-'))).toBe(true);
    expect(parquet.some((k) => k.startsWith('/lake/iceberg/clickstream_quarantine/data/'))).toBe(true);
    expect(parquet.some((k) => k.startsWith('/lake/iceberg/clickstream_page_views_1m_partials/data/'))).toBe(true);
    for (const k of parquet) {
      expect(puts.get(k)!.subarray(0, 4).toString()).toBe('PAR1');
      expect(puts.get(k)!.subarray(-4).toString()).toBe('PAR1');
    }
    expect(out.report.objects).toHaveLength(parquet.length);
    // each table's snapshot is committed in the catalog, its manifest list among the objects PUT
    for (const c of out.report.commits) {
      const { metadata } = await catalog.catalog.loadTable('streamlake', c.table);
      const list = metadata.snapshots!.at(-1)!['manifest-list'];
      expect(puts.has(`/lake/${list.slice(lakeRoot.length)}`)).toBe(true);
    }
  });
});
