/**
 * Re-drives the batches that exhausted their retries: each on-failure record holds the event
 * exactly as the handler received it, so replaying it through the unchanged handler writes the
 * same object keys (topic, partition, first offset) its failed attempts did — nothing twice.
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { FailedBatchRecord } from '../lambda/core/failed-batch';
import type { EventHandler } from './esm/emulator';

export interface ReplayResult {
  readonly replayed: string[];
  readonly failed: { readonly file: string; readonly error: string }[];
}

/** Replays every `*.json` record in `dir` in offset order; a replayed record moves to `dir/replayed/`. */
export async function replayFailedBatches(dir: string, handler: EventHandler, log: (line: string) => void = () => undefined): Promise<ReplayResult> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { replayed: [], failed: [] };
    throw err;
  }
  const result: ReplayResult = { replayed: [], failed: [] };
  for (const file of files) {
    const record = JSON.parse(await readFile(join(dir, file), 'utf8')) as FailedBatchRecord;
    const info = record.KafkaBatchInfo;
    try {
      await handler(record.event);
      await mkdir(join(dir, 'replayed'), { recursive: true });
      await rename(join(dir, file), join(dir, 'replayed', file));
      result.replayed.push(file);
      log(info ? `replayed ${info.topic}-${info.partition} offsets ${info.firstOffset}–${info.lastOffset} (${info.batchSize} records)` : `replayed ${file}`);
    } catch (err) {
      result.failed.push({ file, error: (err as Error).message });
      log(`still failing: ${file}: ${(err as Error).message}`);
    }
  }
  return result;
}
