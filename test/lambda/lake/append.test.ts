/**
 * planAppend: the manifest, the manifest list (the parent's manifests carried, the new one first)
 * and the commit of one append snapshot, from the table's metadata and the written data files.
 */
import type { TableMetadata } from '../../../lambda/adapters/rest-catalog';
import { encodeParquetFile } from '../../../lambda/core/parquet';
import { planAppend } from '../../../lambda/lake/append';
import { planDataFile } from '../../../lambda/lake/data-file';
import { LakeMetadataError, OffsetsAlreadyCommittedError } from '../../../lambda/lake/errors';
import { createTableRequest, resolveSchema } from '../../../lambda/lake/iceberg-schema';
import { ADDED, readManifest, readManifestList } from '../../../lambda/lake/manifest';
import { committedOffsetsOf } from '../../../lambda/lake/snapshot';
import type { PipelineSpec } from '../../../model/spec';
import { eventsSchema } from '../../../model/tables';
import { clickstream } from '../../../pipelines/clickstream';
import { newTableMetadata } from '../../support/iceberg-table';
import { plannedBatch } from './support';

const LOCATION = 's3://lake/streamlake/clickstream_events';
const T = Date.UTC(2026, 10, 23, 9);

function filesFor(spec: PipelineSpec, metadata: TableMetadata, firstOffset: number) {
  const table = eventsSchema(spec);
  const resolution = resolveSchema(metadata, table);
  const { output } = plannedBatch(spec, { count: 200, start: T, stepMillis: 60_000, firstOffset });
  let n = 0;
  const dataFiles = output.objects
    .filter((o) => o.kind === 'events')
    .map((o) =>
      planDataFile({
        location: metadata.location,
        file: encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds: resolution.fieldIds }),
        table,
        fieldIds: resolution.fieldIds,
        schema: resolution.schema,
        spec: metadata['partition-specs'][0],
        topic: 'clickstream',
        partition: 0,
        firstOffset,
        uuid: `f${firstOffset}-${n++}`,
      }),
    );
  return { resolution, dataFiles };
}

