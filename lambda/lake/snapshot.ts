/**
 * Append snapshots and the exactly-once bookkeeping in their summaries.
 *
 * Each snapshot streamlake commits records, besides Iceberg's standard summary keys
 * (`added-data-files`, `added-records`, `added-files-size`, `changed-partition-count`, and the
 * `total-*` keys carried from the parent), two of its own:
 * - `streamlake.offsets`: the Kafka offset ranges this snapshot holds, `{"<topic>-<partition>": [first, last], …}`;
 * - `streamlake.committed`: the highest committed offset per topic-partition for the whole table
 *   as of this snapshot (the parent's map updated with this snapshot's ranges), so the current
 *   snapshot alone says what the table holds, even after older snapshots expire.
 *
 * A processor reads `committedOffsetsOf(table)`, skips records at or below it, and commits the
 * rest with `assert-ref-snapshot-id` on `main` (optimistic concurrency): a concurrent commit makes
 * the catalog refuse, and the retry re-reads the table. Pure.
 */
import { randomBytes } from 'node:crypto';
import { refSnapshotId, type Snapshot, type TableCommit, type TableMetadata, type TableRequirement, type TableUpdate } from '../adapters/rest-catalog';
import { LakeMetadataError, OffsetsAlreadyCommittedError } from './errors';

export const OFFSETS_KEY = 'streamlake.offsets';
export const COMMITTED_KEY = 'streamlake.committed';

/** Offset ranges by `<topic>-<partition>`: first and last offset, inclusive. */
export type OffsetRanges = Readonly<Record<string, readonly [number, number]>>;
/** Highest committed offset by `<topic>-<partition>`. */
export type CommittedOffsets = Readonly<Record<string, number>>;

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

/**
 * The highest committed offset per topic-partition recorded by a snapshot summary; empty when the
 * summary has no `streamlake.committed` (a snapshot streamlake did not write); a malformed value
 * is a LakeMetadataError, never an empty map (which would re-commit everything).
 */
export function committedOffsets(summary: SnapshotSummary | Readonly<Record<string, string>> | undefined): CommittedOffsets {
  if (summary === undefined) return {};
  const map = parseMap(summary, COMMITTED_KEY);
  if (map === undefined) return {};
  for (const [k, v] of Object.entries(map)) {
    if (!isOffset(v)) throw new LakeMetadataError(`iceberg: snapshot summary '${COMMITTED_KEY}' has ${JSON.stringify(v)} for '${k}', not an offset`);
  }
  return map as Record<string, number>;
}

/** The offset ranges a snapshot summary says it holds (`streamlake.offsets`); empty when absent. */
export function snapshotOffsets(summary: SnapshotSummary | Readonly<Record<string, string>> | undefined): OffsetRanges {
  if (summary === undefined) return {};
  const map = parseMap(summary, OFFSETS_KEY);
  if (map === undefined) return {};
  for (const [k, v] of Object.entries(map)) {
    if (!Array.isArray(v) || v.length !== 2 || !isOffset(v[0]) || !isOffset(v[1]) || v[0] > v[1]) {
      throw new LakeMetadataError(`iceberg: snapshot summary '${OFFSETS_KEY}' has ${JSON.stringify(v)} for '${k}', not a [first, last] offset range`);
    }
  }
  return map as unknown as OffsetRanges;
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

/** `committed` updated with `ranges`; an OffsetsAlreadyCommittedError when a range starts at or below what is committed. */
export function mergeCommitted(committed: CommittedOffsets, ranges: OffsetRanges): CommittedOffsets {
  const out: Record<string, number> = { ...committed };
  for (const [k, [first, last]] of Object.entries(ranges)) {
    if (!KEY.test(k)) throw new LakeMetadataError(`iceberg: offset range key '${k}' is not '<topic>-<partition>'`);
    if (!isOffset(first) || !isOffset(last) || first > last) throw new LakeMetadataError(`iceberg: [${first}, ${last}] is not an offset range (${k})`);
    const held = committed[k];
    if (held !== undefined && first <= held) {
      throw new OffsetsAlreadyCommittedError(`iceberg: ${k} offsets ${first}..${last} overlap what the table already holds (up to ${held}): skip records at or below it`);
    }
    out[k] = last;
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
