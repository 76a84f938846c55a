/**
 * One `replace` commit (Iceberg's RewriteFiles), composed: given the table's current metadata, the
 * manifest list of its `main` snapshot and the bytes of its data manifests, the data files a
 * rewrite removes and the files it adds, it returns the manifest and manifest list to write and
 * the commit request to POST. Pure, like ./append.ts: the caller writes the files, then commits
 * asserting `main` is still the snapshot planned on; on a conflict it reloads and plans again.
 *
 * Per the table spec (Manifests, Sequence Number Inheritance, Snapshots):
 * - the snapshot's operation is `replace`: "data and delete files were added and removed without
 *   changing table data; i.e., compaction";
 * - one new manifest lists the new files ADDED (snapshot id and both sequence numbers null,
 *   inherited from the manifest list at commit), the removed files DELETED, and every other live
 *   file of the manifests that listed a removed one EXISTING; DELETED and EXISTING entries carry
 *   their original data and file sequence numbers explicitly ("when writing an existing file to a
 *   new manifest or marking an existing file as deleted, the data and file sequence numbers must
 *   be non-null and set to the original values"), EXISTING ones their original snapshot id,
 *   DELETED ones this snapshot's id (the snapshot that deleted them); entries those manifests
 *   held as DELETED by older snapshots are dropped, as Iceberg's manifest filter does;
 * - manifests that list no removed file are carried as they are (the new manifest first);
 * - the new files' data sequence number is this snapshot's (inherited). Iceberg Java's
 *   RewriteDataFiles may give them the starting snapshot's instead, so that equality deletes
 *   committed meanwhile still apply to the rewritten rows; streamlake's tables have no delete
 *   files (a table with a delete manifest is refused), so the two are the same here;
 * - the summary has the standard added/deleted figures and totals, and carries
 *   `streamlake.committed` unchanged: the table still holds exactly the offsets it held, and
 *   processors read that key from the newest snapshot that has it (./snapshot.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Snapshot, TableCommit, TableMetadata } from '../adapters/rest-catalog';
import type { MetadataFile } from './append';
import { metadataDir } from './append';
import { partitionKey, type DataFile } from './data-file';
import { LakeMetadataError } from './errors';
import { currentSchema, defaultPartitionSpec } from './iceberg-schema';
import type { LiveDataFile } from './compaction';
import { ADDED, DELETED, EXISTING, FORMAT_VERSION, inheritEntry, readManifest, writeManifest, writeManifestList, type ManifestEntry, type ManifestFile } from './manifest';
import { appendCommit, COMMITTED_KEY, committedOffsetsOf, newSnapshotId, refSnapshot, snapshotOf, type CommittedOffsets, type SnapshotSummary } from './snapshot';

/** The manifests of a snapshot: its manifest list read, and the bytes of its manifests by path. */
export interface SnapshotManifests {
  readonly snapshotId: bigint;
  readonly manifests: readonly ManifestFile[];
  /** Every data manifest's bytes, by path. */
  readonly bytes: ReadonlyMap<string, Uint8Array>;
}

/** The live data files a snapshot's manifests list (a LakeMetadataError for delete files: streamlake does not rewrite around them). */
export function liveDataFiles(tableUuid: string, s: SnapshotManifests): LiveDataFile[] {
  const out: LiveDataFile[] = [];
  for (const m of s.manifests) {
    if (m.content !== 0)
      throw new LakeMetadataError(`iceberg: table ${tableUuid} has delete files (${m.manifestPath}): the compactor does not rewrite tables with row-level deletes`);
    const bytes = s.bytes.get(m.manifestPath);
    if (!bytes) throw new LakeMetadataError(`iceberg: table ${tableUuid}: manifest ${m.manifestPath} was not given`);
    for (const raw of readManifest(bytes).entries) {
      if (raw.status === DELETED) continue;
      const e = inheritEntry(raw, m);
      out.push({
        dataFile: e.dataFile,
        snapshotId: e.snapshotId!,
        sequenceNumber: e.sequenceNumber ?? 0,
        fileSequenceNumber: e.fileSequenceNumber ?? e.sequenceNumber ?? 0,
        manifestPath: m.manifestPath,
        specId: m.partitionSpecId,
      });
    }
  }
  return out;
}

