/**
 * The interface every value decoder implements: a record's value → the raw field values of the
 * spec's schema, in schema order (converted and validated by the next stage), or a Rejection.
 * Never throws. Text formats receive the value as UTF-8 text (the caller checks the encoding once
 * for all of them); binary formats receive the bytes.
 */
import type { AvroDecoder } from '../avro';
import type { Rejection } from '../quarantine';

/** Raw field values in schema order; may be a scratch array the decoder reuses for the next value. */
export type RawFieldValues = unknown[];

/** A text format (CSV, JSON): the value as UTF-8 text → raw field values. */
export interface TextValueDecoder {
  readonly input: 'text';
  decode(text: string): RawFieldValues | Rejection;
}

/** A binary format (Avro): the value bytes → raw field values. */
export interface BytesValueDecoder {
  readonly input: 'bytes';
  decode(value: Buffer): RawFieldValues | Rejection;
  /** The Avro decoder whose writer schemas the handler fills from the registry. */
  readonly avro: AvroDecoder;
}

export type ValueDecoder = TextValueDecoder | BytesValueDecoder;
