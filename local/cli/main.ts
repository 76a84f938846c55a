#!/usr/bin/env node
/**
 * streamlake CLI (local mode): `demo`, `up`, `produce`, `replay`, `replay-failed`, `summary`,
 * `query`, `down`, one module each under commands/. Bad arguments get a one-line error and exit
 * code 2; failures exit 1; never a stack trace unless STREAMLAKE_DEBUG=1.
 */
import { UsageError } from './args';
import * as compact from './commands/compact';
import * as demo from './commands/demo';
import * as down from './commands/down';
import * as produce from './commands/produce';
import * as query from './commands/query';
import * as replay from './commands/replay';
import * as replayFailed from './commands/replay-failed';
import * as status from './commands/status';
import * as summary from './commands/summary';
import * as up from './commands/up';
import { firstLine } from './output';

/** A command: its usage text (`<command> --help`) and what it does with its arguments. */
export interface Command {
  readonly usage: string;
  run(args: string[]): Promise<void>;
}

export const COMMANDS: Readonly<Record<string, Command>> = { summary, demo, up, down, produce, replay, 'replay-failed': replayFailed, query, status, compact };

export const USAGE = `streamlake — run the pipeline locally on a real Kafka broker

usage: npm run streamlake -- <command> [options]      (or: npx tsx local/cli/main.ts <command>)

commands:
  demo      start everything, publish sample traffic, wait until processed, show results, stop
  up        start the broker and the processors and keep them running (Ctrl-C or 'down' stops)
  produce   publish generated events of a pipeline
  replay    publish the lines of a CSV/JSONL/log file (or stdin) to a topic at a rate
  summary   current window totals materialized from a pipeline's summary topic
  replay-failed  re-drive the batches that exhausted their retries (the on-failure folder)
  query     run SQL or a named query on the local lake with DuckDB (the local Athena)
  compact   compact, expire and sweep the local lake's tables once (what the schedule runs in AWS)
  status    Kafka end offsets next to what the tables committed (lag, freshness); the tables' files and snapshots
  down      stop what 'up' started

'<command> --help' describes each command's options.`;

/** Runs one command line; resolves to the exit code: 0, 1 (a failure) or 2 (a usage error). */
export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  try {
    if (!entry) throw new UsageError(`unknown command '${command}' (${Object.keys(COMMANDS).join(', ')}); see --help`);
    await entry.run(args);
    return 0;
  } catch (err) {
    if (process.env.STREAMLAKE_DEBUG === '1') console.error(err);
    console.error(`streamlake ${command}: ${firstLine(err)}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
