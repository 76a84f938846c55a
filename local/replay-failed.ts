/**
 * Re-drives the batches that exhausted their retries: each on-failure record holds the event
 * exactly as the handler received it, so replaying it through the unchanged handler writes the
 * same object keys (topic, partition, first offset) its failed attempts did — nothing twice.
 * The records come from either kind of on-failure destination: a folder of JSON objects (the S3
 * destination's layout) or an on-failure Kafka topic (streamlake:onFailure=kafka).
 */
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Admin, Kafka } from 'kafkajs';
import { parseFailedBatchRecord, type FailedBatchRecord } from '../lambda/core/failed-batch';
import { InfrastructureError } from '../model/errors';
import type { EventHandler } from './esm/emulator';

export interface ReplayResult {
  /** What was replayed: file names, or `topic-partition@offset` of the on-failure topic's messages. */
  readonly replayed: string[];
  readonly failed: { readonly file: string; readonly error: string }[];
}

type Log = (line: string) => void;

function describeReplayed(record: FailedBatchRecord, fallback: string): string {
  const info = record.KafkaBatchInfo;
  return info ? `replayed ${info.topic}-${info.partition} offsets ${info.firstOffset}–${info.lastOffset} (${info.batchSize} records)` : `replayed ${fallback}`;
}

/** Replays every `*.json` record in `dir` in offset order; a replayed record moves to `dir/replayed/`. */
export async function replayFailedBatches(dir: string, handler: EventHandler, log: Log = () => undefined): Promise<ReplayResult> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { replayed: [], failed: [] };
    throw err;
  }
  const result: ReplayResult = { replayed: [], failed: [] };
  for (const file of files) {
    try {
      const record = parseFailedBatchRecord(await readFile(join(dir, file), 'utf8'));
      await handler(record.event);
      await mkdir(join(dir, 'replayed'), { recursive: true });
      await rename(join(dir, file), join(dir, 'replayed', file));
      result.replayed.push(file);
      log(describeReplayed(record, file));
    } catch (err) {
      result.failed.push({ file, error: (err as Error).message });
      log(`still failing: ${file}: ${(err as Error).message}`);
    }
  }
  return result;
}

export interface KafkaReplayOptions {
  readonly kafka: Kafka;
  /** The on-failure topic (`failureTopicOf(spec)`). */
  readonly topic: string;
  /** The consumer group whose committed offsets say what was replayed already. */
  readonly groupId: string;
  /** Longest wait for the messages present at the start to be read. @default 60_000 ms */
  readonly timeoutMs?: number;
}

/** Per partition: the first offset not yet replayed (the group's committed offset, or the low watermark) and the end. */
async function pendingRanges(admin: Admin, topic: string, groupId: string): Promise<Map<number, { from: number; end: number }>> {
  const [watermarks, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const committedOf = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
  const out = new Map<number, { from: number; end: number }>();
  for (const w of watermarks) {
    const c = committedOf.get(w.partition) ?? -1;
    const from = c >= 0 ? c : Number(w.low);
    if (from < Number(w.high)) out.set(w.partition, { from, end: Number(w.high) });
  }
  return out;
}

/**
 * Replays the records of an on-failure topic that its consumer group has not replayed yet, in
 * offset order per partition. A replayed record's offset is committed (the topic's equivalent of
 * moving a file to `replayed/`); at the first record of a partition that still fails, that
 * partition stops, uncommitted, so the next run retries it and keeps the order. Returns once every
 * message present at the start was replayed or held back.
 */
export async function replayFailedBatchesFromKafka(options: KafkaReplayOptions, handler: EventHandler, log: Log = () => undefined): Promise<ReplayResult> {
  const { kafka, topic, groupId } = options;
  const admin = kafka.admin();
  await admin.connect();
  let pending: Map<number, { from: number; end: number }>;
  try {
    pending = await pendingRanges(admin, topic, groupId);
  } finally {
    await admin.disconnect();
  }
  const result: ReplayResult = { replayed: [], failed: [] };
  if (pending.size === 0) return result;

  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200, allowAutoTopicCreation: false });
  const held = new Set<number>();
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const settle = (partition: number) => {
    pending.delete(partition);
    if (pending.size === 0) finish();
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 1,
      eachMessage: async ({ partition, message }) => {
        const range = pending.get(partition);
        const offset = Number(message.offset);
        if (!range || held.has(partition) || offset >= range.end) return;
        const id = `${topic}-${partition}@${offset}`;
        try {
          const record = parseFailedBatchRecord(message.value?.toString('utf8') ?? '');
          await handler(record.event);
          await consumer.commitOffsets([{ topic, partition, offset: String(offset + 1) }]);
          result.replayed.push(id);
          log(describeReplayed(record, id));
          if (offset + 1 >= range.end) settle(partition);
        } catch (err) {
          // keep the partition's order: nothing after a record that still fails is replayed or committed
          held.add(partition);
          result.failed.push({ file: id, error: (err as Error).message });
          log(`still failing: ${id}: ${(err as Error).message}; later records of partition ${partition} left for the next run`);
          settle(partition);
        }
      },
    });
    const timeoutMs = options.timeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new InfrastructureError(`replay-failed: the messages of ${topic} were not all read within ${timeoutMs} ms (partitions left: ${[...pending.keys()].join(', ')})`)),
        timeoutMs,
      );
    });
    await Promise.race([finished, timedOut]).finally(() => clearTimeout(timer));
  } finally {
    await consumer.disconnect();
  }
  return result;
}
