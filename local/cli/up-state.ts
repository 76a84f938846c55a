/**
 * What a running `streamlake up` leaves for the other commands (`.streamlake/up.json`): its pid,
 * for `down`; its broker, for the commands that publish or read; its lake directory, for `query`.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_STATE_DIR } from '../runtime';

export interface UpState {
  readonly pid: number;
  readonly bootstrap: string;
  readonly lake: string;
}

export const UP_STATE_FILE = join(DEFAULT_STATE_DIR, 'up.json');

/** The state of the running `up`, or undefined when none was started (or it was stopped). */
export function readUpState(): UpState | undefined {
  return existsSync(UP_STATE_FILE) ? (JSON.parse(readFileSync(UP_STATE_FILE, 'utf8')) as UpState) : undefined;
}

export function writeUpState(state: UpState): void {
  writeFileSync(UP_STATE_FILE, JSON.stringify(state));
}

export function clearUpState(): void {
  rmSync(UP_STATE_FILE, { force: true });
}
