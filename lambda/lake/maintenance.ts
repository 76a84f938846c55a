/**
 * Snapshot expiry and orphan files, decided from table metadata (pure).
 *
 * Expiry (Iceberg's ExpireSnapshots, as REST `remove-snapshots`): a snapshot older than the
 * retention is removed unless a ref (branch or tag) points at it, it is one of `main`'s newest
 * `minSnapshotsToKeep` ancestors, or it lies on `main`'s history between the head and the newest
 * snapshot recording `streamlake.committed` (normally the head itself; a foreign engine's snapshot
 * on top would otherwise hide what the table holds, see ./snapshot.ts `committedOffsetsOf`).
 *
 * Orphans (Iceberg's DeleteOrphanFiles): a file under the table's `data/`, or an Avro manifest or
 * manifest list under its `metadata/`, that no retained snapshot reaches (manifest list → manifests
 * → live entries) and that is older than a safety margin (a writer between writing its files and
 * committing them must not lose them). Files a replace removed become orphans once every snapshot
 * that still listed them has expired.
 *
 * Stale metadata files: every commit makes the catalog write a new `*.metadata.json` (listing every
 * retained snapshot: MBs once a table commits every second). The tables ask the catalog to delete
 * those that fall out of the metadata log (ensure-tables.ts `LAKE_TABLE_PROPERTIES`), but a catalog
 * may not honour it, and older tables lack it: so the sweep also deletes a metadata file that is
 * neither the current one nor in the metadata log, once it is older than STALE_METADATA_MIN_AGE_MS.
 * A commit swaps the table's pointer atomically within its request, so a file that old that is not
 * current never will be.
 */
import type { Snapshot, TableCommit, TableMetadata } from '../adapters/rest-catalog';
import { canonicalLocation, type TableFile } from './table-files';
import { COMMITTED_KEY, refSnapshot } from './snapshot';

export interface ExpiryPlan {
  /** Snapshots to remove, oldest first. */
  readonly expire: readonly Snapshot[];
  /** The commit (none when nothing expires). */
  readonly commit?: TableCommit;
}

/** `main`'s history, newest first, as far as the table's metadata still lists it. */
export function ancestors(metadata: TableMetadata, ref = 'main'): Snapshot[] {
  const byId = new Map((metadata.snapshots ?? []).map((s) => [s['snapshot-id'], s]));
  const out: Snapshot[] = [];
  for (let s = refSnapshot(metadata, ref); s;) {
    out.push(s);
    const parent = s['parent-snapshot-id'];
    s = parent === undefined || parent === null ? undefined : byId.get(parent);
  }
  return out;
}

export function planExpiry(metadata: TableMetadata, o: { readonly now: number; readonly retentionMs: number; readonly minSnapshotsToKeep: number }): ExpiryPlan {
  const keep = new Set<bigint>();
  for (const r of Object.values(metadata.refs ?? {})) keep.add(r['snapshot-id']);
  const history = ancestors(metadata);
  history.slice(0, o.minSnapshotsToKeep).forEach((s) => keep.add(s['snapshot-id']));
  for (const s of history) {
    keep.add(s['snapshot-id']);
    if (s.summary[COMMITTED_KEY] !== undefined) break;
  }
  const cutoff = o.now - o.retentionMs;
  const expire = (metadata.snapshots ?? []).filter((s) => s['timestamp-ms'] < cutoff && !keep.has(s['snapshot-id'])).sort((a, b) => a['timestamp-ms'] - b['timestamp-ms']);
  if (expire.length === 0) return { expire };
  return {
    expire,
    commit: {
      // no assertion on main: removing snapshots older than the retention commutes with appends (which only add newer ones)
      requirements: [{ type: 'assert-table-uuid', uuid: metadata['table-uuid'] }],
      updates: [{ action: 'remove-snapshots', 'snapshot-ids': expire.map((s) => s['snapshot-id']) }],
    },
  };
}

/** Whether the compactor may ever delete `location` as an orphan of the table at `tableLocation`: its data files, and Avro manifests and manifest lists. */
export function isSweepable(tableLocation: string, location: string): boolean {
  const base = tableBase(tableLocation);
  const l = canonicalLocation(location);
  return l.startsWith(`${base}/data/`) || (l.startsWith(`${base}/metadata/`) && l.endsWith('.avro'));
}

/** The table location, canonical and without a trailing slash, that its `data/` and `metadata/` paths start from. */
function tableBase(tableLocation: string): string {
  return canonicalLocation(tableLocation).replace(/\/+$/, '');
}

/** How old a metadata file the table no longer lists must be before the sweep deletes it (see the module comment). */
export const STALE_METADATA_MIN_AGE_MS = 3_600_000;

/** The listed `metadata/*.metadata.json` files that are not `current`, not in the metadata log, and last modified before `now - minAgeMs`. */
export function staleMetadataFiles(args: {
  readonly tableLocation: string;
  readonly listed: readonly TableFile[];
  readonly metadata: TableMetadata;
  /** The table's current metadata file, as the catalog answered it. */
  readonly current: string;
  readonly now: number;
  readonly minAgeMs?: number;
}): TableFile[] {
  const base = tableBase(args.tableLocation);
  const kept = new Set([args.current, ...(args.metadata['metadata-log'] ?? []).map((e) => e['metadata-file'])].map(canonicalLocation));
  const before = args.now - (args.minAgeMs ?? STALE_METADATA_MIN_AGE_MS);
  return args.listed.filter((f) => {
    const l = canonicalLocation(f.location);
    return l.startsWith(`${base}/metadata/`) && /\.metadata\.json(\.gz)?$/.test(l) && !kept.has(l) && f.lastModified < before;
  });
}

/** The listed files that are orphans: sweepable, not reachable, and last modified before `now - minAgeMs`. */
export function orphanFiles(args: {
  readonly tableLocation: string;
  readonly listed: readonly TableFile[];
  readonly reachable: ReadonlySet<string>;
  readonly now: number;
  readonly minAgeMs: number;
}): TableFile[] {
  const reachable = new Set([...args.reachable].map(canonicalLocation));
  const before = args.now - args.minAgeMs;
  return args.listed.filter((f) => isSweepable(args.tableLocation, f.location) && !reachable.has(canonicalLocation(f.location)) && f.lastModified < before);
}
