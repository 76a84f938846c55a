/**
 * The compactor (lambda/lake/compactor.ts) against Apache Iceberg's own REST catalog server run
 * locally, on tables the unchanged processor handler filled (sales: hopping windows; the traffic
 * crosses midnight, so each table has two day partitions). Every table is read back by DuckDB
 * over exactly the data files a snapshot's manifests list, by pyiceberg through the catalog, and
 * the windows are compared with an independent computation from the produced records.
 *
 * Faults: processors appending between the compactor's plan and its commit; two compactors at
 * once; a compactor process SIGKILLed between writing its files and committing; the catalog
 * server SIGKILLed and restarted during the commit (before the commit reached it, and after it was
 * applied but before its answer arrived).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { RestCatalogClient, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import type { MskEvent } from '../../../lambda/core/msk-event';
import { createProcessorHandler, type ProcessorHandler } from '../../../lambda/handlers/processor';
import type { CompactionOptions } from '../../../lambda/lake/compaction';
import { IcebergCompactor, MaintenanceError, type IcebergCompactorOptions } from '../../../lambda/lake/compactor';
import { readDataFile } from '../../../lambda/lake/data-reader';
import { LakeStoreError } from '../../../lambda/adapters/lake-store';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { IcebergLakeWriter, LakeFileMissingError } from '../../../lambda/lake/lake-writer';
import { readManifest, readManifestList } from '../../../lambda/lake/manifest';
import { COMMITTED_KEY, committedOffsetsOf, refSnapshot } from '../../../lambda/lake/snapshot';
import { directoryLocation, storeTableFileListing, storeTableFiles } from '../../../lambda/lake/table-files';
import { generatorFor, type GeneratedRecord } from '../../../lambda/traffic/generate';
import { startRestCatalog, type RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { currentDataFiles } from '../../../local/query/iceberg-files';
import { REPO_ROOT } from '../../../local/runtime';
import { eventsTableName, icebergTables, partialsTableName, quarantineTableName } from '../../../model/lake-tables';
import { sales } from '../../../pipelines/sales';
import { expectedSalesWindows } from '../../local/expected';
import { TestDuckDb } from '../../support/duckdb';
import { seedReferences } from '../../support/lake';
import { mskEvent, type TestRecord } from '../../support/msk';
import { recordingPublisher } from '../../support/publisher';
import { ensurePyiceberg } from '../../support/pyiceberg';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';

jest.setTimeout(120_000);

/** 23:40 UTC: with a 4 s step, 600 records of a partition cross midnight (two day partitions). */
const START = Date.UTC(2026, 10, 22, 23, 40);
const STEP = 4_000;
const WRITTEN_AT = Date.UTC(2026, 10, 23, 13);
const EVENTS = eventsTableName(sales);
const QUARANTINE = quarantineTableName(sales);
const PARTIALS = partialsTableName(sales, sales.windows![0]);
const TABLES = icebergTables(sales).map((t) => t.name);
/** The traffic is weeks old: every partition is closed; no quiet period (the appends were just now). */
const OPTIONS: CompactionOptions = { quietMs: 0 };

interface Produced {
  readonly record: TestRecord;
  readonly generated: GeneratedRecord;
}

function produce(partitions: readonly number[], count: number, seed: number): Produced[] {
  return partitions.flatMap((partition) =>
    generatorFor(sales.name, { seed: seed + partition, startTime: START, stepMillis: STEP, malformedRatio: 0.05 })
      .batch(count)
      .map((generated, offset) => ({
        generated,
        record: { topic: sales.topic.name, partition, offset, timestamp: START + offset * STEP + 5, key: generated.key, value: generated.value },
      })),
  );
}

function eventOf(produced: readonly Produced[], ...ranges: readonly (readonly [number, number, number])[]): MskEvent {
  return mskEvent(
    ranges.flatMap(([p, first, last]) => produced.filter((x) => x.record.partition === p && x.record.offset >= first && x.record.offset <= last).map((x) => x.record)),
  );
}

/** The table a catalog commit request is for, or undefined for any other request. */
const committedTable = (input: Parameters<typeof fetch>[0], init?: RequestInit): string | undefined => {
  const url = input instanceof Request ? input.url : String(input);
  const m = init?.method === 'POST' ? /\/v1\/namespaces\/[^/]+\/tables\/([^/?]+)$/.exec(url) : null;
  return m ? decodeURIComponent(m[1]) : undefined;
};

