/**
 * A pipeline spec compiled once per container into everything the per-record path needs: the
 * value decoder, field converters, enrichment steps, windows, the tables' schemas and where each
 * column sits in them. `processValue` is the per-value stage: decode → convert → validate event
 * time → enrich.
 */
import { isUtf8 } from 'node:buffer';
import { eventsColumnMap, partialsColumnMap, quarantineColumnMap, type EventsColumnMap, type PartialsColumnMap, type QuarantineColumnMap } from './column-maps';
import { compileEnrichment, type EnrichStep, type ReferenceTable } from './enrich';
import { compileFieldConverter, type FieldConverter, type FieldValue } from './fields';
import { utf8Text } from './msk-decode';
import { reject, Rejection } from './quarantine';
import { valueDecoderFor, type RawFieldValues, type TextValueDecoder, type ValueDecoder } from './value-decoders';
import { compileWindow, type CompiledWindow } from './window';
import { DEFAULT_MAX_FUTURE_SECONDS, DEFAULT_MAX_VALUE_BYTES, DEFAULT_NOT_BEFORE, outputFields, type PipelineSpec } from '../../model/spec';
import { validatePipelineSpec } from '../../model/spec-rules';
import { eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from '../../model/tables';
import { eventsTableName, partialsTableName, quarantineTableName } from '../../model/lake-tables';

/** A spec compiled for fast processing: decoder, converters, indexes, enrichments, windows. */
export interface CompiledPipeline {
  readonly spec: PipelineSpec;
  readonly eventsSchema: TableSchema;
  readonly eventsColumns: EventsColumnMap;
  readonly quarantineSchema: TableSchema;
  readonly quarantineColumns: QuarantineColumnMap;
  readonly windows: readonly { readonly compiled: CompiledWindow; readonly table: string; readonly schema: TableSchema; readonly columns: PartialsColumnMap }[];
  /** The Iceberg tables of events and quarantine (model/lake-tables.ts). */
  readonly tables: { readonly events: string; readonly quarantine: string };
  /** Number of pipeline output fields (schema + enrichments): the length of an events row. */
  readonly fieldCount: number;
  /** The value format's decoder: value → raw field values in schema order. */
  readonly valueDecoder: ValueDecoder;
  readonly converters: readonly FieldConverter[];
  readonly enrichments: readonly { readonly fromIndex: number; readonly step: EnrichStep }[];
  readonly eventTimeIndex: number;
  readonly maxValueBytes: number;
  readonly notBefore: number;
  readonly maxFutureMs: number;
}

export function compilePipeline(spec: PipelineSpec, references: ReadonlyMap<string, ReferenceTable>): CompiledPipeline {
  validatePipelineSpec(spec);
  const fields = outputFields(spec);
  const indexOf = (name: string): number => fields.findIndex((f) => f.name === name);
  const converters = spec.schema.map((f) =>
    // Avro declares timestamps as timestamp-millis longs, whatever the JSON encoding would be
    compileFieldConverter(f, { encoding: spec.value.kind === 'avro' ? 'epoch-millis' : f.name === spec.eventTime.field ? spec.eventTime.encoding : 'any' }),
  );
  const valueDecoder = valueDecoderFor(spec);
  const events = eventsSchema(spec);
  const quarantine = quarantineSchema();
  const notBefore = Date.parse(spec.eventTime.notBefore ?? DEFAULT_NOT_BEFORE);
  return {
    spec,
    eventsSchema: events,
    eventsColumns: eventsColumnMap(
      events,
      fields.map((f) => f.name),
    ),
    quarantineSchema: quarantine,
    quarantineColumns: quarantineColumnMap(quarantine),
    windows: (spec.windows ?? []).map((w) => {
      const schema = partialsSchema(spec, w);
      return { compiled: compileWindow(w, indexOf), table: partialsTableName(spec, w), schema, columns: partialsColumnMap(schema, spec, w) };
    }),
    tables: { events: eventsTableName(spec), quarantine: quarantineTableName(spec) },
    fieldCount: fields.length,
    valueDecoder,
    converters,
    enrichments: (spec.enrichments ?? []).map((e) => ({ fromIndex: indexOf(e.from), step: compileEnrichment(e, references) })),
    eventTimeIndex: indexOf(spec.eventTime.field),
    maxValueBytes: spec.maxValueBytes ?? DEFAULT_MAX_VALUE_BYTES,
    notBefore,
    maxFutureMs: (spec.eventTime.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS) * 1000,
  };
}

/** Parses, validates and enriches one value. Returns the output fields row or a Rejection. Never throws. */
export function processValue(p: CompiledPipeline, value: Buffer | null, kafkaTimestamp: number): FieldValue[] | Rejection {
  return processValueInto(p, value, kafkaTimestamp, new Array(p.fieldCount));
}

/** processValue writing into `row` (processBatch reuses one row: its values are copied out at once). */
export function processValueInto(p: CompiledPipeline, value: Buffer | null, kafkaTimestamp: number, row: FieldValue[]): FieldValue[] | Rejection {
  if (value === null) return reject('empty-value', 'the record value is null (tombstone)');
  const decoder = p.valueDecoder;
  if (decoder.input === 'bytes') {
    if (value.length > p.maxValueBytes) return oversized(p, value.length);
    return convertInto(p, decoder.decode(value), kafkaTimestamp, row);
  }
  return processTextInto(p, decoder, value, 0, value.length, kafkaTimestamp, row);
}

function oversized(p: CompiledPipeline, bytes: number): Rejection {
  return reject('oversized-value', `value has ${bytes} bytes, more than maxValueBytes ${p.maxValueBytes}`);
}

/** The text formats: the value is `bytes[start, end)`. */
export function processTextInto(
  p: CompiledPipeline,
  decoder: TextValueDecoder,
  bytes: Buffer,
  start: number,
  end: number,
  kafkaTimestamp: number,
  row: FieldValue[],
): FieldValue[] | Rejection {
  if (end - start > p.maxValueBytes) return oversized(p, end - start);
  const text = utf8Text(bytes, start, end);
  // invalid UTF-8 decodes to U+FFFD: only then is the (slower) validation needed
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes.subarray(start, end))) return reject('invalid-utf8', 'value is not valid UTF-8');
  return convertInto(p, decoder.decode(text), kafkaTimestamp, row);
}

function convertInto(p: CompiledPipeline, parsed: RawFieldValues | Rejection, kafkaTimestamp: number, row: FieldValue[]): FieldValue[] | Rejection {
  if (parsed instanceof Rejection) return parsed;
  const converters = p.converters;
  for (let i = 0; i < converters.length; i++) {
    const v = converters[i](parsed[i]);
    if (v instanceof Rejection) return v;
    row[i] = v;
  }
  const t = row[p.eventTimeIndex] as number;
  if (t < p.notBefore) return reject('timestamp-out-of-range', `event time ${isoOrNumber(t)} is before ${new Date(p.notBefore).toISOString()}`);
  if (t > Math.max(kafkaTimestamp, 0) + p.maxFutureMs) {
    return reject('timestamp-out-of-range', `event time ${isoOrNumber(t)} is more than ${p.maxFutureMs / 1000}s after the Kafka timestamp ${isoOrNumber(kafkaTimestamp)}`);
  }
  let i = converters.length;
  for (const e of p.enrichments) row[i++] = e.step(row[e.fromIndex]);
  return row;
}

function isoOrNumber(t: number): string {
  const d = new Date(t);
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString();
}
