/**
 * Snapshots and the exactly-once bookkeeping: random positive 63-bit ids, the summary's offset
 * maps (round trip, malformed values as clear errors), the committed offsets found through a
 * table's history, overlapping ranges refused, the commit request with its requirements.
 */
import { stringifyCatalogJson, type Snapshot, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import { LakeMetadataError, OffsetsAlreadyCommittedError } from '../../../lambda/lake/errors';
import {
  appendCommit,
  appendSummary,
  COMMITTED_KEY,
  committedOffsets,
  committedOffsetsOf,
  mergeCommitted,
  newSnapshotId,
  OFFSETS_KEY,
  snapshotOffsets,
  topicPartitionKey,
} from '../../../lambda/lake/snapshot';

const snapshot = (id: bigint, parent: bigint | undefined, summary: Record<string, string>): Snapshot => ({
  'snapshot-id': id,
  ...(parent !== undefined ? { 'parent-snapshot-id': parent } : {}),
  'sequence-number': Number(id),
  'timestamp-ms': 0,
  'manifest-list': `snap-${id}.avro`,
  summary: { operation: 'append', ...summary },
});

const table = (snapshots: Snapshot[], current: bigint | undefined): TableMetadata => ({
  'format-version': 2,
  'table-uuid': 'u',
  location: 'file:///t',
  'last-updated-ms': 0,
  'last-column-id': 1,
  schemas: [{ type: 'struct', 'schema-id': 0, fields: [] }],
  'current-schema-id': 0,
  'partition-specs': [{ 'spec-id': 0, fields: [] }],
  'default-spec-id': 0,
  'last-partition-id': 999,
  snapshots,
  ...(current !== undefined ? { 'current-snapshot-id': current, refs: { main: { type: 'branch', 'snapshot-id': current } } } : {}),
});

describe('snapshot ids', () => {
  it('are positive 63-bit integers, exact as bigints, written as JSON integers', () => {
    expect(newSnapshotId(() => Buffer.from('ffffffffffffffff', 'hex'))).toBe(2n ** 63n - 1n);
    expect(newSnapshotId(() => Buffer.alloc(8))).toBe(1n);
    for (let i = 0; i < 50; i++) {
      const id = newSnapshotId();
      expect(id > 0n && id < 2n ** 63n).toBe(true);
    }
    expect(stringifyCatalogJson({ 'snapshot-id': 2n ** 62n + 1n })).toBe('{"snapshot-id":4611686018427387905}');
  });
});

describe('summary offsets', () => {
  const ranges = { [topicPartitionKey('click-stream', 0)]: [100, 199], 'click-stream-1': [7, 7] } as const;

  it('round-trip: this snapshot ranges and the committed map, with the standard keys and totals from the parent', () => {
    const committed = mergeCommitted({ 'click-stream-0': 99, 'other-3': 5 }, ranges);
    expect(committed).toEqual({ 'click-stream-0': 199, 'click-stream-1': 7, 'other-3': 5 });
    const parent = { operation: 'append', 'total-records': '1000', 'total-data-files': '4', 'total-files-size': '8000', 'total-delete-files': '0' } as const;
    const summary = appendSummary({ dataFiles: 2, records: 101, bytes: 900, partitions: 1 }, parent, ranges, committed);
    expect(summary).toEqual({
      operation: 'append',
      'added-data-files': '2',
      'added-records': '101',
      'added-files-size': '900',
      'changed-partition-count': '1',
      'total-data-files': '6',
      'total-records': '1101',
      'total-files-size': '8900',
      'total-delete-files': '0',
      [OFFSETS_KEY]: '{"click-stream-0":[100,199],"click-stream-1":[7,7]}',
      [COMMITTED_KEY]: '{"click-stream-0":199,"other-3":5,"click-stream-1":7}',
    });
    expect(committedOffsets(summary)).toEqual(committed);
    expect(snapshotOffsets(summary)).toEqual(ranges);
    // no parent: totals are the added figures
    expect(appendSummary({ dataFiles: 1, records: 3, bytes: 10, partitions: 1 }, undefined, {}, {})).toMatchObject({ 'total-records': '3', 'total-position-deletes': '0' });
  });

  it('is empty for a summary streamlake did not write, and a clear error when malformed (never an empty map)', () => {
    expect(committedOffsets(undefined)).toEqual({});
    expect(committedOffsets({ operation: 'append' })).toEqual({});
    const bad = (v: string) => () => committedOffsets({ operation: 'append', [COMMITTED_KEY]: v });
    expect(bad('{"t-0": 5')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": 5')).toThrow(`snapshot summary '${COMMITTED_KEY}' is not JSON`);
    expect(bad('[1,2]')).toThrow('is not a JSON object');
    expect(bad('null')).toThrow('is not a JSON object');
    expect(bad('{"t0": 5}')).toThrow("has the key 't0', not '<topic>-<partition>'");
    expect(bad('{"t-0": "5"}')).toThrow(`has "5" for 't-0', not an offset`);
    expect(bad('{"t-0": -1}')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": 1.5}')).toThrow(LakeMetadataError);
    expect(() => snapshotOffsets({ operation: 'append', [OFFSETS_KEY]: '{"t-0": [5, 4]}' })).toThrow('not a [first, last] offset range');
  });

  it('refuses a range that starts at or below what the table holds (the caller skipped too little)', () => {
    expect(() => mergeCommitted({ 't-0': 10 }, { 't-0': [10, 20] })).toThrow(OffsetsAlreadyCommittedError);
    expect(() => mergeCommitted({ 't-0': 10 }, { 't-0': [5, 20] })).toThrow('t-0 offsets 5..20 overlap what the table already holds (up to 10)');
    // a gap is fine (compacted topics, transaction markers)
    expect(mergeCommitted({ 't-0': 10 }, { 't-0': [15, 20] })).toEqual({ 't-0': 20 });
    expect(() => mergeCommitted({}, { 't-0': [3, 2] })).toThrow(LakeMetadataError);
  });
});

describe("a table's committed offsets", () => {
  const s1 = snapshot(1n, undefined, { [COMMITTED_KEY]: '{"t-0":9}' });
  const s2 = snapshot(2n, 1n, { [COMMITTED_KEY]: '{"t-0":19,"t-1":4}' });
  const foreign = snapshot(3n, 2n, { 'added-records': '0' }); // another engine's compaction, say

  it("come from main's snapshot, or the nearest ancestor that records them", () => {
    expect(committedOffsetsOf(table([], undefined))).toEqual({});
    expect(committedOffsetsOf(table([s1, s2], 2n))).toEqual({ 't-0': 19, 't-1': 4 });
    expect(committedOffsetsOf(table([s1, s2, foreign], 3n))).toEqual({ 't-0': 19, 't-1': 4 });
    expect(committedOffsetsOf(table([snapshot(5n, undefined, {})], 5n))).toEqual({});
  });

  it('are an error when the history that would say is expired, or main points at a snapshot not listed', () => {
    expect(() => committedOffsetsOf(table([foreign], 3n))).toThrow("no snapshot in main's history up to the expired snapshot 2 records");
    expect(() => committedOffsetsOf(table([s1], 2n))).toThrow('main points at snapshot 2, which its metadata does not list');
  });
});

describe('appendCommit', () => {
  it('asserts the table and that main still points at the parent (or does not exist), then adds the snapshot and moves main', () => {
    const s = snapshot(2n ** 62n + 3n, 2n ** 61n, {});
    expect(appendCommit({ tableUuid: 'u', snapshot: s })).toEqual({
      requirements: [
        { type: 'assert-table-uuid', uuid: 'u' },
        { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 2n ** 61n },
      ],
      updates: [
        { action: 'add-snapshot', snapshot: s },
        { action: 'set-snapshot-ref', 'ref-name': 'main', type: 'branch', 'snapshot-id': 2n ** 62n + 3n },
      ],
    });
    const first = appendCommit({ tableUuid: 'u', snapshot: snapshot(1n, undefined, {}) });
    expect(first.requirements[1]).toEqual({ type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null });
    expect(stringifyCatalogJson(first.requirements[1])).toBe('{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":null}');
    expect(stringifyCatalogJson(appendCommit({ tableUuid: 'u', snapshot: s }).updates[1])).toContain('"snapshot-id":4611686018427387907');
  });
});
