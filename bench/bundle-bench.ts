/**
 * Processor bundle size and cold-start import time, built the way the CDK app's NodejsFunction
 * builds it (esbuild, minified, Node 22, AWS SDK v3 external because the runtime provides it),
 * next to a reference: a minimal handler that only writes to S3 with the same SDK client.
 */
import { buildSync } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../local/runtime';

export interface BundleRun {
  readonly bundleBytes: number;
  readonly coldStartMs: number;
}

function build(entry: string, outfile: string): number {
  buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    sourcemap: false,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'error',
  });
  return statSync(outfile).size;
}

/** Median wall time of requiring the bundle in a fresh Node process (module init = cold start share we own). */
function coldStart(bundle: string, runs: number, env: Record<string, string>): number {
  const script = `const t0 = process.hrtime.bigint(); require(${JSON.stringify(bundle)}); console.log(Number(process.hrtime.bigint() - t0) / 1e6);`;
  const times = Array.from({ length: runs }, () =>
    Number(
      execFileSync(process.execPath, ['-e', script], {
        env: {
          ...process.env,
          LAKE_BUCKET: 'bench',
          AWS_REGION: 'us-east-1',
          KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098',
          // the processor's cold start reads its Iceberg lake's variables (nothing is called at load)
          ICEBERG_CATALOG_URI: 'https://glue.us-east-1.amazonaws.com/iceberg',
          ICEBERG_WAREHOUSE: '123456789012',
          ICEBERG_REGION: 'us-east-1',
          ICEBERG_NAMESPACE: 'streamlake',
          LAKE_ROOT: 's3://bench/',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim(),
    ),
  );
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function measureBundles(runs: number): Record<string, BundleRun> {
  const root = REPO_ROOT;
  const out = join(root, '.streamlake', 'bench');
  mkdirSync(out, { recursive: true });
  const reference = join(out, 'reference-handler.ts');
  writeFileSync(
    reference,
    `import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';\nconst s3 = new S3Client({});\nexport const handler = async (e: { body: string }) => s3.send(new PutObjectCommand({ Bucket: process.env.LAKE_BUCKET, Key: 'x', Body: e.body }));\n`,
  );
  const results: Record<string, BundleRun> = {};
  // one processor bundle for every pipeline: the environment says which one a function runs
  const processor = join(root, 'lambda/handlers/processor-entry.ts');
  for (const [name, entry, env] of [
    ['clickstream processor', processor, { STREAMLAKE_PIPELINE: 'clickstream' }],
    ['sales processor', processor, { STREAMLAKE_PIPELINE: 'sales' }],
    ['reference: S3-put-only handler', reference, {}],
  ] as const) {
    const file = join(out, `${name.replace(/\W+/g, '-')}.js`);
    const bundleBytes = build(entry, file);
    results[name] = { bundleBytes, coldStartMs: coldStart(file, runs, env) };
  }
  return results;
}
