/**
 * The event Lambda passes to a function triggered by an Amazon MSK (or self-managed Kafka)
 * event source mapping. Shape from the Lambda developer guide, "Using Lambda with Amazon MSK":
 * records are grouped by "<topic>-<partition>", key and value are base64, header values are
 * arrays of byte values.
 */
export interface MskRecordHeader {
  readonly [name: string]: readonly number[];
}

export interface MskRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
  readonly timestampType: 'CREATE_TIME' | 'LOG_APPEND_TIME' | string;
  /** Base64; absent for a null key. */
  readonly key?: string;
  /** Base64; absent (or null) for a tombstone. */
  readonly value?: string | null;
  readonly headers?: readonly MskRecordHeader[];
}

export interface MskEvent {
  readonly eventSource: 'aws:kafka' | 'SelfManagedKafka' | string;
  readonly eventSourceArn?: string;
  readonly bootstrapServers?: string;
  readonly records: Readonly<Record<string, readonly MskRecord[]>>;
}
