/**
 * The proof with readers no one here wrote: Apache Iceberg's REST catalog server (local, real)
 * holds a `streamlake.clickstream_events` table created with our schema and partition spec; two
 * processor batches (compilePipeline + processBatch + our Parquet writer) are written into its
 * location as data files, with our manifests and manifest lists, and committed as two append
 * snapshots with our client. Then:
 * - pyiceberg loads the table through the catalog and scans it: every row the processor planned,
 *   each Kafka offset once, the schema's field ids, the partition spec, the snapshot summaries
 *   (`streamlake.committed` after the second commit covers both), and row filters on the event
 *   time and the offset that it prunes by our partition summaries and column bounds;
 * - a stale commit (the first snapshot as parent again) is refused with CommitConflictError and
 *   changes nothing;
 * - our readers list the files of a snapshot pyiceberg wrote, and an append of ours on top of it
 *   carries its manifests (pyiceberg reads both);
 * - the server itself (Iceberg Java) reads our manifests when it purges the table.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CommitConflictError, refSnapshotId, RestCatalogClient, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import type { AppendPlan } from '../../../lambda/lake/append';
import { createTableRequest, LAKE_NAMESPACE, partitionSourceColumn } from '../../../lambda/lake/iceberg-schema';
import { liveEntries, readManifestList } from '../../../lambda/lake/manifest';
import { fromSingleValue } from '../../../lambda/lake/single-value';
import { committedOffsetsOf, refSnapshot } from '../../../lambda/lake/snapshot';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { clickstream } from '../../../pipelines/clickstream';
import { CLICKSTREAM_EVENTS, clickstreamBatch, rowsOf, START, STEP, writeAndPlan } from '../../support/iceberg-table';
import { appendWithPyiceberg, ensurePyiceberg } from '../../support/pyiceberg';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';

jest.setTimeout(180_000);

const NS = LAKE_NAMESPACE;
const TABLE = CLICKSTREAM_EVENTS;

interface PyScan {
  readonly arrowTypes: Record<string, string>;
  readonly rows: Record<string, unknown>[];
  readonly schema: { id: number; name: string; type: string; required: boolean }[];
  readonly parquetFieldIds: Record<string, number>;
  readonly spec: { sourceId: number; fieldId: number; name: string; transform: string }[];
  readonly currentSnapshotId: string;
  readonly snapshots: { id: string; parent: string | null; sequence: number; summary: Record<string, string> }[];
  readonly files: string[];
  readonly filtered: Record<string, { files: string[]; rows: number }>;
}

/** pyiceberg, through the REST catalog: the table's rows (timestamps as epoch millis), metadata, and the files its scans plan. */
function scanWithPyiceberg(uri: string, table: string, filters: Record<string, readonly [string, 'ge', string | number]>): PyScan {
  const script = `
import json, sys
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
from pyiceberg.catalog import load_catalog
from pyiceberg.expressions import GreaterThanOrEqual
uri, namespace, name, filters = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
t = load_catalog('streamlake', type='rest', uri=uri).load_table((namespace, name))
data = t.scan().to_arrow()
cols = {}
for i, f in enumerate(data.schema):
    c = data.column(i)
    if pa.types.is_timestamp(f.type):
        c = pc.divide(c.cast(pa.int64()), 1000)
    cols[f.name] = c.to_pylist()
rows = [dict(zip(cols.keys(), values)) for values in zip(*cols.values())]
files = sorted(task.file.file_path for task in t.scan().plan_files())
first = pq.read_schema(files[0].removeprefix('file://'))
filtered = {}
for key, (column, op, value) in filters.items():
    scan = t.scan(row_filter=GreaterThanOrEqual(column, value))
    filtered[key] = {'files': sorted(task.file.file_path for task in scan.plan_files()), 'rows': scan.to_arrow().num_rows}
print(json.dumps({
    'arrowTypes': {f.name: str(f.type) for f in data.schema},
    'rows': rows,
    'schema': [{'id': f.field_id, 'name': f.name, 'type': str(f.field_type), 'required': f.required} for f in t.schema().fields],
    'parquetFieldIds': {f.name: int(f.metadata[b'PARQUET:field_id']) for f in first},
    'spec': [{'sourceId': f.source_id, 'fieldId': f.field_id, 'name': f.name, 'transform': str(f.transform)} for f in t.spec().fields],
    'currentSnapshotId': str(t.metadata.current_snapshot_id),
    'snapshots': [{'id': str(s.snapshot_id), 'parent': None if s.parent_snapshot_id is None else str(s.parent_snapshot_id), 'sequence': s.sequence_number,
                   'summary': {'operation': s.summary.operation.value, **s.summary.additional_properties}} for s in t.snapshots()],
    'files': files,
    'filtered': filtered,
}))
`;
  const out = execFileSync(ensurePyiceberg(), ['-c', script, uri, NS, table, JSON.stringify(filters)], { maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out.toString()) as PyScan;
}

const byCoordinates = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  (a.kafka_partition as number) - (b.kafka_partition as number) || (a.kafka_offset as number) - (b.kafka_offset as number);

describe('Iceberg tables written by lambda/lake, read by pyiceberg through the Apache Iceberg REST catalog', () => {
  let root: string;
  let server: RunningRestCatalog;
  let client: RestCatalogClient;

  beforeAll(async () => {
    ensurePyiceberg(); // a venv from PyPI on first use
    ({ root, server, catalog: client } = await startTestCatalog('streamlake-lake'));
    await client.ensureNamespace(NS);
  }, 900_000);
  afterAll(() => stopTestCatalog({ root, server }));

  const location = (name: string) => `${server.warehouse}/${NS}/${name}`;
  const batch = clickstreamBatch;

  describe('two append snapshots of processor batches', () => {
    const name = 'clickstream_events';
    // commit 1: partition 0 offsets 0–599 and partition 1 offsets 0–299 (one invocation, two batches); commit 2: partition 0 offsets 600–1199
    const b1 = [batch(0, 0, 600, START), batch(1, 0, 300, START)];
    const b2 = [batch(0, 600, 600, START + 600 * STEP)];
    let plan1: AppendPlan;
    let plan2: AppendPlan;
    let afterFirst: TableMetadata;
    let scan: PyScan;
    const dayStart = Date.UTC(2026, 10, 23);
    const offsetFrom = 1000;

    beforeAll(async () => {
      const created = await client.createTable(
        NS,
        createTableRequest(name, TABLE, partitionSourceColumn('events', clickstream), { location: location(name), properties: { 'streamlake.pipeline': 'clickstream' } }),
      );
      plan1 = writeAndPlan(created.metadata, b1);
      afterFirst = (await client.commitTable(NS, name, plan1.commit)).metadata;
      plan2 = writeAndPlan((await client.loadTable(NS, name)).metadata, b2);
      await client.commitTable(NS, name, plan2.commit);
      scan = scanWithPyiceberg(server.url, name, {
        eventDay: ['recordtime', 'ge', new Date(dayStart).toISOString().replace('.000Z', '+00:00')],
        offsets: ['kafka_offset', 'ge', offsetFrom],
      });
    });

    it('the processor planned rows over two days, some records quarantined', () => {
      // one planned object per table and day partition: the batch spans two days
      expect(new Set(b1[0].objects.map((o) => `${o.table}/${o.day}`)).size).toBe(b1[0].objects.length);
      expect(new Set(b1[0].objects.map((o) => o.day)).size).toBeGreaterThanOrEqual(2);
      expect([...b1, ...b2].reduce((n, b) => n + b.quarantined, 0)).toBeGreaterThan(0);
    });

    it('pyiceberg reads every planned row, each offset once, with the values the processor planned', () => {
      const expected = rowsOf([...b1, ...b2].flatMap((b) => b.objects)).sort(byCoordinates);
      const rows = [...scan.rows].sort(byCoordinates);
      expect(rows).toHaveLength(expected.length);
      const coordinates = new Set(rows.map((r) => `${r.kafka_partition}/${r.kafka_offset}`));
      expect(coordinates.size).toBe(rows.length);
      expect(rows).toEqual(expected);
      expect(scan.arrowTypes).toMatchObject({ recordtime: 'timestamp[us, tz=UTC]', eventid: 'int64', kafka_partition: 'int32', kafka_key: 'string' });
    });

    it('pyiceberg sees our schema (field ids 1..N, timestamptz, required), the ids in the Parquet files, and the day partition spec', () => {
      expect(scan.schema.map((f) => [f.id, f.name, f.type, f.required])).toEqual(
        TABLE.columns.map((c, i) => [i + 1, c.name, c.type === 'timestamp' ? 'timestamptz' : c.type, !c.nullable]),
      );
      expect(scan.parquetFieldIds).toEqual(Object.fromEntries(TABLE.columns.map((c, i) => [c.name, i + 1])));
      expect(scan.spec).toEqual([{ sourceId: 1, fieldId: 1000, name: 'recordtime_day', transform: 'day' }]);
      expect(scan.files.every((f) => /\/data\/recordtime_day=2026-11-2[23]\/clickstream-[01]-\d{20}-[0-9a-f-]{36}\.parquet$/.test(f))).toBe(true);
    });

    it('pyiceberg sees both snapshots and their summaries: streamlake.committed after the second covers both commits', () => {
      const [s1, s2] = scan.snapshots;
      expect(scan.currentSnapshotId).toBe(String(plan2.snapshot['snapshot-id']));
      expect(s1).toMatchObject({ id: String(plan1.snapshot['snapshot-id']), parent: null, sequence: 1 });
      expect(s2).toMatchObject({ id: String(plan2.snapshot['snapshot-id']), parent: String(plan1.snapshot['snapshot-id']), sequence: 2 });
      const events1 = rowsOf(b1.flatMap((b) => b.objects)).length;
      const events2 = rowsOf(b2.flatMap((b) => b.objects)).length;
      expect(s1.summary).toMatchObject({
        operation: 'append',
        'added-records': String(events1),
        'total-records': String(events1),
        'streamlake.offsets': '{"clickstream-0":[[0,599]],"clickstream-1":[[0,299]]}',
        'streamlake.committed': '{"clickstream-0":[[0,599]],"clickstream-1":[[0,299]]}',
      });
      expect(s2.summary).toMatchObject({
        operation: 'append',
        'added-records': String(events2),
        'total-records': String(events1 + events2),
        'total-data-files': String(scan.files.length),
        'streamlake.offsets': '{"clickstream-0":[[600,1199]]}',
        'streamlake.committed': '{"clickstream-0":[[0,1199]],"clickstream-1":[[0,299]]}',
      });
    });

    it('our client reads the committed offsets back from the catalog', async () => {
      expect(committedOffsetsOf((await client.loadTable(NS, name)).metadata)).toEqual({ 'clickstream-0': [[0, 1199]], 'clickstream-1': [[0, 299]] });
    });

    it('pyiceberg prunes by our partition summaries and column bounds: only the files of the later event day, only the files whose offsets reach 1000', async () => {
      const { metadata } = await client.loadTable(NS, name);
      const list = readManifestList(readFileSync(fileURLToPath(refSnapshot(metadata)!['manifest-list'])));
      const files = list.manifests.flatMap((m) => liveEntries(m, readFileSync(fileURLToPath(m.manifestPath))).map((e) => e.dataFile));
      const offsetId = TABLE.columns.findIndex((c) => c.name === 'kafka_offset') + 1;
      const { eventDay, offsets } = scan.filtered;
      expect(eventDay.files).toEqual(
        files
          .filter((f) => f.partition[0] === dayStart / 86_400_000)
          .map((f) => f.filePath)
          .sort(),
      );
      expect(eventDay.files.length).toBeGreaterThan(0);
      expect(eventDay.files.length).toBeLessThan(scan.files.length);
      expect(eventDay.rows).toBe(scan.rows.filter((r) => (r.recordtime as number) >= dayStart).length);
      // kafka_offset is no partition column: only the bounds say which files may hold offsets ≥ 1000
      const reaching = files.filter((f) => (fromSingleValue('long', f.upperBounds!.get(offsetId)!) as bigint) >= BigInt(offsetFrom));
      expect(offsets.files).toEqual(reaching.map((f) => f.filePath).sort());
      expect(offsets.files.length).toBeGreaterThan(0);
      expect(offsets.files.length).toBeLessThan(scan.files.length / 2);
      expect(offsets.rows).toBe(scan.rows.filter((r) => (r.kafka_offset as number) >= offsetFrom).length);
    });

    it('our readers list the current data files from the manifest list and manifests, as pyiceberg plans them', async () => {
      const { metadata } = await client.loadTable(NS, name);
      const list = readManifestList(readFileSync(fileURLToPath(refSnapshot(metadata)!['manifest-list'])));
      const files = list.manifests.flatMap((m) => liveEntries(m, readFileSync(fileURLToPath(m.manifestPath))).map((e) => e.dataFile.filePath));
      expect(files.sort()).toEqual(scan.files);
    });

    it('refuses a stale commit (the first snapshot as parent again) with CommitConflictError, and the table is unchanged', async () => {
      const stale = writeAndPlan(afterFirst, [batch(1, 300, 50, START)]);
      expect(stale.commit.requirements).toContainEqual({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': plan1.snapshot['snapshot-id'] });
      await expect(client.commitTable(NS, name, stale.commit)).rejects.toThrow(CommitConflictError);
      const { metadata } = await client.loadTable(NS, name);
      expect(refSnapshotId(metadata)).toBe(plan2.snapshot['snapshot-id']);
      expect(metadata.snapshots?.map((s) => s['snapshot-id'])).toEqual([plan1.snapshot['snapshot-id'], plan2.snapshot['snapshot-id']]);
      expect(committedOffsetsOf(metadata)).toEqual({ 'clickstream-0': [[0, 1199]], 'clickstream-1': [[0, 299]] });
    });

    it('the catalog server (Iceberg Java) reads our manifests when it purges the table: every data file deleted', async () => {
      expect(scan.files.every((f) => existsSync(fileURLToPath(f)))).toBe(true);
      await client.dropTable(NS, name, { purge: true });
      expect(await client.tableExists(NS, name)).toBe(false);
      expect(scan.files.filter((f) => existsSync(fileURLToPath(f)))).toEqual([]);
      expect(existsSync(fileURLToPath(plan2.manifestList.path))).toBe(false);
    });
  });

  it("reads a snapshot pyiceberg wrote, and appends on top of it carrying pyiceberg's manifests", async () => {
    const name = 'clickstream_events_mixed';
    await client.createTable(NS, createTableRequest(name, TABLE, 'recordtime', { location: location(name) }));
    const t = Date.UTC(2026, 10, 21, 8);
    const row = (offset: number) => ({
      recordtime: (t + offset) * 1000,
      eventid: offset,
      url: 'www.amazon1.com',
      ip: '192.168.2.1',
      domain: 'www.amazon1.com',
      kafka_topic: 'clickstream',
      kafka_partition: 5,
      kafka_offset: offset,
      kafka_timestamp: (t + offset) * 1000,
      kafka_key: null,
      written_at: t * 1000,
    });
    const theirs = appendWithPyiceberg(server.url, NS, name, [row(1), row(2), row(3)]);
    const { metadata } = await client.loadTable(NS, name);
    expect(committedOffsetsOf(metadata)).toEqual({});
    const list = readManifestList(readFileSync(fileURLToPath(refSnapshot(metadata)!['manifest-list'])));
    const files = list.manifests.flatMap((m) => liveEntries(m, readFileSync(fileURLToPath(m.manifestPath))));
    expect(files.map((e) => e.dataFile.filePath).sort()).toEqual(theirs.dataFiles);
    expect(files.map((e) => [e.status, String(e.snapshotId), e.sequenceNumber, e.dataFile.recordCount, e.dataFile.partition])).toEqual([
      [1, theirs.snapshotId, 1, 3, [Date.UTC(2026, 10, 21) / 86_400_000]],
    ]);

    const ours = writeAndPlan(metadata, [batch(0, 0, 100, START)]);
    await client.commitTable(NS, name, ours.commit);
    const seen = scanWithPyiceberg(server.url, name, {});
    expect(seen.rows).toHaveLength(3 + rowsOf(batch(0, 0, 100, START).objects).length);
    expect(seen.snapshots.at(-1)?.summary['streamlake.committed']).toBe('{"clickstream-0":[[0,99]]}');
  });
});
