/**
 * One append commit, composed: given the table's current metadata (as the catalog loaded it), the
 * manifest list of its current snapshot (bytes the caller read), the data files the caller wrote
 * and the Kafka offset ranges they hold, it returns the manifest and manifest list to write (paths
 * and bytes, under `<table location>/metadata/`) and the commit request to POST. The new manifest
 * lists the new files (ADDED, sequence number inherited); the manifest list is the parent's
 * manifests plus the new one (a "fast append": nothing is rewritten). Pure: the caller writes the
 * files, then commits, and on a CommitConflictError reloads the table and plans again.
 */
import { randomUUID } from 'node:crypto';
import type { Snapshot, TableCommit, TableMetadata } from '../adapters/rest-catalog';
import { partitionKey, type DataFile } from './data-file';
import { LakeMetadataError } from './errors';
import { currentSchema, defaultPartitionSpec, type SchemaResolution } from './iceberg-schema';
import { ADDED, EXISTING, FORMAT_VERSION, liveEntries, readManifestList, writeManifest, writeManifestList, type ManifestFile } from './manifest';
import { appendCommit, appendSummary, committedOffsetsOf, mergeCommitted, newSnapshotId, refSnapshot, snapshotOf, type CommittedOffsets, type OffsetRanges } from './snapshot';

export interface AppendRequest {
  /** The table as loaded from the catalog (with its snapshots). */
  readonly metadata: TableMetadata;
  /** The bytes of the current `main` snapshot's manifest list; required when the table has a snapshot. */
  readonly parentManifestList?: Uint8Array;
  /** The data files written for this commit (may be empty: the snapshot then only records offsets). */
  readonly dataFiles: readonly DataFile[];
  /** The offset ranges this commit holds, by `<topic>-<partition>`. */
  readonly offsets: OffsetRanges;
  /** The schema the files were written with (./iceberg-schema.ts `resolveSchema`); its evolution, if any, is committed too. @default the table's current schema */
  readonly schema?: SchemaResolution;
  /** @default Date.now() */
  readonly now?: number;
  /** @default a random positive 63-bit id */
  readonly snapshotId?: bigint;
  /** @default crypto.randomUUID */
  readonly uuid?: () => string;
  /** @default 'main' */
  readonly ref?: string;
  /**
   * The bytes of carried data manifests to merge into one (by path): given when the parent lists
   * enough manifests (see `shouldMergeManifests`), as Iceberg's MergeAppend does, so manifest
   * lists (rewritten by every commit) and scan planning stay small whatever the number of commits.
   */
  readonly mergeManifests?: ReadonlyMap<string, Uint8Array>;
}

/** Iceberg's `commit.manifest.min-count-to-merge` default: merge once an append would list this many manifests. */
export const MIN_MANIFESTS_TO_MERGE = 100;

/** The carried manifests an append merges once it would list `minCount` or more: the data manifests of the default spec. */
export function manifestsToMerge(carried: readonly ManifestFile[], specId: number, minCount = MIN_MANIFESTS_TO_MERGE): ManifestFile[] {
  if (carried.length + 1 < minCount) return [];
  const mergeable = carried.filter((m) => m.content === 0 && m.partitionSpecId === specId);
  return mergeable.length >= 2 ? mergeable : [];
}

export interface MetadataFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface AppendPlan {
  readonly snapshot: Snapshot;
  readonly commit: TableCommit;
  /** The table's committed offsets once the commit succeeds. */
  readonly committed: CommittedOffsets;
  /** The new manifest (absent when no data file is added). */
  readonly manifest?: MetadataFile;
  readonly manifestList: MetadataFile;
  /** Every file to write before committing: the manifest, then the manifest list. */
  readonly writes: readonly MetadataFile[];
}

/** `<location>/metadata/`. */
export function metadataDir(location: string): string {
  return `${location.replace(/\/+$/, '')}/metadata/`;
}

