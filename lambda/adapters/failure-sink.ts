/**
 * Where the invocation record of a batch that finally failed is kept: an object store (the S3
 * failed-batches bucket, or a local directory with the same keys) or a Kafka topic of the cluster
 * (streamlake:onFailure=kafka, Lambda's `kafka://<topic>` on-failure destination). The processor
 * writes a batch it can never handle to the same kind of destination as its event source mapping,
 * and so does the local emulator for a batch that exhausted its retries; `replay-failed` reads
 * either back. A write that fails throws an InfrastructureError: the batch is retried, never lost.
 */
import type { Kafka, Producer } from 'kafkajs';
import { InfrastructureError } from '../../model/errors';
import { failedBatchFileName, type FailedBatchRecord } from '../core/failed-batch';
import type { LakeStore } from './lake-store';

export interface FailureSink {
  /** Keeps the record; resolves to where it went (an object key, `topic-partition@offset`), for the logs. */
  write(record: FailedBatchRecord): Promise<string>;
  /** A human-readable location, for logs and the CLI. */
  describe(): string;
  close(): Promise<void>;
}

/** A failure destination that could not take a record: retriable, like any infrastructure failure. */
export class FailureDestinationError extends InfrastructureError {
  override readonly name: string = 'FailureDestinationError';
}

/** One JSON object per record, `<prefix><topic>-<partition>-<first offset>.json`: the S3 bucket or a local directory. */
export class StoreFailureSink implements FailureSink {
  constructor(
    private readonly store: LakeStore,
    private readonly prefix = '',
  ) {}

  async write(record: FailedBatchRecord): Promise<string> {
    const key = `${this.prefix}${failedBatchFileName(record)}`;
    await this.store.put(key, Buffer.from(JSON.stringify(record, null, 2)), 'application/json');
    return key;
  }

  describe(): string {
    return `${this.store.describe()}/${this.prefix}`;
  }

  async close(): Promise<void> {}
}

/**
 * The Kafka message of a record on an on-failure topic: the JSON invocation record as the value,
 * keyed by the failed batch's source topic-partition so the records of one partition stay in
 * order on one partition of the on-failure topic.
 */
export function failureMessageOf(record: FailedBatchRecord): { key: string; value: string; headers: Record<string, string> } {
  const info = record.KafkaBatchInfo;
  return {
    key: info ? `${info.topic}-${info.partition}` : 'unidentified',
    value: JSON.stringify(record),
    headers: { 'content-type': 'application/json', condition: record.requestContext.condition },
  };
}

/** Produces each record to an on-failure topic (acks=all; created with the pipeline's topics, never auto-created). */
export class KafkaFailureSink implements FailureSink {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(
    private readonly kafka: Kafka,
    readonly topic: string,
  ) {}

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const p = this.kafka.producer({ allowAutoTopicCreation: false });
      await p.connect();
      this.producer = p;
      return p;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async write(record: FailedBatchRecord): Promise<string> {
    try {
      const producer = await this.connected();
      const [meta] = await producer.send({ topic: this.topic, acks: -1, messages: [failureMessageOf(record)] });
      return `${this.topic}-${meta.partition}@${meta.baseOffset ?? meta.offset ?? '?'}`;
    } catch (err) {
      throw new FailureDestinationError(`cannot produce the on-failure record to ${this.topic}: ${(err as Error).message}`, { cause: err });
    }
  }

  describe(): string {
    return `kafka://${this.topic}`;
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
