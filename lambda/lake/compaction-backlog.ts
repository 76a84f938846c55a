/**
 * What compaction has left to do: the closed partitions of a table that still hold enough small
 * files to rewrite. It feeds the `OldestUncompactedPartitionAgeSeconds` metric, so an alarm can say
 * that readers pay for small files in days that stopped receiving data long ago.
 *
 * Definition: a partition counts when `planRewrites` (./compaction.ts), run on the table's current
 * snapshot with the compactor's own policy except for the quiet period, would rewrite it: its day
 * plus the allowed lateness (plus the window size for partials) has passed, and it holds at least
 * `minInputFiles` candidate files (below 75% of the target size; every file for window partials)
 * that bin-pack into a group. The quiet period is left out on purpose: a closed day that keeps
 * receiving appends (a replay, late data beyond the lateness) is exactly what stays uncompacted.
 * Its age is `now − end of its day`. `TableCompaction.skipped` cannot give this: it names the
 * partitions left alone *before* the run's rewrite, with no file count for `open` and
 * `appended-recently` ones, and nothing about groups dropped on a conflict.
 *
 * Known limit: window partials whose merged rows exceed the target size are split into several
 * files, so such a partition keeps counting (and is rewritten by every run) — partials of a day are
 * far below 96 MiB in the shipped pipelines.
 */
import { icebergTables } from '../../model/lake-tables';
import type { PipelineSpec } from '../../model/spec';
import type { Namespace, RestCatalogClient, TableMetadata } from '../adapters/rest-catalog';
import { partitionDay, planRewrites, tablePolicy, type CompactionOptions, type LiveDataFile, type TablePolicy } from './compaction';
import { partitionPath } from './data-file';
import { currentSchema, defaultPartitionSpec } from './iceberg-schema';
import { LakeFileMissingError } from './lake-writer';
import { readManifestList } from './manifest';
import { liveDataFiles } from './replace';
import { refSnapshot } from './snapshot';
import type { TableFiles } from './table-files';

const DAY_MS = 86_400_000;

export interface UncompactedPartition {
  readonly table: string;
  /** `<column>_day=YYYY-MM-DD`. */
  readonly partition: string;
  /** Candidate files in the groups the partition would be rewritten in. */
  readonly files: number;
  /** now − the end of the partition's day. */
  readonly ageMs: number;
}

/** The partitions of one table's live files that compaction has left (pure; see the module comment). */
export function uncompactedPartitions(args: {
  readonly metadata: TableMetadata;
  readonly files: readonly LiveDataFile[];
  readonly policy: TablePolicy;
  readonly now: number;
}): UncompactedPartition[] {
  const spec = defaultPartitionSpec(args.metadata);
  const plan = planRewrites({
    files: args.files,
    spec,
    schema: currentSchema(args.metadata),
    snapshots: args.metadata.snapshots ?? [],
    // closed partitions only, all of them (a run's byte budget defers some: they are still to do)
    policy: { ...args.policy, quietMs: 0, openPartitions: false, maxRewriteBytesPerRun: Number.MAX_SAFE_INTEGER },
    now: args.now,
  });
  const byPartition = new Map<string, UncompactedPartition>();
  for (const g of plan.groups) {
    const day = partitionDay(spec, g.partition);
    if (day === undefined) continue;
    const partition = partitionPath(spec, g.partition);
    const seen = byPartition.get(partition);
    byPartition.set(partition, { table: args.policy.table.name, partition, files: (seen?.files ?? 0) + g.inputs.length, ageMs: args.now - (day + 1) * DAY_MS });
  }
  return [...byPartition.values()].sort((a, b) => b.ageMs - a.ageMs);
}

/** The oldest age among `partitions`, in whole seconds; 0 when there is none. */
export function oldestAgeSeconds(partitions: readonly UncompactedPartition[]): number {
  return partitions.length === 0 ? 0 : Math.floor(Math.max(...partitions.map((p) => p.ageMs)) / 1000);
}

/** Loads `table` and reads its current snapshot's manifests to find what compaction has left. */
export async function tableBacklog(
  o: { readonly catalog: RestCatalogClient; readonly files: TableFiles; readonly namespace: Namespace },
  spec: PipelineSpec,
  table: string,
  options: CompactionOptions,
  now: number,
): Promise<UncompactedPartition[]> {
  const def = icebergTables(spec).find((t) => t.name === table);
  if (!def) return [];
  const metadata = (await o.catalog.loadTable(o.namespace, table)).metadata;
  const head = refSnapshot(metadata);
  if (!head) return [];
  const read = async (location: string): Promise<Uint8Array> => {
    const bytes = await o.files.get(location);
    if (!bytes) throw new LakeFileMissingError(`iceberg: ${table}: ${location} cannot be read`);
    return bytes;
  };
  const list = readManifestList(await read(head['manifest-list']));
  const bytes = new Map<string, Uint8Array>();
  for (const m of list.manifests) bytes.set(m.manifestPath, await read(m.manifestPath));
  const files = liveDataFiles(metadata['table-uuid'], { snapshotId: head['snapshot-id'], manifests: list.manifests, bytes });
  return uncompactedPartitions({ metadata, files, policy: tablePolicy(spec, def, options), now });
}
