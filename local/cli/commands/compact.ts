/** `streamlake compact`: one maintenance run over the local lake's tables (what the schedule runs in AWS). */
import { compactorFor, openLakeCatalog } from '../../catalog/lake-catalog';
import { MaintenanceError, type TableMaintenance } from '../../../lambda/lake/compactor';
import { COMPACTION_DEFAULTS, type CompactionOptions } from '../../../lambda/lake/compaction';
import { REPO_ROOT } from '../../runtime';
import { CommandFailedError, DEFAULT_LAKE_DIR, int, lakeDirOf, parseOptions, specsOf } from '../args';
import { table } from '../output';
import { readUpState } from '../up-state';

const MIB = 1024 * 1024;
const HOUR_MS = 3_600_000;

export const usage = `usage: streamlake compact [--pipelines a,b] [--lake DIR] [--target-file-size-mib N] [--snapshot-retention-hours H]
                        [--orphan-min-age-hours H] [--quiet-minutes M] [--events-retention-days D]
                        [--quarantine-retention-days D] [--aggregates-retention-days D]
  For each table of each pipeline: rewrites the closed day partitions (no append for the allowed
  lateness, or --quiet-minutes) and today's (every file committed) into files of about the target
  size, sorted newest first, as one Iceberg replace snapshot (window partials merged to one row per
  window and keys), expires snapshots older than
  the retention, and deletes files no snapshot reaches that are older than the orphan margin.
  With a --*-retention-days, first deletes that kind of table's day partitions that ended more
  than D days ago (as streamlake:eventsRetentionDays … do in AWS; locally nothing is deleted by default).
  Safe while 'up' runs (it uses its catalog). Defaults: ${COMPACTION_DEFAULTS.targetFileSizeBytes / MIB} MiB, ${COMPACTION_DEFAULTS.snapshotRetentionMs / HOUR_MS} h, ${COMPACTION_DEFAULTS.orphanMinAgeMs / HOUR_MS} h.`;

/** The options the flags give (absent flags: the compactor's defaults). */
export function compactionOptionsOf(o: Readonly<Record<string, string | boolean | undefined>>): CompactionOptions {
  const flag = (name: string): string | undefined => (typeof o[name] === 'string' ? (o[name] as string) : undefined);
  const target = flag('target-file-size-mib');
  const retention = flag('snapshot-retention-hours');
  const orphans = flag('orphan-min-age-hours');
  const quiet = flag('quiet-minutes');
  const days = (name: string): number | undefined => (flag(name) === undefined ? undefined : int(name, flag(name), 0, 1, 36_500));
  const byKind = { events: days('events-retention-days'), quarantine: days('quarantine-retention-days'), partials: days('aggregates-retention-days') };
  const retentionDays = Object.fromEntries(Object.entries(byKind).filter((e): e is [string, number] => e[1] !== undefined));
  return {
    ...(Object.keys(retentionDays).length > 0 ? { retentionDays } : {}),
    ...(target !== undefined ? { targetFileSizeBytes: int('target-file-size-mib', target, 0, 1, 4096) * MIB } : {}),
    ...(retention !== undefined ? { snapshotRetentionMs: int('snapshot-retention-hours', retention, 0, 0, 24 * 365) * HOUR_MS } : {}),
    ...(orphans !== undefined ? { orphanMinAgeMs: int('orphan-min-age-hours', orphans, 0, 0, 24 * 365) * HOUR_MS } : {}),
    ...(quiet !== undefined ? { quietMs: int('quiet-minutes', quiet, 0, 0, 7 * 24 * 60) * 60_000 } : {}),
  };
}

/** One line per table: what the run did. */
export function maintenanceRows(pipeline: string, reports: readonly TableMaintenance[]): Record<string, unknown>[] {
  return reports.map((r) => ({
    pipeline,
    table: r.compaction.table,
    'files past retention': r.retention?.filesDeleted ?? 0,
    'files rewritten': r.compaction.filesRemoved,
    'files written': r.compaction.filesAdded,
    records: r.compaction.recordsAdded,
    'partitions left': r.compaction.skipped.length,
    'snapshots expired': r.expiry.expired.length,
    'orphans deleted': r.orphans?.deleted.length ?? 0,
    'metadata files deleted': r.orphans?.metadataFilesDeleted.length ?? 0,
  }));
}

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    pipelines: { type: 'string' },
    lake: { type: 'string' },
    'target-file-size-mib': { type: 'string' },
    'snapshot-retention-hours': { type: 'string' },
    'orphan-min-age-hours': { type: 'string' },
    'quiet-minutes': { type: 'string' },
    'events-retention-days': { type: 'string' },
    'quarantine-retention-days': { type: 'string' },
    'aggregates-retention-days': { type: 'string' },
  });
  if (o.help) return void console.log(usage);
  const specs = specsOf(o.pipelines, []);
  const options = compactionOptionsOf(o);
  const lakeDir = lakeDirOf(o, () => readUpState()?.lake ?? DEFAULT_LAKE_DIR);
  const catalog = await openLakeCatalog(lakeDir, { repoRoot: REPO_ROOT });
  const rows: Record<string, unknown>[] = [];
  const failures: string[] = [];
  try {
    const compactor = compactorFor(lakeDir, catalog.client);
    for (const spec of specs) {
      try {
        rows.push(...maintenanceRows(spec.name, await compactor.maintain(spec, options)));
      } catch (err) {
        if (!(err instanceof MaintenanceError)) throw err;
        rows.push(...maintenanceRows(spec.name, err.reports));
        failures.push(...err.failures.map((f) => `${f.table}: ${(f.error as Error).message}`));
      }
    }
  } finally {
    await catalog.close();
  }
  console.log(table(rows));
  if (failures.length > 0) throw new CommandFailedError(`${failures.length} tables failed (the others were maintained); first: ${failures[0]}`);
}