describe('planAppend', () => {
  const ids = (() => {
    let n = 0;
    return () => `uuid-${n++}`;
  })();
  const empty = newTableMetadata(createTableRequest('clickstream_events', eventsSchema(clickstream), 'recordtime', { location: LOCATION }), { lastUpdatedMs: T });
  const first = filesFor(clickstream, empty, 0);
  const plan1 = planAppend({ metadata: empty, dataFiles: first.dataFiles, offsets: { 'clickstream-0': [[0, 199]] }, now: T, snapshotId: 11n, uuid: ids });

  it("appends to a new table: one manifest of ADDED files, a list of it, the snapshot with the table's first sequence number", () => {
    expect(plan1.writes.map((w) => w.path)).toEqual([`${LOCATION}/metadata/uuid-0-m0.avro`, `${LOCATION}/metadata/snap-11-1-uuid-1.avro`]);
    const manifest = readManifest(plan1.manifest!.bytes);
    expect(manifest.entries.map((e) => e.status)).toEqual(first.dataFiles.map(() => ADDED));
    expect(manifest.entries.map((e) => e.dataFile)).toEqual(first.dataFiles);
    const list = readManifestList(plan1.manifestList.bytes);
    expect(list.manifests).toHaveLength(1);
    expect(list.manifests[0]).toMatchObject({
      manifestPath: plan1.manifest!.path,
      sequenceNumber: 1,
      addedSnapshotId: 11n,
      addedRowsCount: first.dataFiles.reduce((a, f) => a + f.recordCount, 0),
    });
    expect(plan1.snapshot).toMatchObject({ 'snapshot-id': 11n, 'sequence-number': 1, 'timestamp-ms': T, 'manifest-list': plan1.manifestList.path, 'schema-id': 0 });
    expect(plan1.snapshot['parent-snapshot-id']).toBeUndefined();
    expect(plan1.snapshot.summary).toMatchObject({
      operation: 'append',
      'added-data-files': String(first.dataFiles.length),
      'streamlake.offsets': '{"clickstream-0":[[0,199]]}',
      'streamlake.committed': '{"clickstream-0":[[0,199]]}',
    });
    expect(plan1.commit.requirements).toEqual([
      { type: 'assert-table-uuid', uuid: empty['table-uuid'] },
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
    ]);
    expect(plan1.committed).toEqual({ 'clickstream-0': [[0, 199]] });
  });

  // the table after the first commit, as the catalog would answer
  const after1: TableMetadata = {
    ...empty,
    'last-sequence-number': 1,
    'current-snapshot-id': 11n,
    snapshots: [plan1.snapshot],
    refs: { main: { type: 'branch', 'snapshot-id': 11n } },
  };

  it('appends to a table with a snapshot: its manifests carried after the new one, sequence number + 1, totals and committed offsets carried', () => {
    const second = filesFor(clickstream, after1, 200);
    const plan2 = planAppend({
      metadata: after1,
      parentManifestList: plan1.manifestList.bytes,
      dataFiles: second.dataFiles,
      offsets: { 'clickstream-0': [[200, 399]] },
      snapshotId: 12n,
      uuid: ids,
    });
    const list = readManifestList(plan2.manifestList.bytes);
    expect(list.manifests.map((m) => [m.manifestPath, m.sequenceNumber, m.addedSnapshotId])).toEqual([
      [plan2.manifest!.path, 2, 12n],
      [plan1.manifest!.path, 1, 11n],
    ]);
    expect(list.metadata).toMatchObject({ 'snapshot-id': '12', 'parent-snapshot-id': '11', 'sequence-number': '2' });
    expect(plan2.snapshot).toMatchObject({ 'parent-snapshot-id': 11n, 'sequence-number': 2 });
    const records = (files: typeof second.dataFiles) => files.reduce((n, f) => n + f.recordCount, 0);
    expect(plan2.snapshot.summary['total-records']).toBe(String(records(first.dataFiles) + records(second.dataFiles)));
    expect(plan2.commit.requirements[1]).toEqual({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 11n });
    expect(committedOffsetsOf({ ...after1, snapshots: [plan1.snapshot, plan2.snapshot], refs: { main: { type: 'branch', 'snapshot-id': 12n } } })).toEqual({
      'clickstream-0': [[0, 399]],
    });
  });

  it('commits a schema evolution with the snapshot that first writes the new column', () => {
    const evolvedSpec: PipelineSpec = { ...clickstream, schema: [...clickstream.schema, { name: 'referrer', type: 'string', optional: true }] };
    const { resolution, dataFiles } = filesFor(evolvedSpec, after1, 200);
    expect(resolution.schema['schema-id']).toBe(1);
    const plan = planAppend({
      metadata: after1,
      parentManifestList: plan1.manifestList.bytes,
      dataFiles,
      offsets: { 'clickstream-0': [[200, 399]] },
      schema: resolution,
      uuid: ids,
    });
    expect(plan.commit.requirements.map((r) => r.type)).toEqual(['assert-table-uuid', 'assert-ref-snapshot-id', 'assert-current-schema-id', 'assert-last-assigned-field-id']);
    expect(plan.commit.updates.map((u) => u.action)).toEqual(['add-schema', 'set-current-schema', 'add-snapshot', 'set-snapshot-ref']);
    expect(plan.snapshot['schema-id']).toBe(1);
    expect(readManifest(plan.manifest!.bytes).metadata.schema.fields.at(-1)).toEqual({ id: 12, name: 'referrer', type: 'string', required: false, doc: 'pipeline field' });
  });

  it('records offsets without a manifest when no file is added; refuses overlaps, a missing or wrong parent list, other format versions', () => {
    const none = planAppend({ metadata: after1, parentManifestList: plan1.manifestList.bytes, dataFiles: [], offsets: { 'clickstream-0': [[200, 210]] }, uuid: ids });
    expect(none.manifest).toBeUndefined();
    expect(none.writes).toHaveLength(1);
    expect(readManifestList(none.manifestList.bytes).manifests.map((m) => m.manifestPath)).toEqual([plan1.manifest!.path]);
    expect(none.snapshot.summary).toMatchObject({
      'added-data-files': '0',
      'streamlake.offsets': '{"clickstream-0":[[200,210]]}',
      'streamlake.committed': '{"clickstream-0":[[0,210]]}',
    });

    expect(() => planAppend({ metadata: after1, parentManifestList: plan1.manifestList.bytes, dataFiles: [], offsets: { 'clickstream-0': [[150, 210]] } })).toThrow(
      OffsetsAlreadyCommittedError,
    );
    expect(() => planAppend({ metadata: after1, dataFiles: [], offsets: {} })).toThrow(
      'its manifest list (s3://lake/streamlake/clickstream_events/metadata/snap-11-1-uuid-1.avro) is needed to append',
    );
    expect(() => planAppend({ metadata: after1, parentManifestList: none.manifestList.bytes, dataFiles: [], offsets: {} })).toThrow(/is snapshot \d+'s, not the parent 11's/);
    expect(() => planAppend({ metadata: { ...empty, 'format-version': 1 }, dataFiles: [], offsets: {} })).toThrow(LakeMetadataError);
  });
});
