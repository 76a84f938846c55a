/**
 * The on-failure record of a batch the processor gave up on: Lambda's Kafka on-failure shape
 * (request and response context, KafkaBatchInfo) plus the event itself, so `replay-failed` can
 * re-drive it through the unchanged handler. Written by the local emulator after the last retry
 * and by the processor itself, at once, for an event it can never handle (a non-retriable error).
 * Pure: the clock and the error are arguments.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure.html
 */
import { errorClass, MalformedEventError } from '../../model/errors';
import type { MskEvent } from './msk-event';

/** Why the batch was given up: its retries ran out, or its error says retrying cannot help. */
export type FailureCondition = 'RetryAttemptsExhausted' | 'NotRetriable';

export interface KafkaBatchInfo {
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
  readonly batchSize: number;
}

export interface FailedBatchRecord {
  readonly requestContext: { readonly condition: FailureCondition; readonly approximateInvokeCount: number; readonly functionArn: string };
  readonly responseContext: { readonly functionError: 'Unhandled'; readonly errorType: string; readonly errorMessage: string };
  readonly timestamp: string;
  /** Null when the event is too malformed to say which records it held. */
  readonly KafkaBatchInfo: KafkaBatchInfo | null;
  readonly event: MskEvent;
}

/** The topic-partition and offsets of an event's first partition batch, if the event says. */
export function batchInfoOf(event: MskEvent): KafkaBatchInfo | null {
  const lists = event && typeof event.records === 'object' && event.records !== null ? Object.values(event.records) : [];
  const list = lists.find((l) => Array.isArray(l) && l.length > 0);
  if (!list) return null;
  const offsets = list.map((r) => r?.offset).filter((o): o is number => Number.isInteger(o));
  const first = list[0];
  if (typeof first?.topic !== 'string' || !Number.isInteger(first.partition) || offsets.length === 0) return null;
  return { topic: first.topic, partition: first.partition, firstOffset: Math.min(...offsets), lastOffset: Math.max(...offsets), batchSize: list.length };
}

export interface FailureContext {
  readonly condition: FailureCondition;
  readonly attempts: number;
  readonly functionArn: string;
  readonly error: unknown;
  readonly now: number;
}

export function failedBatchRecord(event: MskEvent, c: FailureContext): FailedBatchRecord {
  return {
    requestContext: { condition: c.condition, approximateInvokeCount: c.attempts, functionArn: c.functionArn },
    responseContext: { functionError: 'Unhandled', errorType: errorClass(c.error), errorMessage: c.error instanceof Error ? c.error.message : String(c.error) },
    timestamp: new Date(c.now).toISOString(),
    KafkaBatchInfo: batchInfoOf(event),
    event,
  };
}

/** File name of a record: `<topic>-<partition>-<first offset, 20 digits>.json`, sorting in offset order; by time when the event names no records. */
export function failedBatchFileName(record: FailedBatchRecord): string {
  const info = record.KafkaBatchInfo;
  if (!info) return `unidentified-${record.timestamp.replace(/[:.]/g, '-')}.json`;
  return `${info.topic}-${info.partition}-${String(info.firstOffset).padStart(20, '0')}.json`;
}

/**
 * Reads an on-failure record back, from an object of the bucket or directory or a message of the
 * on-failure topic. The event to replay is `event` in the records streamlake writes; a record
 * that carries the invocation as `payload` instead (an object or a JSON string) is read too.
 * Throws a MalformedEventError when there is no event to replay.
 */
export function parseFailedBatchRecord(text: string): FailedBatchRecord {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new MalformedEventError(`on-failure record is not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new MalformedEventError('on-failure record is not a JSON object');
  const r = doc as Record<string, unknown>;
  let event = r.event ?? r.payload;
  if (typeof event === 'string') {
    try {
      event = JSON.parse(event);
    } catch {
      throw new MalformedEventError('on-failure record has a payload that is not JSON');
    }
  }
  if (typeof event !== 'object' || event === null || typeof (event as MskEvent).records !== 'object') {
    throw new MalformedEventError('on-failure record holds no MSK event to replay (neither "event" nor "payload" with "records")');
  }
  const record = { ...(r as unknown as FailedBatchRecord), event: event as MskEvent };
  return { ...record, KafkaBatchInfo: record.KafkaBatchInfo ?? batchInfoOf(record.event) };
}
