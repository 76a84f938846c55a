import { recordingPublisher } from '../../support/publisher';
/**
 * Fault: the S3-compatible endpoint is unavailable for a while. Batches are retried; those that
 * exhaust their retries land in the on-failure folder with the event to replay them; after the
 * endpoint returns, `replay-failed` re-drives them and the lake reconciles exactly.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3LakeStore } from '../../../lambda/adapters/s3-lake-store';
import type { GeneratedRecord } from '../../../lambda/traffic/generate';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { produce } from '../../../local/produce';
import { LakeDb } from '../../../local/query/lake-db';
import { lakeWriterFor, openLakeCatalog } from '../../../local/catalog/lake-catalog';
import { replayFailedBatches } from '../../../local/replay-failed';
import { LocalRuntime, REPO_ROOT } from '../../../local/runtime';
import { startS3Server, type RunningS3Server } from '../../../local/s3server/versitygw';
import { sales } from '../../../pipelines/sales';
import { expectedSalesWindows } from '../expected';
import { expectIndependentReadersAgree } from '../../support/independent-readers';

jest.setTimeout(300_000);

describe('S3 endpoint outage', () => {
  let root: string;
  let stateDir: string;
  let server: RunningS3Server | undefined;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-outage-s3-'));
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-outage-'));
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('retries, parks exhausted batches with their events, and replay-failed makes the totals exact', async () => {
    server = await startS3Server(REPO_ROOT, root);
    await server.createBucket('lake');
    const port = Number(new URL(server.endpoint).port);
    const store = new S3LakeStore({ bucket: 'lake', client: server.client() });
    // the bucket is the directory <root>/lake: the catalog and the readers see the objects there
    const rt = await LocalRuntime.start({ specs: [sales], stateDir, store, lakeDir: join(root, 'lake'), batchSize: 200, batchingWindowMs: 100, maxAttempts: 3, retryBaseMs: 50 });
    const produced: GeneratedRecord[] = [];
    try {
      produced.push(...(await produce(rt.kafka, sales, { count: 2_000, rate: Infinity, seed: 1, malformedRatio: 0.01 })));
      await rt.waitForLagZero(60_000);
      // the endpoint goes away: batches fail, are retried, then parked in the on-failure folder
      await server.stop();
      produced.push(...(await produce(rt.kafka, sales, { count: 1_500, rate: Infinity, seed: 2, malformedRatio: 0.01 })));
      await rt.waitForLagZero(120_000);
      const parked = readdirSync(join(stateDir, 'failed-batches', 'sales')).filter((f) => f.endsWith('.json'));
      expect(parked.length).toBeGreaterThan(0);
      // the endpoint comes back where it was: new traffic flows again
      server = await startS3Server(REPO_ROOT, root, port);
      produced.push(...(await produce(rt.kafka, sales, { count: 1_000, rate: Infinity, seed: 3, malformedRatio: 0.01 })));
      await rt.waitForLagZero(60_000);
    } finally {
      await rt.stop();
    }
    const catalog = await openLakeCatalog(join(root, 'lake'), { repoRoot: REPO_ROOT });
    const replayStore = new S3LakeStore({ bucket: 'lake', client: server.client() });
    const replay = await replayFailedBatches(
      join(stateDir, 'failed-batches', 'sales'),
      createProcessorHandler({ spec: sales, summaryPublisher: recordingPublisher(), store: replayStore, lake: lakeWriterFor(join(root, 'lake'), replayStore, catalog.client) }),
    ).finally(() => catalog.close());
    expect(replay.failed).toEqual([]);
    expect(replay.replayed.length).toBeGreaterThan(0);

    const db = await LakeDb.open(join(root, 'lake'), [sales]);
    try {
      const [c] = await db.query(`SELECT (SELECT count(*) FROM sales_events) AS events, (SELECT count(*) FROM sales_quarantine) AS quarantined`);
      expect(Number(c.events) + Number(c.quarantined)).toBe(produced.length);
      expect(Number(c.quarantined)).toBe(produced.filter((r) => r.malformed).length);
      const rows = await db.query(`SELECT window_start, region, orders FROM sales_region_10m`);
      const expected = expectedSalesWindows(produced);
      expect(new Map(rows.map((r) => [`${(r.window_start as Date).toISOString()}|${r.region}`, Number(r.orders)]))).toEqual(new Map([...expected].map(([k, v]) => [k, v.orders])));
    } finally {
      await db.close();
    }
    await expectIndependentReadersAgree(join(root, 'lake'), [{ spec: sales, records: produced }], { stateDir });
  });
});
