/**
 * The compactor's pure decisions: which partitions and files are rewritten (lambda/lake/compaction.ts),
 * how partial rows merge (compaction-rows.ts), the replace snapshot's manifests and summary
 * (replace.ts), snapshot expiry and orphan selection (maintenance.ts), and the Parquet read side
 * (data-reader.ts) on files of our own writer. The real catalog, DuckDB and pyiceberg are in
 * compactor.test.ts.
 */
import type { Schema, Snapshot, TableMetadata } from '../../../lambda/adapters/rest-catalog';
import { encodeParquetFile } from '../../../lambda/core/parquet';
import { planAppend } from '../../../lambda/lake/append';
import {
  binPack,
  COMPACTION_DEFAULTS,
  ICEBERG_DEFAULT_ROW_GROUP_SIZE_BYTES,
  planRewrites,
  ROW_GROUP_SIZE_PROPERTY,
  rowGroupRowsFor,
  tablePolicy,
  writerSchemaOf,
  type LiveDataFile,
} from '../../../lambda/lake/compaction';
import { compareValues, mergePartials, partialsRoles, sortForRewrite, sortRows, splitRows } from '../../../lambda/lake/compaction-rows';
import type { DataFile } from '../../../lambda/lake/data-file';
import { readDataFile } from '../../../lambda/lake/data-reader';
import { LakeMetadataError } from '../../../lambda/lake/errors';
import { createTableRequest } from '../../../lambda/lake/iceberg-schema';
import { ADDED, DELETED, EXISTING, readManifest, readManifestList } from '../../../lambda/lake/manifest';
import { isSweepable, orphanFiles, planExpiry, STALE_METADATA_MIN_AGE_MS, staleMetadataFiles } from '../../../lambda/lake/maintenance';
import { liveDataFiles, planReplace, type SnapshotManifests } from '../../../lambda/lake/replace';
import { COMMITTED_KEY } from '../../../lambda/lake/snapshot';
import { ConfigurationError } from '../../../model/errors';
import { icebergTables } from '../../../model/lake-tables';
import { partialsSchema, type TableSchema } from '../../../model/tables';
import { sales } from '../../../pipelines/sales';
import { newTableMetadata } from '../../support/iceberg-table';

const DAY = 86_400_000;
const D = 20_000; // 2024-10-04 as days since 1970
const [EVENTS_DEF, , PARTIALS_DEF] = icebergTables(sales);
const MIB = 1024 * 1024;

function file(name: string, size: number, day = D, records = 10): DataFile {
  return { content: 0, filePath: `file:/lake/t/data/d=${day}/${name}.parquet`, fileFormat: 'PARQUET', partition: [day], recordCount: records, fileSizeInBytes: size };
}
const live = (f: DataFile, snapshotId = 1n, specId = 0): LiveDataFile => ({ dataFile: f, snapshotId, sequenceNumber: 1, fileSequenceNumber: 1, manifestPath: 'm.avro', specId });
const snapshot = (id: bigint, ms: number, operation: Snapshot['summary']['operation'] = 'append', parent?: bigint, extra: Record<string, string> = {}): Snapshot => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'timestamp-ms': ms,
  'manifest-list': `file:/lake/t/metadata/snap-${id}.avro`,
  summary: { operation, ...extra },
});

const SPEC = { 'spec-id': 0, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'payment_date_day', transform: 'day' }] };
const SCHEMA: Schema = { type: 'struct', 'schema-id': 0, fields: [{ id: 4, name: 'payment_date', type: 'timestamptz', required: true }] };

