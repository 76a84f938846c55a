/**
 * `npm run bench -- --lake --quick` end to end (no figure asserted as performance): 0.2 h of
 * clickstream at 200 events/s through the processor handler into the local REST catalog, the
 * compactor on the simulated clock, and both layouts queried on DuckDB. Checks the JSON's shape,
 * that compacting the closed day reduced every table's data files, and that the compacted lake and
 * the one-file-per-partition layout hold the same rows and answer every named query alike.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/runtime';
import { namedQueries } from '../../model/catalog';
import { icebergTables } from '../../model/lake-tables';
import { pipelineByName } from '../../pipelines';
import type { LakeRun, TableLayout } from '../../bench/lake-bench';

describe('npm run bench -- --lake --quick', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-lake-bench-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('simulates, compacts and measures both layouts, with the same rows in each', () => {
    const out = join(dir, 'results-lake.json');
    const printed = execFileSync('npm', ['run', '--silent', 'bench', '--', '--lake', '--quick', '--out', out], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const doc = JSON.parse(readFileSync(out, 'utf8')) as { quick: boolean; complete: boolean; runs: LakeRun[] };
    expect(doc.quick).toBe(true);
    expect(doc.complete).toBe(true);
    expect(doc.runs).toHaveLength(1);
    const run = doc.runs[0];
    const spec = pipelineByName('clickstream');
    const tables = icebergTables(spec).map((t) => t.name);
    const queries = namedQueries(spec).map((q) => q.name);
    expect(run).toMatchObject({ pipeline: 'clickstream', rate: 200, hours: 0.2, kafkaPartitions: 2, batchSize: 1000, batchingWindowMs: 5000, compactionPeriodMinutes: 15 });
    // 200 events/s for 0.2 h (event-time steps jittered ±50%)
    expect(run.events).toBeGreaterThan(0.9 * 200 * 720);
    expect(run.events).toBeLessThan(1.1 * 200 * 720);
    // one snapshot per table and invocation
    expect(run.commits).toBe(run.invocations * tables.length);
    expect(run.points.map((p) => p.hours)).toEqual([0.1, 0.2]);

    for (const p of run.points) {
      for (const layout of [p.beforeCompaction, p.compacted.tables, p.oneFile.tables]) expect(Object.keys(layout).sort()).toEqual([...tables].sort());
      for (const l of [p.compacted, p.oneFile]) expect(Object.keys(l.queries.duckdb).sort()).toEqual([...queries].sort());
      for (const t of tables) {
        // the one-file layout: one data file per day partition, holding the table's records
        expect(p.oneFile.tables[t].dataFiles).toBe(Object.keys(p.beforeCompaction[t].filesByDay).length);
        expect(p.oneFile.tables[t].records).toBe(p.compacted.tables[t].records);
      }
      expect(p.compacted.rows).toEqual(p.oneFile.rows);
      expect(p.compacted.rows['clickstream_events']).toBeGreaterThan(0);
      expect(p.sameResults).toBe(true);
    }
    // the day open: the scheduled run rewrites the settled files (fewer files); once it closed, every table is one file per partition
    const last = run.points[run.points.length - 1];
    expect(last.closed).toBeDefined();
    for (const t of tables) {
      expect(last.compacted.tables[t].dataFiles).toBeLessThan(last.beforeCompaction[t].dataFiles);
      const closed: TableLayout = last.closed!.layout.tables[t];
      expect(closed.dataFiles).toBeLessThan(last.beforeCompaction[t].dataFiles);
      expect(closed.dataFiles).toBe(Object.keys(closed.filesByDay).length);
    }
    // events and quarantine rows unchanged by the rewrite, window partials merged to the same window results
    expect(last.closed!.layout.tables['clickstream_events'].records).toBe(last.beforeCompaction['clickstream_events'].records);
    expect(last.closed!.layout.rows).toEqual(last.oneFile.rows);
    expect(last.closed!.sameResults).toBe(true);
    expect(printed).toContain('rows equal in both layouts: true');
  }, 600_000);
});
