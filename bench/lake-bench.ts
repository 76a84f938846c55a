/**
 * `npm run bench -- --lake` (issue #14): hours of traffic through the real processor handler,
 * committed to the lake's Iceberg tables through Apache Iceberg's REST catalog (run locally), with
 * the compactor on a schedule; then, at 1 h and at H h of history, data files and bytes per hour of
 * each table and the time of every named query on DuckDB (the quick local Athena) and on Trino
 * (Athena engine v3's upstream), next to the same rows written as one file per table partition.
 *
 * Simulated time. Event times cover [start, start + H h) at R events/s; `start` is a UTC midnight
 * three days ago (Iceberg requires snapshot timestamps not far after the catalog's clock, and every
 * clock here, including the one that closes the day, stays in the past). The events come from the
 * demo generator (`lambda/traffic/generate.ts`, 0.1% malformed so the quarantine table has rows);
 * at R > 1,000/s, ⌈R/1000⌉ generators with a 1 ms step are interleaved (the generator's clock has
 * millisecond steps). Records go to the topic's Kafka partitions by a hash of their key, as the
 * producer does, and each partition's records are delivered as the event source mapping delivers
 * them with the deployed defaults: a batch closes when it holds `batchSize` (1,000) records or
 * `batchingWindowMs` (5 s) after its first record; one invocation per batch (so, clickstream at
 * 1,000 events/s over 2 partitions: a 1,000-record batch every ~2 s per partition, ~1,800
 * invocations an hour, each committing one snapshot to every table). The invocations run one at a
 * time in the order their batches close; processing time (the handler's, the lake writer's and the
 * compactor's `now`) is the batch's close time + INVOCATION_DELAY_MS, so snapshots are dated in
 * simulated time and the compactor ages and closes partitions by it.
 *
 * The compactor (`IcebergCompactor.maintain`, its defaults unless `compaction` says otherwise) runs
 * every 15 simulated minutes, as the deployed schedule does (`compactionPeriodMs`). The tables are
 * `day()`-partitioned. A closed day partition (its day ended + the allowed lateness [+ the window for
 * partials], and no append for `quietMs`) is rewritten whole; in the open day the compactor rewrites
 * every file committed when it plans (`openPartitions`, `openQuietMs` 0). So at each measurement
 * point the bench reports the layout a scheduled run leaves (the day open; "before" is the layout
 * just before it: the files of the previous runs plus 15 minutes of appends), and at the end of the run
 * it also moves the clock past the day's close and runs the compactor once more ("closed"): the
 * layout every earlier day of a deployed lake has.
 *
 * The one-file reference: at each measurement point the rows of every table's current snapshot are
 * read back (the compactor's reader) and written by our lake writer as ONE data file per table and
 * day partition, sorted as the compactor sorts (newest first) in the row groups it writes, into a
 * second set of Iceberg tables in the same catalog (namespace `streamlake_onefile_<h>h`, under
 * `<lake>/onefile-<h>h/`), so DuckDB and Trino read both layouts the same way (the window views
 * are created over each). Window partials are kept as they are (not merged): the reference holds
 * exactly the rows the table holds.
 *
 * Query times: every named query (`model/catalog.ts`), once to warm up, then the median of
 * `queryRepeats` runs, on each engine and layout, at each point.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLakeStore } from '../lambda/adapters/local-lake-store';
import { RestCatalogClient } from '../lambda/adapters/rest-catalog';
import type { MskEvent, MskRecord } from '../lambda/core/msk-event';
import { createProcessorHandler } from '../lambda/handlers/processor';
import type { CompactionOptions } from '../lambda/lake/compaction';
import { rowGroupRowsFor, writerSchemaOf } from '../lambda/lake/compaction';
import { concatRows, sortForRewrite, type Rows } from '../lambda/lake/compaction-rows';
import { IcebergCompactor, type TableMaintenance } from '../lambda/lake/compactor';
import { readDataFile } from '../lambda/lake/data-reader';
import { ensureIcebergTables } from '../lambda/lake/ensure-tables';
import { currentSchema, LAKE_NAMESPACE } from '../lambda/lake/iceberg-schema';
import { IcebergLakeWriter } from '../lambda/lake/lake-writer';
import { directoryLocation, storeTableFileListing, storeTableFiles } from '../lambda/lake/table-files';
import { generatorFor, type GeneratedRecord } from '../lambda/traffic/generate';
import { startRestCatalog } from '../local/catalog/rest-catalog-server';
import { LakeDb } from '../local/query/lake-db';
import { REPO_ROOT, seedReferenceData } from '../local/runtime';
import { TRINO_ICEBERG_CATALOG } from '../local/trino/server';
import { TrinoIcebergLake } from '../local/trino/iceberg-lake';
import type { TrinoClient } from '../local/trino/client';
import { icebergViews, namedQueries, viewDdl } from '../model/catalog';
import { InternalError } from '../model/errors';
import { icebergTables } from '../model/lake-tables';
import { DEFAULT_ALLOWED_LATENESS_SECONDS, type PipelineSpec } from '../model/spec';

const HOUR_MS = 3_600_000;
/** The compactor's deployed schedule (`streamlake:compactionPeriodMinutes`, lib/config.ts). */
export const LAKE_COMPACTION_PERIOD_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
/** From a batch closing to its invocation's clock (the event source mapping polling, the invocation starting). */
export const INVOCATION_DELAY_MS = 500;
/** The event source mapping's deployed defaults (lib/config.ts). */
export const LAKE_BATCH_SIZE = 1_000;
export const LAKE_BATCHING_WINDOW_MS = 5_000;
/** Trino's heap in the bench (the test suite's server has 1G). */
const TRINO_HEAP = '4G';
/** Share of records the generator corrupts (they land in the quarantine table). */
const MALFORMED_RATIO = 0.001;