export interface ReplaceRequest {
  readonly metadata: TableMetadata;
  /** The current `main` snapshot's manifests. */
  readonly parent: SnapshotManifests;
  /** Paths of the data files the rewrite removes: each must be live in the parent. */
  readonly removed: readonly string[];
  /** The files written in their place. */
  readonly added: readonly DataFile[];
  /** @default Date.now() */
  readonly now?: number;
  /** @default a random positive 63-bit id */
  readonly snapshotId?: bigint;
  /** @default crypto.randomUUID */
  readonly uuid?: () => string;
  /** @default 'main' */
  readonly ref?: string;
  /**
   * `replace` (a rewrite: the same rows in other files) or `delete` (data removed: partitions past
   * their retention, nothing added). @default 'replace'
   */
  readonly operation?: 'replace' | 'delete';
}

export interface ReplacePlan {
  readonly snapshot: Snapshot;
  readonly commit: TableCommit;
  /** The table's committed offsets, unchanged. */
  readonly committed: CommittedOffsets;
  readonly manifest: MetadataFile;
  readonly manifestList: MetadataFile;
  /** Every file to write before committing: the manifest, then the manifest list. */
  readonly writes: readonly MetadataFile[];
}

export interface ReplaceFigures {
  readonly addedFiles: number;
  readonly addedRecords: number;
  readonly addedBytes: number;
  readonly deletedFiles: number;
  readonly deletedRecords: number;
  readonly deletedBytes: number;
  readonly partitions: number;
}

/** The summary of a replace: Iceberg's standard keys (totals when the parent has them) and the committed offsets carried over. */
export function replaceSummary(f: ReplaceFigures, parent: SnapshotSummary | undefined, committed: CommittedOffsets, operation: 'replace' | 'delete' = 'replace'): SnapshotSummary {
  const summary: Record<string, string> = {
    'added-data-files': String(f.addedFiles),
    'deleted-data-files': String(f.deletedFiles),
    'added-records': String(f.addedRecords),
    'deleted-records': String(f.deletedRecords),
    'added-files-size': String(f.addedBytes),
    'removed-files-size': String(f.deletedBytes),
    'changed-partition-count': String(f.partitions),
  };
  const totals: readonly (readonly [string, number])[] = [
    ['total-data-files', f.addedFiles - f.deletedFiles],
    ['total-records', f.addedRecords - f.deletedRecords],
    ['total-files-size', f.addedBytes - f.deletedBytes],
    ['total-delete-files', 0],
    ['total-position-deletes', 0],
    ['total-equality-deletes', 0],
  ];
  for (const [key, change] of totals) {
    const previous = parent?.[key];
    if (previous === undefined || !/^\d+$/.test(previous)) continue;
    summary[key] = String(Number(previous) + change);
  }
  summary[COMMITTED_KEY] = JSON.stringify(committed);
  return { operation, ...summary };
}

