/**
 * IcebergLakeWriter alone, against Apache Iceberg's own REST catalog server run locally: what the
 * processor tests (test/lambda/handlers/processor-iceberg.test.ts) do not reach: an append with
 * offsets but no rows (an offsets-only snapshot) or with no offsets (nothing), conflicts outlasting
 * every attempt (and the backoff between them), a refusal that is not retried, two writers
 * evolving the schema at once, and a table outside the writer's lake.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readManifestList } from '../../../lambda/lake/manifest';
import { offsetsWithPyiceberg } from '../../support/pyiceberg';
import { join } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { CatalogRequestError, RestCatalogClient, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import type { BatchOutput } from '../../../lambda/core/plan-batch';
import { createTableRequest } from '../../../lambda/lake/iceberg-schema';
import { CommitRetriesExhaustedError, IcebergLakeWriter, OffsetsRaceError, type TableAppend, type TableRows } from '../../../lambda/lake/lake-writer';
import { topicPartitionKey } from '../../../lambda/lake/snapshot';
import { directoryLocation, storeTableFiles, type TableFiles } from '../../../lambda/lake/table-files';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';
import { currentDataFiles } from '../../../local/query/iceberg-files';
import { ConfigurationError, isRetriable } from '../../../model/errors';
import { eventsTableName } from '../../../model/lake-tables';
import { eventsSchema, type TableSchema } from '../../../model/tables';
import { sales } from '../../../pipelines/sales';
import { TestDuckDb } from '../../support/duckdb';
import { plannedBatch } from './support';

jest.setTimeout(60_000);

const START = Date.UTC(2026, 10, 22, 23, 30);
const EVENTS = eventsSchema(sales);
const TABLE = eventsTableName(sales);

/** The events rows of one planned batch as the processor hands them to the writer. */
function eventsAppend(output: BatchOutput, partition: number, first: number, last: number, schema: TableSchema = EVENTS): TableAppend {
  const parts = output.objects.filter((o) => o.table === TABLE).map((o) => ({ day: o.day, columns: o.columns, rows: o.rows }));
  const rows: TableRows = { topic: sales.topic.name, partition, firstOffset: first, parts };
  return { table: TABLE, schema, rows: [rows], offsets: { [topicPartitionKey(sales.topic.name, partition)]: [[first, last]] } };
}

const batch = (partition: number, first: number, count: number) =>
  plannedBatch(sales, { count, start: START, stepMillis: 3_000, firstOffset: first, partition, seed: 31 + partition + first }).output;

/** Counts commit POSTs; `answer` replaces the catalog's answer to them (the commit is then never sent). */
function commitFetch(answer?: () => Response): { fetch: typeof fetch; commits: () => number } {
  let commits = 0;
  return {
    commits: () => commits,
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (init?.method !== 'POST' || !/\/tables\/[^/?]+$/.test(url)) return fetch(input, init);
      commits++;
      return answer ? answer() : fetch(input, init);
    },
  };
}

const errorResponse = (status: number, type: string) =>
  new Response(JSON.stringify({ error: { message: `injected ${type}`, type, code: status } }), { status, headers: { 'content-type': 'application/json' } });

