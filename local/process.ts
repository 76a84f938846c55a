/** Child processes of the local runtime (Kafka broker, S3 server): free ports, clean stops, no orphans. */
import type { ChildProcess } from 'node:child_process';
import { PrerequisiteError } from '../model/errors';
import { createServer } from 'node:net';

/** A prerequisite is missing: the message says, in one line, what to install. */
export { PrerequisiteError };

/** A free TCP port on 127.0.0.1 (servers here listen on loopback only). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

const cleanups = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Runs `cleanup` when this process exits (synchronous work only: kill a child, `docker rm -f`),
 * so no server outlives a test run or a CLI that failed half-way. Returns the unregister function.
 */
export function onExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => cleanups.forEach((c) => c()));
  }
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}

export const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Kills `child` with SIGKILL when this process exits; returns the unregister function. */
export function killOnExit(child: ChildProcess): () => void {
  return onExit(() => void (isRunning(child) && child.kill('SIGKILL')));
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`; resolves once it has exited. */
export async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (!isRunning(child)) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => isRunning(child) && child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
