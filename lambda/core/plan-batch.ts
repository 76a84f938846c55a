/**
 * The last stage: one topic-partition batch → the Parquet objects to write (events by event hour,
 * quarantine by day, window partials by day) and the batch's figures. No I/O: the handler hands
 * the planned objects to a LakeStore. Every input record ends up in exactly one of events or
 * quarantine.
 */
import { processTextInto, processValueInto, type CompiledPipeline } from './compile';
import type { FieldValue } from './fields';
import { DecodeBuffer, keyText, MskEventRecord, type PartitionBatch } from './msk-decode';
import type { ColumnValues } from './parquet';
import { reject, Rejection, type QuarantineReason } from './quarantine';
import { summaryMessages, type SummaryMessage } from './summary';
import { WindowAggregator } from './window';
import { aggregatesArea, eventsArea, HOUR_MS, objectKey, quarantineArea, timePartition } from '../../model/layout';
import type { TableSchema } from '../../model/tables';

/** A Parquet object to write: its key, table schema and column values. */
export interface PlannedObject {
  readonly kind: 'events' | 'aggregates' | 'quarantine';
  /** The Iceberg table its rows belong to (model/lake-tables.ts). */
  readonly table: string;
  /** Its rows' day (days since 1970-01-01, UTC) of the table's partition column: Iceberg's `day()` partition. */
  readonly day: number;
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

/** The column values of one object being built. */
class ColumnBuilder {
  readonly columns: ColumnValues[];
  rows = 0;
  constructor(
    width: number,
    readonly day: number,
  ) {
    this.columns = Array.from({ length: width }, () => []);
  }
}

function builderFor(map: Map<string, ColumnBuilder>, key: string, width: number, day: number): ColumnBuilder {
  let b = map.get(key);
  if (!b) {
    b = new ColumnBuilder(width, day);
    map.set(key, b);
  }
  return b;
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
  const quarantineWidth = p.quarantineSchema.columns.length;
  const fieldCount = p.fieldCount;
  // the column maps as plain numbers for the loop
  const eventFieldColumns = p.eventsColumns.fields;
  const { kafka_topic: evTopic, kafka_partition: evPartition, kafka_offset: evOffset, kafka_timestamp: evTimestamp, kafka_key: evKey, written_at: evWrittenAt } = p.eventsColumns;
  const {
    reason: qReason,
    detail: qDetail,
    kafka_topic: qTopic,
    kafka_partition: qPartition,
    kafka_offset: qOffset,
    kafka_timestamp: qTimestamp,
    raw_key: qKey,
    raw_value: qValue,
    written_at: qWrittenAt,
  } = p.quarantineColumns;
  const textDecoder = p.valueDecoder.input === 'text' ? p.valueDecoder : undefined;
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
      if (textDecoder !== undefined && r instanceof MskEventRecord) {
        const b64 = r.base64Value;
        if (b64 === null) row = reject('empty-value', 'the record value is null (tombstone)');
        else {
          // decode first: a value larger than the buffer replaces it, so read `buf` only after
          const length = decodeBuffer.decode(b64);
          row = processTextInto(p, textDecoder, decodeBuffer.buf, 0, length, r.timestamp, scratchRow);
        }
      } else row = processValueInto(p, r.value, r.timestamp, scratchRow);
    } catch (err) {
      // processValue is total by construction; this guard keeps a bug from failing the batch forever
      row = reject('internal-error', `unexpected failure: ${(err as Error).message}`);
    }
    if (row instanceof Rejection) {
      const { dt, day } = timePartition(r.timestamp);
      const b = builderFor(quarantine, dt, quarantineWidth, day);
      const c = b.columns;
      c[qReason].push(row.reason);
      c[qDetail].push(row.detail);
      c[qTopic].push(topic);
      c[qPartition].push(partition);
      c[qOffset].push(r.offset);
      c[qTimestamp].push(r.timestamp);
      c[qKey].push(r.key);
      c[qValue].push(r.value);
      c[qWrittenAt].push(writtenAt);
      b.rows += 1;
      reasons[row.reason] = (reasons[row.reason] ?? 0) + 1;
      quarantined += 1;
      continue;
    }
    const t = row[p.eventTimeIndex] as number;
    const hour = Math.floor(t / HOUR_MS);
    let b = lastBuilder;
    if (hour !== lastHour || b === undefined) {
      const tp = timePartition(t);
      b = builderFor(events, tp.id, eventsWidth, tp.day);
      lastBuilder = b;
      lastHour = hour;
    }
    const c = b.columns;
    for (let i = 0; i < fieldCount; i++) c[eventFieldColumns[i]].push(row[i]);
    c[evTopic].push(topic);
    c[evPartition].push(partition);
    c[evOffset].push(r.offset);
    c[evTimestamp].push(r.timestamp);
    c[evKey].push(r.keyText !== undefined ? r.keyText : keyText(r.key));
    c[evWrittenAt].push(writtenAt);
    b.rows += 1;
    eventCount += 1;
    for (const a of aggregators) a.add(row, t);
  }

  const objects: PlannedObject[] = [];
  const evArea = eventsArea(p.spec);
  for (const [part, b] of events) {
    const [dt, hr] = part.split('/');
    objects.push({
      kind: 'events',
      table: p.tables.events,
      day: b.day,
      key: objectKey(evArea, { dt, hr }, topic, partition, firstOffset),
      schema: p.eventsSchema,
      columns: b.columns,
      rows: b.rows,
    });
  }
  const qArea = quarantineArea(p.spec);
  for (const [dt, b] of quarantine) {
    objects.push({
      kind: 'quarantine',
      table: p.tables.quarantine,
      day: b.day,
      key: objectKey(qArea, { dt }, topic, partition, firstOffset),
      schema: p.quarantineSchema,
      columns: b.columns,
      rows: b.rows,
    });
  }
  let partialRows = 0;
  let maxEventTime = -Infinity;
  const summaries: { topic: string; messages: SummaryMessage[] }[] = [];
  p.windows.forEach((w, wi) => {
    const agg = aggregators[wi];
    if (agg.size === 0) return;
    maxEventTime = Math.max(maxEventTime, agg.maxEventTime);
    const byDt = new Map<string, ColumnBuilder>();
    const cols = w.columns;
    const width = w.schema.columns.length;
    const groups = agg.groupsSorted();
    const summaryTopic = w.compiled.spec.summaryTopic;
    if (summaryTopic) {
      summaries.push({ topic: summaryTopic, messages: summaryMessages(p.spec, w.compiled, groups, { topic, partition, first_offset: firstOffset, last_offset: lastOffset }) });
    }
    for (const g of groups) {
      const { dt, day } = timePartition(g.windowStart);
      const b = builderFor(byDt, dt, width, day);
      const c = b.columns;
      c[cols.window_start].push(g.windowStart);
      c[cols.window_end].push(g.windowEnd);
      for (let k = 0; k < cols.keys.length; k++) c[cols.keys[k]].push(g.keys[k]);
      for (let k = 0; k < cols.state.length; k++) c[cols.state[k]].push(g.state[k]);
      c[cols.kafka_topic].push(topic);
      c[cols.kafka_partition].push(partition);
      c[cols.first_offset].push(firstOffset);
      c[cols.last_offset].push(lastOffset);
      c[cols.max_event_time].push(agg.maxEventTime);
      c[cols.written_at].push(writtenAt);
      b.rows += 1;
      partialRows += 1;
    }
    const area = aggregatesArea(p.spec, w.compiled.spec);
    for (const [dt, b] of byDt) {
      objects.push({
        kind: 'aggregates',
        table: w.table,
        day: b.day,
        key: objectKey(area, { dt }, topic, partition, firstOffset),
        schema: w.schema,
        columns: b.columns,
        rows: b.rows,
      });
    }
  });
  if (maxEventTime === -Infinity && eventCount > 0) {
    // no windows declared: still report the newest event time
    const eventTimeColumn = eventFieldColumns[p.eventTimeIndex];
    for (const [, b] of events) for (const t of b.columns[eventTimeColumn] as number[]) if (t > maxEventTime) maxEventTime = t;
  }
  return { objects, recordsIn: records.length, events: eventCount, quarantined, reasons, partialRows, maxKafkaTimestamp, maxEventTime, summaries };
}
