/**
 * Snapshots and the exactly-once bookkeeping: random positive 63-bit ids; offset range sets (one
 * spelling: sorted, disjoint, adjacent merged), what of a batch's span is committed or still to
 * commit (holes left by a parked batch, edges, ranges before and after the span, exact cover), the
 * highest committed offset, overlaps refused when merging; the summary's range maps (round trip,
 * malformed values as clear errors, the old high-water format refused); the committed ranges found
 * through a table's history; the commit request with its requirements. Properties (fast-check):
 * normalized sets spell the same offsets, and a span is exactly its uncommitted ranges plus its
 * committed offsets, disjointly.
 */
import fc from 'fast-check';
import { stringifyCatalogJson, type Snapshot, type TableMetadata } from '../../../lambda/adapters/rest-catalog';
import { LakeMetadataError, OffsetsAlreadyCommittedError } from '../../../lambda/lake/errors';
import {
  appendCommit,
  appendSummary,
  COMMITTED_KEY,
  committedOffsets,
  committedOffsetsOf,
  highestCommitted,
  isCommitted,
  mergeCommitted,
  newSnapshotId,
  normalizeRanges,
  OFFSETS_KEY,
  overlappingRanges,
  snapshotOffsets,
  topicPartitionKey,
  uncommittedRanges,
  type CommittedOffsets,
  type OffsetRange,
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

/** Every offset of `ranges`, ascending (duplicates kept: an overlap shows). */
const offsetsIn = (ranges: readonly OffsetRange[]): number[] => ranges.flatMap(([a, b]) => Array.from({ length: b - a + 1 }, (_, i) => a + i)).sort((x, y) => x - y);

/** Sorted, each first ≤ last, and a gap of at least one offset between neighbours (disjoint and not adjacent). */
const isNormalized = (ranges: readonly OffsetRange[]): boolean => ranges.every(([a, b], i) => a <= b && (i === 0 || a > ranges[i - 1][1] + 1));

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

describe('normalizeRanges', () => {
  it('sorts, merges overlapping, contained and adjacent ranges, keeps gaps; the input is left as it was', () => {
    expect(normalizeRanges([])).toEqual([]);
    expect(normalizeRanges([[5, 5]])).toEqual([[5, 5]]);
    const unsorted: OffsetRange[] = [
      [20, 29],
      [0, 9],
    ];
    expect(normalizeRanges(unsorted)).toEqual([
      [0, 9],
      [20, 29],
    ]);
    expect(unsorted).toEqual([
      [20, 29],
      [0, 9],
    ]);
    expect(
      normalizeRanges([
        [0, 9],
        [10, 19],
      ]),
    ).toEqual([[0, 19]]);
    expect(
      normalizeRanges([
        [10, 19],
        [0, 15],
      ]),
    ).toEqual([[0, 19]]);
    expect(
      normalizeRanges([
        [0, 100],
        [10, 20],
      ]),
    ).toEqual([[0, 100]]);
    expect(
      normalizeRanges([
        [0, 9],
        [11, 19],
      ]),
    ).toEqual([
      [0, 9],
      [11, 19],
    ]);
    expect(
      normalizeRanges([
        [8, 8],
        [6, 6],
        [5, 5],
      ]),
    ).toEqual([
      [5, 6],
      [8, 8],
    ]);
  });

  it('property: the result is normalized, spells the same offsets, and normalizing it again changes nothing', () => {
    const range = fc.tuple(fc.nat(300), fc.nat(20)).map(([a, n]): OffsetRange => [a, a + n]);
    fc.assert(
      fc.property(fc.array(range, { maxLength: 12 }), (ranges) => {
        const out = normalizeRanges(ranges);
        expect(isNormalized(out)).toBe(true);
        expect(offsetsIn(out)).toEqual([...new Set(offsetsIn(ranges))].sort((x, y) => x - y));
        expect(normalizeRanges(out)).toEqual(out);
      }),
    );
  });
});

describe('committed ranges of a topic-partition', () => {
  // 10..19 and 30..39 are holes (parked batches, say); 40 a single offset
  const committed: CommittedOffsets = {
    't-0': [
      [0, 9],
      [20, 29],
      [40, 40],
    ],
    't-1': [],
  };

  it('isCommitted: inside a range, at both of its edges; not in a hole, before or after every range, nor for another key', () => {
    const held = [0, 5, 9, 20, 29, 40];
    const notHeld = [10, 19, 30, 39, 41, 1_000_000];
    expect(held.map((o) => isCommitted(committed, 't-0', o))).toEqual(held.map(() => true));
    expect(notHeld.map((o) => isCommitted(committed, 't-0', o))).toEqual(notHeld.map(() => false));
    expect(isCommitted(committed, 't-1', 0)).toBe(false);
    expect(isCommitted(committed, 'u-0', 5)).toBe(false);
    expect(isCommitted({}, 't-0', 0)).toBe(false);
  });

  it('uncommittedRanges: the span minus the committed ranges', () => {
    const todo = (first: number, last: number, c: CommittedOffsets = committed) => uncommittedRanges(c, 't-0', first, last);
    // exactly covered, or inside one range: nothing to commit
    expect(todo(0, 9)).toEqual([]);
    expect(todo(3, 7)).toEqual([]);
    expect(todo(40, 40)).toEqual([]);
    // exactly a hole, or a span whose edges are committed: the hole
    expect(todo(10, 19)).toEqual([[10, 19]]);
    expect(todo(9, 20)).toEqual([[10, 19]]);
    expect(todo(5, 25)).toEqual([[10, 19]]);
    // part of a hole
    expect(todo(12, 15)).toEqual([[12, 15]]);
    expect(todo(15, 22)).toEqual([[15, 19]]);
    // several holes, and past the last range
    expect(todo(0, 50)).toEqual([
      [10, 19],
      [30, 39],
      [41, 50],
    ]);
    expect(todo(30, 45)).toEqual([
      [30, 39],
      [41, 45],
    ]);
    // every committed range before the span, or after it
    expect(todo(100, 200)).toEqual([[100, 200]]);
    expect(todo(0, 5, { 't-0': [[50, 60]] })).toEqual([[0, 5]]);
    // single-offset holes
    expect(
      todo(8, 12, {
        't-0': [
          [0, 9],
          [11, 11],
        ],
      }),
    ).toEqual([
      [10, 10],
      [12, 12],
    ]);
    // nothing committed for the key
    expect(uncommittedRanges(committed, 't-1', 3, 4)).toEqual([[3, 4]]);
    expect(uncommittedRanges(committed, 'u-0', 3, 4)).toEqual([[3, 4]]);
  });

  it('highestCommitted: the last offset of the last range; undefined when none', () => {
    expect(highestCommitted(committed, 't-0')).toBe(40);
    expect(highestCommitted(committed, 't-1')).toBeUndefined();
    expect(highestCommitted(committed, 'u-0')).toBeUndefined();
    expect(highestCommitted({}, 't-0')).toBeUndefined();
  });

  it('overlappingRanges: the committed ranges a span touches, none for a hole or another key', () => {
    expect(overlappingRanges(committed, 't-0', 5, 25)).toEqual([
      [0, 9],
      [20, 29],
    ]);
    expect(overlappingRanges(committed, 't-0', 29, 40)).toEqual([
      [20, 29],
      [40, 40],
    ]);
    expect(overlappingRanges(committed, 't-0', 9, 9)).toEqual([[0, 9]]);
    expect(overlappingRanges(committed, 't-0', 10, 19)).toEqual([]);
    expect(overlappingRanges(committed, 't-0', 41, 99)).toEqual([]);
    expect(overlappingRanges(committed, 't-1', 0, 99)).toEqual([]);
    expect(overlappingRanges(committed, 'u-0', 0, 99)).toEqual([]);
  });

  it('property: a span is its uncommitted ranges plus its committed offsets, disjointly; merging the uncommitted ranges commits the whole span', () => {
    const offsets = fc.uniqueArray(fc.nat(120), { maxLength: 80 });
    const span = fc.tuple(fc.nat(130), fc.nat(40)).map(([a, n]): OffsetRange => [a, a + n]);
    fc.assert(
      fc.property(offsets, span, (held, [first, last]) => {
        const ranges = normalizeRanges(held.map((o): OffsetRange => [o, o]));
        const c: CommittedOffsets = { 'k-0': ranges };
        const heldSet = new Set(held);
        const spanOffsets = offsetsIn([[first, last]]);
        const todo = uncommittedRanges(c, 'k-0', first, last);

        // within the span, normalized, none of it committed
        expect(isNormalized(todo)).toBe(true);
        expect(todo.every(([a, b]) => a >= first && b <= last)).toBe(true);
        const todoOffsets = offsetsIn(todo);
        expect(todoOffsets.some((o) => heldSet.has(o))).toBe(false);
        // uncommitted ∪ (committed ∩ span) = span
        const committedInSpan = spanOffsets.filter((o) => heldSet.has(o));
        expect([...todoOffsets, ...committedInSpan].sort((x, y) => x - y)).toEqual(spanOffsets);
        // isCommitted agrees with the set, at every offset of the span and around it
        for (let o = Math.max(0, first - 2); o <= last + 2; o++) expect(isCommitted(c, 'k-0', o)).toBe(heldSet.has(o));
        // overlapping ranges exist exactly when some of the span is committed
        expect(overlappingRanges(c, 'k-0', first, last).length > 0).toBe(committedInSpan.length > 0);
        expect(highestCommitted(c, 'k-0')).toBe(held.length > 0 ? Math.max(...held) : undefined);

        if (todo.length > 0) {
          const merged = mergeCommitted(c, { 'k-0': todo });
          expect(isNormalized(merged['k-0'])).toBe(true);
          expect(offsetsIn(merged['k-0'])).toEqual([...new Set([...held, ...spanOffsets])].sort((x, y) => x - y));
          expect(uncommittedRanges(merged, 'k-0', first, last)).toEqual([]);
        }
        if (committedInSpan.length > 0) expect(() => mergeCommitted(c, { 'k-0': [[first, last]] })).toThrow(OffsetsAlreadyCommittedError);
      }),
    );
  });
});

describe('mergeCommitted', () => {
  it('merges an adjacent range into one, keeps a gap, fills a gap into one range, adds before, carries other keys; the input is left as it was', () => {
    const before: CommittedOffsets = { 't-0': [[0, 99]], 'u-3': [[0, 5]] };
    expect(mergeCommitted(before, { 't-0': [[100, 199]] })).toEqual({ 't-0': [[0, 199]], 'u-3': [[0, 5]] });
    expect(before).toEqual({ 't-0': [[0, 99]], 'u-3': [[0, 5]] });
    expect(mergeCommitted(before, { 't-0': [[150, 199]] })).toEqual({
      't-0': [
        [0, 99],
        [150, 199],
      ],
      'u-3': [[0, 5]],
    });
    // a parked batch replayed: its offsets are the gap, and the table's ranges are one again
    expect(
      mergeCommitted(
        {
          't-0': [
            [0, 199],
            [400, 599],
          ],
        },
        { 't-0': [[200, 399]] },
      ),
    ).toEqual({ 't-0': [[0, 599]] });
    expect(mergeCommitted({ 't-0': [[100, 199]] }, { 't-0': [[0, 49]] })).toEqual({
      't-0': [
        [0, 49],
        [100, 199],
      ],
    });
    // several ranges at once (a retry that spans holes)
    expect(
      mergeCommitted(
        {
          't-0': [
            [0, 9],
            [20, 29],
          ],
        },
        {
          't-0': [
            [10, 19],
            [30, 39],
          ],
        },
      ),
    ).toEqual({ 't-0': [[0, 39]] });
    expect(mergeCommitted({}, { 't-0': [[5, 5]], 'click-stream-1': [[7, 7]] })).toEqual({ 't-0': [[5, 5]], 'click-stream-1': [[7, 7]] });
    expect(mergeCommitted(before, {})).toEqual(before);
  });

  it('refuses a range that overlaps what the table holds (the caller skipped too little), naming the ranges it overlaps', () => {
    expect(() => mergeCommitted({ 't-0': [[0, 99]] }, { 't-0': [[99, 150]] })).toThrow(OffsetsAlreadyCommittedError);
    expect(() => mergeCommitted({ 't-0': [[0, 99]] }, { 't-0': [[99, 150]] })).toThrow('t-0 offsets 99..150 overlap what the table already holds (0..99)');
    // a replay wider than the hole it fills
    const holes: CommittedOffsets = {
      't-0': [
        [0, 9],
        [20, 29],
      ],
    };
    expect(() => mergeCommitted(holes, { 't-0': [[5, 25]] })).toThrow('t-0 offsets 5..25 overlap what the table already holds (0..9, 20..29)');
    expect(() => mergeCommitted(holes, { 't-0': [[10, 20]] })).toThrow(OffsetsAlreadyCommittedError);
    // one good range does not let another through
    expect(() =>
      mergeCommitted(holes, {
        't-0': [
          [10, 19],
          [25, 25],
        ],
      }),
    ).toThrow('t-0 offsets 25..25 overlap');
    expect(holes).toEqual({
      't-0': [
        [0, 9],
        [20, 29],
      ],
    });
  });

  it('refuses malformed keys and ranges with a LakeMetadataError', () => {
    expect(() => mergeCommitted({}, { t0: [[0, 1]] })).toThrow("offset range key 't0' is not '<topic>-<partition>'");
    for (const bad of [
      [3, 2],
      [-1, 2],
      [1.5, 2],
      [0, 2 ** 53],
    ] as OffsetRange[]) {
      expect(() => mergeCommitted({}, { 't-0': [bad] })).toThrow(LakeMetadataError);
      expect(() => mergeCommitted({}, { 't-0': [bad] })).toThrow(`${JSON.stringify(bad)} is not an offset range (t-0)`);
    }
    expect(() => mergeCommitted({}, { 't-0': [[0, 1, 2] as unknown as OffsetRange] })).toThrow(LakeMetadataError);
  });
});

describe('summary offsets', () => {
  const ranges = { [topicPartitionKey('click-stream', 0)]: [[100, 199]], 'click-stream-1': [[7, 7]] } satisfies Record<string, OffsetRange[]>;

  it('round-trip: this snapshot ranges and the committed ranges, with the standard keys and totals from the parent', () => {
    const committed = mergeCommitted({ 'click-stream-0': [[0, 99]], 'other-3': [[0, 5]] }, ranges);
    expect(committed).toEqual({ 'click-stream-0': [[0, 199]], 'click-stream-1': [[7, 7]], 'other-3': [[0, 5]] });
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
      [OFFSETS_KEY]: '{"click-stream-0":[[100,199]],"click-stream-1":[[7,7]]}',
      [COMMITTED_KEY]: '{"click-stream-0":[[0,199]],"other-3":[[0,5]],"click-stream-1":[[7,7]]}',
    });
    expect(committedOffsets(summary)).toEqual(committed);
    expect(snapshotOffsets(summary)).toEqual(ranges);
    // no parent: totals are the added figures
    expect(appendSummary({ dataFiles: 1, records: 3, bytes: 10, partitions: 1 }, undefined, {}, {})).toMatchObject({ 'total-records': '3', 'total-position-deletes': '0' });
    // an offsets-only snapshot (no data file): the offsets are recorded all the same
    expect(appendSummary({ dataFiles: 0, records: 0, bytes: 0, partitions: 0 }, undefined, { 't-0': [[0, 9]] }, { 't-0': [[0, 9]] })).toMatchObject({
      'added-data-files': '0',
      'total-records': '0',
      [OFFSETS_KEY]: '{"t-0":[[0,9]]}',
      [COMMITTED_KEY]: '{"t-0":[[0,9]]}',
    });
  });

  it('reads ranges written in any order or overlapping in their one spelling', () => {
    expect(committedOffsets({ operation: 'append', [COMMITTED_KEY]: '{"t-0":[[30,40],[0,9],[10,19]],"t-1":[[0,10],[5,20]]}' })).toEqual({
      't-0': [
        [0, 19],
        [30, 40],
      ],
      't-1': [[0, 20]],
    });
  });

  it('is empty for a summary streamlake did not write, and a clear error when malformed (never an empty map)', () => {
    expect(committedOffsets(undefined)).toEqual({});
    expect(committedOffsets({ operation: 'append' })).toEqual({});
    expect(snapshotOffsets({ operation: 'append' })).toEqual({});
    const bad = (v: string) => () => committedOffsets({ operation: 'append', [COMMITTED_KEY]: v });
    expect(bad('{"t-0": [[0, 5]]')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": [[0, 5]]')).toThrow(`snapshot summary '${COMMITTED_KEY}' is not JSON`);
    expect(bad('[[0,5]]')).toThrow('is not a JSON object');
    expect(bad('null')).toThrow('is not a JSON object');
    expect(bad('{"t0": [[0, 5]]}')).toThrow("has the key 't0', not '<topic>-<partition>'");
    const notRanges = (v: string) => `has ${v} for 't-0', not a list of [first, last] offset ranges`;
    // not a list: the old high-water mark is refused, not read as a range
    expect(bad('{"t-0": 599}')).toThrow(notRanges('599'));
    expect(bad('{"t-0": "0-5"}')).toThrow(notRanges('"0-5"'));
    expect(bad('{"t-0": {"first": 0}}')).toThrow(notRanges('{"first":0}'));
    // a list, but not of ranges: the old single range, an empty list, an inverted, negative, fractional, short, long or string range
    expect(bad('{"t-0": [0, 5]}')).toThrow(notRanges('[0,5]'));
    expect(bad('{"t-0": []}')).toThrow(notRanges('[]'));
    expect(bad('{"t-0": [[5, 4]]}')).toThrow(notRanges('[[5,4]]'));
    expect(bad('{"t-0": [[0, 9], [-1, 4]]}')).toThrow(notRanges('[[0,9],[-1,4]]'));
    expect(bad('{"t-0": [[1.5, 4]]}')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": [[1]]}')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": [[1, 2, 3]]}')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": [["1", 2]]}')).toThrow(LakeMetadataError);
    expect(bad('{"t-0": [null]}')).toThrow(LakeMetadataError);
    expect(() => snapshotOffsets({ operation: 'append', [OFFSETS_KEY]: '{"t-0": [[5, 4]]}' })).toThrow(`snapshot summary '${OFFSETS_KEY}' has [[5,4]] for 't-0'`);
  });
});

