/**
 * The last stage: one topic-partition batch → the rows of each Iceberg table by day partition
 * (events by event day, quarantine by Kafka-timestamp day, window partials by window-start day)
 * and the batch's figures. No I/O: the handler commits the planned rows to the tables. Every
 * input record ends up in exactly one of events or quarantine.
 */
import { processTextInto, processValueInto, type CompiledPipeline } from './compile';
import type { FieldValue } from './fields';
import { DecodeBuffer, keyText, MskEventRecord, type PartitionBatch } from './msk-decode';
import type { ColumnValues } from './parquet';
import { reject, Rejection, type QuarantineReason } from './quarantine';
import { summaryMessages, type SummaryMessage } from './summary';
import { WindowAggregator } from './window';
import { DAY_MS, dayOf } from '../../model/layout';
import type { TableSchema } from '../../model/tables';

/** The rows of one table and day partition: one Parquet data file. */
export interface PlannedObject {
  readonly kind: 'events' | 'aggregates' | 'quarantine';
  /** The Iceberg table its rows belong to (model/lake-tables.ts). */
  readonly table: string;
  /** Its rows' day (days since 1970-01-01, UTC) of the table's partition column: Iceberg's `day()` partition. */
  readonly day: number;
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

function builderFor(map: Map<number, ColumnBuilder>, day: number, width: number): ColumnBuilder {
  let b = map.get(day);
  if (!b) {
    b = new ColumnBuilder(width, day);
    map.set(day, b);
  }
  return b;
}

/** Processes one topic-partition batch. `writtenAt` (epoch millis) is stamped on every row. */
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
  const events = new Map<number, ColumnBuilder>();
  const quarantine = new Map<number, ColumnBuilder>();
  const aggregators = p.windows.map((w) => new WindowAggregator(w.compiled));
  const reasons: Partial<Record<QuarantineReason, number>> = {};
  let eventCount = 0;
  let quarantined = 0;
  let maxKafkaTimestamp = -Infinity;
  // records arrive in time order: the previous record's partition is almost always this one's
  let lastDay = NaN;
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
      const b = builderFor(quarantine, dayOf(r.timestamp), quarantineWidth);
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
    const day = Math.floor(t / DAY_MS);
    let b = lastBuilder;
    if (day !== lastDay || b === undefined) {
      b = builderFor(events, day, eventsWidth);
      lastBuilder = b;
      lastDay = day;
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
  for (const b of events.values()) {
    objects.push({
      kind: 'events',
      table: p.tables.events,
      day: b.day,
      schema: p.eventsSchema,
      columns: b.columns,
      rows: b.rows,
    });
  }
  for (const b of quarantine.values()) {
    objects.push({
      kind: 'quarantine',
      table: p.tables.quarantine,
      day: b.day,
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
    const byDay = new Map<number, ColumnBuilder>();
    const cols = w.columns;
    const width = w.schema.columns.length;
    const groups = agg.groupsSorted();
    const summaryTopic = w.compiled.spec.summaryTopic;
    if (summaryTopic) {
      summaries.push({ topic: summaryTopic, messages: summaryMessages(p.spec, w.compiled, groups, { topic, partition, first_offset: firstOffset, last_offset: lastOffset }) });
    }
    for (const g of groups) {
      const b = builderFor(byDay, dayOf(g.windowStart), width);
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
    for (const b of byDay.values()) {
      objects.push({
        kind: 'aggregates',
        table: w.table,
        day: b.day,
        schema: w.schema,
        columns: b.columns,
        rows: b.rows,
      });
    }
  });
  if (maxEventTime === -Infinity && eventCount > 0) {
    // no windows declared: still report the newest event time
    const eventTimeColumn = eventFieldColumns[p.eventTimeIndex];
    for (const b of events.values()) for (const t of b.columns[eventTimeColumn] as number[]) if (t > maxEventTime) maxEventTime = t;
  }
  return { objects, recordsIn: records.length, events: eventCount, quarantined, reasons, partialRows, maxKafkaTimestamp, maxEventTime, summaries };
}
