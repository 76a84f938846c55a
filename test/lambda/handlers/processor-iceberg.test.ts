/**
 * The processor handler committing to the pipelines' Iceberg tables (lambda/lake/lake-writer.ts)
 * through Apache Iceberg's own REST catalog server, run locally (one server for the file), with
 * the lake in temporary directories. Every table is read back as an engine would: the current
 * snapshot's data files as its manifests list them (local/query/iceberg-files.ts
 * `currentDataFiles`), read by DuckDB, and once by pyiceberg through the catalog.
 *
 * Faults are injected in the catalog client's `fetch` (a commit refused before it is sent, a
 * commit applied whose answer is lost as a 500, a 500 for a commit never sent, a delay that makes
 * two writers overlap), in the lake files (a manifest list deleted) and in the summary publisher.
 * Each test has its own namespace and lake directory; a "container" is a handler with its own
 * catalog client and writer (an empty cache).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { CatalogUnavailableError, RestCatalogClient, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import type { SummaryPublisher } from '../../../lambda/adapters/summary-publisher';
import type { MskEvent } from '../../../lambda/core/msk-event';
import type { SummaryMessage } from '../../../lambda/core/summary';
import { createProcessorHandler, type BatchReport, type ProcessorHandler } from '../../../lambda/handlers/processor';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { IcebergLakeWriter, LakeFileMissingError, OffsetsRaceError } from '../../../lambda/lake/lake-writer';
import { COMMITTED_KEY, committedOffsetsOf, OFFSETS_KEY, refSnapshot } from '../../../lambda/lake/snapshot';
import { directoryLocation, storeTableFiles } from '../../../lambda/lake/table-files';
import { generatorFor, type GeneratedRecord } from '../../../lambda/traffic/generate';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';
import { currentDataFiles } from '../../../local/query/iceberg-files';
import { isRetriable } from '../../../model/errors';
import { eventsTableName, icebergTables, partialsTableName, quarantineTableName } from '../../../model/lake-tables';
import type { PipelineSpec } from '../../../model/spec';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { expectedSalesWindows } from '../../local/expected';
import { TestDuckDb } from '../../support/duckdb';
import { seedReferences } from '../../support/lake';
import { mskEvent, type TestRecord } from '../../support/msk';
import { recordingPublisher, type RecordingPublisher } from '../../support/publisher';
import { ensurePyiceberg } from '../../support/pyiceberg';

jest.setTimeout(60_000);

/** 23:40 UTC: with a 4 s step, 600 records of a partition cross midnight (two day partitions). */
const START = Date.UTC(2026, 10, 22, 23, 40);
const STEP = 4_000;
const WRITTEN_AT = Date.UTC(2026, 10, 23, 13);

interface Produced {
  readonly record: TestRecord;
  readonly generated: GeneratedRecord;
}

/** `count` generated records (5% malformed) per partition, offsets from 0. */
function produce(spec: PipelineSpec, partitions: readonly number[], count: number, seed: number): Produced[] {
  return partitions.flatMap((partition) =>
    generatorFor(spec.name, { seed: seed + partition, startTime: START, stepMillis: STEP, malformedRatio: 0.05 })
      .batch(count)
      .map((generated, offset) => ({
        generated,
        record: { topic: spec.topic.name, partition, offset, timestamp: START + offset * STEP + 5, key: generated.key, value: generated.value },
      })),
  );
}

/** The MSK event of the produced records in `ranges`: [partition, first, last], inclusive. */
function eventOf(produced: readonly Produced[], ...ranges: readonly (readonly [number, number, number])[]): MskEvent {
  return mskEvent(
    ranges.flatMap(([p, first, last]) => produced.filter((x) => x.record.partition === p && x.record.offset >= first && x.record.offset <= last).map((x) => x.record)),
  );
}

const coordinatesOf = (produced: readonly Produced[]): string[] => produced.map((x) => `${x.record.partition}/${x.record.offset}`).sort();

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Fault =
  /** The commit is never sent (connection refused): CatalogUnavailableError. */
  | 'refused'
  /** The commit is applied, but its answer is a 500: CommitStateUnknownError. */
  | 'applied-then-500'
  /** A 500 for a commit that never reached the catalog: CommitStateUnknownError. */
  | 'unsent-500';