export function planReplace(r: ReplaceRequest): ReplacePlan {
  const { metadata } = r;
  if (metadata['format-version'] !== FORMAT_VERSION)
    throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']} is format version ${metadata['format-version']}, not ${FORMAT_VERSION}`);
  const ref = r.ref ?? 'main';
  const uuid = r.uuid ?? randomUUID;
  const parent = refSnapshot(metadata, ref);
  if (!parent) throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']} has no snapshot to rewrite`);
  if (parent['snapshot-id'] !== r.parent.snapshotId) {
    throw new LakeMetadataError(`iceberg: the manifests given are snapshot ${r.parent.snapshotId}'s, not ${ref}'s ${parent['snapshot-id']}`);
  }
  if (r.removed.length === 0) throw new LakeMetadataError(`iceberg: a replace must remove at least one file`);
  if (r.operation === 'delete' && r.added.length > 0) throw new LakeMetadataError(`iceberg: a delete adds no file`);
  const schema = currentSchema(metadata);
  const spec = defaultPartitionSpec(metadata);
  const specId = spec['spec-id'] ?? 0;
  const snapshotId = r.snapshotId ?? newSnapshotId();
  const sequenceNumber = (metadata['last-sequence-number'] ?? 0) + 1;
  const committed = committedOffsetsOf(metadata, ref);

  const removed = new Set(r.removed);
  const live = liveDataFiles(metadata['table-uuid'], r.parent);
  const found = new Map<string, LiveDataFile>();
  for (const f of live) if (removed.has(f.dataFile.filePath)) found.set(f.dataFile.filePath, f);
  const missing = r.removed.filter((p) => !found.has(p));
  if (missing.length > 0) throw new LakeMetadataError(`iceberg: files to replace are not live in snapshot ${parent['snapshot-id']}: ${missing.join(', ')}`);
  const touched = new Set([...found.values()].map((f) => f.manifestPath));
  for (const f of found.values()) {
    if (f.specId !== specId) throw new LakeMetadataError(`iceberg: ${f.dataFile.filePath} is of partition spec ${f.specId}, not the default ${specId}`);
  }

  const entries: ManifestEntry[] = [
    ...r.added.map((dataFile): ManifestEntry => ({ status: ADDED, snapshotId, dataFile })),
    ...live
      .filter((f) => touched.has(f.manifestPath))
      .map((f): ManifestEntry => ({
        status: removed.has(f.dataFile.filePath) ? DELETED : EXISTING,
        snapshotId: removed.has(f.dataFile.filePath) ? snapshotId : f.snapshotId,
        sequenceNumber: f.sequenceNumber,
        fileSequenceNumber: f.fileSequenceNumber,
        dataFile: f.dataFile,
      })),
  ];
  const dir = metadataDir(metadata.location);
  const written = writeManifest({ path: `${dir}${uuid()}-m0.avro`, schema, spec, snapshotId, sequenceNumber, entries });
  const manifest: MetadataFile = { path: written.file.manifestPath, bytes: written.bytes };
  const manifests = [written.file, ...r.parent.manifests.filter((m) => !touched.has(m.manifestPath))];
  const manifestList: MetadataFile = {
    path: `${dir}snap-${snapshotId}-1-${uuid()}.avro`,
    bytes: writeManifestList({ snapshotId, parentSnapshotId: parent['snapshot-id'], sequenceNumber, manifests }),
  };

  const gone = [...found.values()].map((f) => f.dataFile);
  const snapshot = snapshotOf({
    snapshotId,
    parentSnapshotId: parent['snapshot-id'],
    sequenceNumber,
    now: r.now,
    manifestList: manifestList.path,
    summary: replaceSummary(
      {
        addedFiles: r.added.length,
        addedRecords: r.added.reduce((n, f) => n + f.recordCount, 0),
        addedBytes: r.added.reduce((n, f) => n + f.fileSizeInBytes, 0),
        deletedFiles: gone.length,
        deletedRecords: gone.reduce((n, f) => n + f.recordCount, 0),
        deletedBytes: gone.reduce((n, f) => n + f.fileSizeInBytes, 0),
        partitions: new Set([...gone, ...r.added].map((f) => partitionKey(f.partition))).size,
      },
      parent.summary,
      committed,
      r.operation,
    ),
    schema,
  });
  return {
    snapshot,
    commit: appendCommit({ tableUuid: metadata['table-uuid'], snapshot, ref }),
    committed,
    manifest,
    manifestList,
    writes: [manifest, manifestList],
  };
}
