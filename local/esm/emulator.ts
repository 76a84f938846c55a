/**
 * Event-source-mapping emulator: a kafkajs consumer group per pipeline that invokes the
 * unchanged processor handler with events in the exact Lambda MSK shape. Like the Lambda event
 * source mapping it
 * - honours the batch size and the batching window: records are gathered until a batch is full
 *   or the window has elapsed since the first of them was seen;
 * - keeps per-partition order: one batch per partition in flight;
 * - commits offsets only after the handler returned;
 * - retries a throwing handler with exponential backoff and, once the attempts are exhausted,
 *   writes the failed batch to its on-failure destination — a folder, as the S3 destination keeps
 *   objects, or a Kafka topic of the broker, as the `kafka://` destination — (the record Lambda's
 *   on-failure destination gets, plus the event to replay it) and moves on;
 * - does not retry an error that says retrying cannot help (`retriable: false`, e.g. a malformed
 *   event): the batch goes to the on-failure folder at once, counted by error class, as the
 *   processor function does in AWS.
 *
 * Records gathered for a batch that is not due yet are left unresolved: kafkajs fetches from the
 * last resolved offset, so they are fetched again together with the newer ones. Nothing is held
 * across fetches but the instant the first pending record was seen, so a rebalance cannot leave
 * stale records behind; a partition that moves to another member simply restarts at its
 * committed offset.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/with-msk.html
 */
import type { Consumer, IHeaders, Kafka, KafkaMessage } from 'kafkajs';
import { StoreFailureSink, type FailureSink } from '../../lambda/adapters/failure-sink';
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { failedBatchRecord, type FailureCondition } from '../../lambda/core/failed-batch';
import type { MskEvent, MskRecord, MskRecordHeader } from '../../lambda/core/msk-event';
import { ConfigurationError, errorClass, isRetriable } from '../../model/errors';

export type { FailedBatchRecord } from '../../lambda/core/failed-batch';

export type EventHandler = (event: MskEvent) => Promise<unknown>;

export interface EmulatorOptions {
  readonly kafka: Kafka;
  readonly bootstrap: string;
  readonly topic: string;
  readonly groupId: string;
  readonly handler: EventHandler;
  /** Records per invocation at most. @default 100 (the Lambda default for MSK) */
  readonly batchSize?: number;
  /** Longest wait for a batch to fill up before it is delivered anyway. @default 500 ms */
  readonly batchingWindowMs?: number;
  /** Invocations of one batch before it goes to the on-failure folder. @default 4 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles each attempt. @default 200 ms */
  readonly retryBaseMs?: number;
  /** Longest retry delay. @default 30_000 ms */
  readonly retryMaxMs?: number;
  /** Where exhausted batches are written as JSON, one file per batch (unless `onFailure` is given). */
  readonly onFailureDir?: string;
  /** The on-failure destination instead of the folder, e.g. a KafkaFailureSink on the pipeline's `<topic>.failed` topic. */
  readonly onFailure?: FailureSink;
  /** Start at the earliest offset when the group has no committed offset (TRIM_HORIZON). @default true */
  readonly fromBeginning?: boolean;
  readonly log?: (line: string) => void;
}

export interface EmulatorStats {
  /** Records in batches the handler accepted. */
  records: number;
  /** Batches the handler accepted. */
  batches: number;
  /** Failed invocations that were retried. */
  retries: number;
  /** Batches written to the on-failure folder (after their last attempt, or at once when not retriable). */
  failedBatches: number;
  /** Batches given up without retries, by error class (`MalformedEventError`, ...). */
  notRetriable: Record<string, number>;
  /** Records behind the high watermark, as of the latest fetch of each partition. */
  lag: number;
}

/** The fake ARN local events carry; Lambda sets the cluster ARN of the event source mapping. */
export const localEventSourceArn = (groupId: string): string => `arn:aws:kafka:local:000000000000:cluster/streamlake-local/${groupId}`;

function headerEntries(headers: IHeaders | undefined): MskRecordHeader[] {
  const out: MskRecordHeader[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    for (const v of Array.isArray(value) ? value : [value]) {
      const bytes = v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
      out.push({ [name]: [...bytes] });
    }
  }
  return out;
}

/** The record as Lambda delivers it: base64 key and value, headers as arrays of byte values. */
export function toMskRecord(topic: string, partition: number, m: KafkaMessage): MskRecord {
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    // kafkajs does not expose the batch's timestamp type; topics here keep the default CreateTime
    timestampType: 'CREATE_TIME',
    ...(m.key ? { key: m.key.toString('base64') } : {}),
    value: m.value ? m.value.toString('base64') : null,
    headers: headerEntries(m.headers),
  };
}

export function toMskEvent(eventSourceArn: string, bootstrap: string, topic: string, partition: number, messages: readonly KafkaMessage[]): MskEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn,
    bootstrapServers: bootstrap,
    records: { [`${topic}-${partition}`]: messages.map((m) => toMskRecord(topic, partition, m)) },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** While a partial batch waits for its window, it is re-fetched at this pace. */
const WINDOW_POLL_MS = 50;

export class EventSourceMappingEmulator {
  readonly stats: EmulatorStats = { records: 0, batches: 0, retries: 0, failedBatches: 0, notRetriable: {}, lag: 0 };
  readonly eventSourceArn: string;
  private consumer: Consumer | undefined;
  /** Per partition: the first not yet delivered offset and when it was first seen. */
  private readonly pending = new Map<number, { readonly offset: string; readonly since: number }>();
  private readonly lagByPartition = new Map<number, number>();

  /** Where batches that finally fail go. */
  readonly onFailure: FailureSink;

