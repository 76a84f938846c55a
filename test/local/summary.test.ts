/**
 * Window results published back to Kafka: with crashes after writes (retried batches publish
 * again), the totals materialized from the summary topic equal the lake's window view.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MskEvent } from '../../lambda/core/msk-event';
import type { PipelineSpec } from '../../model/spec';
import { produce } from '../../local/produce';
import { LakeDb } from '../../local/query/lake-db';
import { LocalRuntime } from '../../local/runtime';
import { readSummaryTotals } from '../../local/summary';
import { sales } from '../../pipelines/sales';

jest.setTimeout(180_000);

const salesWithSummary: PipelineSpec = { ...sales, windows: [{ ...sales.windows![0], summaryTopic: 'sales.summary' }] };

describe('summary topic on a real broker', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-summary-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('materializes totals equal to the lake view, despite retried batches', async () => {
    let invocations = 0;
    const wrap = (_s: PipelineSpec, handler: (e: MskEvent) => Promise<unknown>) => async (event: MskEvent) => {
      const result = await handler(event);
      // crash after the lake writes and the summary publish: the retry publishes the same updates again
      if (++invocations % 5 === 0) throw new Error('simulated crash after publish');
      return result;
    };
    const rt = await LocalRuntime.start({ specs: [salesWithSummary], stateDir, batchSize: 250, batchingWindowMs: 100, retryBaseMs: 10, wrapHandler: wrap as never });
    try {
      await produce(rt.kafka, salesWithSummary, { count: 6_000, rate: Infinity, seed: 21, malformedRatio: 0.01 });
      await rt.waitForLagZero(120_000);
      expect(invocations).toBeGreaterThan(5);
      const totals = await readSummaryTotals(rt.kafka, salesWithSummary, salesWithSummary.windows![0]);
      const db = await LakeDb.open(rt.lakeDir, [salesWithSummary]);
      const view = await db.query(`SELECT window_start, region, sales, orders FROM sales_region_10m`);
      await db.close();
      expect(totals).toHaveLength(view.length);
      const byId = new Map(view.map((r) => [`${(r.window_start as Date).toISOString()}|${r.region}`, r]));
      for (const t of totals) {
        const v = byId.get(`${t.window_start}|${t.keys.region}`);
        expect(v).toBeDefined();
        expect(t.values.orders).toBe(Number(v!.orders));
        expect(t.values.sales as number).toBeCloseTo(v!.sales as number, 4);
      }
    } finally {
      await rt.stop();
    }
  });
});