/** A `fetch` for the catalog client that injects faults into table commits (`POST …/namespaces/<ns>/tables/<table>`). */
class CatalogFaults {
  private readonly pending: { table: string; fault: Fault }[] = [];
  /** Commits wait up to this long before they are sent (two writers then overlap). */
  commitDelayMs = 0;

  /** The next commit of `table` meets `fault`. */
  fail(table: string, fault: Fault): void {
    this.pending.push({ table, fault });
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const commit = init?.method === 'POST' ? /\/v1\/namespaces\/[^/]+\/tables\/([^/?]+)$/.exec(url) : null;
    if (!commit) return fetch(input, init);
    if (this.commitDelayMs > 0) await sleep(Math.random() * this.commitDelayMs);
    const i = this.pending.findIndex((p) => p.table === decodeURIComponent(commit[1]));
    if (i < 0) return fetch(input, init);
    const [{ fault }] = this.pending.splice(i, 1);
    const lost = (): Response =>
      new Response(JSON.stringify({ error: { message: 'injected: the answer was lost', type: 'ServerError', code: 500 } }), {
        status: 500,
        headers: { 'content-type': 'application/json' },
      });
    switch (fault) {
      case 'refused':
        throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
      case 'applied-then-500':
        await (await fetch(input, init)).text();
        return lost();
      case 'unsent-500':
        return lost();
    }
  };
}

