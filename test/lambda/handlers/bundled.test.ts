/**
 * The Lambda artifact itself: the processor entry bundled as the CDK app bundles it (esbuild,
 * minified, target node22, AWS SDK external), loaded by a fresh Node process whose environment
 * names the clickstream pipeline (as the CDK app sets it) and invoked with an MSK event. It writes through the real S3 client to an S3 endpoint on loopback that keeps what it
 * receives. `scripts/node22.sh` runs this file with Node.js 22, the Lambda runtime's version.
 */
import { buildSync } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../../../local/runtime';
import { mskEvent } from '../../support/msk';

jest.setTimeout(60_000);

describe('the bundled clickstream handler in a fresh Node process', () => {
  const puts = new Map<string, Buffer>();
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'PUT') puts.set(decodeURIComponent(req.url!.split('?')[0]), Buffer.concat(chunks));
        res.writeHead(req.method === 'PUT' ? 200 : 404, { ETag: '"0"' });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('processes an MSK event and PUTs Parquet objects under the lake layout', async () => {
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
    const script = `require(${JSON.stringify(bundle)}).handler(require(${JSON.stringify(eventFile)})).then((r) => process.stdout.write(JSON.stringify({ node: process.version, report: r })))`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        STREAMLAKE_PIPELINE: 'clickstream',
        LAKE_BUCKET: 'lake',
        S3_ENDPOINT: endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        POWERTOOLS_METRICS_NAMESPACE: 'streamlake',
        POWERTOOLS_LOG_LEVEL: 'ERROR',
      },
    });
    const out = JSON.parse(stdout.slice(stdout.indexOf('{"node"'))) as { node: string; report: { recordsIn: number; events: number; quarantined: number; objects: string[] } };
    expect(out.node).toBe(process.version);
    expect(out.report).toMatchObject({ recordsIn: 3, events: 2, quarantined: 1 });
    const keys = [...puts.keys()].sort();
    expect(keys.some((k) => k.startsWith('/lake/events/clickstream/dt=2026-11-22/hr=09/'))).toBe(true);
    expect(keys.some((k) => k.startsWith('/lake/quarantine/clickstream/dt='))).toBe(true);
    expect(keys.some((k) => k.startsWith('/lake/aggregates/clickstream/page_views_1m/'))).toBe(true);
    for (const body of puts.values()) {
      expect(body.subarray(0, 4).toString()).toBe('PAR1');
      expect(body.subarray(-4).toString()).toBe('PAR1');
    }
    expect(out.report.objects).toHaveLength(puts.size);
  });
});
