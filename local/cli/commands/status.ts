/** `streamlake status`: Kafka end offsets next to what the tables have committed, and the tables themselves. */
import { openLakeCatalog } from '../../catalog/lake-catalog';
import { REPO_ROOT } from '../../runtime';
import { collectStatus, statusRows, type StatusReport } from '../../status';
import { bootstrapFor, DEFAULT_LAKE_DIR, lakeDirOf, localKafka, parseOptions, specsOf, UsageError } from '../args';
import { readUpState } from '../up-state';
import { table } from '../output';

export const usage = `usage: streamlake status [--pipelines a,b] [--lake DIR] [--bootstrap HOST:PORT] [--watch [SECONDS]]
  Per pipeline and partition: the broker's end offset, the highest offset the events table has
  committed, the lag between them, the partition's last commit and the freshness (0 s when the
  table holds everything the topic has; else the time since that last commit). Per table: data
  files, bytes, records, snapshots, last commit and last compaction. The broker is the running
  'up' one (or --bootstrap / KAFKA_BOOTSTRAP); without one, the table figures alone.
  --watch refreshes every SECONDS (default 2) until Ctrl-C.`;

export function render(report: StatusReport): string {
  const rows = statusRows(report);
  return [
    `streamlake status at ${new Date(report.at).toISOString()}${report.brokerProblem ? `\n(no Kafka figures: ${report.brokerProblem})` : ''}`,
    '',
    table(rows.partitions),
    '',
    table(rows.tables),
  ].join('\n');
}

export async function run(args: string[]): Promise<void> {
  // --watch takes an optional number: a bare --watch is given its default before parsing
  const i = args.indexOf('--watch');
  const watchArgs = i >= 0 && (args[i + 1] === undefined || args[i + 1].startsWith('--')) ? [...args.slice(0, i + 1), '2', ...args.slice(i + 1)] : args;
  const o = parseOptions(watchArgs, { pipelines: { type: 'string' }, lake: { type: 'string' }, bootstrap: { type: 'string' }, watch: { type: 'string' } });
  if (o.help) return void console.log(usage);
  const specs = specsOf(o.pipelines, []);
  const every = o.watch === undefined ? undefined : Number(o.watch);
  if (every !== undefined && !(every > 0)) throw new UsageError(`--watch must be a number of seconds > 0, got '${o.watch}'`);
  const catalog = await openLakeCatalog(
    lakeDirOf(o, () => readUpState()?.lake ?? DEFAULT_LAKE_DIR),
    { repoRoot: REPO_ROOT },
  );
  let brokerProblem: string | undefined;
  let bootstrap: string | undefined;
  try {
    bootstrap = await bootstrapFor(o.bootstrap);
  } catch (err) {
    brokerProblem = (err as Error).message;
  }
  const admin = bootstrap ? localKafka(bootstrap, 'streamlake-status').admin() : undefined;
  try {
    await admin?.connect();
    for (;;) {
      const report = await collectStatus({ specs, catalog: catalog.client, admin, brokerProblem });
      // on a terminal, redraw in place
      if (every !== undefined && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      console.log(render(report));
      if (every === undefined) break;
      const stop = await new Promise<boolean>((done) => {
        const timer = setTimeout(() => done(false), every * 1000);
        process.once('SIGINT', () => {
          clearTimeout(timer);
          done(true);
        });
      });
      if (stop) break;
    }
  } finally {
    await admin?.disconnect().catch(() => undefined);
    await catalog.close();
  }
}
