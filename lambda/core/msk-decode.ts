/**
 * The first stage: an MSK event (the documented Lambda payload, base64 keys and values) → one
 * batch of Kafka records per topic-partition, in offset order. Values stay base64 until a later
 * stage needs them; text formats decode them through one reused buffer.
 */
import { isUtf8 } from 'node:buffer';
import { MalformedEventError } from '../../model/errors';
import type { MskEvent, MskRecord } from './msk-event';

/** One Kafka record with its key and value decoded from base64. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  /** The key as events rows store it (UTF-8 text, or `base64:…`); derived from `key` when absent. */
  readonly keyText?: string | null;
}

/** The records of one topic-partition in one invocation: the unit of output objects. */
export interface PartitionBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly KafkaRecord[];
}

function decodeBase64(s: string | null | undefined): Buffer | null {
  return s === undefined || s === null ? null : Buffer.from(s, 'base64');
}

/**
 * A record of an MSK event whose value stays base64 until its bytes are needed (quarantine rows,
 * Avro): text formats decode it through one reused buffer straight to a string, so a batch does
 * not allocate a Buffer per record.
 */
export class MskEventRecord implements KafkaRecord {
  private bytes: Buffer | null | undefined;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly timestamp: number,
    readonly key: Buffer | null,
    readonly keyText: string | null,
    readonly base64Value: string | null,
  ) {}

  get value(): Buffer | null {
    if (this.bytes === undefined) this.bytes = decodeBase64(this.base64Value);
    return this.bytes;
  }
}

/** A growable buffer the text path decodes base64 values into, one record at a time. */
export class DecodeBuffer {
  buf = Buffer.allocUnsafe(64 * 1024);
  /** Decodes `base64` into the buffer; returns the byte count. */
  decode(base64: string): number {
    const max = Math.ceil(base64.length / 4) * 3;
    if (max > this.buf.length) this.buf = Buffer.allocUnsafe(Math.max(max, this.buf.length * 2));
    return FAST_BUFFER_METHODS ? (this.buf as InternalBuffer).base64Write(base64, 0, this.buf.length) : this.buf.write(base64, 0, 'base64');
  }
}

/**
 * Buffer's own base64Write/utf8Slice: what write() and toString() call after checking their
 * arguments (a measurable share of the per-record cost). Not documented, so used only when
 * present; the public methods otherwise.
 */
interface InternalBuffer extends Buffer {
  base64Write(text: string, offset: number, length: number): number;
  utf8Slice(start: number, end: number): string;
}
const FAST_BUFFER_METHODS =
  typeof (Buffer.prototype as Partial<InternalBuffer>).base64Write === 'function' && typeof (Buffer.prototype as Partial<InternalBuffer>).utf8Slice === 'function';

/** `bytes[start, end)` as a string (invalid UTF-8 becomes U+FFFD). */
export const utf8Text = (bytes: Buffer, start: number, end: number): string =>
  FAST_BUFFER_METHODS ? (bytes as InternalBuffer).utf8Slice(start, end) : bytes.toString('utf8', start, end);

/** The key as events rows store it: UTF-8 text, or `base64:…` when it is not text. */
export function keyText(key: Buffer | null): string | null {
  if (key === null) return null;
  return isUtf8(key) ? key.toString('utf8') : `base64:${key.toString('base64')}`;
}

/** Splits an MSK event into per-partition batches in offset order, decoding keys and values. */
export function decodeMskEvent(event: MskEvent): PartitionBatch[] {
  if (!event || typeof event.records !== 'object' || event.records === null) {
    throw new MalformedEventError('event has no records map: not an MSK event');
  }
  const batches: PartitionBatch[] = [];
  // keys repeat (a customer, an IP): decode each distinct key once, share Buffer and text
  const keys = new Map<string, { readonly bytes: Buffer; readonly text: string | null }>();
  const NO_KEY = { bytes: null, text: null };
  const decodeKey = (b64: string | null | undefined): { readonly bytes: Buffer | null; readonly text: string | null } => {
    if (b64 === undefined || b64 === null) return NO_KEY;
    let key = keys.get(b64);
    if (key === undefined) {
      const bytes = Buffer.from(b64, 'base64');
      key = { bytes, text: keyText(bytes) };
      if (keys.size < 100_000) keys.set(b64, key);
    }
    return key;
  };
  for (const [tp, list] of Object.entries(event.records)) {
    if (!Array.isArray(list) || list.length === 0) continue;
    let sorted = true;
    const records = list.map((r: MskRecord, i: number): KafkaRecord => {
      if (typeof r?.topic !== 'string' || !Number.isInteger(r.partition) || !Number.isInteger(r.offset)) {
        throw new MalformedEventError(`records['${tp}'][${i}] lacks topic, partition or offset`);
      }
      if (i > 0 && r.offset < list[i - 1].offset) sorted = false;
      const key = decodeKey(r.key);
      return new MskEventRecord(r.topic, r.partition, r.offset, Number.isFinite(r.timestamp) ? r.timestamp : 0, key.bytes, key.text, r.value ?? null);
    });
    if (!sorted) records.sort((a, b) => a.offset - b.offset);
    batches.push({ topic: records[0].topic, partition: records[0].partition, records });
  }
  return batches;
}