export interface LakeBenchConfig {
  readonly spec: PipelineSpec;
  /** Hours of history simulated. */
  readonly hours: number;
  /** Events per second of event time. */
  readonly rate: number;
  /** Hours of history after which to measure (each ≤ hours; the last is `hours`). */
  readonly measureAt: readonly number[];
  readonly batchSize?: number;
  readonly batchingWindowMs?: number;
  /** Runs of each query timed after a warm-up (the median is reported). @default 3 */
  readonly queryRepeats?: number;
  /** Measure on Trino too. @default true */
  readonly trino?: boolean;
  readonly compaction?: CompactionOptions;
  /** Simulated time between two scheduled compactor runs. @default LAKE_COMPACTION_PERIOD_MS (the deployed 15 min) */
  readonly compactionPeriodMs?: number;
  /** Called after each measurement point with the run so far (so a long run that is stopped keeps what it measured). */
  readonly onPoint?: (run: LakeRun) => void;
  /** A directory for the lake, the catalog and Trino's state (kept). */
  readonly dir: string;
  readonly log: (line: string) => void;
}

/** A table's layout: its current snapshot's data files, and every object under its directory. */
export interface TableLayout {
  readonly dataFiles: number;
  readonly dataBytes: number;
  readonly records: number;
  /** Data files per day partition (the tables are day-partitioned). */
  readonly filesByDay: Readonly<Record<string, number>>;
  /** Every object under the table's location: data files (live, expired or orphaned), manifests, manifest lists, metadata files. */
  readonly objects: number;
  readonly objectBytes: number;
  /** Per hour of history. */
  readonly dataFilesPerHour: number;
  readonly dataBytesPerHour: number;
  readonly objectsPerHour: number;
  readonly objectBytesPerHour: number;
  /** Data files per day partition per hour of history that partition holds (the target: ≤ 1 after compaction). */
  readonly filesPerPartitionHour: number;
}

