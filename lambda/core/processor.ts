/**
 * The processor's pure core: Kafka records of one topic-partition batch → events rows, window
 * partial aggregates and quarantine rows, laid out as the Parquet objects to write. No I/O: the
 * handler hands the planned objects to a LakeStore. Every input record ends up in exactly one of
 * events or quarantine.
 */
import { isUtf8 } from 'node:buffer';
import { MalformedEventError } from '../../model/errors';
import type { AvroDecoder } from './avro';
import { parseCsvLine } from './csv';
import { compileEnrichment, type EnrichStep, type ReferenceTable } from './enrich';
import { compileFieldConverter, type FieldConverter, type FieldValue } from './fields';
import { compileFlatJsonReader } from './flat-json';
import { aggregatesArea, eventsArea, HOUR_MS, objectKey, quarantineArea, timePartition } from '../../model/layout';
import type { MskEvent, MskRecord } from './msk-event';
import type { ColumnValues } from './parquet';
import { reject, Rejection, type QuarantineReason } from './quarantine';
import { summaryMessages, type SummaryMessage } from './summary';
import {
  DEFAULT_MAX_FUTURE_SECONDS,
  DEFAULT_MAX_VALUE_BYTES,
  DEFAULT_NOT_BEFORE,
  outputFields,
  validatePipelineSpec,
  type PipelineSpec,
} from '../../model/spec';
import { eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from '../../model/tables';
import { compileWindow, WindowAggregator, type CompiledWindow } from './window';

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

/** A contract violation by the event source (not a bad record): thrown, never quarantined. */
export { MalformedEventError };

function decodeBase64(s: string | null | undefined): Buffer | null {
  return s === undefined || s === null ? null : Buffer.from(s, 'base64');
}

/**
 * A record of an MSK event whose value stays base64 until its bytes are needed (quarantine rows,
 * Avro): text formats decode it through one reused buffer straight to a string, so a batch does
 * not allocate a Buffer per record.
 */
class MskEventRecord implements KafkaRecord {
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
class DecodeBuffer {
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
const FAST_BUFFER_METHODS = typeof (Buffer.prototype as Partial<InternalBuffer>).base64Write === 'function' && typeof (Buffer.prototype as Partial<InternalBuffer>).utf8Slice === 'function';

const utf8Text = (bytes: Buffer, start: number, end: number): string => (FAST_BUFFER_METHODS ? (bytes as InternalBuffer).utf8Slice(start, end) : bytes.toString('utf8', start, end));

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

/** A spec compiled for fast processing: converters, indexes, enrichments, windows. */
export interface CompiledPipeline {
  readonly spec: PipelineSpec;
  readonly eventsSchema: TableSchema;
  readonly quarantineSchema: TableSchema;
  readonly windows: readonly { readonly compiled: CompiledWindow; readonly schema: TableSchema }[];
  /** Number of pipeline output fields (schema + enrichments) at the start of an events row. */
  readonly fieldCount: number;
  /** Text formats (CSV, JSON): the UTF-8 value → raw field values. */
  readonly parse: (text: string) => unknown[] | Rejection;
  /** Binary formats (Avro): the value bytes → raw field values; set instead of `parse`'s UTF-8 step. */
  readonly parseBytes?: (value: Buffer) => unknown[] | Rejection;
  /** Avro decoder whose writer schemas the handler fills from the registry. */
  readonly avro?: AvroDecoder;
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

  let parse: CompiledPipeline['parse'];
  let parseBytes: CompiledPipeline['parseBytes'];
  let avro: AvroDecoder | undefined;
  if (spec.value.kind === 'csv') {
    const delimiter = spec.value.delimiter ?? ',';
    const width = spec.value.columns.length;
    // position in the CSV line of each schema field, or -1 (optional field not in the CSV)
    const positions = spec.schema.map((f) => (spec.value.kind === 'csv' ? spec.value.columns.indexOf(f.name) : -1));
    const identity = positions.every((p, i) => p === i);
    parse = (text) => {
      const line = parseCsvLine(text, delimiter);
      if (!line.ok) return reject('malformed-csv', line.problem);
      if (line.fields.length !== width) return reject('wrong-column-count', `expected ${width} columns, got ${line.fields.length}`);
      // columns in schema order (both shipped specs): the split line is already the raw row
      if (identity) return line.fields;
      return positions.map((p) => (p === -1 ? undefined : line.fields[p]));
    };
  } else if (spec.value.kind === 'avro') {
    // loaded only for Avro pipelines: keeps avsc out of the other processors' cold start
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AvroDecoder, parseAvroFrame } = require('./avro') as typeof import('./avro');
    const decoder = new AvroDecoder(spec);
    avro = decoder;
    const names = spec.schema.map((f) => f.name);
    parse = () => reject('internal-error', 'Avro values are binary');
    parseBytes = (value) => {
      const frame = parseAvroFrame(value);
      if (frame instanceof Rejection) return frame;
      const record = decoder.decode(frame);
      if (record instanceof Rejection) return record;
      return names.map((n) => record[n]);
    };
  } else {
    const names = spec.schema.map((f) => f.name);
    // one scratch row reused for every record: processValue copies the converted values out
    const scratch: unknown[] = new Array(names.length);
    const readFlat = compileFlatJsonReader(names);
    parse = (text) => {
      if (readFlat(text, scratch)) return scratch;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        return reject('invalid-json', `not JSON: ${(err as Error).message}`.slice(0, 200));
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return reject('invalid-json', `expected a JSON object, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
      const o = obj as Record<string, unknown>;
      for (let i = 0; i < names.length; i++) scratch[i] = Object.hasOwn(o, names[i]) ? o[names[i]] : undefined;
      return scratch;
    };
  }

  const notBefore = Date.parse(spec.eventTime.notBefore ?? DEFAULT_NOT_BEFORE);
  return {
    spec,
    eventsSchema: eventsSchema(spec),
    quarantineSchema: quarantineSchema(),
    windows: (spec.windows ?? []).map((w) => ({ compiled: compileWindow(w, indexOf), schema: partialsSchema(spec, w) })),
    fieldCount: fields.length,
    parse,
    parseBytes,
    avro,
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
function processValueInto(p: CompiledPipeline, value: Buffer | null, kafkaTimestamp: number, row: FieldValue[]): FieldValue[] | Rejection {
  if (value === null) return reject('empty-value', 'the record value is null (tombstone)');
  if (p.parseBytes) {
    if (value.length > p.maxValueBytes) return oversized(p, value.length);
    return convertInto(p, p.parseBytes(value), kafkaTimestamp, row);
  }
  return processTextInto(p, value, 0, value.length, kafkaTimestamp, row);
}

function oversized(p: CompiledPipeline, bytes: number): Rejection {
  return reject('oversized-value', `value has ${bytes} bytes, more than maxValueBytes ${p.maxValueBytes}`);
}

/** The text formats: the value is `bytes[start, end)`. */
function processTextInto(p: CompiledPipeline, bytes: Buffer, start: number, end: number, kafkaTimestamp: number, row: FieldValue[]): FieldValue[] | Rejection {
  if (end - start > p.maxValueBytes) return oversized(p, end - start);
  const text = utf8Text(bytes, start, end);
  // invalid UTF-8 decodes to U+FFFD: only then is the (slower) validation needed
  if (text.indexOf('\uFFFD') !== -1 && !isUtf8(bytes.subarray(start, end))) return reject('invalid-utf8', 'value is not valid UTF-8');
  return convertInto(p, p.parse(text), kafkaTimestamp, row);
}

function convertInto(p: CompiledPipeline, parsed: unknown[] | Rejection, kafkaTimestamp: number, row: FieldValue[]): FieldValue[] | Rejection {
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

/** A Parquet object to write: its key, table schema and column values. */
export interface PlannedObject {
  readonly kind: 'events' | 'aggregates' | 'quarantine';
  readonly key: string;
  readonly schema: TableSchema;
  readonly columns: ColumnValues[];
  readonly rows: number;
}

export interface BatchOutput {
  readonly objects: PlannedObject[];
  readonly recordsIn: number;
  readonly events: number;
  readonly quarantined: number;
  readonly reasons: Partial<Record<QuarantineReason, number>>;
  readonly partialRows: number;
  /** Newest Kafka timestamp in the batch (freshness), or -Infinity for none. */
  readonly maxKafkaTimestamp: number;
  readonly maxEventTime: number;
  /** Updates for windows that name a summary topic. */
  readonly summaries: readonly { readonly topic: string; readonly messages: readonly SummaryMessage[] }[];
}

class ColumnBuilder {
  readonly columns: ColumnValues[];
  rows = 0;
  constructor(width: number) {
    this.columns = Array.from({ length: width }, () => []);
  }
}

function builderFor(map: Map<string, ColumnBuilder>, key: string, width: number): ColumnBuilder {
  let b = map.get(key);
  if (!b) {
    b = new ColumnBuilder(width);
    map.set(key, b);
  }
  return b;
}

function keyText(key: Buffer | null): string | null {
  if (key === null) return null;
  return isUtf8(key) ? key.toString('utf8') : `base64:${key.toString('base64')}`;
}


/**
 * Processes one topic-partition batch. `writtenAt` (epoch millis) is stamped on every row: the
 * views use it to prefer a retried attempt over the one it replaces.
 */
export function processBatch(p: CompiledPipeline, batch: PartitionBatch, writtenAt: number): BatchOutput {
  const { topic, partition, records } = batch;
  if (records.length === 0) {
    return { objects: [], recordsIn: 0, events: 0, quarantined: 0, reasons: {}, partialRows: 0, maxKafkaTimestamp: -Infinity, maxEventTime: -Infinity, summaries: [] };
  }
  const firstOffset = records[0].offset;
  const lastOffset = records[records.length - 1].offset;
  const eventsWidth = p.eventsSchema.columns.length;
  const fieldCount = p.fieldCount;
  const events = new Map<string, ColumnBuilder>();
  const quarantine = new Map<string, ColumnBuilder>();
  const aggregators = p.windows.map((w) => new WindowAggregator(w.compiled));
  const reasons: Partial<Record<QuarantineReason, number>> = {};
  let eventCount = 0;
  let quarantined = 0;
  let maxKafkaTimestamp = -Infinity;
  // records arrive in time order: the previous record's partition is almost always this one's
  let lastHour = NaN;
  let lastBuilder: ColumnBuilder | undefined;
  const scratchRow: FieldValue[] = new Array(fieldCount);
  const decodeBuffer = new DecodeBuffer();

  for (const r of records) {
    if (r.timestamp > maxKafkaTimestamp) maxKafkaTimestamp = r.timestamp;
    let row: FieldValue[] | Rejection;
    try {
      if (r instanceof MskEventRecord && !p.parseBytes) {
        const b64 = r.base64Value;
        row = b64 === null ? reject('empty-value', 'the record value is null (tombstone)') : processTextInto(p, decodeBuffer.buf, 0, decodeBuffer.decode(b64), r.timestamp, scratchRow);
      } else row = processValueInto(p, r.value, r.timestamp, scratchRow);
    } catch (err) {
      // processValue is total by construction; this guard keeps a bug from failing the batch forever
      row = reject('internal-error', `unexpected failure: ${(err as Error).message}`);
    }
    if (row instanceof Rejection) {
      const { dt } = timePartition(r.timestamp);
      const b = builderFor(quarantine, dt, p.quarantineSchema.columns.length);
      const c = b.columns;
      c[0].push(row.reason);
      c[1].push(row.detail);
      c[2].push(topic);
      c[3].push(partition);
      c[4].push(r.offset);
      c[5].push(r.timestamp);
      c[6].push(r.key);
      c[7].push(r.value);
      c[8].push(writtenAt);
      b.rows += 1;
      reasons[row.reason] = (reasons[row.reason] ?? 0) + 1;
      quarantined += 1;
      continue;
    }
    const t = row[p.eventTimeIndex] as number;
    const hour = Math.floor(t / HOUR_MS);
    let b = lastBuilder;
    if (hour !== lastHour || b === undefined) {
      b = builderFor(events, timePartition(t).id, eventsWidth);
      lastBuilder = b;
      lastHour = hour;
    }
    const c = b.columns;
    for (let i = 0; i < fieldCount; i++) c[i].push(row[i]);
    c[fieldCount].push(topic);
    c[fieldCount + 1].push(partition);
    c[fieldCount + 2].push(r.offset);
    c[fieldCount + 3].push(r.timestamp);
    c[fieldCount + 4].push(r.keyText !== undefined ? r.keyText : keyText(r.key));
    c[fieldCount + 5].push(writtenAt);
    b.rows += 1;
    eventCount += 1;
    for (const a of aggregators) a.add(row, t);
  }

  const objects: PlannedObject[] = [];
  const evArea = eventsArea(p.spec);
  for (const [part, b] of events) {
    const [dt, hr] = part.split('/');
    objects.push({ kind: 'events', key: objectKey(evArea, { dt, hr }, topic, partition, firstOffset), schema: p.eventsSchema, columns: b.columns, rows: b.rows });
  }
  const qArea = quarantineArea(p.spec);
  for (const [dt, b] of quarantine) {
    objects.push({ kind: 'quarantine', key: objectKey(qArea, { dt }, topic, partition, firstOffset), schema: p.quarantineSchema, columns: b.columns, rows: b.rows });
  }
  let partialRows = 0;
  let maxEventTime = -Infinity;
  const summaries: { topic: string; messages: SummaryMessage[] }[] = [];
  p.windows.forEach((w, wi) => {
    const agg = aggregators[wi];
    if (agg.size === 0) return;
    maxEventTime = Math.max(maxEventTime, agg.maxEventTime);
    const byDt = new Map<string, ColumnBuilder>();
    const keyCount = w.compiled.keyIndexes.length;
    const width = w.schema.columns.length;
    const groups = agg.groupsSorted();
    const summaryTopic = w.compiled.spec.summaryTopic;
    if (summaryTopic) {
      summaries.push({ topic: summaryTopic, messages: summaryMessages(p.spec, w.compiled, groups, { topic, partition, first_offset: firstOffset, last_offset: lastOffset }) });
    }
    for (const g of groups) {
      const { dt } = timePartition(g.windowStart);
      const b = builderFor(byDt, dt, width);
      const c = b.columns;
      let i = 0;
      c[i++].push(g.windowStart);
      c[i++].push(g.windowEnd);
      for (let k = 0; k < keyCount; k++) c[i++].push(g.keys[k]);
      for (const s of g.state) c[i++].push(s);
      c[i++].push(topic);
      c[i++].push(partition);
      c[i++].push(firstOffset);
      c[i++].push(lastOffset);
      c[i++].push(agg.maxEventTime);
      c[i++].push(writtenAt);
      b.rows += 1;
      partialRows += 1;
    }
    const area = aggregatesArea(p.spec, w.compiled.spec);
    for (const [dt, b] of byDt) {
      objects.push({ kind: 'aggregates', key: objectKey(area, { dt }, topic, partition, firstOffset), schema: w.schema, columns: b.columns, rows: b.rows });
    }
  });
  if (maxEventTime === -Infinity && eventCount > 0) {
    // no windows declared: still report the newest event time
    for (const [, b] of events) for (const t of b.columns[p.eventTimeIndex] as number[]) if (t > maxEventTime) maxEventTime = t;
  }
  return { objects, recordsIn: records.length, events: eventCount, quarantined, reasons, partialRows, maxKafkaTimestamp, maxEventTime, summaries };
}