describe('processor handler → Iceberg tables through the Apache Iceberg REST catalog', () => {
  let root: string;
  let server: RunningRestCatalog;
  let catalog: RestCatalogClient;
  let db: TestDuckDb;
  let lakes = 0;

  beforeAll(async () => {
    ({ root, server, catalog } = await startTestCatalog('streamlake-processor-iceberg'));
    db = await TestDuckDb.open();
  }, 120_000);
  afterAll(async () => {
    db?.close();
    await stopTestCatalog({ root, server });
  });

  interface Container {
    readonly handler: ProcessorHandler;
    readonly writer: IcebergLakeWriter;
    readonly faults: CatalogFaults;
  }

  interface Lake {
    readonly ns: string;
    readonly dir: string;
    readonly spec: PipelineSpec;
    readonly tables: readonly string[];
    /** A fresh container: its own catalog client (through its own faults) and writer, nothing cached. */
    container(publisher?: SummaryPublisher): Container;
  }

  /** A lake directory (reference data seeded) and the pipeline's tables created in a namespace of their own. */
  async function newLake(spec: PipelineSpec): Promise<Lake> {
    const ns = `t${++lakes}`;
    const dir = mkdtempSync(join(root, `lake-${ns}-`));
    const store = new LocalLakeStore(dir);
    await seedReferences(store, [spec]);
    await ensureIcebergTables(catalog, spec, directoryLocation(dir), ns);
    const files = storeTableFiles(store, directoryLocation(dir));
    return {
      ns,
      dir,
      spec,
      tables: icebergTables(spec).map((t) => t.name),
      container: (publisher = recordingPublisher()) => {
        const faults = new CatalogFaults();
        const writer = new IcebergLakeWriter({ catalog: new RestCatalogClient({ uri: server.url, fetch: faults.fetch }), files, namespace: ns, backoffMs: 5, maxBackoffMs: 100 });
        return { faults, writer, handler: createProcessorHandler({ spec, store, lake: writer, summaryPublisher: publisher, now: () => WRITTEN_AT }) };
      },
    };
  }

  const metadataOf = async (lake: Lake, table: string): Promise<TableMetadata> => (await catalog.loadTable(lake.ns, table)).metadata;
  const snapshotIds = async (lake: Lake, table: string): Promise<string[]> => ((await metadataOf(lake, table)).snapshots ?? []).map((s) => String(s['snapshot-id']));

  /** DuckDB over exactly the current snapshot's data files. */
  async function read(lake: Lake, table: string, select: string, rest = ''): Promise<Record<string, unknown>[]> {
    const files = currentDataFiles(await metadataOf(lake, table));
    if (files.length === 0) return [];
    return db.rows(`SELECT ${select} FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}]) ${rest}`);
  }

  /** `<partition>/<offset>` of every row of the events and quarantine tables, sorted (a duplicate shows). */
  async function heldCoordinates(lake: Lake): Promise<string[]> {
    const rows = [
      ...(await read(lake, eventsTableName(lake.spec), 'kafka_partition, kafka_offset')),
      ...(await read(lake, quarantineTableName(lake.spec), 'kafka_partition, kafka_offset')),
    ];
    return rows.map((r) => `${r.kafka_partition}/${r.kafka_offset}`).sort();
  }

  /** Every Parquet file under the table's data directory, as a local path. */
  const filesOnDisk = (lake: Lake, table: string): string[] => {
    const data = join(lake.dir, 'iceberg', table, 'data');
    if (!existsSync(data)) return [];
    return readdirSync(data, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.parquet'))
      .map((f) => join(data, f))
      .sort();
  };

  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (err) {
      return err as Error;
    }
    throw new Error('the invocation succeeded');
  };

  const commitOf = (report: BatchReport, table: string) => report.commits?.find((c) => c.table === table);

  it('creates the tables at <root>iceberg/<table>; events + quarantine hold every produced offset exactly once over several invocations of two partitions (DuckDB and pyiceberg)', async () => {
    const lake = await newLake(clickstream);
    expect(lake.tables).toEqual(['clickstream_events', 'clickstream_quarantine', 'clickstream_page_views_1m_partials']);
    for (const t of lake.tables) expect((await metadataOf(lake, t)).location.replace(/^file:\/+/, '/')).toBe(join(lake.dir, 'iceberg', t));
    expect(await ensureIcebergTables(catalog, clickstream, directoryLocation(lake.dir), lake.ns)).toEqual([]);

    const produced = produce(clickstream, [0, 1], 600, 1);
    const { handler } = lake.container();
    const reports: BatchReport[] = [];
    reports.push(await handler(eventOf(produced, [0, 0, 249], [1, 0, 99])));
    reports.push(await handler(eventOf(produced, [0, 250, 599])));
    reports.push(await handler(eventOf(produced, [1, 100, 399])));
    reports.push(await handler(eventOf(produced, [1, 400, 599])));
    expect(reports.reduce((n, r) => n + r.recordsIn, 0)).toBe(1200);
    expect(reports.reduce((n, r) => n + r.events + r.quarantined, 0)).toBe(1200);
    expect(reports.every((r) => r.skippedRecords === 0 && r.commits?.length === 3)).toBe(true);

    const expected = coordinatesOf(produced);
    expect(await heldCoordinates(lake)).toEqual(expected);
    const quarantined = await read(lake, quarantineTableName(clickstream), 'count(*) AS n');
    expect(Number(quarantined[0].n)).toBe(produced.filter((x) => x.generated.malformed).length);
    for (const t of lake.tables) {
      const metadata = await metadataOf(lake, t);
      expect(metadata.snapshots).toHaveLength(4);
      expect(committedOffsetsOf(metadata)).toEqual({ 'clickstream-0': [[0, 599]], 'clickstream-1': [[0, 599]] });
    }
    // the events files of one day partition each: the traffic crosses midnight
    expect(new Set(currentDataFiles(await metadataOf(lake, eventsTableName(clickstream))).map((f) => /recordtime_day=([\d-]+)/.exec(f)?.[1])).size).toBe(2);

    // pyiceberg, through the catalog: the same rows, each offset once
    const script = `
import json, sys
from pyiceberg.catalog import load_catalog
uri, namespace, tables = sys.argv[1], sys.argv[2], sys.argv[3:]
catalog = load_catalog('streamlake', type='rest', uri=uri)
out = []
for name in tables:
    data = catalog.load_table((namespace, name)).scan(selected_fields=('kafka_partition', 'kafka_offset')).to_arrow()
    out += [f'{p}/{o}' for p, o in zip(data.column('kafka_partition').to_pylist(), data.column('kafka_offset').to_pylist())]
print(json.dumps(out))
`;
    const seen = JSON.parse(
      execFileSync(ensurePyiceberg(), ['-c', script, server.url, lake.ns, eventsTableName(clickstream), quarantineTableName(clickstream)], { maxBuffer: 64 << 20 }).toString(),
    ) as string[];
    expect(seen.sort()).toEqual(expected);
  });

  it('a retried batch adds nothing, and a retry with other boundaries (0–499 committed, 0–699 delivered) adds only the new offsets', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0], 700, 2);
    const { handler } = lake.container();
    const first = await handler(eventOf(produced, [0, 0, 499]));
    expect(first.commits).toHaveLength(3);
    const before = await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)));

    const again = await handler(eventOf(produced, [0, 0, 499]));
    expect(again).toMatchObject({ recordsIn: 500, commits: [], objects: [], bytesWritten: 0, skippedRecords: 3 * 500 });
    expect(await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).toEqual(before);

    const wider = await handler(eventOf(produced, [0, 0, 699]));
    expect(wider.skippedRecords).toBe(3 * 500);
    expect(wider.commits?.map((c) => c.table)).toEqual(lake.tables);
    for (const t of lake.tables) {
      const metadata = await metadataOf(lake, t);
      expect(metadata.snapshots).toHaveLength(2);
      expect(refSnapshot(metadata)?.summary[OFFSETS_KEY]).toBe('{"clickstream-0":[[500,699]]}');
    }
    expect(commitOf(wider, eventsTableName(clickstream))?.records).toBe(produced.filter((x) => x.record.offset >= 500 && !x.generated.malformed).length);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('a crash between the data files and the commit fails the invocation (retriable); the retry commits once; the orphan files stay out of the snapshot', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0, 1], 300, 3);
    const { handler, faults } = lake.container();
    for (const t of lake.tables) faults.fail(t, 'refused');
    const err = await failure(handler(eventOf(produced, [0, 0, 299], [1, 0, 299])));
    expect(err).toBeInstanceOf(CatalogUnavailableError);
    expect(isRetriable(err)).toBe(true);
    const orphans = new Map(lake.tables.map((t) => [t, filesOnDisk(lake, t)]));
    for (const t of lake.tables) {
      expect(orphans.get(t)!.length).toBeGreaterThan(0);
      expect((await metadataOf(lake, t)).snapshots ?? []).toEqual([]);
    }

    const retry = await handler(eventOf(produced, [0, 0, 299], [1, 0, 299]));
    expect(retry.commits?.map((c) => [c.table, c.attempts])).toEqual(lake.tables.map((t) => [t, 1]));
    for (const t of lake.tables) {
      const current = currentDataFiles(await metadataOf(lake, t));
      expect((await metadataOf(lake, t)).snapshots).toHaveLength(1);
      expect(current.length).toBeGreaterThan(0);
      expect(current.filter((f) => orphans.get(t)!.includes(f))).toEqual([]);
      // the orphans are still there: only the manifests say what the table holds
      expect(orphans.get(t)!.every((f) => existsSync(f))).toBe(true);
      expect(filesOnDisk(lake, t)).toEqual([...orphans.get(t)!, ...current].sort());
    }
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('a commit applied whose answer is lost (500) is recognised by its snapshot id; a 500 for a commit never applied is committed again: each once', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0], 300, 4);
    const { handler, faults } = lake.container();
    faults.fail(eventsTableName(clickstream), 'applied-then-500');
    faults.fail(quarantineTableName(clickstream), 'unsent-500');
    const report = await handler(eventOf(produced, [0, 0, 299]));
    const events = commitOf(report, eventsTableName(clickstream))!;
    const quarantine = commitOf(report, quarantineTableName(clickstream))!;
    expect([events.attempts, quarantine.attempts, commitOf(report, partialsTableName(clickstream, clickstream.windows![0]))?.attempts]).toEqual([1, 2, 1]);
    for (const [table, commit] of [
      [eventsTableName(clickstream), events],
      [quarantineTableName(clickstream), quarantine],
    ] as const) {
      const metadata = await metadataOf(lake, table);
      expect(metadata.snapshots?.map((s) => s['snapshot-id'])).toEqual([commit.snapshotId]);
    }
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
    // the container carries on from what it recognised
    const next = produce(clickstream, [0], 400, 4);
    await handler(eventOf(next, [0, 300, 399]));
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(next));
  });

  it('sales: a summary publisher failing after the commits fails the invocation; the retry adds nothing to the tables and publishes again', async () => {
    const lake = await newLake(sales);
    const produced = produce(sales, [0, 1], 200, 5);
    const sent: { topic: string; messages: readonly SummaryMessage[] }[] = [];
    let down = true;
    const publisher: SummaryPublisher = {
      publish: async (topic, messages) => {
        if (down) throw new Error('injected: broker unavailable');
        sent.push({ topic, messages });
      },
    };
    const { handler } = lake.container(publisher);
    const event = eventOf(produced, [0, 0, 199], [1, 0, 199]);
    await expect(handler(event)).rejects.toThrow('broker unavailable');
    const committed = await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)));
    expect(committed.map((s) => s.length)).toEqual([1, 1, 1]);

    down = false;
    const retry = await handler(event);
    expect(retry).toMatchObject({ recordsIn: 400, commits: [], skippedRecords: 3 * 400 });
    expect(await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).toEqual(committed);
    expect(retry.summaryMessages).toBeGreaterThan(0);
    // one publish per partition's batch, every window update of the batch again
    expect(sent.map((s) => s.topic)).toEqual(['sales.summary', 'sales.summary']);
    expect(sent.reduce((n, s) => n + s.messages.length, 0)).toBe(retry.summaryMessages);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('sales: when only the partials commit fails, the retry commits the partials only, and the windows (sum of partials) equal an independent computation', async () => {
    const lake = await newLake(sales);
    const partials = partialsTableName(sales, sales.windows![0]);
    const produced = produce(sales, [0, 1, 2], 400, 6);
    const publisher: RecordingPublisher = recordingPublisher();
    const { handler, faults } = lake.container(publisher);
    faults.fail(partials, 'refused');
    const event = eventOf(produced, [0, 0, 199], [1, 0, 199]);
    const err = await failure(handler(event));
    expect(isRetriable(err)).toBe(true);
    expect((await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).map((s) => s.length)).toEqual([1, 1, 0]);

    const retry = await handler(event);
    expect(retry.commits?.map((c) => c.table)).toEqual([partials]);
    expect(retry.skippedRecords).toBe(2 * 400);
    const later = [await handler(eventOf(produced, [0, 200, 399], [2, 0, 149])), await handler(eventOf(produced, [1, 200, 399], [2, 150, 399]))];
    // the window updates of every successful invocation went to the summary topic
    expect(publisher.sent.reduce((n, s) => n + s.messages.length, 0)).toBe([retry, ...later].reduce((n, r) => n + r.summaryMessages, 0));
    expect((await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).map((s) => s.length)).toEqual([3, 3, 3]);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));

    const windows = await read(lake, partials, 'epoch_ms(window_start) AS start, region, sum(sales) AS sales, sum(orders) AS orders', 'GROUP BY ALL');
    const expected = expectedSalesWindows(produced.map((x) => x.generated));
    expect(new Map(windows.map((w) => [`${new Date(Number(w.start)).toISOString()}|${w.region}`, Number(w.orders)]))).toEqual(
      new Map([...expected].map(([k, v]) => [k, v.orders])),
    );
    for (const w of windows) expect(w.sales).toBeCloseTo(expected.get(`${new Date(Number(w.start)).toISOString()}|${w.region}`)!.sales, 6);
  });

  it('two containers on different partitions commit concurrently to the same tables: conflicts are re-planned, every commit succeeds, every offset once', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0, 1], 480, 7);
    const containers = [lake.container(), lake.container()];
    for (const c of containers) c.faults.commitDelayMs = 40;
    const reports = await Promise.all(
      containers.map(async (c, partition) => {
        const out: BatchReport[] = [];
        for (let first = 0; first < 480; first += 60) out.push(await c.handler(eventOf(produced, [partition, first, first + 59])));
        return out;
      }),
    );
    const commits = reports.flat().flatMap((r) => r.commits ?? []);
    // every invocation commits to every table, one with no rows for it too (an offsets-only snapshot)
    expect(commits).toHaveLength(2 * 8 * 3);
    expect(commits.reduce((n, c) => n + c.conflicts, 0)).toBeGreaterThan(0);
    // each conflict cost one more commit, nothing else did
    expect(commits.every((c) => c.attempts === c.conflicts + 1)).toBe(true);
    for (const t of lake.tables) {
      const metadata = await metadataOf(lake, t);
      expect(metadata.snapshots).toHaveLength(commits.filter((c) => c.table === t).length);
      expect(committedOffsetsOf(metadata)).toEqual({ 'clickstream-0': [[0, 479]], 'clickstream-1': [[0, 479]] });
    }
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('a deleted manifest list of the current snapshot fails the invocation with LakeFileMissingError (retriable), never read as an empty table; nothing is committed until it is back', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0], 400, 8);
    await lake.container().handler(eventOf(produced, [0, 0, 199]));
    const lists = new Map<string, { path: string; bytes: Buffer }>();
    for (const t of lake.tables) {
      const path = fileURLToPath(refSnapshot(await metadataOf(lake, t))!['manifest-list']);
      lists.set(t, { path, bytes: readFileSync(path) });
      unlinkSync(path);
    }
    const before = await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)));

    const { handler } = lake.container(); // a fresh container: nothing cached
    const err = await failure(handler(eventOf(produced, [0, 200, 399])));
    expect(err).toBeInstanceOf(LakeFileMissingError);
    expect(isRetriable(err)).toBe(true);
    expect(await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).toEqual(before);

    for (const { path, bytes } of lists.values()) writeFileSync(path, bytes);
    const retry = await handler(eventOf(produced, [0, 200, 399]));
    expect(retry.commits).toHaveLength(3);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('committed offsets come from the table: a new container skips the records an earlier one committed', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0, 1], 600, 9);
    const earlier = await lake.container().handler(eventOf(produced, [0, 0, 399], [1, 0, 199]));
    expect(earlier.commits).toHaveLength(3);

    const report = await lake.container().handler(eventOf(produced, [0, 0, 599], [1, 0, 399]));
    expect(report.skippedRecords).toBe(3 * 600);
    for (const t of lake.tables) expect(refSnapshot(await metadataOf(lake, t))?.summary[OFFSETS_KEY]).toBe('{"clickstream-0":[[400,599]],"clickstream-1":[[200,399]]}');
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced.filter((x) => x.record.partition === 0 || x.record.offset <= 399)));
  });

  it('a parked batch replayed after later offsets committed is committed, once', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0, 1], 600, 11);
    const { handler } = lake.container();
    await handler(eventOf(produced, [0, 0, 199], [1, 0, 199]));
    // 200–399 exhausted its retries and was parked in the on-failure destination; the partitions carried on
    await handler(eventOf(produced, [0, 400, 599], [1, 400, 599]));
    for (const t of lake.tables) {
      expect(committedOffsetsOf(await metadataOf(lake, t))).toEqual({
        'clickstream-0': [
          [0, 199],
          [400, 599],
        ],
        'clickstream-1': [
          [0, 199],
          [400, 599],
        ],
      });
    }
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced.filter((x) => x.record.offset < 200 || x.record.offset >= 400)));

    // the replay: partition 0's parked batch as it was, partition 1's with wider boundaries (150–449)
    const replay = await handler(eventOf(produced, [0, 200, 399], [1, 150, 449]));
    expect(replay.skippedRecords).toBe(3 * 100);
    expect(replay.commits?.map((c) => c.table)).toEqual(lake.tables);
    for (const t of lake.tables) {
      const metadata = await metadataOf(lake, t);
      expect(metadata.snapshots).toHaveLength(3);
      expect(refSnapshot(metadata)?.summary[OFFSETS_KEY]).toBe('{"clickstream-0":[[200,399]],"clickstream-1":[[200,399]]}');
      expect(refSnapshot(metadata)?.summary[COMMITTED_KEY]).toBe('{"clickstream-0":[[0,599]],"clickstream-1":[[0,599]]}');
    }
    expect(commitOf(replay, eventsTableName(clickstream))?.records).toBe(produced.filter((x) => x.record.offset >= 200 && x.record.offset < 400 && !x.generated.malformed).length);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));

    // delivered again: every table holds it, nothing is added
    const before = await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)));
    const again = await handler(eventOf(produced, [0, 200, 399]));
    expect(again).toMatchObject({ recordsIn: 200, commits: [], objects: [], skippedRecords: 3 * 200 });
    expect(await Promise.all(lake.tables.map((t) => snapshotIds(lake, t)))).toEqual(before);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('an invocation whose records all went to events commits an offsets-only snapshot to the quarantine table: its committed ranges stay one range', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0], 400, 12);
    const quarantine = quarantineTableName(clickstream);
    // the first run of 20 well-formed records after offset 0
    const clean = produced.findIndex((_, i) => i > 0 && produced.slice(i, i + 20).length === 20 && produced.slice(i, i + 20).every((x) => !x.generated.malformed));
    expect(clean).toBeGreaterThan(0);
    const { handler } = lake.container();
    await handler(eventOf(produced, [0, 0, clean - 1]));
    const report = await handler(eventOf(produced, [0, clean, clean + 19]));
    expect(report).toMatchObject({ recordsIn: 20, events: 20, quarantined: 0 });
    const offsetsOnly = commitOf(report, quarantine)!;
    expect(offsetsOnly).toMatchObject({ dataFiles: 0, records: 0, bytes: 0, paths: [], attempts: 1 });
    expect(typeof offsetsOnly.snapshotId).toBe('bigint');
    const snapshot = refSnapshot(await metadataOf(lake, quarantine))!;
    expect(snapshot['snapshot-id']).toBe(offsetsOnly.snapshotId);
    expect(snapshot.summary).toMatchObject({ 'added-data-files': '0', 'added-records': '0', [OFFSETS_KEY]: `{"clickstream-0":[[${clean},${clean + 19}]]}` });
    await handler(eventOf(produced, [0, clean + 20, 399]));

    for (const t of lake.tables) {
      const metadata = await metadataOf(lake, t);
      expect(metadata.snapshots).toHaveLength(3);
      expect(committedOffsetsOf(metadata)).toEqual({ 'clickstream-0': [[0, 399]] });
    }
    // the quarantine table's files are the other two snapshots' only
    const rows = await read(lake, quarantine, 'kafka_offset');
    expect(rows.length).toBe(produced.filter((x) => x.generated.malformed).length);
    expect(rows.every((r) => Number(r.kafka_offset) < clean || Number(r.kafka_offset) >= clean + 20)).toBe(true);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });

  it('a rebalance: a container whose cached table is stale while another committed its partition meanwhile fails with OffsetsRaceError; its retry skips those offsets', async () => {
    const lake = await newLake(clickstream);
    const produced = produce(clickstream, [0], 300, 10);
    const a = lake.container();
    await a.handler(eventOf(produced, [0, 0, 99]));
    await lake.container().handler(eventOf(produced, [0, 100, 199]));

    const event = eventOf(produced, [0, 100, 299]);
    const err = await failure(a.handler(event));
    expect(err).toBeInstanceOf(OffsetsRaceError);
    expect(isRetriable(err)).toBe(true);
    const retry = await a.handler(event);
    expect(retry.skippedRecords).toBe(3 * 100);
    expect(await heldCoordinates(lake)).toEqual(coordinatesOf(produced));
  });
});