export interface QueryTiming {
  /** Median of the timed runs, ms (NaN when the query failed). */
  readonly ms: number;
  readonly runs: readonly number[];
  readonly rows: number;
  /** Why the query failed (its first line). */
  readonly error?: string;
}

/** One layout's query times by engine and named query. */
export type EngineTimings = Readonly<Record<'duckdb' | 'trino', Readonly<Record<string, QueryTiming>>>>;

export interface LayoutMeasurement {
  readonly tables: Readonly<Record<string, TableLayout>>;
  readonly queries: EngineTimings;
  /** Rows per table (events, quarantine) and per window view, as DuckDB counts them. */
  readonly rows: Readonly<Record<string, number>>;
}

export interface PointMeasurement {
  readonly hours: number;
  readonly events: number;
  readonly invocations: number;
  /** Before the compactor's run at this point. */
  readonly beforeCompaction: Readonly<Record<string, TableLayout>>;
  /** What the compactor's scheduled run at this point did, per table. */
  readonly compaction: Readonly<
    Record<string, { readonly filesRemoved: number; readonly filesAdded: number; readonly expiredSnapshots: number; readonly skipped: readonly string[] }>
  >;
  /** After the scheduled run (simulated clock: the day is still open). */
  readonly compacted: LayoutMeasurement;
  /** The same rows, one data file per table partition. */
  readonly oneFile: LayoutMeasurement;
  /** Whether every named query returned the same rows on both layouts (DuckDB). */
  readonly sameResults: boolean;
  /** The last point only: the clock moved past the day's close, the compactor run once more. */
  readonly closed?: {
    readonly compaction: Readonly<
      Record<string, { readonly filesRemoved: number; readonly filesAdded: number; readonly expiredSnapshots: number; readonly skipped: readonly string[] }>
    >;
    readonly layout: LayoutMeasurement;
    readonly sameResults: boolean;
  };
}

export interface LakeRun {
  readonly pipeline: string;
  readonly rate: number;
  readonly hours: number;
  readonly kafkaPartitions: number;
  readonly batchSize: number;
  readonly batchingWindowMs: number;
  readonly compactionPeriodMinutes: number;
  readonly startTime: string;
  readonly events: number;
  readonly invocations: number;
  readonly commits: number;
  /** Wall-clock seconds simulating (processing + commits + scheduled compactions), excluding measurements. */
  readonly simulationSeconds: number;
  readonly points: readonly PointMeasurement[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** FNV-1a: the record's Kafka partition from its key (the producer's role; any stable hash does). */
function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % partitions;
}

/** The events of [start, end) in event-time order, at `rate` per second (see the module comment). */
function* eventsAt(spec: PipelineSpec, rate: number, start: number, end: number): Generator<GeneratedRecord> {
  const k = rate > 1000 ? Math.ceil(rate / 1000) : 1;
  const step = Math.max(1, Math.round((1000 * k) / rate));
  const gens = Array.from({ length: k }, (_, i) => generatorFor(spec.name, { seed: 11 + i, startTime: start, stepMillis: step, malformedRatio: MALFORMED_RATIO }));
  const heads = gens.map((g) => g.next());
  for (;;) {
    let best = 0;
    for (let i = 1; i < k; i++) if (heads[i].eventTime < heads[best].eventTime) best = i;
    const r = heads[best];
    if (r.eventTime >= end) return;
    heads[best] = gens[best].next();
    yield r;
  }
}

interface Batch {
  readonly partition: number;
  readonly firstOffset: number;
  readonly records: GeneratedRecord[];
  readonly arrivals: number[];
  readonly first: number;
}

function mskEvent(spec: PipelineSpec, b: Batch): MskEvent {
  const list: MskRecord[] = b.records.map((r, i) => ({
    topic: spec.topic.name,
    partition: b.partition,
    offset: b.firstOffset + i,
    timestamp: b.arrivals[i],
    timestampType: 'CREATE_TIME',
    key: Buffer.from(r.key).toString('base64'),
    value: r.value.toString('base64'),
    headers: [],
  }));
  return { eventSource: 'aws:kafka', records: { [`${spec.topic.name}-${b.partition}`]: list } };
}

