/**
 * Append snapshots and the exactly-once bookkeeping in their summaries.
 *
 * Each snapshot streamlake commits records, besides Iceberg's standard summary keys
 * (`added-data-files`, `added-records`, `added-files-size`, `changed-partition-count`, and the
 * `total-*` keys carried from the parent), two of its own:
 * - `streamlake.offsets`: the Kafka offset ranges this snapshot holds, `{"<topic>-<partition>": [[first, last], …], …}`;
 * - `streamlake.committed`: every offset range the whole table holds per topic-partition as of
 *   this snapshot (the parent's ranges with this snapshot's added, adjacent ranges merged), so the
 *   current snapshot alone says what the table holds, even after older snapshots expire.
 *
 * Ranges, not a high-water mark: a batch that exhausted its retries is parked in the on-failure
 * destination while later offsets commit, and when it is replayed its offsets are below theirs;
 * they are a gap in the ranges, so the replay commits them (a high-water mark would skip them).
 * Normally each partition's ranges are one range.
 *
 * A processor reads `committedOffsetsOf(table)`, skips records inside its ranges, and commits the
 * rest with `assert-ref-snapshot-id` on `main` (optimistic concurrency): a concurrent commit makes
 * the catalog refuse, and the retry re-reads the table. Pure.
 */
import { randomBytes } from 'node:crypto';
import { refSnapshotId, type Schema, type Snapshot, type TableCommit, type TableMetadata, type TableRequirement, type TableUpdate } from '../adapters/rest-catalog';
import { LakeMetadataError, OffsetsAlreadyCommittedError } from './errors';

export const OFFSETS_KEY = 'streamlake.offsets';
export const COMMITTED_KEY = 'streamlake.committed';

/** First and last offset, inclusive. */
export type OffsetRange = readonly [number, number];
/** Offset ranges by `<topic>-<partition>`: sorted, disjoint, adjacent ones merged (see `normalizeRanges`). */
export type OffsetRanges = Readonly<Record<string, readonly OffsetRange[]>>;
/** Every offset range a table holds, by `<topic>-<partition>` (same shape as OffsetRanges). */
export type CommittedOffsets = OffsetRanges;

export type SnapshotSummary = Snapshot['summary'];

/** The key of a topic-partition in the offset maps: `<topic>-<partition>` (topics may contain '-': the partition is after the last one). */
export function topicPartitionKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

const KEY = /^.+-\d+$/;
const isOffset = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/**
 * A random positive 63-bit snapshot id, as Iceberg Java and pyiceberg draw them. A bigint:
 * beyond 2^53 a JavaScript number would lose digits.
 */
export function newSnapshotId(random: (bytes: number) => Uint8Array = randomBytes): bigint {
  const b = Buffer.from(random(8));
  const id = b.readBigUInt64BE(0) & 0x7fffffffffffffffn;
  return id === 0n ? 1n : id;
}