describe('IcebergLakeWriter against the Apache Iceberg REST catalog', () => {
  let root: string;
  let server: RunningRestCatalog;
  let catalog: RestCatalogClient;
  let namespaces = 0;

  beforeAll(async () => {
    ({ root, server, catalog } = await startTestCatalog('streamlake-lake-writer'));
  }, 120_000);
  afterAll(async () => {
    await stopTestCatalog({ root, server });
  });

  /** A namespace of its own with the sales events table (`schema`) under a lake directory of its own. */
  async function newTable(schema: TableSchema = EVENTS): Promise<{ ns: string; dir: string; files: TableFiles; load: () => Promise<TableMetadata> }> {
    const ns = `w${++namespaces}`;
    const dir = mkdtempSync(join(root, `lake-${ns}-`));
    await catalog.ensureNamespace(ns);
    await catalog.createTable(ns, createTableRequest(TABLE, schema, sales.eventTime.field, { location: `${directoryLocation(dir)}iceberg/${TABLE}` }));
    return { ns, dir, files: storeTableFiles(new LocalLakeStore(dir), directoryLocation(dir)), load: async () => (await catalog.loadTable(ns, TABLE)).metadata };
  }

  const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet') || f.endsWith('.avro'));

  it('an append with offsets but no rows commits an offsets-only snapshot (no data file, no manifest); with no offsets it commits and writes nothing', async () => {
    const t = await newTable();
    const counted = commitFetch();
    const writer = new IcebergLakeWriter({ catalog: new RestCatalogClient({ uri: server.url, fetch: counted.fetch }), files: t.files, namespace: t.ns });

    const nothing: TableAppend = { table: TABLE, schema: EVENTS, rows: [], offsets: {} };
    expect(await writer.append(nothing)).toMatchObject({ snapshotId: undefined, dataFiles: 0, records: 0, attempts: 0 });
    expect(counted.commits()).toBe(0);
    expect((await t.load()).snapshots ?? []).toEqual([]);
    expect(filesUnder(t.dir)).toEqual([]);

    const empty: TableAppend = { table: TABLE, schema: EVENTS, rows: [{ topic: 'sales', partition: 0, firstOffset: 0, parts: [] }], offsets: { 'sales-0': [[0, 9]] } };
    const outcome = await writer.append(empty);
    expect(outcome).toMatchObject({ snapshotId: expect.any(BigInt), dataFiles: 0, paths: [], records: 0, bytes: 0, attempts: 1, conflicts: 0 });
    expect(counted.commits()).toBe(1);
    const metadata = await t.load();
    expect(metadata.snapshots?.map((s) => s['snapshot-id'])).toEqual([outcome.snapshotId]);
    expect(metadata.snapshots?.[0].summary).toMatchObject({
      'added-data-files': '0',
      'added-records': '0',
      'total-records': '0',
      'streamlake.offsets': '{"sales-0":[[0,9]]}',
      'streamlake.committed': '{"sales-0":[[0,9]]}',
    });
    expect(currentDataFiles(metadata)).toEqual([]);
    // the manifest list only: no Parquet file, no manifest
    expect(filesUnder(t.dir).map((f) => f.replace(/^.*\//, ''))).toEqual([expect.stringMatching(/^snap-\d+-1-[0-9a-f-]{36}\.avro$/)]);
    expect(await writer.committed(TABLE)).toEqual({ 'sales-0': [[0, 9]] });

    // rows after it: one range, and the offsets-only snapshot's offsets are not committed again
    const next = await writer.append(eventsAppend(batch(0, 10, 40), 0, 10, 49));
    expect(next.dataFiles).toBeGreaterThan(0);
    expect(await writer.committed(TABLE)).toEqual({ 'sales-0': [[0, 49]] });
    const again = writer.append(empty);
    await expect(again).rejects.toThrow(OffsetsRaceError);
    await expect(again).rejects.toThrow('already holds sales-0 offsets 0..49');
    expect((await t.load()).snapshots).toHaveLength(2);
  });

  it('merges the carried manifests once an append would list minManifestsToMerge: every row still read once, by DuckDB over our manifests and by pyiceberg', async () => {
    const t = await newTable();
    const writer = new IcebergLakeWriter({ catalog, files: t.files, namespace: t.ns, minManifestsToMerge: 4 });
    const listed: number[] = [];
    let rows = 0;
    for (let i = 0; i < 9; i++) {
      const out = batch(0, i * 30, 30);
      rows += out.events;
      await writer.append(eventsAppend(out, 0, i * 30, i * 30 + 29));
      const metadata = await t.load();
      const current = metadata.snapshots!.find((s) => s['snapshot-id'] === metadata['current-snapshot-id'])!;
      listed.push(readManifestList(readFileSync(fileURLToPath(current['manifest-list']))).manifests.length);
    }
    // 1, 2, 3, then a merge at the 4th (new + merged = 2), 3, merge, …: never 4 or more
    expect(listed).toEqual([1, 2, 3, 2, 3, 2, 3, 2, 3]);
    const metadata = await t.load();
    const files = currentDataFiles(metadata);
    const duck = await TestDuckDb.open();
    try {
      const [r] = await duck.rows(
        `SELECT count(*) AS n, count(DISTINCT kafka_offset) AS d, min(kafka_offset) AS lo, max(kafka_offset) AS hi FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`,
      );
      expect(r).toEqual({ n: BigInt(rows), d: BigInt(rows), lo: expect.any(BigInt), hi: expect.any(BigInt) });
    } finally {
      duck.close();
    }
    const py = offsetsWithPyiceberg(server.url, t.ns, TABLE);
    expect({ rows: py.rows, distinct: py.distinct }).toEqual({ rows, distinct: rows });
    expect(await writer.committed(TABLE)).toEqual({ 'sales-0': [[0, 269]] });
  });

  it('conflicts outlasting commitAttempts: CommitRetriesExhaustedError (retriable) after exactly that many commits, the backoff doubling up to its cap; the table is unchanged', async () => {
    const t = await newTable();
    const conflicting = commitFetch(() => errorResponse(409, 'CommitFailedException'));
    const sleeps: number[] = [];
    const writer = new IcebergLakeWriter({
      catalog: new RestCatalogClient({ uri: server.url, fetch: conflicting.fetch }),
      files: t.files,
      namespace: t.ns,
      commitAttempts: 5,
      backoffMs: 10,
      maxBackoffMs: 50,
      random: () => 1,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const err = await writer.append(eventsAppend(batch(0, 0, 100), 0, 0, 99)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommitRetriesExhaustedError);
    expect(isRetriable(err)).toBe(true);
    expect((err as Error).message).toMatch(/5 commits failed \(5 conflicts\)/);
    expect(conflicting.commits()).toBe(5);
    expect(sleeps).toEqual([10, 20, 40, 50]);
    expect((await t.load()).snapshots ?? []).toEqual([]);
  });

  it('a commit the catalog refuses (400) is not retried: CatalogRequestError, not retriable', async () => {
    const t = await newTable();
    const refusing = commitFetch(() => errorResponse(400, 'BadRequestException'));
    const sleeps: number[] = [];
    const writer = new IcebergLakeWriter({
      catalog: new RestCatalogClient({ uri: server.url, fetch: refusing.fetch }),
      files: t.files,
      namespace: t.ns,
      sleep: async (ms) => void sleeps.push(ms),
    });
    const err = await writer.append(eventsAppend(batch(0, 0, 50), 0, 0, 49)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CatalogRequestError);
    expect(isRetriable(err)).toBe(false);
    expect([refusing.commits(), sleeps]).toEqual([1, []]);
  });

  it('two writers evolving the schema at once (the spec gained an optional column): both commit, the column is added once, with one field id both writers’ files carry', async () => {
    const old: TableSchema = { ...EVENTS, columns: EVENTS.columns.filter((c) => c.name !== 'district') };
    const t = await newTable(old);
    const before = await t.load();
    const writers = [0, 1].map(() => new IcebergLakeWriter({ catalog: new RestCatalogClient({ uri: server.url }), files: t.files, namespace: t.ns, backoffMs: 5 }));
    // both load the old schema before either commits
    for (const w of writers) expect(await w.committed(TABLE)).toEqual({});
    const outcomes = await Promise.all(writers.map((w, p) => w.append(eventsAppend(batch(p, 0, 200), p, 0, 199))));
    expect(outcomes.map((o) => o.conflicts).sort()).toEqual([0, 1]);

    const after = await t.load();
    expect(after.schemas).toHaveLength(2);
    const district = after.schemas.at(-1)!.fields.find((f) => f.name === 'district')!;
    expect(district).toMatchObject({ id: before['last-column-id'] + 1, required: false, type: 'string' });
    expect(after['last-column-id']).toBe(district.id);
    const files = currentDataFiles(after);
    expect(files.length).toBe(outcomes.reduce((n, o) => n + o.dataFiles, 0));
    const db = await TestDuckDb.open();
    try {
      const ids = await db.rows(`SELECT DISTINCT field_id FROM parquet_schema([${files.map((f) => `'${f}'`).join(', ')}]) WHERE name = 'district'`);
      expect(ids.map((r) => Number(r.field_id))).toEqual([district.id]);
      const [counts] = await db.rows(`SELECT count(*) AS n, count(district) AS districts FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`);
      expect(Number(counts.n)).toBe(outcomes.reduce((n, o) => n + o.records, 0));
      expect(Number(counts.districts)).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('a table located outside the lake the writer was given: ConfigurationError (not retriable), nothing committed', async () => {
    const t = await newTable();
    const elsewhere = mkdtempSync(join(root, 'elsewhere-'));
    const writer = new IcebergLakeWriter({ catalog, files: storeTableFiles(new LocalLakeStore(elsewhere), directoryLocation(elsewhere)), namespace: t.ns });
    const err = await writer.append(eventsAppend(batch(0, 0, 20), 0, 0, 19)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(isRetriable(err)).toBe(false);
    expect((err as Error).message).toContain('is outside the lake this processor writes');
    expect((await t.load()).snapshots ?? []).toEqual([]);
    expect(filesUnder(elsewhere)).toEqual([]);
  });
});