/** Every file under a directory: count and bytes. */
function walk(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return { files, bytes };
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const w = walk(p);
      files += w.files;
      bytes += w.bytes;
    } else {
      files++;
      bytes += statSync(p).size;
    }
  }
  return { files, bytes };
}

const localPath = (location: string): string => location.replace(/^file:(\/\/(localhost)?)?/, '');

/** The day partition of a data file, from its path (`…/<column>_day=YYYY-MM-DD/…`). */
function dayOfPath(path: string): string {
  const m = /_day=(\d{4}-\d{2}-\d{2})\//.exec(path);
  return m ? m[1] : 'null';
}

/** The JSON of query rows, BigInts as text: to compare results across layouts. */
const rowsText = (rows: unknown): string => JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

export async function runLakeBench(config: LakeBenchConfig): Promise<LakeRun> {
  const { spec, rate, hours, log } = config;
  const batchSize = config.batchSize ?? LAKE_BATCH_SIZE;
  const windowMs = config.batchingWindowMs ?? LAKE_BATCHING_WINDOW_MS;
  const repeats = config.queryRepeats ?? 3;
  const withTrino = config.trino ?? true;
  const partitions = spec.topic.partitions ?? 1;
  const start = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;
  const end = start + hours * HOUR_MS;
  const lakeDir = join(config.dir, 'lake');
  mkdirSync(lakeDir, { recursive: true });
  const server = await startRestCatalog({ repoRoot: REPO_ROOT, metadataDir: join(lakeDir, 'catalog'), warehouseDir: join(lakeDir, 'iceberg'), profile: 'throughput' });
  try {
    const catalog = new RestCatalogClient({ uri: server.url });
    const store = new LocalLakeStore(lakeDir);
    const root = directoryLocation(lakeDir);
    await seedReferenceData(store, [spec]);
    await ensureIcebergTables(catalog, spec, root);
    let clock = start;
    const now = () => clock;
    const files = storeTableFiles(store, root);
    const handler = createProcessorHandler({
      spec,
      store,
      lake: new IcebergLakeWriter({ catalog, files, now }),
      summaryPublisher: { publish: async () => undefined },
      now,
    });
    const compactor = new IcebergCompactor({ catalog, files, listing: storeTableFileListing(store, root), now });
    const maintain = async () => summarize(await compactor.maintain(spec, config.compaction));

    let events = 0;
    let invocations = 0;
    let commits = 0;
    let simNanos = 0n;
    const offsets = new Array<number>(partitions).fill(0);
    const open: (Batch | undefined)[] = new Array(partitions).fill(undefined);
    const invoke = async (b: Batch, closeTime: number) => {
      clock = Math.max(clock, closeTime + INVOCATION_DELAY_MS);
      const report = await handler(mskEvent(spec, b));
      invocations++;
      commits += report.commits.length;
      if (report.recordsIn !== b.records.length) throw new InternalError(`lake bench: an invocation of ${b.records.length} records reported ${report.recordsIn}`);
    };
    const closeDue = async (t: number) => {
      // batches whose window has elapsed by t, in the order they closed
      const due = open.map((b, p) => ({ b, p })).filter((x): x is { b: Batch; p: number } => x.b !== undefined && x.b.first + windowMs <= t);
      due.sort((x, y) => x.b.first - y.b.first);
      for (const { b, p } of due) {
        open[p] = undefined;
        await invoke(b, b.first + windowMs);
      }
    };
    const periodMs = config.compactionPeriodMs ?? LAKE_COMPACTION_PERIOD_MS;
    let nextCompaction = start + periodMs;
    const points: PointMeasurement[] = [];
    const stops = [...new Set(config.measureAt.filter((h) => h > 0 && h <= hours).concat([hours]))].sort((a, b) => a - b);
    let stopIndex = 0;
    let lastLog = Date.now();
    const source = eventsAt(spec, rate, start, end);
    let pending = source.next();
    let t0 = process.hrtime.bigint();

    while (stopIndex < stops.length) {
      const stopAt = start + stops[stopIndex] * HOUR_MS;
      const r = pending.done ? undefined : pending.value;
      // Kafka timestamp: the event time plus the producer's send (the generator's clock, also for the records it corrupts)
      const arrival = r ? r.eventTime + 5 : Infinity;
      if (r === undefined || arrival >= stopAt) {
        // the measurement point: the batches still open are delivered (their windows elapse), then the scheduled compactor runs
        await closeDue(Infinity);
        while (nextCompaction <= stopAt) {
          clock = Math.max(clock, nextCompaction);
          if (nextCompaction < stopAt) await maintain();
          nextCompaction += periodMs;
        }
        clock = Math.max(clock, stopAt + windowMs + INVOCATION_DELAY_MS);
        simNanos += process.hrtime.bigint() - t0;
        log(`  ${stops[stopIndex]} h of history: ${events.toLocaleString('en-US')} events, ${invocations.toLocaleString('en-US')} invocations; measuring…`);
        points.push(await measurePoint(stops[stopIndex], stopIndex === stops.length - 1));
        config.onPoint?.(runSoFar());
        stopIndex++;
        t0 = process.hrtime.bigint();
        continue;
      }
      pending = source.next();
      await closeDue(arrival);
      while (arrival >= nextCompaction) {
        clock = Math.max(clock, nextCompaction);
        await maintain();
        nextCompaction += periodMs;
      }
      const p = partitionOf(r.key, partitions);
      const b = (open[p] ??= { partition: p, firstOffset: offsets[p], records: [], arrivals: [], first: arrival });
      b.records.push(r);
      b.arrivals.push(arrival);
      offsets[p]++;
      events++;
      if (b.records.length >= batchSize) {
        open[p] = undefined;
        await invoke(b, arrival);
      }
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`  ${((arrival - start) / HOUR_MS).toFixed(2)} h simulated: ${events.toLocaleString('en-US')} events, ${invocations.toLocaleString('en-US')} invocations`);
      }
    }

    return runSoFar();

    function runSoFar(): LakeRun {
      return {
        pipeline: spec.name,
        rate,
        hours,
        kafkaPartitions: partitions,
        batchSize,
        batchingWindowMs: windowMs,
        compactionPeriodMinutes: periodMs / 60_000,
        startTime: new Date(start).toISOString(),
        events,
        invocations,
        commits,
        simulationSeconds: Number(simNanos) / 1e9,
        points: [...points],
      };
    }

    async function measurePoint(h: number, last: boolean): Promise<PointMeasurement> {
      const before = await layouts(LAKE_NAMESPACE, h);
      const compaction = await maintain();
      const refNs = `streamlake_onefile_${String(h).replace('.', '_')}h`;
      await buildOneFile(refNs, `onefile-${String(h).replace('.', '_')}h`);
      const compacted = await measureLayout(LAKE_NAMESPACE, h);
      const oneFile = await measureLayout(refNs, h);
      const point: PointMeasurement = {
        hours: h,
        events,
        invocations,
        beforeCompaction: before,
        compaction,
        compacted: compacted.layout,
        oneFile: oneFile.layout,
        sameResults: compacted.results === oneFile.results,
      };
      if (!last) return point;
      // a day later: the day partition closed (its end + lateness + the longest window + quiet)
      const lateness = (spec.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS) * 1000;
      const longestWindow = Math.max(0, ...(spec.windows ?? []).map((w) => w.sizeSeconds * 1000));
      const dayEnd = Math.floor((end - 1) / DAY_MS) * DAY_MS + DAY_MS;
      clock = Math.max(clock, dayEnd + lateness + longestWindow + (config.compaction?.quietMs ?? lateness) + 60_000);
      log(`  the day closed (clock ${new Date(clock).toISOString()}): compacting…`);
      const closedCompaction = await maintain();
      const closed = await measureLayout(LAKE_NAMESPACE, h);
      return { ...point, closed: { compaction: closedCompaction, layout: closed.layout, sameResults: closed.results === oneFile.results } };
    }

    /** Per table of the namespace: its layout (see TableLayout), from the files DuckDB reads for its current snapshot. */
    async function layouts(namespace: string, h: number, db?: LakeDb): Promise<Record<string, TableLayout>> {
      const own = db ?? (await LakeDb.open(lakeDir, [spec], { catalog, namespace }));
      try {
        const out: Record<string, TableLayout> = {};
        for (const t of icebergTables(spec)) {
          const paths = own.files.get(t.name) ?? [];
          const filesByDay: Record<string, number> = {};
          let dataBytes = 0;
          for (const p of paths) {
            filesByDay[dayOfPath(p)] = (filesByDay[dayOfPath(p)] ?? 0) + 1;
            dataBytes += statSync(localPath(p)).size;
          }
          const { metadata } = await catalog.loadTable(namespace, t.name);
          const tableDir = localPath(metadata.location);
          const all = walk(tableDir);
          const snapshot = metadata.snapshots?.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
          // hours of history per day partition: the simulated history lies in one day unless it crosses midnight
          const partitionHours = Object.keys(filesByDay).length > 0 ? h / Object.keys(filesByDay).length : h;
          out[t.name] = {
            dataFiles: paths.length,
            dataBytes,
            records: Number(snapshot?.summary?.['total-records'] ?? 0),
            filesByDay,
            objects: all.files,
            objectBytes: all.bytes,
            dataFilesPerHour: paths.length / h,
            dataBytesPerHour: dataBytes / h,
            objectsPerHour: all.files / h,
            objectBytesPerHour: all.bytes / h,
            filesPerPartitionHour: Object.keys(filesByDay).length > 0 ? Math.max(...Object.values(filesByDay)) / partitionHours : 0,
          };
        }
        return out;
      } finally {
        if (!db) await own.close();
      }
    }

    async function measureLayout(namespace: string, h: number): Promise<{ layout: LayoutMeasurement; results: string }> {
      const db = await LakeDb.open(lakeDir, [spec], { catalog, namespace });
      const duckdb: Record<string, QueryTiming> = {};
      const trino: Record<string, QueryTiming> = {};
      const rows: Record<string, number> = {};
      const results: string[] = [];
      let tables: Record<string, TableLayout>;
      try {
        tables = await layouts(namespace, h, db);
        for (const q of namedQueries(spec)) {
          const r = await time(() => db.named(q.name).then((x) => x.length));
          duckdb[q.name] = r;
          const out = await db.named(q.name);
          results.push(rowsText(out));
        }
        for (const t of icebergTables(spec).filter((d) => d.kind !== 'partials')) rows[t.name] = Number((await db.query(`SELECT count(*) AS n FROM "${t.name}"`))[0].n);
        for (const v of icebergViews(spec)) rows[v.name] = Number((await db.query(`SELECT count(*) AS n FROM "${v.name}"`))[0].n);
      } finally {
        await db.close();
      }
      if (withTrino) {
        log(`    Trino on ${namespace}…`);
        // SELECT * over a compacted day (up to ~128 MiB) once needed more than the 1G server's 297 MB per query (one row group then); 4G leaves room
        const lake = await TrinoIcebergLake.open({ lakeDir, specs: [spec], stateDir: join(config.dir, 'trino'), heap: TRINO_HEAP });
        try {
          const client: TrinoClient = namespace === LAKE_NAMESPACE ? lake.client : lake.trino.client({ catalog: TRINO_ICEBERG_CATALOG, schema: namespace });
          for (const v of icebergViews(spec)) await client.query(viewDdl(v.name, v.sql));
          for (const q of namedQueries(spec)) trino[q.name] = await time(() => client.query(q.sql).then((x) => x.rows.length));
        } finally {
          await lake.close();
        }
      }
      return { layout: { tables, queries: { duckdb, trino }, rows }, results: results.join('\n') };
    }

    /** A query that fails (e.g. out of memory) is reported as failed, not the end of hours of simulation. */
    async function time(run: () => Promise<number>): Promise<QueryTiming> {
      try {
        return await timeRuns(run);
      } catch (err) {
        const error = err instanceof Error ? err.message.split('\n')[0] : String(err);
        log(`    query failed: ${error}`);
        return { ms: Number.NaN, runs: [], rows: 0, error };
      }
    }

    async function timeRuns(run: () => Promise<number>): Promise<QueryTiming> {
      await run();
      const runs: number[] = [];
      let n = 0;
      for (let i = 0; i < repeats; i++) {
        const t = process.hrtime.bigint();
        n = await run();
        runs.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return { ms: median(runs), runs, rows: n };
    }

    /** The rows of every table's current snapshot, one data file per day partition, into `namespace` (see the module comment). */
    async function buildOneFile(namespace: string, dirName: string): Promise<void> {
      const refRoot = directoryLocation(join(lakeDir, dirName));
      await ensureIcebergTables(catalog, spec, refRoot, namespace);
      const writer = new IcebergLakeWriter({ catalog, files, namespace, now });
      const db = await LakeDb.open(lakeDir, [spec], { catalog });
      try {
        for (const def of icebergTables(spec)) {
          const { metadata } = await catalog.loadTable(LAKE_NAMESPACE, def.name);
          const { table, fieldIds } = writerSchemaOf(currentSchema(metadata));
          const byDay = new Map<string, Rows[]>();
          let bytesRead = 0;
          for (const path of db.files.get(def.name) ?? []) {
            const bytes = readFileSync(localPath(path));
            bytesRead += bytes.length;
            const list = byDay.get(dayOfPath(path)) ?? [];
            list.push(await readDataFile(bytes, table, fieldIds, path));
            byDay.set(dayOfPath(path), list);
          }
          const parts = [...byDay.entries()].map(([day, list]) => {
            const rows = sortForRewrite(
              def,
              table.columns.map((c) => c.name),
              concatRows(list, table.columns.length),
            );
            return { day: Math.round(Date.parse(`${day}T00:00:00Z`) / DAY_MS), columns: [...rows.columns], rows: rows.rows };
          });
          const total = parts.reduce((n, p) => n + p.rows, 0);
          await writer.append({
            table: def.name,
            schema: table,
            // row groups as the compactor makes them: the table property over the bytes per row of the files read
            rowGroupRows: rowGroupRowsFor(metadata.properties, [{ fileSizeInBytes: bytesRead, recordCount: total }]),
            rows: [{ topic: 'onefile', partition: 0, firstOffset: 0, parts }],
            offsets: { 'onefile-0': [[0, Math.max(0, total - 1)]] },
          });
        }
      } finally {
        await db.close();
      }
    }
  } finally {
    await server.stop();
  }
}

function summarize(reports: readonly TableMaintenance[]): Record<string, { filesRemoved: number; filesAdded: number; expiredSnapshots: number; skipped: string[] }> {
  const out: Record<string, { filesRemoved: number; filesAdded: number; expiredSnapshots: number; skipped: string[] }> = {};
  for (const r of reports)
    out[r.compaction.table] = {
      filesRemoved: r.compaction.filesRemoved,
      filesAdded: r.compaction.filesAdded,
      expiredSnapshots: r.expiry.expired.length,
      skipped: r.compaction.skipped.map((s) => `${s.partition}: ${s.reason}`),
    };
  return out;
}