function parseMap(summary: SnapshotSummary | Readonly<Record<string, string>>, key: string): Record<string, unknown> | undefined {
  const text = summary[key];
  if (text === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new LakeMetadataError(`iceberg: snapshot summary '${key}' is not JSON: ${text.slice(0, 200)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new LakeMetadataError(`iceberg: snapshot summary '${key}' is not a JSON object: ${text.slice(0, 200)}`);
  for (const k of Object.keys(parsed)) if (!KEY.test(k)) throw new LakeMetadataError(`iceberg: snapshot summary '${key}' has the key '${k}', not '<topic>-<partition>'`);
  return parsed as Record<string, unknown>;
}

const isRange = (r: unknown): r is OffsetRange => Array.isArray(r) && r.length === 2 && isOffset(r[0]) && isOffset(r[1]) && r[0] <= r[1];

/** Sorted, disjoint, adjacent ranges merged: the one spelling of a set of offsets. */
export function normalizeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [first, last] of sorted) {
    const prev = out[out.length - 1];
    if (prev && first <= prev[1] + 1) prev[1] = Math.max(prev[1], last);
    else out.push([first, last]);
  }
  return out;
}

function parseRanges(summary: SnapshotSummary | Readonly<Record<string, string>> | undefined, key: string): OffsetRanges {
  if (summary === undefined) return {};
  const map = parseMap(summary, key);
  if (map === undefined) return {};
  const out: Record<string, OffsetRange[]> = {};
  for (const [k, v] of Object.entries(map)) {
    if (!Array.isArray(v) || v.length === 0 || !v.every(isRange)) {
      throw new LakeMetadataError(`iceberg: snapshot summary '${key}' has ${JSON.stringify(v)} for '${k}', not a list of [first, last] offset ranges`);
    }
    out[k] = normalizeRanges(v as OffsetRange[]);
  }
  return out;
}

/**
 * Every offset range the table holds per topic-partition, as a snapshot summary records it; empty
 * when the summary has no `streamlake.committed` (a snapshot streamlake did not write); a
 * malformed value is a LakeMetadataError, never an empty map (which would re-commit everything).
 */
export function committedOffsets(summary: SnapshotSummary | Readonly<Record<string, string>> | undefined): CommittedOffsets {
  return parseRanges(summary, COMMITTED_KEY);
}

/** The offset ranges a snapshot summary says it holds (`streamlake.offsets`); empty when absent. */
export function snapshotOffsets(summary: SnapshotSummary | Readonly<Record<string, string>> | undefined): OffsetRanges {
  return parseRanges(summary, OFFSETS_KEY);
}

/** Whether `offset` of the topic-partition `key` is in the committed ranges. */
export function isCommitted(committed: CommittedOffsets, key: string, offset: number): boolean {
  const ranges = committed[key];
  if (!ranges) return false;
  // binary search: ranges are sorted and disjoint
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < ranges[mid][0]) hi = mid - 1;
    else if (offset > ranges[mid][1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** `[first, last]` minus the committed ranges of `key`: what of a batch's span is still to commit. */
export function uncommittedRanges(committed: CommittedOffsets, key: string, first: number, last: number): OffsetRange[] {
  const out: OffsetRange[] = [];
  let from = first;
  for (const [a, b] of committed[key] ?? []) {
    if (b < from) continue;
    if (a > last) break;
    if (a > from) out.push([from, a - 1]);
    from = Math.max(from, b + 1);
    if (from > last) break;
  }
  if (from <= last) out.push([from, last]);
  return out;
}

/** The highest committed offset of `key`, or undefined when none is. */
export function highestCommitted(committed: CommittedOffsets, key: string): number | undefined {
  const ranges = committed[key];
  return ranges && ranges.length > 0 ? ranges[ranges.length - 1][1] : undefined;
}

/** The snapshot `main` (or `ref`) points at, or undefined for a table with none. */
export function refSnapshot(metadata: TableMetadata, ref = 'main'): Snapshot | undefined {
  const id = refSnapshotId(metadata, ref);
  if (id === undefined) return undefined;
  const snapshot = metadata.snapshots?.find((s) => s['snapshot-id'] === id);
  if (!snapshot)
    throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']}: ${ref} points at snapshot ${id}, which its metadata does not list (load it with all snapshots)`);
  return snapshot;
}

/**
 * What the table holds as of its `main` snapshot: the `streamlake.committed` of the nearest
 * snapshot in main's history that has one (a foreign snapshot, e.g. another engine's compaction,
 * does not hide it). Empty for a table with no streamlake snapshot. A LakeMetadataError when that
 * history reaches an expired snapshot before any that has the key: the table can no longer say.
 */
export function committedOffsetsOf(metadata: TableMetadata, ref = 'main'): CommittedOffsets {
  const byId = new Map((metadata.snapshots ?? []).map((s) => [s['snapshot-id'], s]));
  let snapshot = refSnapshot(metadata, ref);
  while (snapshot) {
    if (snapshot.summary[COMMITTED_KEY] !== undefined) return committedOffsets(snapshot.summary);
    const parent = snapshot['parent-snapshot-id'];
    if (parent === undefined || parent === null) return {};
    snapshot = byId.get(parent);
    if (!snapshot) {
      throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']}: no snapshot in ${ref}'s history up to the expired snapshot ${parent} records '${COMMITTED_KEY}'`);
    }
  }
  return {};
}

/** The committed ranges of `key` that `[first, last]` overlaps. */
export function overlappingRanges(committed: CommittedOffsets, key: string, first: number, last: number): OffsetRange[] {
  return (committed[key] ?? []).filter(([a, b]) => a <= last && b >= first);
}

/** `committed` with `ranges` added; an OffsetsAlreadyCommittedError when one overlaps what is committed. */
export function mergeCommitted(committed: CommittedOffsets, ranges: OffsetRanges): CommittedOffsets {
  const out: Record<string, readonly OffsetRange[]> = { ...committed };
  for (const [k, list] of Object.entries(ranges)) {
    if (!KEY.test(k)) throw new LakeMetadataError(`iceberg: offset range key '${k}' is not '<topic>-<partition>'`);
    for (const r of list) {
      if (!isRange(r)) throw new LakeMetadataError(`iceberg: ${JSON.stringify(r)} is not an offset range (${k})`);
      const held = overlappingRanges(committed, k, r[0], r[1]);
      if (held.length > 0) {
        throw new OffsetsAlreadyCommittedError(
          `iceberg: ${k} offsets ${r[0]}..${r[1]} overlap what the table already holds (${held.map(([a, b]) => `${a}..${b}`).join(', ')}): skip the records it holds`,
        );
      }
    }
    out[k] = normalizeRanges([...(committed[k] ?? []), ...list]);
  }
  return out;
}

/** What an append adds, for the summary. */
export interface AppendFigures {
  readonly dataFiles: number;
  readonly records: number;
  readonly bytes: number;
  readonly partitions: number;
}

const TOTALS: readonly (readonly [string, keyof AppendFigures | undefined])[] = [
  ['total-data-files', 'dataFiles'],
  ['total-records', 'records'],
  ['total-files-size', 'bytes'],
  ['total-delete-files', undefined],
  ['total-position-deletes', undefined],
  ['total-equality-deletes', undefined],
];

/**
 * The summary of an append: the standard keys (a total only when the parent has it, or when there
 * is no parent: it cannot be known otherwise), this snapshot's offset ranges and the table's
 * committed offsets after it.
 */
export function appendSummary(added: AppendFigures, parent: SnapshotSummary | undefined, ranges: OffsetRanges, committed: CommittedOffsets): SnapshotSummary {
  const summary: Record<string, string> = {
    'added-data-files': String(added.dataFiles),
    'added-records': String(added.records),
    'added-files-size': String(added.bytes),
    'changed-partition-count': String(added.partitions),
  };
  for (const [key, figure] of TOTALS) {
    const previous = parent === undefined ? '0' : parent[key];
    if (previous === undefined || !/^\d+$/.test(previous)) continue;
    summary[key] = String(Number(previous) + (figure ? added[figure] : 0));
  }
  summary[OFFSETS_KEY] = JSON.stringify(ranges);
  summary[COMMITTED_KEY] = JSON.stringify(committed);
  return { operation: 'append', ...summary };
}

/** A new snapshot: the child of `parentSnapshotId` (none: the table's first), dated `now` (@default Date.now()), written with `schema`. */
export function snapshotOf(args: {
  readonly snapshotId: bigint;
  readonly parentSnapshotId: bigint | undefined;
  readonly sequenceNumber: number;
  readonly now?: number;
  readonly manifestList: string;
  readonly summary: SnapshotSummary;
  readonly schema: Schema;
}): Snapshot {
  return {
    'snapshot-id': args.snapshotId,
    ...(args.parentSnapshotId !== undefined ? { 'parent-snapshot-id': args.parentSnapshotId } : {}),
    'sequence-number': args.sequenceNumber,
    'timestamp-ms': args.now ?? Date.now(),
    'manifest-list': args.manifestList,
    summary: args.summary,
    'schema-id': args.schema['schema-id'] ?? 0,
  };
}

/** The commit of `snapshot` as `ref`'s new head: valid only while the table is the same and `ref` still points at the parent (none: the ref must not exist). */
export function appendCommit(args: {
  readonly tableUuid: string;
  readonly snapshot: Snapshot;
  readonly ref?: string;
  /** Schema evolution to apply in the same commit (see ./iceberg-schema.ts `resolveSchema`). */
  readonly requirements?: readonly TableRequirement[];
  readonly updates?: readonly TableUpdate[];
}): TableCommit {
  const ref = args.ref ?? 'main';
  return {
    requirements: [
      { type: 'assert-table-uuid', uuid: args.tableUuid },
      { type: 'assert-ref-snapshot-id', ref, 'snapshot-id': args.snapshot['parent-snapshot-id'] ?? null },
      ...(args.requirements ?? []),
    ],
    updates: [
      ...(args.updates ?? []),
      { action: 'add-snapshot', snapshot: args.snapshot },
      { action: 'set-snapshot-ref', 'ref-name': ref, type: 'branch', 'snapshot-id': args.snapshot['snapshot-id'] },
    ],
  };
}
