/**
 * Fault: the broker is stopped and restarted mid-stream (same ports, same data). Producers and
 * processors recover, and the lake reconciles exactly: nothing lost, nothing counted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedRecord } from '../../../lambda/traffic/generate';
import { startBroker, type RunningBroker } from '../../../local/broker/kafka-broker';
import { produce } from '../../../local/produce';
import { LakeDb } from '../../../local/query/lake-db';
import { LocalRuntime, REPO_ROOT } from '../../../local/runtime';
import { clickstream } from '../../../pipelines/clickstream';
import { expectedPageViews } from '../expected';
import { expectIndependentReadersAgree } from '../../support/independent-readers';

jest.setTimeout(300_000);

describe('broker restart mid-stream', () => {
  let stateDir: string;
  let broker: RunningBroker | undefined;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-restart-'));
  });
  afterAll(async () => {
    await broker?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('recovers and reconciles exactly', async () => {
    broker = await startBroker({ stateDir, repoRoot: REPO_ROOT });
    const ports = broker.ports!;
    const rt = await LocalRuntime.start({ specs: [clickstream], stateDir, bootstrap: broker.bootstrap, batchSize: 100, batchingWindowMs: 50 });
    const produced: GeneratedRecord[] = [];
    try {
      produced.push(...(await produce(rt.kafka, clickstream, { count: 5_000, rate: Infinity, seed: 11, malformedRatio: 0.01 })));
      // stop the broker while the processors are still working through the backlog
      await broker.stop();
      await new Promise((r) => setTimeout(r, 2_000));
      broker = await startBroker({ stateDir, repoRoot: REPO_ROOT, keepData: true, ports });
      produced.push(...(await produce(rt.kafka, clickstream, { count: 3_000, rate: Infinity, seed: 12, malformedRatio: 0.01 })));
      await rt.waitForLagZero(180_000);
    } finally {
      await rt.stop();
    }
    const db = await LakeDb.open(rt.lakeDir, [clickstream]);
    try {
      const [c] = await db.query(`SELECT (SELECT count(*) FROM clickstream_events) AS events, (SELECT count(*) FROM clickstream_quarantine) AS quarantined`);
      expect(Number(c.events) + Number(c.quarantined)).toBe(produced.length);
      const rows = await db.query(`SELECT window_start, url, page_views FROM clickstream_page_views_1m`);
      expect(new Map(rows.map((r) => [`${(r.window_start as Date).toISOString()}|${r.url}`, Number(r.page_views)]))).toEqual(expectedPageViews(produced));
    } finally {
      await db.close();
    }
    await expectIndependentReadersAgree(rt.lakeDir, [{ spec: clickstream, records: produced }], { stateDir });
  });
});
