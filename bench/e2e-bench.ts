/**
 * `npm run bench -- --e2e`: sustained production against the local broker with the deployed
 * default batching (batch size 1,000, window 5 s), at 1,000 and at 10,000 events/s. Reports
 * consumer lag over time, throughput, and freshness (event produced → its row committed to the
 * lake's Iceberg tables, where the next query sees it) p50/p95/p99.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MskEvent } from '../lambda/core/msk-event';
import type { PipelineSpec } from '../model/spec';
import { produce } from '../local/produce';
import { LakeDb } from '../local/query/lake-db';
import { LocalRuntime } from '../local/runtime';

export interface E2eRun {
  readonly ratePerSec: number;
  readonly seconds: number;
  readonly produced: number;
  readonly achievedProduceRate: number;
  readonly processedPerSec: number;
  readonly freshnessMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
  readonly lagSamples: readonly { readonly t: number; readonly lag: number }[];
  readonly maxLag: number;
  readonly drainSeconds: number;
  readonly reconciled: boolean;
}

/** The deployed defaults of the event source mapping (lib/config.ts). */
export const E2E_BATCH_SIZE = 1_000;
export const E2E_BATCHING_WINDOW_MS = 5_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export async function runE2e(spec: PipelineSpec, ratePerSec: number, seconds: number, log: (s: string) => void): Promise<E2eRun> {
  const stateDir = mkdtempSync(join(tmpdir(), 'streamlake-e2e-bench-'));
  const freshness: number[] = [];
  const wrap = (_s: PipelineSpec, handler: (e: MskEvent) => Promise<unknown>) => async (event: MskEvent) => {
    const result = await handler(event);
    const now = Date.now();
    for (const list of Object.values(event.records)) for (const r of list) freshness.push(now - r.timestamp);
    return result;
  };
  // the event source mapping as deployed by default (streamlake:batchSize, streamlake:maxBatchingWindowSeconds)
  const rt = await LocalRuntime.start({ specs: [spec], stateDir, batchSize: E2E_BATCH_SIZE, batchingWindowMs: E2E_BATCHING_WINDOW_MS, wrapHandler: wrap as never });
  try {
    const lagSamples: { t: number; lag: number }[] = [];
    const started = Date.now();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        lagSamples.push({ t: Math.round((Date.now() - started) / 1000), lag: await rt.lag(spec) });
        await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    const count = ratePerSec * seconds;
    let lastLog = 0;
    await produce(rt.kafka, spec, {
      count,
      rate: ratePerSec,
      seed: 5,
      onProgress: (n) => {
        if (Date.now() - lastLog > 10_000) {
          lastLog = Date.now();
          log(`  ${spec.name} @ ${ratePerSec}/s: ${n}/${count} produced, lag ${lagSamples.at(-1)?.lag ?? 0}`);
        }
      },
    });
    const producedAt = Date.now();
    await rt.waitForLagZero(600_000);
    const drainSeconds = (Date.now() - producedAt) / 1000;
    sampling = false;
    await sampler;
    const total = (Date.now() - started) / 1000;
    const db = await LakeDb.open(rt.lakeDir, [spec]);
    const [c] = await db.query(`SELECT (SELECT count(*) FROM "${spec.name}_events") + (SELECT count(*) FROM "${spec.name}_quarantine") AS n`);
    await db.close();
    freshness.sort((a, b) => a - b);
    return {
      ratePerSec,
      seconds,
      produced: count,
      achievedProduceRate: count / ((producedAt - started) / 1000),
      processedPerSec: freshness.length / total,
      freshnessMs: { p50: percentile(freshness, 50), p95: percentile(freshness, 95), p99: percentile(freshness, 99), max: freshness[freshness.length - 1] },
      lagSamples,
      maxLag: Math.max(...lagSamples.map((s) => s.lag)),
      drainSeconds,
      reconciled: Number(c.n) === count,
    };
  } finally {
    await rt.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
