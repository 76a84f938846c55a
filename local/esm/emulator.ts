/**
 * Event-source-mapping emulator: a kafkajs consumer group per pipeline that invokes the
 * unchanged processor handler with events in the exact Lambda MSK shape. Like the Lambda event
 * source mapping it honours batch size and batching window, keeps per-partition order (one batch
 * per partition in flight), commits offsets only after the handler returns, retries a throwing
 * handler with backoff and, once the attempts are exhausted, writes the failed batch to an
 * on-failure folder and moves on.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import type { MskEvent, MskRecord } from '../../lambda/core/msk-event';

export type EventHandler = (event: MskEvent) => Promise<unknown>;

export interface EmulatorOptions {
  readonly kafka: Kafka;
  readonly bootstrap: string;
  readonly topic: string;
  readonly groupId: string;
  readonly handler: EventHandler;
  /** @default 100 (the Lambda default for MSK) */
  readonly batchSize?: number;
  /** @default 500 ms */
  readonly batchingWindowMs?: number;
  /** Invocations of one batch before it goes to the on-failure folder. @default 4 */
  readonly maxAttempts?: number;
  /** First retry delay; doubles each attempt. @default 200 ms */
  readonly retryBaseMs?: number;
  /** Where exhausted batches are written as JSON. */
  readonly onFailureDir: string;
  /** @default TRIM_HORIZON (earliest) */
  readonly fromBeginning?: boolean;
  readonly log?: (line: string) => void;
}

export interface EmulatorStats {
  records: number;
  batches: number;
  retries: number;
  failedBatches: number;
}

/** The record as Lambda delivers it: base64 key and value, headers as arrays of byte values. */
export function toMskRecord(topic: string, partition: number, m: KafkaMessage): MskRecord {
  const headers = Object.entries(m.headers ?? {}).map(([k, v]) => {
    const bytes = v === undefined ? Buffer.alloc(0) : Buffer.isBuffer(v) ? v : Buffer.from(String(v));
    return { [k]: [...bytes] };
  });
  return {
    topic,
    partition,
    offset: Number(m.offset),
    timestamp: Number(m.timestamp),
    timestampType: 'CREATE_TIME',
    ...(m.key ? { key: m.key.toString('base64') } : {}),
    value: m.value ? m.value.toString('base64') : null,
    headers,
  };
}

export class EventSourceMappingEmulator {
  readonly stats: EmulatorStats = { records: 0, batches: 0, retries: 0, failedBatches: 0 };
  private consumer: Consumer | undefined;
  private readonly arn: string;

  constructor(private readonly options: EmulatorOptions) {
    this.arn = `arn:aws:kafka:local:000000000000:cluster/streamlake-local/${options.groupId}`;
  }

  event(topic: string, partition: number, messages: readonly KafkaMessage[]): MskEvent {
    return {
      eventSource: 'aws:kafka',
      eventSourceArn: this.arn,
      bootstrapServers: this.options.bootstrap,
      records: { [`${topic}-${partition}`]: messages.map((m) => toMskRecord(topic, partition, m)) },
    };
  }

  async start(): Promise<void> {
    const o = this.options;
    const batchSize = o.batchSize ?? 100;
    const windowMs = o.batchingWindowMs ?? 500;
    const consumer = o.kafka.consumer({
      groupId: o.groupId,
      // the broker holds a fetch until a batch's worth of bytes or the batching window elapses
      maxWaitTimeInMs: windowMs,
      minBytes: Math.min(batchSize * 200, 1024 * 1024),
      maxBytesPerPartition: 10 * 1024 * 1024,
      sessionTimeout: 30_000,
      heartbeatInterval: 3_000,
      retry: { retries: 10 },
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: o.topic, fromBeginning: o.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 16,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let from = 0; from < batch.messages.length; from += batchSize) {
          if (!isRunning() || isStale()) return;
          const slice = batch.messages.slice(from, from + batchSize);
          const last = slice[slice.length - 1].offset;
          await this.invoke(batch.topic, batch.partition, slice, heartbeat);
          resolveOffset(last);
          // commit only after the handler returned (or the batch went to the on-failure folder)
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last) + 1) }]);
          await heartbeat();
        }
      },
    });
  }

  private async invoke(topic: string, partition: number, messages: readonly KafkaMessage[], heartbeat: () => Promise<void>): Promise<void> {
    const o = this.options;
    const attempts = o.maxAttempts ?? 4;
    const event = this.event(topic, partition, messages);
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await o.handler(event);
        this.stats.records += messages.length;
        this.stats.batches += 1;
        return;
      } catch (err) {
        lastError = err;
        if (attempt < attempts) {
          this.stats.retries += 1;
          o.log?.(`${o.groupId}: batch ${topic}-${partition}@${messages[0].offset} failed (attempt ${attempt}/${attempts}): ${(err as Error).message}; retrying`);
          await new Promise((r) => setTimeout(r, (o.retryBaseMs ?? 200) * 2 ** (attempt - 1)));
          await heartbeat();
        }
      }
    }
    this.stats.failedBatches += 1;
    await mkdir(o.onFailureDir, { recursive: true });
    const first = messages[0].offset;
    const file = join(o.onFailureDir, `${topic}-${partition}-${first.padStart(20, '0')}.json`);
    await writeFile(
      file,
      JSON.stringify(
        {
          // the same metadata Lambda's on-failure destination records for Kafka, plus the event to replay
          requestContext: { condition: 'RetryAttemptsExhausted', approximateInvokeCount: attempts, functionArn: `local:${o.groupId}` },
          responseContext: { functionError: 'Unhandled', errorMessage: (lastError as Error)?.message ?? String(lastError) },
          timestamp: new Date().toISOString(),
          KafkaBatchInfo: { topic, partition, firstOffset: Number(first), lastOffset: Number(messages[messages.length - 1].offset), batchSize: messages.length },
          event,
        },
        null,
        2,
      ),
    );
    o.log?.(`${o.groupId}: batch ${topic}-${partition}@${first} exhausted ${attempts} attempts; written to ${file}`);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
