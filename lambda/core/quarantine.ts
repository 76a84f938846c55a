/**
 * Why a record was quarantined. The set is closed and documented (README, "Quarantine reasons"):
 * every record that is not an event carries exactly one of these codes.
 */
export const QUARANTINE_REASONS = {
  'empty-value': 'the record has no value (tombstone)',
  'oversized-value': "the value is larger than the pipeline's maxValueBytes",
  'invalid-utf8': 'the value is not valid UTF-8 text',
  'malformed-csv': 'the value is not one well-formed CSV line (unbalanced quotes, several lines)',
  'wrong-column-count': 'the CSV line has more or fewer columns than the spec declares',
  'invalid-json': 'the value is not a JSON object',
  'missing-field': 'a required field is missing, null or empty',
  'wrong-type': 'a JSON field has the wrong JSON type (e.g. an object where a string is expected)',
  'invalid-number': 'a numeric field does not hold a finite number of the declared type',
  'invalid-boolean': 'a boolean field is not true or false',
  'invalid-timestamp': 'a timestamp field cannot be parsed in the declared encoding',
  'timestamp-out-of-range': "the event time is before the spec's notBefore or too far ahead of the Kafka timestamp",
  'value-out-of-range': "a number is outside the field's declared min/max",
  'string-too-long': "a string is longer than the field's maxLength",
  'invalid-avro-frame': 'the value is not in the Glue Schema Registry or Confluent wire format (or its zlib payload is corrupt)',
  'unknown-schema': 'the schema id of an Avro value is not in the registry',
  'incompatible-schema': "the writer schema cannot be resolved against the pipeline's schema (Avro evolution rules)",
  'invalid-avro': 'the Avro payload does not decode with its writer schema',
  'internal-error': 'the processor failed on this record (a bug): kept here so it is never lost',
} as const;

export type QuarantineReason = keyof typeof QUARANTINE_REASONS;

/** A record rejected by a stage: reason code plus a human-readable detail naming the field. */
export class Rejection {
  constructor(
    readonly reason: QuarantineReason,
    readonly detail: string,
  ) {}
}

export const reject = (reason: QuarantineReason, detail: string): Rejection => new Rejection(reason, detail);
