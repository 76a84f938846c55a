/**
 * Manifests and manifest lists: Avro container files with the v2 schemas and field ids the spec
 * assigns, read back by our reader (by field id) and by avsc's own container reader; partition
 * summaries; sequence number and snapshot id inheritance.
 */
import { createFileDecoder, Type, types } from 'avsc';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeParquetFile } from '../../../lambda/core/parquet';
import { readAvroContainer, writeAvroContainer } from '../../../lambda/lake/avro-container';
import { planDataFile, type DataFile } from '../../../lambda/lake/data-file';
import { LakeMetadataError } from '../../../lambda/lake/errors';
import { dayPartitionSpec, icebergSchema } from '../../../lambda/lake/iceberg-schema';
import {
  ADDED,
  EXISTING,
  DELETED,
  inheritEntry,
  liveEntries,
  manifestEntrySchema,
  MANIFEST_FILE_SCHEMA,
  partitionSummaries,
  readManifest,
  readManifestList,
  writeManifest,
  writeManifestList,
} from '../../../lambda/lake/manifest';
import { fromSingleValue } from '../../../lambda/lake/single-value';
import { eventsSchema } from '../../../model/tables';
import { clickstream } from '../../../pipelines/clickstream';
import { plannedBatch } from './support';

const T = Date.UTC(2026, 10, 22, 22);
const DAY = Date.UTC(2026, 10, 22) / 86_400_000;
const SNAPSHOT = 2n ** 62n + 12_345n; // beyond 2^53: must survive exactly
const table = eventsSchema(clickstream);
const schema = icebergSchema(table);
const spec = dayPartitionSpec(schema, 'recordtime');
const fieldIds = schema.fields.map((f) => f.id);

/** Data files of one batch spanning two days (22:00 → 01:20). */
function dataFiles(): DataFile[] {
  // two batches crossing midnight: one data file per batch and day partition, four files
  const outputs = [0, 400].map((firstOffset) => plannedBatch(clickstream, { count: 400, start: T, stepMillis: 30_000, firstOffset }).output);
  return outputs
    .flatMap((output) => output.objects)
    .filter((o) => o.kind === 'events')
    .map((o, i) =>
      planDataFile({
        location: 'file:///lake/streamlake/clickstream_events',
        file: encodeParquetFile(o.schema, o.columns, o.rows, { fieldIds }),
        table,
        fieldIds,
        schema,
        spec,
        topic: 'clickstream',
        partition: 0,
        firstOffset: 0,
        uuid: `u${i}`,
      }),
    );
}