const json = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? String(x) : x));

describe('the compactor against the Apache Iceberg REST catalog', () => {
  let root: string;
  let server: RunningRestCatalog;
  let catalog: RestCatalogClient;
  let db: TestDuckDb;
  let lakes = 0;

  beforeAll(async () => {
    ({ root, server, catalog } = await startTestCatalog('streamlake-compactor'));
    db = await TestDuckDb.open();
  }, 120_000);
  afterAll(async () => {
    db?.close();
    await stopTestCatalog({ root, server });
  });

  interface Lake {
    readonly ns: string;
    readonly dir: string;
    readonly store: LocalLakeStore;
    /** A processor container (its own writer and catalog client). */
    processor(fetchImpl?: typeof fetch): ProcessorHandler;
    compactor(o?: Partial<IcebergCompactorOptions>): IcebergCompactor;
  }

  async function newLake(): Promise<Lake> {
    const ns = `c${++lakes}`;
    const dir = mkdtempSync(join(root, `lake-${ns}-`));
    const store = new LocalLakeStore(dir);
    await seedReferences(store, [sales]);
    await ensureIcebergTables(catalog, sales, directoryLocation(dir), ns);
    const files = storeTableFiles(store, directoryLocation(dir));
    return {
      ns,
      dir,
      store,
      processor: (fetchImpl) => {
        const writer = new IcebergLakeWriter({ catalog: new RestCatalogClient({ uri: server.url, fetch: fetchImpl }), files, namespace: ns, backoffMs: 5, maxBackoffMs: 100 });
        return createProcessorHandler({ spec: sales, store, lake: writer, summaryPublisher: recordingPublisher(), now: () => WRITTEN_AT });
      },
      compactor: (o = {}) =>
        new IcebergCompactor({
          catalog: new RestCatalogClient({ uri: server.url }),
          files,
          listing: storeTableFileListing(store, directoryLocation(dir)),
          namespace: ns,
          backoffMs: 5,
          maxBackoffMs: 100,
          ...o,
        }),
    };
  }

  /** Fills the lake: `batches` invocations per Kafka partition of `size` records each. */
  async function fill(lake: Lake, produced: readonly Produced[], partitions: readonly number[], from: number, to: number, size: number): Promise<void> {
    const handler = lake.processor();
    for (let first = from; first < to; first += size) {
      for (const p of partitions) await handler(eventOf(produced, [p, first, Math.min(first + size, to) - 1]));
    }
  }

  const metadataOf = async (lake: Lake, table: string): Promise<TableMetadata> => (await catalog.loadTable(lake.ns, table)).metadata;

  /** The table's metadata as if `main` pointed at `snapshotId` (time travel for currentDataFiles). */
  const at = (metadata: TableMetadata, snapshotId: bigint): TableMetadata => ({
    ...metadata,
    'current-snapshot-id': snapshotId,
    refs: { ...metadata.refs, main: { type: 'branch', 'snapshot-id': snapshotId } },
  });

  async function rows(metadata: TableMetadata, select: string, rest = ''): Promise<Record<string, unknown>[]> {
    const files = currentDataFiles(metadata);
    if (files.length === 0) return [];
    return db.rows(`SELECT ${select} FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ${rest}`);
  }

  /** Every row of an events or quarantine table, in Kafka order (a duplicate or a changed value shows). */
  const allRows = (metadata: TableMetadata) => rows(metadata, '*', 'ORDER BY kafka_partition, kafka_offset');

  /** The window view's merge (model/catalog.ts icebergViews) over the partials, rounded. */
  const windows = (metadata: TableMetadata) =>
    rows(
      metadata,
      `strftime(window_start, '%Y-%m-%dT%H:%M:%S.000Z') AS w, region, round(sum(sales), 6) AS sales, sum(orders) AS orders, max(max_event_time) AS watermark_input`,
      'GROUP BY 1, 2 ORDER BY 1, 2',
    );

  /** What every table reads as at `metadata`'s main: events and quarantine rows, the window results, the partial rows. */
  async function contents(lake: Lake, snapshotOf?: (table: string) => bigint): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const t of TABLES) {
      let m = await metadataOf(lake, t);
      if (snapshotOf) m = at(m, snapshotOf(t));
      out[t] = json(t === PARTIALS ? await windows(m) : await allRows(m));
    }
    return out;
  }

  const currentSummary = async (lake: Lake, table: string) => refSnapshot(await metadataOf(lake, table))!.summary;
  const filesPerDay = (files: readonly string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const f of files) {
      const day = /_day=([\d-]+)\//.exec(f)![1];
      out[day] = (out[day] ?? 0) + 1;
    }
    return out;
  };

  /** Each replace snapshot in `table`'s history reads exactly as its parent did. */
  async function replacesKeepData(lake: Lake, table: string): Promise<number> {
    const metadata = await metadataOf(lake, table);
    const replaces = (metadata.snapshots ?? []).filter((s) => s.summary.operation === 'replace');
    for (const r of replaces) {
      const read = table === PARTIALS ? windows : allRows;
      expect(json(await read(at(metadata, r['snapshot-id'])))).toBe(json(await read(at(metadata, r['parent-snapshot-id']!))));
      expect(r.summary[COMMITTED_KEY]).toBe(json(committedOffsetsOf(at(metadata, r['parent-snapshot-id']!))));
    }
    return replaces.length;
  }

  /** The windows as an independent computation from the produced records gives them. */
  function expectWindows(actual: string, produced: readonly Produced[]): void {
    const expected = expectedSalesWindows(produced.map((p) => p.generated));
    const got = JSON.parse(actual) as { w: string; region: string; sales: number; orders: string }[];
    expect(got.map((r) => `${r.w}|${r.region}`).sort()).toEqual([...expected.keys()].sort());
    for (const r of got) {
      const e = expected.get(`${r.w}|${r.region}`)!;
      expect(Number(r.orders)).toBe(e.orders);
      expect(r.sales).toBeCloseTo(e.sales, 4);
    }
  }

  const pyiceberg = (lake: Lake, tables: readonly string[]) =>
    JSON.parse(
      execFileSync(
        ensurePyiceberg(),
        [
          '-c',
          `
import json, sys
from pyiceberg.catalog import load_catalog
uri, namespace, tables = sys.argv[1], sys.argv[2], sys.argv[3:]
catalog = load_catalog('streamlake', type='rest', uri=uri)
out = {}
for name in tables:
    t = catalog.load_table((namespace, name))
    data = t.scan().to_arrow()
    s = t.current_snapshot()
    r = {'rows': data.num_rows, 'files': len(list(t.scan().plan_files())), 'operation': s.summary.operation.value,
         'committed': s.summary.additional_properties.get('streamlake.committed')}
    if 'kafka_offset' in data.column_names:
        r['distinct'] = len(set(zip(data.column('kafka_partition').to_pylist(), data.column('kafka_offset').to_pylist())))
    if 'orders' in data.column_names:
        r['orders'] = sum(data.column('orders').to_pylist())
        r['sales'] = round(sum(data.column('sales').to_pylist()), 4)
        r['windows'] = len(set(zip(data.column('window_start').to_pylist(), data.column('region').to_pylist())))
    out[name] = r
print(json.dumps(out))
`,
          server.url,
          lake.ns,
          ...tables,
        ],
        { maxBuffer: 64 << 20 },
      ).toString(),
    ) as Record<string, { rows: number; files: number; operation: string; committed: string; distinct?: number; orders?: number; sales?: number; windows?: number }>;

  it('rewrites each closed day into one sorted file per table, merges each window into one row, keeps every row and offset; pyiceberg agrees; processors still skip committed offsets after a replace and an expiry', async () => {
    const lake = await newLake();
    const produced = produce([0, 1, 2], 600, 11);
    await fill(lake, produced, [0, 1, 2], 0, 600, 50);
    const before = await contents(lake);
    const filesBefore = Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, currentDataFiles(await metadataOf(lake, t))] as const)));
    const committedBefore = (await currentSummary(lake, EVENTS))[COMMITTED_KEY];
    expect(committedBefore).toBe('{"sales-0":[[0,599]],"sales-1":[[0,599]],"sales-2":[[0,599]]}');
    for (const t of TABLES) expect(Object.values(filesPerDay(filesBefore[t])).every((n) => n > 5)).toBe(true);
    const partialRowsBefore = Number((await rows(await metadataOf(lake, PARTIALS), 'count(*) AS n'))[0].n);

    const reports = await lake.compactor().maintain(sales, OPTIONS);
    expect(reports.map((r) => r.compaction.table)).toEqual(TABLES);
    for (const r of reports) {
      expect(r.compaction).toMatchObject({ snapshotId: expect.any(BigInt), filesRemoved: filesBefore[r.compaction.table].length, conflicts: 0, groupsDropped: 0 });
      expect(r.compaction.filesAdded).toBe(2);
    }

    // the same rows, every offset once; the same windows, which an independent computation gives
    const after = await contents(lake);
    expect(after).toEqual(before);
    expectWindows(after[PARTIALS], produced);
    for (const t of TABLES) {
      const metadata = await metadataOf(lake, t);
      const files = currentDataFiles(metadata);
      expect(Object.values(filesPerDay(files))).toEqual([1, 1]);
      const s = refSnapshot(metadata)!.summary;
      expect(s).toMatchObject({ operation: 'replace', 'deleted-data-files': String(filesBefore[t].length), 'added-data-files': '2', [COMMITTED_KEY]: committedBefore });
      expect(Number(s['total-data-files'])).toBe(2);
      expect(Number(s['total-records'])).toBe(Number(s['added-records']));
      expect(await replacesKeepData(lake, t)).toBe(1);
      // each file sorted by the table's time column, newest first
      const time = t === EVENTS ? 'payment_date' : t === QUARANTINE ? 'kafka_timestamp' : 'window_start';
      for (const f of files) {
        const times = (await db.rows(`SELECT epoch_ms(${time}) AS t FROM read_parquet('${f}', file_row_number = true) ORDER BY file_row_number`)).map((r) => Number(r.t));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
    }
    // one row per (window, region): the partials merged
    const partials = await metadataOf(lake, PARTIALS);
    const [counts] = await rows(partials, 'count(*) AS n, count(DISTINCT (window_start, region)) AS d');
    expect(counts.n).toBe(counts.d);
    expect(Number(counts.n)).toBeLessThan(partialRowsBefore);

    // the manifest of the replace: new files ADDED (sequence numbers inherited), old ones DELETED with their original sequence numbers
    const list = readManifestList((await lake.store.get(refSnapshot(partials)!['manifest-list'].replace(directoryLocation(lake.dir), '')))!);
    const manifest = readManifest((await lake.store.get(list.manifests[0].manifestPath.replace(directoryLocation(lake.dir), '')))!);
    const statuses = manifest.entries.map((e) => e.status);
    expect(statuses.filter((s) => s === 1)).toHaveLength(2);
    expect(statuses.filter((s) => s === 2)).toHaveLength(filesBefore[PARTIALS].length);
    for (const e of manifest.entries) {
      if (e.status === 1) expect([e.sequenceNumber, e.fileSequenceNumber]).toEqual([undefined, undefined]);
      else expect(e.sequenceNumber).toBeLessThan(list.manifests[0].sequenceNumber);
    }

    // pyiceberg, through the catalog: the replace snapshots, the same rows
    const py = pyiceberg(lake, TABLES);
    const produced0 = produced.filter((p) => !p.generated.malformed).length;
    expect(py[EVENTS]).toMatchObject({ rows: produced0, distinct: produced0, files: 2, operation: 'replace', committed: committedBefore });
    expect(py[QUARANTINE]).toMatchObject({ rows: produced.length - produced0, distinct: produced.length - produced0, files: 2, operation: 'replace' });
    const windowsAfter = JSON.parse(after[PARTIALS]) as { orders: string; sales: number }[];
    expect(py[PARTIALS]).toMatchObject({ rows: windowsAfter.length, windows: windowsAfter.length, orders: windowsAfter.reduce((n, w) => n + Number(w.orders), 0) });
    expect(py[PARTIALS].sales).toBeCloseTo(
      windowsAfter.reduce((n, w) => n + w.sales, 0),
      2,
    );

    // a second run finds nothing to do: one file per closed day
    const idle = await lake.compactor().maintain(sales, OPTIONS);
    for (const r of idle) {
      expect(r.compaction).toMatchObject({ groups: 0, attempts: 0 });
      expect(r.compaction.snapshotId).toBeUndefined();
      expect(r.expiry.expired).toEqual([]);
      expect(r.compaction.skipped.map((x) => x.reason)).toEqual(['too-few-files', 'too-few-files']);
    }

    // expire every snapshot but the head: the committed offsets survive
    const expired = await lake.compactor().maintain(sales, { ...OPTIONS, snapshotRetentionMs: 0 });
    for (const r of expired) expect(r.expiry.expired.length).toBe(36);
    for (const t of TABLES) expect((await metadataOf(lake, t)).snapshots).toHaveLength(1);
    // a redelivered batch is skipped whole; new offsets commit after it, one range per partition
    const handler = lake.processor();
    const snapshotsBefore = await Promise.all(TABLES.map(async (t) => (await metadataOf(lake, t)).snapshots!.map((s) => String(s['snapshot-id']))));
    const again = await handler(eventOf(produced, [0, 100, 199], [1, 0, 599]));
    expect(again).toMatchObject({ recordsIn: 700, commits: [], skippedRecords: 3 * 700 });
    expect(await Promise.all(TABLES.map(async (t) => (await metadataOf(lake, t)).snapshots!.map((s) => String(s['snapshot-id']))))).toEqual(snapshotsBefore);
    expect(await contents(lake)).toEqual(after);
    const more = produce([0], 700, 11).filter((p) => p.record.offset >= 600);
    const next = await handler(eventOf(more, [0, 600, 699]));
    expect(next.skippedRecords).toBe(0);
    expect(next.events + next.quarantined).toBe(100);
    for (const t of TABLES) {
      expect(committedOffsetsOf(await metadataOf(lake, t))).toEqual({ 'sales-0': [[0, 699]], 'sales-1': [[0, 599]], 'sales-2': [[0, 599]] });
    }
    const events = await rows(await metadataOf(lake, EVENTS), 'count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS d');
    expect(events[0].n).toBe(events[0].d);
    expect(Number(events[0].n)).toBe(produced0 + next.events);
  });

  /** Every file under the lake's table directories (data and metadata), as local paths. */
  const filesOnDisk = (lake: Lake): Set<string> => {
    const out = new Set<string>();
    for (const t of TABLES) {
      const dir = join(lake.dir, 'iceberg', t);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) if (/\.(parquet|avro)$/.test(f)) out.add(join(dir, f));
    }
    return out;
  };
  const localPath = (location: string): string => location.replace(/^file:(\/\/)?/, '');

  it('processors appending between the plan and the commit: each replace conflicts, is re-planned on their snapshot with the files already written, and commits; the appended rows stay, nothing is doubled', async () => {
    const lake = await newLake();
    const produced = produce([0, 1], 700, 21);
    await fill(lake, produced, [0, 1], 0, 400, 50);
    // at each table's first commit, a processor invocation appends to every table first (the same day partitions: offsets from 400 are after midnight)
    const handler = lake.processor();
    const raced = new Set<string>();
    let next = 400;
    const racing: typeof fetch = async (input, init) => {
      const table = committedTable(input, init);
      if (table && !raced.has(table)) {
        raced.add(table);
        await handler(eventOf(produced, [0, next, next + 99], [1, next, next + 99]));
        next += 100;
      }
      return fetch(input, init);
    };
    const reports = await lake.compactor({ catalog: new RestCatalogClient({ uri: server.url, fetch: racing }) }).maintain(sales, OPTIONS);
    expect(next).toBe(700);
    for (const r of reports) {
      expect(r.compaction).toMatchObject({ snapshotId: expect.any(BigInt), groupsDropped: 0 });
      expect(r.compaction.conflicts).toBeGreaterThanOrEqual(1);
    }
    const processed = produced.filter((p) => p.record.offset < 700);
    const good = processed.filter((p) => !p.generated.malformed);
    const [events] = await rows(await metadataOf(lake, EVENTS), 'count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS d');
    const [quarantined] = await rows(await metadataOf(lake, QUARANTINE), 'count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS d');
    expect([events.n, events.d, quarantined.n, quarantined.d].map(Number)).toEqual([good.length, good.length, processed.length - good.length, processed.length - good.length]);
    const after = await contents(lake);
    expectWindows(after[PARTIALS], processed);
    for (const t of TABLES) {
      expect(await replacesKeepData(lake, t)).toBe(1);
      expect(committedOffsetsOf(await metadataOf(lake, t))).toEqual({ 'sales-0': [[0, 699]], 'sales-1': [[0, 699]] });
    }
    // the raced appends are still there, beside the rewritten file of their day
    expect(filesPerDay(currentDataFiles(await metadataOf(lake, EVENTS)))['2026-11-23']).toBeGreaterThan(1);

    // the next run rewrites them into the day's file: one row per window and region
    const again = await lake.compactor().maintain(sales, OPTIONS);
    expect(again.map((r) => r.compaction.snapshotId)).toEqual([expect.any(BigInt), expect.any(BigInt), expect.any(BigInt)]);
    expect(await contents(lake)).toEqual(after);
    for (const t of TABLES) expect(Object.values(filesPerDay(currentDataFiles(await metadataOf(lake, t))))).toEqual([1, 1]);
    const [partials] = await rows(await metadataOf(lake, PARTIALS), 'count(*) AS n, count(DISTINCT (window_start, region)) AS d');
    expect(partials.n).toBe(partials.d);
  });

  it('two compactors at once: one replace per table commits, the other drops its groups (its inputs are gone); no row lost or doubled; its files are orphans the sweep deletes', async () => {
    const lake = await newLake();
    const produced = produce([0, 1], 400, 31);
    await fill(lake, produced, [0, 1], 0, 400, 50);
    const before = await contents(lake);
    const onDisk = filesOnDisk(lake);
    // both compactors planned before either commits: each table's commits wait for the other's
    const waiting = new Map<string, (() => void)[]>();
    const barrier: typeof fetch = async (input, init) => {
      const table = committedTable(input, init);
      if (table) {
        const list = waiting.get(table) ?? [];
        waiting.set(table, list);
        if (list.length === 0) {
          await new Promise<void>((release) => {
            const timer = setTimeout(release, 10_000);
            list.push(() => (clearTimeout(timer), release()));
          });
        } else list.forEach((release) => release());
      }
      return fetch(input, init);
    };
    const compactor = () => lake.compactor({ catalog: new RestCatalogClient({ uri: server.url, fetch: barrier }) });
    const [a, b] = await Promise.all([compactor().maintain(sales, OPTIONS), compactor().maintain(sales, OPTIONS)]);
    let lostOutputs = 0;
    for (let i = 0; i < TABLES.length; i++) {
      const [won, lost] = a[i].compaction.snapshotId !== undefined ? [a[i].compaction, b[i].compaction] : [b[i].compaction, a[i].compaction];
      expect(won).toMatchObject({ snapshotId: expect.any(BigInt), groupsDropped: 0 });
      expect(lost).toMatchObject({ snapshotId: undefined, groups: 0, groupsDropped: won.groups, conflicts: 1 });
      expect(await replacesKeepData(lake, TABLES[i])).toBe(1);
      lostOutputs += won.filesAdded;
    }
    expect(await contents(lake)).toEqual(before);

    // the loser's outputs and metadata are orphans: the sweep (no margin) deletes exactly them, nothing any snapshot reaches
    const written = [...filesOnDisk(lake)].filter((f) => !onDisk.has(f));
    const reachable = new Set<string>();
    for (const t of TABLES) {
      const m = await metadataOf(lake, t);
      currentDataFiles(m).forEach((f) => reachable.add(f));
      for (const s of m.snapshots!) reachable.add(localPath(s['manifest-list']));
    }
    const compactor2 = lake.compactor();
    const swept = await Promise.all(TABLES.map((t) => compactor2.deleteOrphanFiles(sales, t, { orphanMinAgeMs: 0 })));
    const deleted = swept.flatMap((s) => s.deleted.map(localPath)).sort();
    expect(deleted.filter((f) => f.endsWith('.parquet'))).toHaveLength(lostOutputs);
    expect(deleted.every((f) => written.includes(f) && !reachable.has(f))).toBe(true);
    expect(deleted.filter((f) => /\/compacted-[0-9a-f-]+\.parquet$/.test(f) || f.endsWith('.avro'))).toEqual(deleted);
    expect([...filesOnDisk(lake)].sort()).toEqual([...onDisk, ...written].filter((f) => !deleted.includes(f)).sort());
    expect(await contents(lake)).toEqual(before);
    const py = pyiceberg(lake, [EVENTS]);
    expect(py[EVENTS]).toMatchObject({ operation: 'replace', files: 2 });
    expect(py[EVENTS].rows).toBe(py[EVENTS].distinct);
  });

  it('a compactor SIGKILLed between writing its files and committing leaves only orphans (the table reads the same); the sweep deletes exactly them and a later run compacts', async () => {
    const lake = await newLake();
    const produced = produce([0, 1], 400, 41);
    await fill(lake, produced, [0, 1], 0, 400, 100);
    const before = await contents(lake);
    const snapshotsBefore = (await metadataOf(lake, EVENTS)).snapshots!.length;
    const onDisk = filesOnDisk(lake);

    const child = spawn(join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), [join(REPO_ROOT, 'test', 'support', 'compactor-child.ts'), server.url, lake.ns, lake.dir, EVENTS], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // its own process group: tsx runs the script in a child process, and the kill must reach it
      detached: true,
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await new Promise<void>((resolveCommitting, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('committing') && resolveCommitting());
      void exited.then((code) => reject(new Error(`the compactor exited (${code}) before committing: ${stderr}`)));
    });
    process.kill(-child.pid!, 'SIGKILL');
    await exited;

    const metadata = await metadataOf(lake, EVENTS);
    expect(metadata.snapshots).toHaveLength(snapshotsBefore);
    expect(await contents(lake)).toEqual(before);
    const orphans = [...filesOnDisk(lake)].filter((f) => !onDisk.has(f)).sort();
    // its rewritten files (one per day), its manifest and manifest list
    expect(orphans.filter((f) => f.endsWith('.parquet'))).toHaveLength(2);
    expect(orphans.filter((f) => f.endsWith('.avro'))).toHaveLength(2);
    expect(orphans.some((f) => currentDataFiles(metadata).includes(f))).toBe(false);

    // a margin keeps them (they are new); none keeps nothing of them
    const compactor = lake.compactor();
    expect(await compactor.deleteOrphanFiles(sales, EVENTS, { orphanMinAgeMs: 60_000 })).toMatchObject({ deleted: [], young: 4 });
    const swept = await compactor.deleteOrphanFiles(sales, EVENTS, { orphanMinAgeMs: 0 });
    expect(swept.deleted.map(localPath).sort()).toEqual(orphans);
    expect(filesOnDisk(lake)).toEqual(onDisk);
    expect(await contents(lake)).toEqual(before);

    const later = await compactor.compact(sales, EVENTS, OPTIONS);
    expect(later).toMatchObject({ snapshotId: expect.any(BigInt), filesAdded: 2 });
    expect(await contents(lake)).toEqual(before);
  });

  it("the sweep deletes the catalog's metadata files the table no longer lists once they are an hour old (a catalog that does not delete them itself); the current one and the log's stay", async () => {
    const lake = await newLake();
    // as a catalog that ignores write.metadata.delete-after-commit, or a table created without it, with a short log
    await catalog.commitTable(lake.ns, EVENTS, {
      requirements: [],
      updates: [{ action: 'set-properties', updates: { 'write.metadata.delete-after-commit.enabled': 'false', 'write.metadata.previous-versions-max': '3' } }],
    });
    const produced = produce([0, 1], 400, 61);
    await fill(lake, produced, [0, 1], 0, 400, 50);
    const before = await contents(lake);
    const metadataDir = join(lake.dir, 'iceberg', EVENTS, 'metadata');
    const metadataFiles = () =>
      readdirSync(metadataDir)
        .filter((f) => f.endsWith('.metadata.json'))
        .sort();
    const loaded = await catalog.loadTable(lake.ns, EVENTS);
    const listed = [loaded['metadata-location']!, ...loaded.metadata['metadata-log']!.map((e) => e['metadata-file'])].map((l) => l.split('/').pop()!).sort();
    expect(listed).toHaveLength(4);
    const all = metadataFiles();
    // the create, the property commit and one per invocation (8 per table)
    expect(all.length).toBeGreaterThanOrEqual(10);

    // just written: kept
    const fresh = await lake.compactor().deleteOrphanFiles(sales, EVENTS, { orphanMinAgeMs: 0 });
    expect(fresh.metadataFilesDeleted).toEqual([]);
    expect(metadataFiles()).toEqual(all);

    // an hour later: every one but the current file and the log's
    const later = await lake.compactor({ now: () => Date.now() + 3_600_000 + 60_000 }).deleteOrphanFiles(sales, EVENTS, { orphanMinAgeMs: 0 });
    expect(later.metadataFilesDeleted.map((l) => l.split('/').pop()).sort()).toEqual(all.filter((f) => !listed.includes(f)));
    expect(metadataFiles()).toEqual(listed);
    expect(await contents(lake)).toEqual(before);
    // the table still loads, and commits on
    await fill(lake, produced, [0, 1], 0, 400, 50);
    expect(await contents(lake)).toEqual(before);
  });

  it('the catalog SIGKILLed and restarted during the commit, before it reached the catalog and after it was applied (its answer lost): each table gets exactly one replace, the rows unchanged', async () => {
    const lake = await newLake();
    const produced = produce([0, 1], 400, 51);
    await fill(lake, produced, [0, 1], 0, 400, 100);
    const before = await contents(lake);
    let restarting: Promise<void> | undefined;
    const restart = async (): Promise<void> => {
      const { metadataDir, warehouseDir, port } = server;
      await server.kill();
      restarting = startRestCatalog({ repoRoot: REPO_ROOT, metadataDir, warehouseDir, port }).then((s) => void (server = s));
    };
    const faulted = new Set<string>();
    const faults: typeof fetch = async (input, init) => {
      const table = committedTable(input, init);
      if (table === EVENTS && !faulted.has(table)) {
        faulted.add(table);
        await restart();
        return fetch(input, init); // refused: never applied
      }
      if (table === QUARANTINE && !faulted.has(table)) {
        faulted.add(table);
        await (await fetch(input, init)).text(); // applied
        await restart();
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) });
      }
      return fetch(input, init);
    };
    const reports = await lake
      .compactor({ catalog: new RestCatalogClient({ uri: server.url, fetch: faults, timeoutMs: 5_000 }), backoffMs: 100, maxBackoffMs: 1_000, commitAttempts: 40 })
      .maintain(sales, OPTIONS);
    await restarting;
    expect(faulted).toEqual(new Set([EVENTS, QUARANTINE]));
    for (const r of reports) expect(r.compaction).toMatchObject({ snapshotId: expect.any(BigInt), groupsDropped: 0 });
    expect(reports[0].compaction.attempts).toBeGreaterThan(2);
    for (const t of TABLES) {
      expect(await replacesKeepData(lake, t)).toBe(1);
      expect(refSnapshot(await metadataOf(lake, t))!['snapshot-id']).toBe(reports[TABLES.indexOf(t)].compaction.snapshotId);
    }
    expect(await contents(lake)).toEqual(before);
    const py = pyiceberg(lake, TABLES);
    for (const t of TABLES) expect(py[t]).toMatchObject({ operation: 'replace', files: 2 });
  });

  it('a table whose files cannot be read fails alone: the others are maintained, the failure is thrown afterwards (retriable) with their reports; the table is unchanged', async () => {
    const lake = await newLake();
    const produced = produce([0], 300, 61);
    await fill(lake, produced, [0], 0, 300, 50);
    const before = await contents(lake);
    const partialsBefore = (await metadataOf(lake, PARTIALS)).snapshots!.length;
    const reader: typeof readDataFile = async (bytes, table, fieldIds, path) => {
      if (path.includes(`/${PARTIALS}/`)) throw new LakeStoreError(`injected: cannot read ${path}`);
      return readDataFile(bytes, table, fieldIds, path);
    };
    const err = await lake
      .compactor({ reader })
      .maintain(sales, OPTIONS)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MaintenanceError);
    const failure = err as MaintenanceError;
    expect(failure.retriable).toBe(true);
    expect(failure.failures.map((f) => f.table)).toEqual([PARTIALS]);
    expect(failure.message).toMatch(/sales_region_10m_partials: injected: cannot read/);
    expect(failure.reports.map((r) => [r.compaction.table, typeof r.compaction.snapshotId])).toEqual([
      [EVENTS, 'bigint'],
      [QUARANTINE, 'bigint'],
    ]);
    expect((await metadataOf(lake, PARTIALS)).snapshots).toHaveLength(partialsBefore);
    expect(await contents(lake)).toEqual(before);
  });

  it('the sweep deletes nothing when a retained snapshot’s manifest list cannot be read (every file would look orphaned)', async () => {
    const lake = await newLake();
    await fill(lake, produce([0], 200, 71), [0], 0, 200, 50);
    const metadata = await metadataOf(lake, EVENTS);
    const onDisk = filesOnDisk(lake);
    unlinkSync(localPath(metadata.snapshots![1]['manifest-list']));
    const err = await lake
      .compactor()
      .deleteOrphanFiles(sales, EVENTS, { orphanMinAgeMs: 0 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LakeFileMissingError);
    expect((err as Error).message).toMatch(/the manifest list of snapshot \d+ .* cannot be read/);
    expect([...filesOnDisk(lake)].sort()).toEqual([...onDisk].filter((f) => f !== localPath(metadata.snapshots![1]['manifest-list'])).sort());
  });
});
