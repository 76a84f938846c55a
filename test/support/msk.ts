/** Builds MSK events in the documented Lambda shape for tests and the benchmark. */
import type { MskEvent, MskRecord } from '../../lambda/core/msk-event';

export interface TestRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp?: number;
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string>;
}

const b64 = (x: string | Buffer): string => (typeof x === 'string' ? Buffer.from(x) : x).toString('base64');

export function mskRecord(r: TestRecord): MskRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp ?? Date.UTC(2026, 10, 22, 12, 0, 0),
    timestampType: 'CREATE_TIME',
    ...(r.key === undefined || r.key === null ? {} : { key: b64(r.key) }),
    value: r.value === null ? null : b64(r.value),
    headers: Object.entries(r.headers ?? {}).map(([k, v]) => ({ [k]: [...Buffer.from(v)] })),
  };
}

export function mskEvent(records: readonly TestRecord[]): MskEvent {
  const grouped: Record<string, MskRecord[]> = {};
  for (const r of records) (grouped[`${r.topic}-${r.partition}`] ??= []).push(mskRecord(r));
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/streamlake/abcd1234-0123-4567-89ab-cdef01234567-s1',
    bootstrapServers: 'b-1.streamlake.kafka.us-east-1.amazonaws.com:9098',
    records: grouped,
  };
}