/** avsc's own streaming container reader, longs as bigints (snapshot ids are 63-bit). */
async function readWithAvsc(bytes: Uint8Array): Promise<{ schema: unknown; metadata: Record<string, string>; records: unknown[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlake-avro-'));
  const path = join(dir, 'file.avro');
  writeFileSync(path, bytes);
  const long = types.LongType.__with({
    fromBuffer: (b: Buffer) => b.readBigInt64LE(0),
    toBuffer: (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(n, 0);
      return b;
    },
    fromJSON: BigInt,
    toJSON: Number,
    isValid: (n: unknown) => typeof n === 'bigint',
    compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
  });
  try {
    return await new Promise((resolve, reject) => {
      let schema: unknown;
      let metadata: Record<string, string> = {};
      const records: unknown[] = [];
      createFileDecoder(path, { parseHook: (s: unknown) => Type.forSchema(s as never, { registry: { long } }) } as never)
        .on('metadata', (_type: Type, _codec: string, header: { meta: Record<string, Buffer> }) => {
          schema = JSON.parse(header.meta['avro.schema'].toString());
          metadata = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString()]));
        })
        .on('data', (r: unknown) => records.push(r))
        .on('error', reject)
        .on('end', () => resolve({ schema, metadata, records }));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('avro container', () => {
  it('round-trips records, metadata and a deflate or null codec; refuses what is not a container', () => {
    const s = { type: 'record', name: 'r', fields: [{ name: 'id', type: 'long', 'field-id': 1 }] };
    for (const codec of ['deflate', 'null'] as const) {
      const bytes = writeAvroContainer(s, [{ id: 2n ** 63n - 1n }, { id: 5 }], { k: 'v' }, { codec });
      const read = readAvroContainer(bytes);
      expect(read.schema).toEqual(s);
      expect(read.metadata).toMatchObject({ k: 'v', 'avro.codec': codec });
      expect(read.records.map((r) => (r as { id: bigint }).id)).toEqual([2n ** 63n - 1n, 5n]);
    }
    expect(() => readAvroContainer(Buffer.from('PAR1'))).toThrow(LakeMetadataError);
    const bytes = writeAvroContainer(s, [{ id: 1 }]);
    expect(() => readAvroContainer(bytes.subarray(0, bytes.length - 3))).toThrow(LakeMetadataError);
  });
});

describe('manifests', () => {
  const files = dataFiles();
  const written = writeManifest({
    path: 'file:///lake/streamlake/clickstream_events/metadata/m1-m0.avro',
    schema,
    spec,
    snapshotId: SNAPSHOT,
    sequenceNumber: 3,
    entries: files.map((dataFile) => ({ status: ADDED, snapshotId: SNAPSHOT, dataFile })),
  });

  it('spans two days (one file per batch and day)', () => {
    expect(files).toHaveLength(4);
    expect(new Set(files.map((f) => f.partition[0]))).toEqual(new Set([DAY, DAY + 1]));
  });

  it('round-trip through our reader: metadata, entries, every data file field', () => {
    const { metadata, entries } = readManifest(written.bytes);
    expect(metadata).toEqual({ schema, schemaId: 0, partitionSpec: spec, formatVersion: 2, content: 'data' });
    expect(entries).toEqual(files.map((dataFile) => ({ status: ADDED, snapshotId: SNAPSHOT, dataFile })));
  });

  it("are read by avsc's own container reader: the v2 schema with its field ids, the header metadata, the records", async () => {
    const read = await readWithAvsc(written.bytes);
    expect(read.schema).toEqual(manifestEntrySchema(spec, schema));
    expect(read.metadata).toMatchObject({
      schema: JSON.stringify(schema),
      'schema-id': '0',
      'partition-spec': JSON.stringify(spec.fields),
      'partition-spec-id': '0',
      'format-version': '2',
      content: 'data',
      'avro.codec': 'deflate',
    });
    const ids = (read.schema as { fields: { name: string; 'field-id': number }[] }).fields.map((f) => [f.name, f['field-id']]);
    expect(ids).toEqual([
      ['status', 0],
      ['snapshot_id', 1],
      ['sequence_number', 3],
      ['file_sequence_number', 4],
      ['data_file', 2],
    ]);
    const record = read.records[0] as { status: number; snapshot_id: bigint; sequence_number: null; data_file: Record<string, unknown> };
    expect(record).toMatchObject({ status: 1, snapshot_id: SNAPSHOT, sequence_number: null });
    expect(record.data_file).toMatchObject({
      content: 0,
      file_path: files[0].filePath,
      file_format: 'PARQUET',
      partition: { recordtime_day: DAY },
      record_count: BigInt(files[0].recordCount),
    });
    const lower = (record.data_file.lower_bounds as { key: number; value: Buffer }[]).find((kv) => kv.key === 1)!;
    expect(fromSingleValue('timestamptz', lower.value)).toBe(fromSingleValue('timestamptz', files[0].lowerBounds!.get(1)!));
  });

  it('summarize the manifest for the list: counts, sequence numbers, partition bounds as dates', () => {
    const f = written.file;
    expect(f).toMatchObject({
      manifestLength: written.bytes.byteLength,
      partitionSpecId: 0,
      content: 0,
      sequenceNumber: 3,
      minSequenceNumber: 3,
      addedSnapshotId: SNAPSHOT,
      addedFilesCount: files.length,
      existingFilesCount: 0,
      deletedFilesCount: 0,
      addedRowsCount: files.reduce((n, x) => n + x.recordCount, 0),
    });
    expect(f.partitions).toHaveLength(1);
    expect(f.partitions![0]).toMatchObject({ containsNull: false, containsNan: false });
    expect(fromSingleValue('date', f.partitions![0].lowerBound!)).toBe(DAY);
    expect(fromSingleValue('date', f.partitions![0].upperBound!)).toBe(DAY + 1);
    expect(partitionSummaries(spec, schema, [[null], [3], [1]])).toEqual([
      { containsNull: true, containsNan: false, lowerBound: Uint8Array.of(1, 0, 0, 0), upperBound: Uint8Array.of(3, 0, 0, 0) },
    ]);
  });

  it('lists: round trip through our reader and avsc, header metadata, ids beyond 2^53 exact', async () => {
    const carried = { ...written.file, manifestPath: 'file:///old-m0.avro', sequenceNumber: 1, minSequenceNumber: 1, addedSnapshotId: 7n };
    const bytes = writeManifestList({ snapshotId: SNAPSHOT, parentSnapshotId: 7n, sequenceNumber: 3, manifests: [written.file, carried] });
    const list = readManifestList(bytes);
    expect(list.manifests).toEqual([written.file, carried]);
    expect(list.metadata).toMatchObject({ 'snapshot-id': String(SNAPSHOT), 'parent-snapshot-id': '7', 'sequence-number': '3', 'format-version': '2' });
    const read = await readWithAvsc(bytes);
    expect(read.schema).toEqual(MANIFEST_FILE_SCHEMA);
    expect(read.records[0]).toMatchObject({ manifest_path: written.file.manifestPath, added_snapshot_id: SNAPSHOT, sequence_number: 3n, added_files_count: files.length });
    expect(readManifestList(writeManifestList({ snapshotId: 1n, sequenceNumber: 1, manifests: [] })).metadata['parent-snapshot-id']).toBe('null');
  });

  it('inherit the snapshot id and sequence numbers of ADDED entries from the list; existing entries keep theirs; deleted ones are not live', () => {
    const [a, b, c] = files;
    const bytes = writeManifest({
      path: 'm',
      schema,
      spec,
      snapshotId: 9n,
      sequenceNumber: 5,
      entries: [
        { status: ADDED, dataFile: a },
        { status: EXISTING, snapshotId: 4n, sequenceNumber: 2, fileSequenceNumber: 2, dataFile: b },
        { status: DELETED, snapshotId: 9n, sequenceNumber: 1, fileSequenceNumber: 1, dataFile: c },
      ],
    });
    expect(bytes.file).toMatchObject({ addedFilesCount: 1, existingFilesCount: 1, deletedFilesCount: 1, minSequenceNumber: 2 });
    const live = liveEntries(bytes.file, bytes.bytes);
    expect(live.map((e) => [e.status, e.snapshotId, e.sequenceNumber, e.fileSequenceNumber, e.dataFile.filePath])).toEqual([
      [ADDED, 9n, 5, 5, a.filePath],
      [EXISTING, 4n, 2, 2, b.filePath],
    ]);
    // a v1 list (sequence number 0): everything inherits 0
    expect(inheritEntry({ status: EXISTING, dataFile: a }, { ...bytes.file, sequenceNumber: 0 })).toMatchObject({ sequenceNumber: 0, fileSequenceNumber: 0, snapshotId: 9n });
  });

  it('read fields by id, not by name: a writer with other names (and extra fields) reads the same', () => {
    const renamed = JSON.parse(JSON.stringify(MANIFEST_FILE_SCHEMA).replace('"added_files_count"', '"added_data_files_count"').replace('"manifest_path"', '"path"')) as {
      fields: Record<string, unknown>[];
    };
    renamed.fields.push({ name: 'first_row_id', type: ['null', 'long'], default: null, 'field-id': 520 });
    const record = {
      path: 'p',
      manifest_length: 10n,
      partition_spec_id: 0,
      content: 0,
      sequence_number: 2n,
      min_sequence_number: 1n,
      added_snapshot_id: 5n,
      added_data_files_count: 3,
      existing_files_count: 0,
      deleted_files_count: 0,
      added_rows_count: 30n,
      existing_rows_count: 0n,
      deleted_rows_count: 0n,
      partitions: null,
      key_metadata: null,
      first_row_id: 100n,
    };
    const [m] = readManifestList(writeAvroContainer(renamed, [record])).manifests;
    expect(m).toMatchObject({ manifestPath: 'p', addedFilesCount: 3, addedRowsCount: 30, sequenceNumber: 2 });
    expect(m.partitions).toBeUndefined();
  });
});
