/** `streamlake down`: stops what `up` started (it cleans up on SIGTERM). */
import { UsageError, parseOptions } from '../args';
import { clearUpState, readUpState } from '../up-state';

export const usage = `usage: streamlake down   stops the broker and processors started by 'up'`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {});
  if (o.help) return void console.log(usage);
  const state = readUpState();
  if (!state) throw new UsageError("nothing to stop: 'streamlake up' is not running");
  const { pid } = state;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    clearUpState();
    throw new UsageError(`'up' (pid ${pid}) is no longer running; cleaned up its state`);
  }
  console.log(`stopping streamlake up (pid ${pid})`);
}
