/**
 * `npm run bench -- --quick` end to end (no figures asserted: performance is read from the
 * bench's output, never from a timed test): it runs under the processor's Node.js options, each
 * pipeline in its own process, and writes the documented JSON shape with consistent ratios.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROCESSOR_V8_OPTIONS } from '../../model/node-options';
import { REPO_ROOT } from '../../local/runtime';
import { icebergTables } from '../../model/lake-tables';
import { pipelineByName } from '../../pipelines';

describe('npm run bench -- --quick', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-bench-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes every figure of every pipeline, measured under the processor NODE_OPTIONS', () => {
    const out = join(dir, 'results.json');
    const printed = execFileSync('npm', ['run', '--silent', 'bench', '--', '--quick', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.quick).toBe(true);
    expect(doc.environment.nodeOptions).toEqual(expect.arrayContaining([...PROCESSOR_V8_OPTIONS]));
    expect(Object.keys(doc.pipelines).sort()).toEqual(['clickstream', 'sales']);
    for (const [name, p] of Object.entries<Record<string, number & Record<string, unknown>>>(doc.pipelines)) {
      for (const k of ['recordsPerSec', 'duckdbRecordsPerSec', 'bytesPerRecord', 'duckdbBytesPerRecord']) expect(p[k]).toBeGreaterThan(0);
      expect(p.throughputRatio).toBeCloseTo(p.recordsPerSec / p.duckdbRecordsPerSec, 10);
      expect(p.bytesRatio).toBeCloseTo(p.bytesPerRecord / p.duckdbBytesPerRecord, 10);
      expect(Object.keys(p.recordsPerSecByBatchSize)).toEqual(['100', '1000', '10000']);
      expect(Object.keys(p.parquetWriters)).toHaveLength(3);
      expect(Object.keys(p.commits)).toEqual(['1000', '10000']);
      for (const c of Object.values(p.commits as unknown as Record<string, Record<string, number>>)) {
        expect(c.recordsPerSec).toBeGreaterThan(0);
        // one snapshot per table (events, quarantine, each window's partials) and invocation
        expect(c.commits).toBe(Math.ceil(c.records / c.batchSize) * icebergTables(pipelineByName(name)).length);
      }
      expect(printed).toContain(name);
    }
    expect(Object.keys(doc.bundles)).toEqual(['clickstream processor', 'sales processor', 'reference: S3-put-only handler']);
  }, 180_000);

  it('refuses an unknown pipeline, naming the known ones', () => {
    const run = spawnSync('npm', ['run', '--silent', 'bench', '--', '--quick', '--pipelines', 'nope', '--out', join(dir, 'x.json')], { cwd: REPO_ROOT, stdio: 'pipe' });
    expect(run.status).toBe(1);
    expect(run.stderr.toString()).toContain("unknown pipeline 'nope' (known: clickstream, sales)");
  }, 60_000);
});
