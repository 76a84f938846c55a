/**
 * The compactor run locally as `up` runs it (a schedule inside the runtime) and as
 * `streamlake compact` runs it, on the real broker and the real REST catalog: the day partitions
 * (closed, and today's settled files) end up as one file each, every produced record is still there once, the window view
 * still equals an independent computation, and a second run has nothing left to do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchReport } from '../../lambda/handlers/processor';
import type { GeneratedRecord } from '../../lambda/traffic/generate';
import { run as compactCommand } from '../../local/cli/commands/compact';
import { produce } from '../../local/produce';
import { currentDataFiles } from '../../local/query/iceberg-files';
import { LakeDb } from '../../local/query/lake-db';
import { LocalRuntime } from '../../local/runtime';
import { collectStatus } from '../../local/status';
import { LAKE_NAMESPACE } from '../../lambda/lake/iceberg-schema';
import { clickstream } from '../../pipelines/clickstream';
import { expectedPageViews } from './expected';

jest.setTimeout(240_000);

const DAY_MS = 86_400_000;

/** Data files of the table's current snapshot, by their day partition folder (`<column>_day=YYYY-MM-DD`). */
async function filesByDay(rt: LocalRuntime, table: string): Promise<Map<string, number>> {
  const files = currentDataFiles((await rt.catalog.loadTable(LAKE_NAMESPACE, table)).metadata);
  const out = new Map<string, number>();
  for (const f of files) {
    const day = /_day=(\d{4}-\d{2}-\d{2})\//.exec(f)?.[1] ?? 'none';
    out.set(day, (out.get(day) ?? 0) + 1);
  }
  return out;
}

describe('compaction in the local runtime and the compact command', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-compact-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('compacts closed days on its schedule into one file each, keeping every record once; a second run has nothing to do', async () => {
    const committedFiles = new Map<string, number>();
    const onBatch = (r: BatchReport) => {
      for (const c of r.commits) committedFiles.set(c.table, (committedFiles.get(c.table) ?? 0) + c.dataFiles);
    };
    // closed days that were appended to a moment ago: no quiet period, so the schedule need not wait the lateness out
    const rt = await LocalRuntime.start({ specs: [clickstream], stateDir, batchSize: 60, batchingWindowMs: 20, compactEveryMs: 1_500, compaction: { quietMs: 0 }, onBatch });
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // three closed days of events (noon UTC, 3, 2 and 1 days ago), in small batches: many files per day
      const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
      const produced: GeneratedRecord[] = [];
      for (const daysAgo of [3, 2, 1]) {
        produced.push(
          ...(await produce(rt.kafka, clickstream, { count: 900, rate: Infinity, seed: 10 + daysAgo, malformedRatio: 0.02, startTime: today - daysAgo * DAY_MS + DAY_MS / 2 })),
        );
      }
      await rt.waitForLagZero(60_000);
      expect(committedFiles.get('clickstream_events')!).toBeGreaterThan(3 * 3);

      // the schedule compacts: wait for its replace snapshots
      const deadline = Date.now() + 60_000;
      for (;;) {
        const status = await collectStatus({ specs: [clickstream], catalog: rt.catalog });
        const compacted = status.tables.filter((t) => t.table !== 'clickstream_quarantine').every((t) => t.lastCompactionMs !== undefined);
        if (compacted) break;
        if (Date.now() > deadline) throw new Error(`no scheduled compaction within 60 s: ${JSON.stringify(status.tables)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
      // a scheduled run may have started while the last batches were still being committed: one
      // more run (after it, never at the same time) takes what they added
      const again = await rt.compact();
      expect(again.map((r) => r.failures)).toEqual([[]]);
      // every closed day of events is one file now; the window partials' days too
      const events = await filesByDay(rt, 'clickstream_events');
      expect([...events.keys()].sort()).toEqual([3, 2, 1].map((d) => new Date(today - d * DAY_MS).toISOString().slice(0, 10)));
      for (const n of events.values()) expect(n).toBe(1);
      for (const n of (await filesByDay(rt, 'clickstream_page_views_1m_partials')).values()) expect(n).toBe(1);
      // quarantine is partitioned by arrival: today, still open; its settled files (no quiet period here) are one file too
      expect(committedFiles.get('clickstream_quarantine')!).toBeGreaterThan(1);
      expect([...(await filesByDay(rt, 'clickstream_quarantine')).values()]).toEqual([1]);

      const db = await LakeDb.open(rt.lakeDir, [clickstream]);
      try {
        const [c] = await db.query(
          'SELECT count(*) AS n, count(DISTINCT kafka_partition * 1000000 + kafka_offset) AS once FROM (SELECT kafka_partition, kafka_offset FROM clickstream_events UNION ALL SELECT kafka_partition, kafka_offset FROM clickstream_quarantine)',
        );
        expect(c).toEqual({ n: BigInt(produced.length), once: BigInt(produced.length) });
        const views = await db.query('SELECT window_start, url, page_views FROM clickstream_page_views_1m');
        expect(new Map(views.map((r) => [`${(r.window_start as Date).toISOString()}|${String(r.url)}`, Number(r.page_views)]))).toEqual(expectedPageViews(produced));
        // one row per window and url once the partials are merged
        const [rows] = await db.query('SELECT count(*) AS n FROM clickstream_page_views_1m_partials');
        expect(Number(rows.n)).toBe(views.length);
      } finally {
        await db.close();
      }

      // `streamlake compact` on the running lake (the runtime's catalog): nothing left to rewrite
      log.mockClear();
      await compactCommand(['--lake', rt.lakeDir, '--pipelines', 'clickstream', '--quiet-minutes', '0']);
      const printed = log.mock.calls.map((a) => String(a[0])).join('\n');
      expect(printed).toMatch(/clickstream_events\s+0\s+0\s+0/);

      // with a retention of 2 days, the day 3 days ago goes (and only it)
      log.mockClear();
      await compactCommand(['--lake', rt.lakeDir, '--pipelines', 'clickstream', '--quiet-minutes', '0', '--events-retention-days', '2']);
      expect(log.mock.calls.map((a) => String(a[0])).join('\n')).toMatch(/clickstream_events\s+1\s+0\s+0/);
      expect([...(await filesByDay(rt, 'clickstream_events')).keys()].sort()).toEqual([2, 1].map((d) => new Date(today - d * DAY_MS).toISOString().slice(0, 10)));
      expect(printed).toContain('clickstream_page_views_1m_partials');
    } finally {
      log.mockRestore();
      await rt.stop();
    }
  });

  it('names a bad flag', async () => {
    await expect(compactCommand(['--target-file-size-mib', '0'])).rejects.toThrow("--target-file-size-mib must be an integer from 1 to 4096, got '0'");
  });
});