  constructor(private readonly options: EmulatorOptions) {
    this.eventSourceArn = localEventSourceArn(options.groupId);
    if (!options.onFailure && !options.onFailureDir) throw new ConfigurationError('the emulator needs an on-failure destination: onFailureDir or onFailure');
    this.onFailure = options.onFailure ?? new StoreFailureSink(new LocalLakeStore(options.onFailureDir!));
  }

  event(topic: string, partition: number, messages: readonly KafkaMessage[]): MskEvent {
    return toMskEvent(this.eventSourceArn, this.options.bootstrap, topic, partition, messages);
  }

  async start(): Promise<void> {
    const o = this.options;
    const batchSize = o.batchSize ?? 100;
    const windowMs = o.batchingWindowMs ?? 500;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000)
      throw new ConfigurationError(`batchSize must be an integer in 1..10000 (the Lambda MSK limit), got ${batchSize}`);
    if (!(windowMs >= 0 && windowMs <= 300_000)) throw new ConfigurationError(`batchingWindowMs must be in 0..300000 (the Lambda limit), got ${windowMs}`);
    const consumer = o.kafka.consumer({
      groupId: o.groupId,
      // an idle fetch is held by the broker this long: the window paces how fast new records show up
      maxWaitTimeInMs: Math.max(10, Math.min(windowMs, 500)),
      minBytes: 1,
      maxBytesPerPartition: 10 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    // after a rebalance every partition restarts at its committed offset: forget the window clocks
    consumer.on(consumer.events.GROUP_JOIN, () => this.pending.clear());
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const { topic, partition, messages } = batch;
        const high = Number(batch.highWatermark);
        this.setLag(partition, high - Number(messages[0].offset));
        let from = 0;
        while (from < messages.length) {
          if (!isRunning() || isStale()) return;
          const remaining = messages.length - from;
          if (remaining < batchSize && windowMs > 0) {
            // a partial batch: deliver it only once the window has elapsed since its first record was seen
            const first = messages[from].offset;
            let p = this.pending.get(partition);
            if (p?.offset !== first) this.pending.set(partition, (p = { offset: first, since: Date.now() }));
            const waited = Date.now() - p.since;
            if (waited < windowMs) {
              // leave the records unresolved: the next fetch returns them again, with any newer ones
              await sleep(Math.min(windowMs - waited, WINDOW_POLL_MS));
              return;
            }
          }
          const slice = messages.slice(from, from + batchSize);
          const last = slice[slice.length - 1].offset;
          const done = await this.invoke(topic, partition, slice, heartbeat, () => isRunning() && !isStale());
          if (!done) return; // stopping or rebalancing: the batch is delivered again from the committed offset
          this.pending.delete(partition);
          resolveOffset(last);
          // commit only after the handler returned (or the batch went to the on-failure folder)
          await consumer.commitOffsets([{ topic, partition, offset: String(Number(last) + 1) }]);
          this.setLag(partition, high - (Number(last) + 1));
          await heartbeat();
          from += slice.length;
        }
      },
    });
  }

  private setLag(partition: number, lag: number): void {
    this.lagByPartition.set(partition, Math.max(0, lag));
    let sum = 0;
    for (const l of this.lagByPartition.values()) sum += l;
    this.stats.lag = sum;
  }

  /** Invokes the handler with retries; false when the consumer stopped or lost the partition meanwhile. */
  private async invoke(topic: string, partition: number, messages: readonly KafkaMessage[], heartbeat: () => Promise<void>, active: () => boolean): Promise<boolean> {
    const o = this.options;
    const attempts = o.maxAttempts ?? 4;
    const event = this.event(topic, partition, messages);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await o.handler(event);
        this.stats.records += messages.length;
        this.stats.batches += 1;
        return true;
      } catch (err) {
        lastError = err;
        if (!isRetriable(err)) {
          const cls = errorClass(err);
          this.stats.notRetriable[cls] = (this.stats.notRetriable[cls] ?? 0) + 1;
          o.log?.(`${o.groupId}: batch ${topic}-${partition}@${messages[0].offset} failed with ${cls}, which retrying cannot fix: ${errorMessage(err)}`);
          await this.writeFailure(topic, partition, messages, 'NotRetriable', attempt, err, event);
          return true;
        }
        if (attempt === attempts) break;
        this.stats.retries += 1;
        const delay = Math.min((o.retryBaseMs ?? 200) * 2 ** (attempt - 1), o.retryMaxMs ?? 30_000);
        o.log?.(`${o.groupId}: batch ${topic}-${partition}@${messages[0].offset} failed (attempt ${attempt}/${attempts}): ${errorMessage(err)}; retrying in ${delay} ms`);
        // wait in steps, heart-beating, and give up early when the consumer stops
        for (const until = Date.now() + delay; Date.now() < until;) {
          if (!active()) return false;
          await sleep(Math.min(until - Date.now(), 1_000));
          await heartbeat();
        }
        if (!active()) return false;
      }
    }
    await this.writeFailure(topic, partition, messages, 'RetryAttemptsExhausted', attempts, lastError, event);
    return true;
  }

  private async writeFailure(
    topic: string,
    partition: number,
    messages: readonly KafkaMessage[],
    condition: FailureCondition,
    attempts: number,
    error: unknown,
    event: MskEvent,
  ): Promise<void> {
    const o = this.options;
    const record = failedBatchRecord(event, { condition, attempts, functionArn: `local:${o.groupId}`, error, now: Date.now() });
    const where = await this.onFailure.write(record);
    this.stats.failedBatches += 1;
    const what = condition === 'RetryAttemptsExhausted' ? `exhausted ${attempts} attempts` : 'is not retriable';
    o.log?.(`${o.groupId}: batch ${topic}-${partition}@${messages[0].offset} ${what}; written to ${this.onFailure.describe()} (${where})`);
  }

  async stop(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.disconnect();
    await this.onFailure.close();
  }
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