export function planAppend(r: AppendRequest): AppendPlan {
  const { metadata } = r;
  if (metadata['format-version'] !== FORMAT_VERSION) {
    throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']} is format version ${metadata['format-version']}; streamlake writes version ${FORMAT_VERSION} tables`);
  }
  const ref = r.ref ?? 'main';
  const uuid = r.uuid ?? randomUUID;
  const schema = r.schema?.schema ?? currentSchema(metadata);
  const spec = defaultPartitionSpec(metadata);
  const parent = refSnapshot(metadata, ref);
  const sequenceNumber = (metadata['last-sequence-number'] ?? 0) + 1;
  const snapshotId = r.snapshotId ?? newSnapshotId();
  const committed = mergeCommitted(committedOffsetsOf(metadata, ref), r.offsets);

  let carried: readonly ManifestFile[] = [];
  if (parent) {
    if (!r.parentManifestList)
      throw new LakeMetadataError(
        `iceberg: table ${metadata['table-uuid']} has snapshot ${parent['snapshot-id']}: its manifest list (${parent['manifest-list']}) is needed to append`,
      );
    const list = readManifestList(r.parentManifestList);
    const listed = list.metadata['snapshot-id'];
    if (listed !== undefined && listed !== String(parent['snapshot-id'])) {
      throw new LakeMetadataError(`iceberg: the manifest list given is snapshot ${listed}'s, not the parent ${parent['snapshot-id']}'s (${parent['manifest-list']})`);
    }
    carried = list.manifests;
  }

  const dir = metadataDir(metadata.location);
  const writes: MetadataFile[] = [];
  let manifest: MetadataFile | undefined;
  const manifests: ManifestFile[] = [];
  if (r.dataFiles.length > 0) {
    const written = writeManifest({
      path: `${dir}${uuid()}-m0.avro`,
      schema,
      spec,
      snapshotId,
      sequenceNumber,
      entries: r.dataFiles.map((dataFile) => ({ status: ADDED, snapshotId, dataFile })),
    });
    manifest = { path: written.file.manifestPath, bytes: written.bytes };
    writes.push(manifest);
    manifests.push(written.file);
  }
  // merge the small carried manifests into one: their live entries as EXISTING, sequence numbers explicit (the spec requires them)
  const merging = r.mergeManifests ? carried.filter((m) => r.mergeManifests!.has(m.manifestPath)) : [];
  if (merging.length >= 2) {
    const entries = merging.flatMap((m) =>
      liveEntries(m, r.mergeManifests!.get(m.manifestPath)!).map((e) => ({
        status: EXISTING,
        snapshotId: e.snapshotId,
        sequenceNumber: e.sequenceNumber,
        fileSequenceNumber: e.fileSequenceNumber,
        dataFile: e.dataFile,
      })),
    );
    const merged = writeManifest({ path: `${dir}${uuid()}-m1.avro`, schema, spec, snapshotId, sequenceNumber, entries });
    writes.push({ path: merged.file.manifestPath, bytes: merged.bytes });
    manifests.push(merged.file);
    manifests.push(...carried.filter((m) => !merging.includes(m)));
  } else manifests.push(...carried);
  const manifestList: MetadataFile = {
    path: `${dir}snap-${snapshotId}-1-${uuid()}.avro`,
    bytes: writeManifestList({ snapshotId, parentSnapshotId: parent?.['snapshot-id'], sequenceNumber, manifests }),
  };
  writes.push(manifestList);

  const partitions = new Set(r.dataFiles.map((f) => partitionKey(f.partition)));
  const snapshot = snapshotOf({
    snapshotId,
    parentSnapshotId: parent?.['snapshot-id'],
    sequenceNumber,
    now: r.now,
    manifestList: manifestList.path,
    summary: appendSummary(
      {
        dataFiles: r.dataFiles.length,
        records: r.dataFiles.reduce((n, f) => n + f.recordCount, 0),
        bytes: r.dataFiles.reduce((n, f) => n + f.fileSizeInBytes, 0),
        partitions: partitions.size,
      },
      parent?.summary,
      r.offsets,
      committed,
    ),
    schema,
  });
  const commit = appendCommit({
    tableUuid: metadata['table-uuid'],
    snapshot,
    ref,
    requirements: r.schema?.evolution?.requirements,
    updates: r.schema?.evolution?.updates,
  });
  return { snapshot, commit, committed, manifest, manifestList, writes };
}
