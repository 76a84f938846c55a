/**
 * The Iceberg lake end to end, with faults, read by engines no one here wrote. On a real Kafka
 * broker both pipelines' processors commit to their Iceberg tables through the local REST
 * catalog while handlers fail before and after committing, processors restart with other batch
 * sizes (retries with other boundaries), and the catalog server itself is killed mid-stream and
 * started again. Then:
 * - Trino's Iceberg connector (Athena engine v3's) and pyiceberg read every table through the
 *   catalog: events + quarantine hold every produced record once, and `streamlake.committed` is
 *   one range per partition covering all of it;
 * - every window view and named query returns the same rows on Trino as on the local Athena
 *   (DuckDB over the current snapshots' files), and the windows equal an independent computation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedRecord } from '../../../lambda/traffic/generate';
import { icebergViews, namedQueries } from '../../../model/catalog';
import { icebergTables } from '../../../model/lake-tables';
import type { PipelineSpec } from '../../../model/spec';
import { produce } from '../../../local/produce';
import { LakeDb } from '../../../local/query/lake-db';
import { LocalRuntime } from '../../../local/runtime';
import { TrinoIcebergLake } from '../../../local/trino/iceberg-lake';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { expectSameRows, fromDuck, fromTrino, inParallel } from '../../support/engine-rows';
import { committedWithPyiceberg, describeWithPyiceberg, offsetsWithPyiceberg } from '../../support/pyiceberg';
import { expectedPageViews, expectedSalesWindows } from '../expected';

jest.setTimeout(600_000);
const specs = [clickstream, sales];

describe('the Iceberg lake under faults, read by Trino and pyiceberg', () => {
  let stateDir: string;
  let lakeDir: string;
  let catalogUrl: string;
  const produced: Record<string, GeneratedRecord[]> = { clickstream: [], sales: [] };
  let failedBefore = 0;
  let failedAfter = 0;
  let db: LakeDb;
  let trino: TrinoIcebergLake;
  let rt: LocalRuntime | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-iceberg-lake-'));
    lakeDir = join(stateDir, 'lake');
    let invocations = 0;
    let committed = 0;
    const wrap = (_spec: PipelineSpec, handler: (e: never) => Promise<unknown>) => async (event: never) => {
      invocations += 1;
      if (invocations % 11 === 0) {
        failedBefore += 1;
        throw new Error('simulated failure before the commit');
      }
      const result = await handler(event);
      // committed to the tables, but the Kafka offsets are not: the batch comes again. Counted on
      // committed invocations (not all invocations), so the fault happens however many fail otherwise.
      committed += 1;
      if (committed % 7 === 1) {
        failedAfter += 1;
        throw new Error('simulated crash between the Iceberg commit and the Kafka offset commit');
      }
      return result;
    };
    rt = await LocalRuntime.start({ specs, stateDir, lakeDir, batchSize: 300, batchingWindowMs: 100, retryBaseMs: 20, maxAttempts: 50, wrapHandler: wrap as never });
    try {
      for (let round = 0; round < 3; round++) {
        for (const spec of specs) {
          produced[spec.name].push(
            ...(await produce(rt.kafka, spec, { count: 2_000, rate: Infinity, seed: 300 + round, malformedRatio: 0.01, startTime: Date.now() - 7_200_000 + round * 900_000 })),
          );
        }
        if (round === 1) {
          // the catalog crashes mid-stream: commits fail (batches retried), then it comes back on the same port
          await rt.stopCatalog({ kill: true });
          await new Promise((r) => setTimeout(r, 1_500));
          await rt.restartCatalog();
        }
        for (const spec of specs) {
          await rt.stopProcessor(spec);
          (rt.options as { batchSize?: number }).batchSize = 300 + 113 * (round + 1);
          await rt.startProcessor(spec);
        }
      }
      await rt.waitForLagZero(240_000);
      catalogUrl = rt.catalogUrl!;
      db = await LakeDb.open(lakeDir, specs);
      trino = await TrinoIcebergLake.open({ lakeDir, specs, stateDir });
    } catch (err) {
      await rt.stop();
      rt = undefined;
      throw err;
    }
  });

  afterAll(async () => {
    await trino?.close();
    await db?.close();
    await rt?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('failed before and after committing, and the catalog was down for a while', () => {
    expect(failedBefore).toBeGreaterThan(0);
    expect(failedAfter).toBeGreaterThan(0);
  });

  it('Trino and pyiceberg see every produced record once, in events or quarantine, and one committed range per partition', async () => {
    for (const spec of specs) {
      const records = produced[spec.name];
      const [t] = await trino.rows(
        `SELECT (SELECT count(*) FROM "${spec.name}_events") AS events, (SELECT count(*) FROM "${spec.name}_quarantine") AS quarantined,
                (SELECT count(*) FROM (SELECT kafka_topic, kafka_partition, kafka_offset FROM "${spec.name}_events"
                  UNION SELECT kafka_topic, kafka_partition, kafka_offset FROM "${spec.name}_quarantine")) AS distinct_offsets`,
      );
      expect(Number(t.events) + Number(t.quarantined)).toBe(records.length);
      expect(Number(t.distinct_offsets)).toBe(records.length);
      expect(Number(t.quarantined)).toBe(records.filter((r) => r.malformed).length);

      const events = offsetsWithPyiceberg(catalogUrl, 'streamlake', `${spec.name}_events`);
      const quarantine = offsetsWithPyiceberg(catalogUrl, 'streamlake', `${spec.name}_quarantine`);
      expect(events.rows).toBe(Number(t.events));
      expect(events.distinct).toBe(events.rows);
      expect(quarantine.rows).toBe(Number(t.quarantined));
      // per partition: offsets 0..n-1, each once across the two tables
      for (let p = 0; p < spec.topic.partitions; p++) {
        const key = `${spec.topic.name}-${p}`;
        const count = (events.partitions[key]?.count ?? 0) + (quarantine.partitions[key]?.count ?? 0);
        const max = Math.max(events.partitions[key]?.max ?? -1, quarantine.partitions[key]?.max ?? -1);
        expect({ key, count }).toEqual({ key, count: max + 1 });
      }
      // every table (partials too) says, in its current snapshot, that it holds [0, max] of each partition
      for (const table of icebergTables(spec)) {
        const committed = JSON.parse(committedWithPyiceberg(catalogUrl, 'streamlake', table.name)) as Record<string, number[][]>;
        expect(Object.keys(committed).length).toBe(spec.topic.partitions);
        for (const ranges of Object.values(committed))
          expect({ table: table.name, ranges: ranges.length, first: ranges[0][0] }).toEqual({ table: table.name, ranges: 1, first: 0 });
      }
    }
  });

  it("pyiceberg sees each table's schema (the spec's columns, field ids 1..N), its day() partition spec and format v2", () => {
    for (const spec of specs) {
      for (const table of icebergTables(spec)) {
        const t = describeWithPyiceberg(catalogUrl, 'streamlake', table.name);
        expect({ table: table.name, version: t.formatVersion }).toEqual({ table: table.name, version: 2 });
        expect(t.schema.map((f) => [f.id, f.name])).toEqual(table.schema.columns.map((c, i) => [i + 1, c.name]));
        const source = t.schema.find((f) => f.name === table.partitionColumn)!;
        expect(t.spec).toEqual([{ sourceId: source.id, fieldId: 1000, name: `${table.partitionColumn}_day`, transform: 'day' }]);
        expect(t.location).toMatch(new RegExp(`/iceberg/${table.name}$`));
        expect(t.currentSnapshotId).not.toBeNull();
      }
    }
  });

  it('every window view and named query returns the same rows on Trino as on the local Athena, and the windows are exact', async () => {
    const sqls = [...specs.flatMap((s) => icebergViews(s).map((v) => `SELECT * FROM "${v.name}"`)), ...specs.flatMap((s) => namedQueries(s).map((q) => q.sql))];
    const answers = await inParallel(sqls, 3, async (sql) => fromTrino(await trino.query(sql)));
    for (const [i, sql] of sqls.entries()) {
      expect({ sql, rows: answers[i].rows.length > 0 }).toEqual({ sql, rows: true });
      expectSameRows(sql, answers[i], await fromDuck(db, sql), !sql.startsWith('SELECT * FROM'));
    }
    const views = await trino.rows(`SELECT window_start, url, page_views FROM clickstream_page_views_1m`);
    expect(new Map(views.map((r) => [`${(r.window_start as Date).toISOString()}|${String(r.url)}`, Number(r.page_views)]))).toEqual(expectedPageViews(produced.clickstream));
    const salesRows = await trino.rows(`SELECT window_start, region, orders FROM sales_region_10m`);
    const expected = expectedSalesWindows(produced.sales);
    expect(new Map(salesRows.map((r) => [`${(r.window_start as Date).toISOString()}|${String(r.region)}`, Number(r.orders)]))).toEqual(
      new Map([...expected].map(([k, v]) => [k, v.orders])),
    );
  });
});