describe('tablePolicy', () => {
  it('defaults: 128 MiB target, 75% minimum, the spec’s lateness (plus the window size for partials) and as quiet period', () => {
    const events = tablePolicy(sales, EVENTS_DEF);
    expect(events).toMatchObject({ targetFileSizeBytes: 128 * MIB, minFileSizeBytes: 96 * MIB, minInputFiles: 2, closeAfterMs: 600_000, quietMs: 600_000 });
    expect(events).toMatchObject({ snapshotRetentionMs: COMPACTION_DEFAULTS.snapshotRetentionMs, minSnapshotsToKeep: 1, orphanMinAgeMs: 3 * DAY });
    expect(tablePolicy(sales, PARTIALS_DEF).closeAfterMs).toBe(600_000 + 600_000);
  });

  it('names every option out of range at once', () => {
    expect(() => tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 0, minInputFiles: 1, orphanMinAgeMs: -1 })).toThrow(ConfigurationError);
    expect(() => tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 10, minFileSizeBytes: 20 })).toThrow(/minFileSizeBytes \(20\) must not exceed targetFileSizeBytes \(10\)/);
    expect(() => tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 0, minInputFiles: 1, orphanMinAgeMs: -1 })).toThrow(
      /targetFileSizeBytes must be .* got 0; minInputFiles must be an integer of at least 2, got 1; .*orphanMinAgeMs must be an integer of at least 0, got -1/,
    );
  });
});

describe('rowGroupRowsFor', () => {
  const inputs = [
    { fileSizeInBytes: 3_000, recordCount: 100 },
    { fileSizeInBytes: 1_000, recordCount: 100 },
  ];
  it("is the table's row group size over the inputs' bytes per row; Iceberg's 128 MiB when the table does not set it", () => {
    expect(rowGroupRowsFor({ [ROW_GROUP_SIZE_PROPERTY]: '2000' }, inputs)).toBe(100);
    expect(rowGroupRowsFor({ [ROW_GROUP_SIZE_PROPERTY]: '10' }, inputs)).toBe(1);
    expect(rowGroupRowsFor(undefined, inputs)).toBe(Math.floor(ICEBERG_DEFAULT_ROW_GROUP_SIZE_BYTES / 20));
    expect(rowGroupRowsFor({}, [])).toBe(1);
  });
  it('names the property and what to set it to when it is not a positive number of bytes', () => {
    for (const bad of ['0', '-5', '8MB', '1.5']) {
      expect(() => rowGroupRowsFor({ [ROW_GROUP_SIZE_PROPERTY]: bad }, inputs)).toThrow(ConfigurationError);
      expect(() => rowGroupRowsFor({ [ROW_GROUP_SIZE_PROPERTY]: bad }, inputs)).toThrow(`${ROW_GROUP_SIZE_PROPERTY} must be a positive number of bytes, got '${bad}'`);
    }
  });
});

