/**
 * End to end on a real Kafka broker: generated traffic with malformed records across several
 * partitions → event-source-mapping emulator → unchanged processor handlers → Iceberg tables
 * committed through the local REST catalog → DuckDB reading each table's current snapshot. Counts must reconcile exactly and window results must equal an independent
 * computation, also when processors restart mid-stream and handlers fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedRecord } from '../../lambda/traffic/generate';
import type { PipelineSpec } from '../../model/spec';
import { produce } from '../../local/produce';
import { LakeDb } from '../../local/query/lake-db';
import { LocalRuntime } from '../../local/runtime';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';
import { expectedPageViews, expectedSalesWindows } from './expected';
import { expectIndependentReadersAgree } from '../support/independent-readers';

jest.setTimeout(300_000);
const specs = [clickstream, sales];
const COUNT = 20_000;

async function checkLake(db: LakeDb, produced: Record<string, GeneratedRecord[]>): Promise<void> {
  await db.refresh();
  // read as Iceberg tables: each view is exactly the files of the table's current snapshot
  for (const spec of specs) expect(db.files.get(`${spec.name}_events`)?.length).toBeGreaterThan(0);
  for (const spec of specs) {
    const records = produced[spec.name];
    const malformed = records.filter((r) => r.malformed).length;
    const [counts] = await db.query(
      `SELECT (SELECT count(*) FROM "${spec.name}_events") AS events, (SELECT count(*) FROM "${spec.name}_quarantine") AS quarantined,
              (SELECT count(DISTINCT (kafka_topic, kafka_partition, kafka_offset)) FROM "${spec.name}_events") AS distinct_events,
              (SELECT count(DISTINCT kafka_partition) FROM "${spec.name}_events") AS partitions`,
    );
    // every produced record is in exactly one of events and quarantine, once
    expect(Number(counts.events) + Number(counts.quarantined)).toBe(records.length);
    expect(Number(counts.quarantined)).toBe(malformed);
    expect(Number(counts.distinct_events)).toBe(Number(counts.events));
    expect(Number(counts.partitions)).toBe(spec.topic.partitions);
    const overlap = await db.query(`SELECT count(*) AS n FROM "${spec.name}_events" e JOIN "${spec.name}_quarantine" q USING (kafka_topic, kafka_partition, kafka_offset)`);
    expect(Number(overlap[0].n)).toBe(0);
  }
  const pageViews = await db.query(`SELECT window_start, url, page_views FROM clickstream_page_views_1m`);
  const actualViews = new Map(pageViews.map((r) => [`${(r.window_start as Date).toISOString()}|${r.url}`, Number(r.page_views)]));
  expect(actualViews).toEqual(expectedPageViews(produced.clickstream));

  const salesRows = await db.query(`SELECT window_start, region, sales, orders FROM sales_region_10m`);
  const expected = expectedSalesWindows(produced.sales);
  expect(salesRows).toHaveLength(expected.size);
  for (const r of salesRows) {
    const e = expected.get(`${(r.window_start as Date).toISOString()}|${r.region}`);
    expect(e).toBeDefined();
    expect(Number(r.orders)).toBe(e!.orders);
    expect(r.sales as number).toBeCloseTo(e!.sales, 4);
  }
}

describe('local pipeline end to end on a real broker', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-e2e-'));
  });
  afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

  it(`reconciles ${COUNT} events per pipeline with 1% malformed, exactly`, async () => {
    const rt = await LocalRuntime.start({ specs, stateDir, lakeDir: join(stateDir, 'lake'), batchSize: 500, batchingWindowMs: 200 });
    try {
      const produced: Record<string, GeneratedRecord[]> = {};
      for (const spec of specs) produced[spec.name] = await produce(rt.kafka, spec, { count: COUNT, rate: Infinity, seed: 42, malformedRatio: 0.01 });
      expect(produced.sales.filter((r) => r.malformed).length).toBeGreaterThan(100);
      await rt.waitForLagZero(120_000);
      const db = await LakeDb.open(rt.lakeDir, specs);
      await checkLake(db, produced);
      const reasons = await db.query(`SELECT reason, count(*) AS n FROM sales_quarantine GROUP BY reason ORDER BY reason`);
      expect(reasons.length).toBeGreaterThanOrEqual(5);
      await db.close();
    } finally {
      await rt.stop();
    }
  });

  it('stays exact when processors restart mid-stream and handlers fail before and after writing', async () => {
    let invocations = 0;
    let written = 0;
    let failedAfterWrite = 0;
    const wrap = (_spec: PipelineSpec, handler: (e: never) => Promise<unknown>) => async (event: never) => {
      invocations += 1;
      // an infrastructure failure before anything is written
      if (invocations % 9 === 0) throw new Error('simulated S3 outage');
      const result = await handler(event);
      // a crash after the Parquet objects are written but before the offsets are committed; counted
      // on invocations that got this far, so it happens however many fail otherwise
      written += 1;
      if (written % 7 === 1) {
        failedAfterWrite += 1;
        throw new Error('simulated crash after write');
      }
      return result;
    };
    const rt = await LocalRuntime.start({
      specs,
      stateDir,
      lakeDir: join(stateDir, 'lake'),
      batchSize: 300,
      batchingWindowMs: 100,
      retryBaseMs: 10,
      maxAttempts: 10,
      wrapHandler: wrap as never,
    });
    try {
      const produced: Record<string, GeneratedRecord[]> = { clickstream: [], sales: [] };
      for (let round = 0; round < 4; round++) {
        for (const spec of specs) {
          produced[spec.name].push(
            ...(await produce(rt.kafka, spec, { count: 2_500, rate: Infinity, seed: 100 + round, malformedRatio: 0.01, startTime: Date.now() - 3_600_000 + round * 600_000 })),
          );
        }
        // restart the processors with another batch size: retried batches get other boundaries
        for (const spec of specs) {
          await rt.stopProcessor(spec);
          (rt.options as { batchSize?: number }).batchSize = 300 + 97 * (round + 1);
          await rt.startProcessor(spec);
        }
      }
      await rt.waitForLagZero(180_000);
      expect(failedAfterWrite).toBeGreaterThan(0);
      const db = await LakeDb.open(rt.lakeDir, specs);
      await checkLake(db, produced);
      await db.close();
      await expectIndependentReadersAgree(
        rt.lakeDir,
        specs.map((spec) => ({ spec, records: produced[spec.name] })),
        { stateDir },
      );
    } finally {
      await rt.stop();
    }
  });
});