describe("a table's committed offsets", () => {
  const s1 = snapshot(1n, undefined, { [COMMITTED_KEY]: '{"t-0":[[0,9]]}' });
  const s2 = snapshot(2n, 1n, { [COMMITTED_KEY]: '{"t-0":[[0,19]],"t-1":[[0,4]]}' });
  const foreign = snapshot(3n, 2n, { 'added-records': '0' }); // another engine's compaction, say

  it("come from main's snapshot, or the nearest ancestor that records them", () => {
    expect(committedOffsetsOf(table([], undefined))).toEqual({});
    expect(committedOffsetsOf(table([s1, s2], 2n))).toEqual({ 't-0': [[0, 19]], 't-1': [[0, 4]] });
    expect(committedOffsetsOf(table([s1, s2, foreign], 3n))).toEqual({ 't-0': [[0, 19]], 't-1': [[0, 4]] });
    expect(committedOffsetsOf(table([snapshot(5n, undefined, {})], 5n))).toEqual({});
  });

  it('keep a gap a parked batch left until its replay fills it', () => {
    const later = snapshot(4n, 2n, { [OFFSETS_KEY]: '{"t-0":[[40,59]]}', [COMMITTED_KEY]: '{"t-0":[[0,19],[40,59]],"t-1":[[0,4]]}' });
    const held = committedOffsetsOf(table([s1, s2, later], 4n));
    expect(held).toEqual({
      't-0': [
        [0, 19],
        [40, 59],
      ],
      't-1': [[0, 4]],
    });
    expect(uncommittedRanges(held, 't-0', 20, 39)).toEqual([[20, 39]]);
    expect(highestCommitted(held, 't-0')).toBe(59);
    expect(mergeCommitted(held, { 't-0': [[20, 39]] })).toEqual({ 't-0': [[0, 59]], 't-1': [[0, 4]] });
  });

  it('are an error when the history that would say is expired, main points at a snapshot not listed, or the summary is in the old format', () => {
    expect(() => committedOffsetsOf(table([foreign], 3n))).toThrow("no snapshot in main's history up to the expired snapshot 2 records");
    expect(() => committedOffsetsOf(table([s1], 2n))).toThrow('main points at snapshot 2, which its metadata does not list');
    expect(() => committedOffsetsOf(table([snapshot(6n, undefined, { [COMMITTED_KEY]: '{"t-0":599}' })], 6n))).toThrow(LakeMetadataError);
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