describe('planRewrites', () => {
  const closedAt = (D + 1) * DAY + 600_000;
  const policy = tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 100, quietMs: 1000 });
  const plan = (files: LiveDataFile[], now: number, snapshots: Snapshot[] = [snapshot(1n, 0)], p = policy) =>
    planRewrites({ files, spec: SPEC, schema: SCHEMA, snapshots, policy: p, now });

  it("rewrites every file of an open partition (the closed partitions' quiet period does not apply), or those appended longer ago than openQuietMs; with openPartitions off, none until its day, plus the lateness, has passed", () => {
    const open = closedAt - 3_600_000;
    // a and b appended an hour before, c a moment ago
    const files = [live(file('a', 10), 1n), live(file('b', 10), 1n), live(file('c', 10), 2n)];
    const snapshots = [snapshot(1n, open - 3_600_000), snapshot(2n, open - 10)];
    const names = (p: ReturnType<typeof plan>) => p.groups.map((g) => g.inputs.map((f) => f.dataFile.filePath.replace(/^.*\//, '')));
    expect(names(plan(files, open, snapshots))).toEqual([['a.parquet', 'b.parquet', 'c.parquet']]);
    const openQuiet = tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 100, quietMs: 1000, openQuietMs: 1000 });
    expect(names(plan(files, open, snapshots, openQuiet))).toEqual([['a.parquet', 'b.parquet']]);
    // nothing settled yet: left open
    expect(plan(files, open, [snapshot(1n, open - 10), snapshot(2n, open - 10)], openQuiet)).toEqual({
      groups: [],
      skipped: [{ partition: 'payment_date_day=2024-10-04', reason: 'open' }],
    });
    const closedOnly = tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 100, quietMs: 1000, openPartitions: false });
    expect(plan(files, closedAt - 1, snapshots, closedOnly)).toEqual({ groups: [], skipped: [{ partition: 'payment_date_day=2024-10-04', reason: 'open' }] });
    expect(plan(files, closedAt, snapshots, closedOnly).groups).toHaveLength(1);
  });

  it('waits until no append added a file for the quiet period; a replace does not count as an append', () => {
    const files = [live(file('a', 10), 1n), live(file('b', 10), 2n)];
    const now = closedAt + 10_000;
    expect(plan(files, now, [snapshot(1n, 0), snapshot(2n, now - 999)]).skipped).toEqual([{ partition: 'payment_date_day=2024-10-04', reason: 'appended-recently' }]);
    expect(plan(files, now, [snapshot(1n, 0), snapshot(2n, now - 1000)]).groups).toHaveLength(1);
    expect(plan(files, now, [snapshot(1n, 0), snapshot(2n, now - 1, 'replace')]).groups).toHaveLength(1);
    // an expired snapshot's files are old
    expect(plan(files, now, []).groups).toHaveLength(1);
  });

  it('bin-packs the small files of each partition into groups of at most the target size; large files and groups of one stay', () => {
    const now = closedAt + 2 * DAY;
    const files = [40, 30, 80, 20, 75, 70].map((size, i) => live(file(`f${i}`, size)));
    const other = [live(file('g0', 10, D + 1)), live(file('g1', 10, D + 1))];
    const r = plan([...files, ...other], now);
    // min size 75: f4 (75) and f2 (80) stay; 40+30+20 = 90, then 70 alone (dropped)
    expect(r.groups.map((g) => [g.partition, g.inputs.map((f) => f.dataFile.filePath.replace(/^.*\//, '')), g.merge, g.outputs])).toEqual([
      [[D], ['f0.parquet', 'f1.parquet', 'f3.parquet'], false, 1],
      [[D + 1], ['g0.parquet', 'g1.parquet'], false, 1],
    ]);
    expect(plan([live(file('a', 10)), live(file('b', 90))], now).skipped).toEqual([{ partition: 'payment_date_day=2024-10-04', reason: 'too-few-files' }]);
    // files of another partition spec are left alone
    expect(plan([live(file('a', 10)), live(file('b', 10), 1n, 1)], now).groups).toEqual([]);
  });

  it('rewrites at most maxRewriteBytesPerRun of input per run, oldest day first (at least one group); the rest is deferred to the next run', () => {
    const now = closedAt + 30 * DAY;
    // three closed days, 2 × 10 bytes each, listed newest first
    const files = [D + 2, D + 1, D].flatMap((d) => [live(file(`a${d}`, 10, d)), live(file(`b${d}`, 10, d))]);
    const budget = (max: number) => plan(files, now, [snapshot(1n, 0)], tablePolicy(sales, EVENTS_DEF, { targetFileSizeBytes: 100, quietMs: 1000, maxRewriteBytesPerRun: max }));
    expect(budget(40).groups.map((g) => g.partition)).toEqual([[D], [D + 1]]);
    expect(budget(40).skipped).toEqual([{ partition: 'payment_date_day=2024-10-06', reason: 'deferred' }]);
    // a budget smaller than one group still rewrites the oldest
    expect(budget(1).groups.map((g) => g.partition)).toEqual([[D]]);
    expect(budget(1).skipped.map((x) => x.reason)).toEqual(['deferred', 'deferred']);
    expect(budget(1_000).groups).toHaveLength(3);
    expect(tablePolicy(sales, EVENTS_DEF).maxRewriteBytesPerRun).toBe(2 * 1024 * MIB);
  });

  it('takes every file of a partials partition, whatever its size, and splits the output at the target size', () => {
    const partials = tablePolicy(sales, PARTIALS_DEF, { targetFileSizeBytes: 100, quietMs: 0 });
    const files = [150, 10, 60].map((size, i) => live(file(`p${i}`, size)));
    const r = plan(files, closedAt + 600_000, undefined, partials);
    expect(r.groups).toHaveLength(1);
    expect(r.groups[0]).toMatchObject({ merge: true, outputs: 3 });
    expect(r.groups[0].inputs).toHaveLength(3);
    // the day is not closed for partials (lateness + window size): with openPartitions off, left alone
    const closedOnly = tablePolicy(sales, PARTIALS_DEF, { targetFileSizeBytes: 100, quietMs: 0, openPartitions: false });
    expect(plan(files, closedAt + 599_999, undefined, closedOnly).groups).toEqual([]);
  });

  it('refuses a table not partitioned by day', () => {
    const hourly = { 'spec-id': 0, fields: [{ 'source-id': 4, 'field-id': 1000, name: 'h', transform: 'hour' }] };
    expect(() => planRewrites({ files: [live(file('a', 1))], spec: hourly, schema: SCHEMA, snapshots: [], policy, now: 0 })).toThrow(LakeMetadataError);
  });

  it('binPack keeps the order and starts a group when the next file would pass the target', () => {
    const sized = (...s: number[]) => s.map((n) => ({ dataFile: file(String(n), n) }));
    expect(binPack(sized(50, 50, 1, 100, 30), 100).map((g) => g.map((f) => f.dataFile.fileSizeInBytes))).toEqual([[50, 50], [1], [100], [30]]);
  });
});

describe('partial rows', () => {
  const w = sales.windows![0];
  const table = partialsSchema(sales, w);
  const names = table.columns.map((c) => c.name);
  const row = (o: Record<string, unknown>) => names.map((n) => o[n] ?? null);
  const toRows = (list: unknown[][]) => ({ columns: names.map((_, c) => list.map((r) => r[c])), rows: list.length });
  const asObjects = (r: { columns: readonly unknown[][]; rows: number }) => Array.from({ length: r.rows }, (_, i) => Object.fromEntries(names.map((n, c) => [n, r.columns[c][i]])));
  const W = Date.UTC(2026, 10, 22, 10);
  const base = { window_start: W, window_end: W + 600_000, region: 'Europe', kafka_topic: 'sales', kafka_partition: 0, written_at: 5 };

  it('roles: keys, sums, batch columns; an unknown column is named', () => {
    expect(partialsRoles(sales, w, table)).toEqual(['key', 'key', 'key', 'sum', 'sum', 'topic', 'partition', 'first-offset', 'last-offset', 'max', 'max']);
    const extra: TableSchema = { ...table, columns: [...table.columns, { name: 'median', type: 'double', nullable: true }] };
    expect(() => partialsRoles(sales, w, extra)).toThrow(/does not say how to merge the partials column\(s\) median/);
  });

  it('merges the rows of a (window, keys): sum of sums and counts, max of max_event_time and written_at, one source keeps its offsets', () => {
    const merged = mergePartials(
      toRows([
        row({ ...base, sales: 1.5, orders: 1, first_offset: 0, last_offset: 9, max_event_time: 100 }),
        row({ ...base, region: 'Asia', sales: 7, orders: 2, first_offset: 0, last_offset: 9, max_event_time: 100 }),
        row({ ...base, sales: 2.25, orders: 3, first_offset: 10, last_offset: 19, max_event_time: 300, written_at: 9 }),
      ]),
      partialsRoles(sales, w, table),
    );
    expect(asObjects(merged)).toEqual([
      { ...base, sales: 3.75, orders: 4, first_offset: 0, last_offset: 19, max_event_time: 300, written_at: 9 },
      { ...base, region: 'Asia', sales: 7, orders: 2, first_offset: 0, last_offset: 9, max_event_time: 100 },
    ]);
  });

  it('rows of several partitions: the topic kept, partition and offsets -1; null keys are one group; min/max and avg state as SQL merges them', () => {
    const roles = partialsRoles(sales, w, table);
    const merged = mergePartials(
      toRows([
        row({ ...base, region: null, sales: 1, orders: 1, first_offset: 0, last_offset: 9, max_event_time: 1 }),
        row({ ...base, region: null, kafka_partition: 2, sales: 2, orders: 1, first_offset: 50, last_offset: 59, max_event_time: 2 }),
      ]),
      roles,
    );
    expect(asObjects(merged)).toEqual([{ ...base, region: null, kafka_partition: -1, sales: 3, orders: 2, first_offset: -1, last_offset: -1, max_event_time: 2 }]);
    // min, max, avg state (a role list written by hand: the shipped specs have only sum and count)
    const r = mergePartials(
      {
        columns: [
          [1, 1, 1],
          [5, null, 3],
          [null, null, 4],
          [1.5, 2, null],
          [1, 2, 0],
        ],
        rows: 3,
      },
      ['key', 'min', 'max', 'sum', 'sum'],
    );
    expect(r.columns).toEqual([[1], [3], [4], [3.5], [3]]);
  });

  it('sorts by columns (nulls first, strings by UTF-8 bytes), stable; splits into near-equal slices', () => {
    const r = sortRows(
      {
        columns: [
          [2, 1, null, 1],
          ['b', 'é', 'a', 'z'],
        ],
        rows: 4,
      },
      [0, 1],
    );
    expect(r.columns).toEqual([
      [null, 1, 1, 2],
      ['a', 'z', 'é', 'b'],
    ]);
    // descending: nulls last, ties still in their order
    const d = sortRows(
      {
        columns: [
          [2, 1, null, 1],
          ['b', 'é', 'a', 'z'],
        ],
        rows: 4,
      },
      [0],
      'desc',
    );
    expect(d.columns).toEqual([
      [2, 1, 1, null],
      ['b', 'é', 'z', 'a'],
    ]);
    // a rewrite: by the time column, then the Kafka coordinates, newest first
    const events = icebergTables(sales).find((t) => t.kind === 'events')!;
    const names = ['kafka_offset', events.partitionColumn, 'kafka_topic', 'kafka_partition'];
    const rewritten = sortForRewrite(events, names, {
      columns: [
        [5, 6, 7],
        [10, 30, 20],
        ['t', 't', 't'],
        [0, 0, 0],
      ],
      rows: 3,
    });
    expect(rewritten.columns[0]).toEqual([6, 7, 5]);
    expect(compareValues(new Uint8Array([1]), new Uint8Array([0, 9]))).toBe(1);
    expect(splitRows({ columns: [[1, 2, 3, 4, 5]], rows: 5 }, 2).map((s) => s.columns[0])).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(splitRows({ columns: [[1]], rows: 1 }, 3)).toHaveLength(1);
  });
});

describe('planReplace', () => {
  const events = icebergTables(sales)[0];
  const request = createTableRequest(events.name, events.schema, events.partitionColumn, { location: 'file:/lake/iceberg/sales_events' });
  const empty = newTableMetadata(request, { tableUuid: 'uuid-1' });
  const day = (d: number, name: string, records: number): DataFile => ({
    ...file(name, records * 10, d, records),
    filePath: `file:/lake/iceberg/sales_events/data/${name}.parquet`,
  });

  /** Two appends (a: two files of day D, b: one of D and one of D+1), as the catalog would hold them. */
  function history() {
    const written = new Map<string, Uint8Array>();
    let metadata = empty;
    let list: Uint8Array | undefined;
    const commits = [
      { files: [day(D, 'a1', 10), day(D, 'a2', 20)], offsets: { 'sales-0': [[0, 29]] as [number, number][] } },
      { files: [day(D, 'b1', 5), day(D + 1, 'b2', 7)], offsets: { 'sales-0': [[30, 41]] as [number, number][] } },
    ];
    commits.forEach((c, i) => {
      const p = planAppend({ metadata, parentManifestList: list, dataFiles: c.files, offsets: c.offsets, now: 1000 * (i + 1), snapshotId: BigInt(i + 1), uuid: () => `u${i}` });
      for (const w of p.writes) written.set(w.path, w.bytes);
      list = p.manifestList.bytes;
      metadata = {
        ...metadata,
        'last-sequence-number': i + 1,
        snapshots: [...(metadata.snapshots ?? []), p.snapshot],
        refs: { main: { type: 'branch', 'snapshot-id': p.snapshot['snapshot-id'] } },
      };
    });
    const manifests = readManifestList(list!).manifests;
    const parent: SnapshotManifests = { snapshotId: 2n, manifests, bytes: new Map(manifests.map((m) => [m.manifestPath, written.get(m.manifestPath)!])) };
    return { metadata, parent };
  }

  it('one manifest: the new files ADDED (inherited sequence numbers), the removed DELETED and the rest of their manifests EXISTING with their original sequence numbers; untouched manifests carried', () => {
    const { metadata, parent } = history();
    expect(liveDataFiles('uuid-1', parent).map((f) => [f.dataFile.filePath.replace(/^.*\//, ''), f.sequenceNumber, f.snapshotId])).toEqual([
      ['b1.parquet', 2, 2n],
      ['b2.parquet', 2, 2n],
      ['a1.parquet', 1, 1n],
      ['a2.parquet', 1, 1n],
    ]);
    const out = day(D, 'compacted', 35);
    const plan = planReplace({ metadata, parent, removed: [day(D, 'a1', 10).filePath, day(D, 'b1', 5).filePath], added: [out], snapshotId: 3n, now: 5000, uuid: () => 'r' });
    expect(plan.snapshot).toMatchObject({ 'snapshot-id': 3n, 'parent-snapshot-id': 2n, 'sequence-number': 3 });
    expect(plan.snapshot.summary).toEqual({
      operation: 'replace',
      'added-data-files': '1',
      'deleted-data-files': '2',
      'added-records': '35',
      'deleted-records': '15',
      'added-files-size': '350',
      'removed-files-size': '150',
      'changed-partition-count': '1',
      'total-data-files': '3',
      'total-records': '62',
      'total-files-size': '620',
      'total-delete-files': '0',
      'total-position-deletes': '0',
      'total-equality-deletes': '0',
      [COMMITTED_KEY]: '{"sales-0":[[0,41]]}',
    });
    expect(plan.commit.requirements).toContainEqual({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 2n });
    // both parent manifests listed a removed file: one new manifest replaces them
    const list = readManifestList(plan.manifestList.bytes).manifests;
    expect(list.map((m) => m.manifestPath)).toEqual([plan.manifest.path]);
    expect(list[0]).toMatchObject({ addedFilesCount: 1, existingFilesCount: 2, deletedFilesCount: 2, sequenceNumber: 3, minSequenceNumber: 1 });
    const entries = readManifest(plan.manifest.bytes).entries.map((e) => [
      e.status,
      e.dataFile.filePath.replace(/^.*\//, ''),
      e.snapshotId,
      e.sequenceNumber,
      e.fileSequenceNumber,
    ]);
    expect(entries).toEqual([
      [ADDED, 'compacted.parquet', 3n, undefined, undefined],
      [DELETED, 'b1.parquet', 3n, 2, 2],
      [EXISTING, 'b2.parquet', 2n, 2, 2],
      [DELETED, 'a1.parquet', 3n, 1, 1],
      [EXISTING, 'a2.parquet', 1n, 1, 1],
    ]);
  });

  it('carries a manifest that lists no removed file as it is', () => {
    const { metadata, parent } = history();
    const plan = planReplace({ metadata, parent, removed: [day(D, 'b1', 5).filePath], added: [day(D, 'c', 5)], snapshotId: 3n, uuid: () => 'r' });
    expect(readManifestList(plan.manifestList.bytes).manifests.map((m) => m.manifestPath)).toEqual([plan.manifest.path, parent.manifests[1].manifestPath]);
  });

  it('refuses a file that is not live, a parent that is not main, a table with delete files', () => {
    const { metadata, parent } = history();
    expect(() => planReplace({ metadata, parent, removed: ['file:/lake/iceberg/sales_events/data/gone.parquet'], added: [] })).toThrow(/not live in snapshot 2: .*gone\.parquet/);
    expect(() => planReplace({ metadata, parent: { ...parent, snapshotId: 1n }, removed: [day(D, 'a1', 10).filePath], added: [] })).toThrow(/not main's 2/);
    const deletes = { ...parent, manifests: [{ ...parent.manifests[0], content: 1 }] };
    expect(() => liveDataFiles('uuid-1', deletes)).toThrow(/has delete files/);
  });
});

describe('planExpiry', () => {
  const metadata = (snapshots: Snapshot[], refs: Record<string, bigint>): TableMetadata =>
    ({
      'table-uuid': 'u',
      snapshots,
      refs: Object.fromEntries(Object.entries(refs).map(([k, id]) => [k, { type: 'branch', 'snapshot-id': id }])),
    }) as unknown as TableMetadata;
  const c = { [COMMITTED_KEY]: '{}' };

  it('removes snapshots older than the retention except ref heads and main’s newest minSnapshotsToKeep', () => {
    const s = [snapshot(1n, 100, 'append', undefined, c), snapshot(2n, 200, 'append', 1n, c), snapshot(3n, 300, 'append', 2n, c), snapshot(4n, 400, 'replace', 3n, c)];
    const plan = planExpiry(metadata(s, { main: 4n, tag: 1n }), { now: 1000, retentionMs: 650, minSnapshotsToKeep: 2 });
    expect(plan.expire.map((x) => x['snapshot-id'])).toEqual([2n]);
    expect(plan.commit).toEqual({ requirements: [{ type: 'assert-table-uuid', uuid: 'u' }], updates: [{ action: 'remove-snapshots', 'snapshot-ids': [2n] }] });
    expect(planExpiry(metadata(s, { main: 4n }), { now: 1000, retentionMs: 5000, minSnapshotsToKeep: 1 })).toEqual({ expire: [] });
  });

  it('keeps main’s history down to the newest snapshot recording streamlake.committed (a foreign head must not hide it)', () => {
    const s = [snapshot(1n, 100, 'append', undefined, c), snapshot(2n, 200, 'append', 1n, c), snapshot(3n, 300, 'replace', 2n)];
    expect(planExpiry(metadata(s, { main: 3n }), { now: 1000, retentionMs: 0, minSnapshotsToKeep: 1 }).expire.map((x) => x['snapshot-id'])).toEqual([1n]);
  });
});

describe('orphan files', () => {
  const table = 'file:///lake/iceberg/t';
  const f = (path: string, lastModified: number) => ({ location: `file:/lake/iceberg/t/${path}`, size: 1, lastModified });

  it('only data files and Avro metadata under the table, unreachable and older than the margin; metadata.json never', () => {
    expect(isSweepable(table, 'file:/lake/iceberg/t/data/x.parquet')).toBe(true);
    expect(isSweepable(table, 'file:/lake/iceberg/t/metadata/snap-1.avro')).toBe(true);
    expect(isSweepable(table, 'file:/lake/iceberg/t/metadata/00001-x.metadata.json')).toBe(false);
    expect(isSweepable(table, 'file:/lake/iceberg/t2/data/x.parquet')).toBe(false);
    const listed = [f('data/a.parquet', 0), f('data/b.parquet', 0), f('data/c.parquet', 900), f('metadata/m.avro', 0), f('metadata/1.metadata.json', 0)];
    const reachable = new Set(['file:///lake/iceberg/t/data/a.parquet']);
    expect(orphanFiles({ tableLocation: table, listed, reachable, now: 1000, minAgeMs: 100 }).map((x) => x.location)).toEqual([
      'file:/lake/iceberg/t/data/b.parquet',
      'file:/lake/iceberg/t/metadata/m.avro',
    ]);
  });

  it('stale metadata files: under the table’s metadata/, neither current nor in the metadata log, older than an hour', () => {
    const old = 0;
    const now = STALE_METADATA_MIN_AGE_MS + 1;
    const listed = [
      f('metadata/00001-a.metadata.json', old),
      f('metadata/00002-b.metadata.json', old),
      f('metadata/00003-c.metadata.json', old),
      f('metadata/00004-d.metadata.json', old),
      f('metadata/00005-e.metadata.json', now - 1),
      f('metadata/snap-1.avro', old),
      f('data/x.metadata.json', old),
    ];
    const events = icebergTables(sales)[0];
    const created = newTableMetadata(createTableRequest(events.name, events.schema, events.partitionColumn, { location: table }));
    const metadata = { ...created, 'metadata-log': [{ 'metadata-file': 'file:///lake/iceberg/t/metadata/00003-c.metadata.json', 'timestamp-ms': 0 }] };
    const stale = staleMetadataFiles({ tableLocation: table, listed, metadata, current: 'file:/lake/iceberg/t/metadata/00004-d.metadata.json', now });
    // 00003 is in the log, 00004 current, 00005 younger than the hour; the Avro file and the file under data/ are not metadata files
    expect(stale.map((x) => x.location)).toEqual(['file:/lake/iceberg/t/metadata/00001-a.metadata.json', 'file:/lake/iceberg/t/metadata/00002-b.metadata.json']);
  });
});

describe('readDataFile', () => {
  const table: TableSchema = {
    columns: [
      { name: 't', type: 'timestamp', nullable: false },
      { name: 'n', type: 'long', nullable: false },
      { name: 's', type: 'string', nullable: true },
      { name: 'b', type: 'binary', nullable: true },
      { name: 'd', type: 'double', nullable: true },
      { name: 'i', type: 'int', nullable: false },
      { name: 'ok', type: 'boolean', nullable: true },
    ],
    partitionKeys: [],
  };
  const columns = [
    [1_700_000_000_123, 1_700_000_000_456],
    [1, 2 ** 50],
    ['ü', null],
    [new Uint8Array([0, 255]), null],
    [1.5, null],
    [3, -4],
    [true, null],
  ];

  it('reads our writer’s file back as the writer takes it, column by field id: a renamed column reads, one the file lacks is null', async () => {
    const bytes = encodeParquetFile(table, columns, 2, { fieldIds: [1, 2, 3, 4, 5, 6, 7], timestampUnit: 'MICROS' }).bytes;
    expect((await readDataFile(bytes, table, [1, 2, 3, 4, 5, 6, 7], 'f')).columns).toEqual(columns);
    const evolved: TableSchema = {
      ...table,
      columns: [
        { ...table.columns[1], name: 'renamed' },
        { name: 'added', type: 'string', nullable: true },
      ],
    };
    expect(await readDataFile(bytes, evolved, [2, 8], 'f')).toEqual({
      columns: [
        [1, 2 ** 50],
        [null, null],
      ],
      rows: 2,
    });
    const required: TableSchema = { ...table, columns: [{ name: 'added', type: 'string', nullable: false }] };
    await expect(readDataFile(bytes, required, [8], 'f')).rejects.toThrow(/no column with field id 8 \('added'\), which is required/);
    await expect(readDataFile(new Uint8Array([1, 2, 3]), table, [1], 'f')).rejects.toThrow(LakeMetadataError);
  });

  it('writerSchemaOf: the table’s Iceberg schema as the writer’s columns and field ids', () => {
    const schema: Schema = {
      type: 'struct',
      fields: [
        { id: 3, name: 't', type: 'timestamptz', required: true, doc: 'time' },
        { id: 9, name: 's', type: 'string', required: false },
      ],
    };
    expect(writerSchemaOf(schema)).toEqual({
      table: {
        columns: [
          { name: 't', type: 'timestamp', nullable: false, comment: 'time' },
          { name: 's', type: 'string', nullable: true },
        ],
        partitionKeys: [],
      },
      fieldIds: [3, 9],
    });
    expect(() => writerSchemaOf({ type: 'struct', fields: [{ id: 1, name: 'x', type: 'float', required: true }] })).toThrow(/'x' is "float"/);
  });
});
