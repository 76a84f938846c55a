/**
 * `streamlake status` on a real broker and the real REST catalog: the lag it shows is what the
 * broker has that the events table has not committed, per partition; after the processor catches
 * up it is 0 everywhere and the tables' figures match what was produced. The pure parts
 * (`partitionStatus`, `tableStatus`) on hand-made metadata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Snapshot, TableMetadata } from '../../lambda/adapters/rest-catalog';
import { render } from '../../local/cli/commands/status';
import { produce } from '../../local/produce';
import { LocalRuntime } from '../../local/runtime';
import { collectStatus, partitionStatus, statusRows, tableStatus } from '../../local/status';
import { clickstream } from '../../pipelines/clickstream';

jest.setTimeout(180_000);

const snapshot = (id: number, ms: number, operation: 'append' | 'replace', summary: Record<string, string>): Snapshot =>
  ({ 'snapshot-id': BigInt(id), 'timestamp-ms': ms, 'manifest-list': `m${id}`, summary: { operation, ...summary } }) as unknown as Snapshot;

const metadata = (snapshots: Snapshot[]): TableMetadata =>
  ({
    'format-version': 2,
    'table-uuid': 'u',
    location: 'file:/x',
    'last-updated-ms': 0,
    'last-column-id': 1,
    schemas: [],
    'current-schema-id': 0,
    'partition-specs': [],
    'default-spec-id': 0,
    'last-partition-id': 999,
    'current-snapshot-id': snapshots.at(-1)?.['snapshot-id'],
    snapshots,
    refs: snapshots.length > 0 ? { main: { 'snapshot-id': snapshots.at(-1)!['snapshot-id'], type: 'branch' } } : {},
  }) as unknown as TableMetadata;

describe('status figures (pure)', () => {
  const events = metadata([
    snapshot(1, 1_000, 'append', {
      'streamlake.offsets': '{"clickstream-0":[[0,99]]}',
      'streamlake.committed': '{"clickstream-0":[[0,99]]}',
      'total-data-files': '1',
      'total-files-size': '500',
      'total-records': '100',
    }),
    snapshot(2, 2_000, 'append', {
      'streamlake.offsets': '{"clickstream-1":[[0,49]]}',
      'streamlake.committed': '{"clickstream-0":[[0,99]],"clickstream-1":[[0,49]]}',
      'total-data-files': '2',
      'total-files-size': '800',
      'total-records': '150',
    }),
    snapshot(3, 3_000, 'replace', {
      'streamlake.committed': '{"clickstream-0":[[0,99]],"clickstream-1":[[0,49]]}',
      'total-data-files': '1',
      'total-files-size': '700',
      'total-records': '150',
    }),
  ]);

  it('per partition: the end offset, the highest committed, the lag, the last commit naming it and the freshness', () => {
    const rows = partitionStatus(
      clickstream,
      events,
      new Map([
        [0, 100],
        [1, 80],
        [2, 5],
      ]),
      10_000,
    );
    expect(rows).toEqual([
      { pipeline: 'clickstream', topic: 'clickstream', partition: 0, endOffset: 100, committedOffset: 99, lag: 0, lastCommitMs: 1_000, freshnessMs: 0 },
      { pipeline: 'clickstream', topic: 'clickstream', partition: 1, endOffset: 80, committedOffset: 49, lag: 30, lastCommitMs: 2_000, freshnessMs: 8_000 },
      // never committed: everything is lag, and there is no commit to be fresh from
      { pipeline: 'clickstream', topic: 'clickstream', partition: 2, endOffset: 5, committedOffset: undefined, lag: 5, lastCommitMs: undefined, freshnessMs: undefined },
    ]);
    // no broker: the committed partitions alone
    expect(partitionStatus(clickstream, events, undefined, 10_000).map((r) => [r.partition, r.committedOffset, r.lag])).toEqual([
      [0, 99, undefined],
      [1, 49, undefined],
    ]);
  });

  it("per table: the current snapshot's totals, the snapshots kept, the last commit and the last compaction", () => {
    expect(tableStatus('clickstream_events', events)).toEqual({
      table: 'clickstream_events',
      exists: true,
      dataFiles: 1,
      bytes: 700,
      records: 150,
      snapshots: 3,
      lastCommitMs: 3_000,
      lastCompactionMs: 3_000,
    });
    expect(tableStatus('t', undefined)).toMatchObject({ exists: false, dataFiles: 0 });
    expect(tableStatus('t', metadata([]))).toMatchObject({ exists: true, dataFiles: 0, snapshots: 0, lastCommitMs: undefined, lastCompactionMs: undefined });
  });
});

describe('status on a real broker and catalog', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-status-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('shows the records the table has not committed as lag, and 0 once the processor caught up', async () => {
    const rt = await LocalRuntime.start({ specs: [clickstream], stateDir, batchSize: 200, batchingWindowMs: 50 });
    try {
      const first = await produce(rt.kafka, clickstream, { count: 1_200, rate: Infinity, seed: 4, malformedRatio: 0.02 });
      await rt.waitForLagZero(60_000);
      const caughtUp = await collectStatus({ specs: [clickstream], catalog: rt.catalog, admin: rt.admin });
      expect(caughtUp.brokerProblem).toBeUndefined();
      expect(caughtUp.partitions.length).toBeGreaterThan(0);
      for (const p of caughtUp.partitions) expect({ partition: p.partition, lag: p.lag, freshness: p.freshnessMs }).toEqual({ partition: p.partition, lag: 0, freshness: 0 });
      expect(caughtUp.partitions.reduce((n, p) => n + p.endOffset!, 0)).toBe(first.length);
      const events = caughtUp.tables.find((t) => t.table === 'clickstream_events')!;
      const quarantine = caughtUp.tables.find((t) => t.table === 'clickstream_quarantine')!;
      expect(events.records + quarantine.records).toBe(first.length);
      expect(events.dataFiles).toBeGreaterThan(0);
      expect(events.lastCompactionMs).toBeUndefined();

      // the processor stops: what is produced now is lag, partition by partition
      await rt.stopProcessor(clickstream);
      const more = await produce(rt.kafka, clickstream, { count: 500, rate: Infinity, seed: 5 });
      const behind = await collectStatus({ specs: [clickstream], catalog: rt.catalog, admin: rt.admin });
      expect(behind.partitions.reduce((n, p) => n + p.lag!, 0)).toBe(more.length);
      for (const p of behind.partitions) {
        const before = caughtUp.partitions.find((q) => q.partition === p.partition)!;
        expect(p.committedOffset).toBe(before.committedOffset);
        expect(p.lag).toBe(p.endOffset! - before.endOffset!);
        if (p.lag! > 0) expect(p.freshnessMs).toBeGreaterThanOrEqual(0);
      }
      const printed = render(behind);
      expect(printed).toContain('clickstream-0');
      expect(printed).toContain('clickstream_page_views_1m_partials');
      expect(statusRows(behind).partitions.map((r) => r.lag)).toEqual(behind.partitions.map((p) => p.lag!.toLocaleString('en-US')));

      // caught up again
      await rt.startProcessor(clickstream);
      await rt.waitForLagZero(60_000);
      const again = await collectStatus({ specs: [clickstream], catalog: rt.catalog, admin: rt.admin });
      for (const p of again.partitions) expect(p.lag).toBe(0);
    } finally {
      await rt.stop();
    }
  });
});
