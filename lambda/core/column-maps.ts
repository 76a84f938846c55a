/**
 * Where each column the processor writes sits in its table, found by name in the table's schema
 * (model/tables.ts) once, when the pipeline is compiled. Rows are written through these indexes,
 * never through positions assumed in the code: a column added, moved or renamed in the schema
 * either lands where the schema says or fails compilation, instead of shifting values.
 */
import type { PipelineSpec, WindowSpec } from '../../model/spec';
import { aggregateStateColumns, type TableSchema } from '../../model/tables';
import { InternalError } from '../../model/errors';

/** The index of each of `names` in `schema`; throws naming a column the schema lacks. */
export function columnIndexes<N extends string>(schema: TableSchema, names: readonly N[]): Readonly<Record<N, number>> {
  const indexes = {} as Record<N, number>;
  for (const name of names) indexes[name] = columnIndex(schema, name);
  return indexes;
}

function columnIndex(schema: TableSchema, name: string): number {
  const i = schema.columns.findIndex((c) => c.name === name);
  if (i === -1) throw new InternalError(`the table has no column '${name}' (columns: ${schema.columns.map((c) => c.name).join(', ')})`);
  return i;
}

const EVENTS_RECORD_COLUMNS = ['kafka_topic', 'kafka_partition', 'kafka_offset', 'kafka_timestamp', 'kafka_key', 'written_at'] as const;

/** Events table: one column per output field, then the record's Kafka columns. */
export type EventsColumnMap = Readonly<Record<(typeof EVENTS_RECORD_COLUMNS)[number], number>> & {
  /** Column of each output field, in output field (events row) order. */
  readonly fields: readonly number[];
};

export function eventsColumnMap(schema: TableSchema, fieldNames: readonly string[]): EventsColumnMap {
  return { fields: fieldNames.map((n) => columnIndex(schema, n)), ...columnIndexes(schema, EVENTS_RECORD_COLUMNS) };
}

const QUARANTINE_COLUMNS = ['reason', 'detail', 'kafka_topic', 'kafka_partition', 'kafka_offset', 'kafka_timestamp', 'raw_key', 'raw_value', 'written_at'] as const;

export type QuarantineColumnMap = Readonly<Record<(typeof QUARANTINE_COLUMNS)[number], number>>;

export function quarantineColumnMap(schema: TableSchema): QuarantineColumnMap {
  return columnIndexes(schema, QUARANTINE_COLUMNS);
}

const PARTIALS_BATCH_COLUMNS = ['window_start', 'window_end', 'kafka_topic', 'kafka_partition', 'first_offset', 'last_offset', 'max_event_time', 'written_at'] as const;

/** Partials table of one window: window bounds, group-by keys, aggregate state, the batch it covers. */
export type PartialsColumnMap = Readonly<Record<(typeof PARTIALS_BATCH_COLUMNS)[number], number>> & {
  /** Column of each group-by key, in `groupBy` order. */
  readonly keys: readonly number[];
  /** Column of each aggregate state slot, in AggregateState order. */
  readonly state: readonly number[];
};

export function partialsColumnMap(schema: TableSchema, spec: PipelineSpec, w: WindowSpec): PartialsColumnMap {
  return {
    keys: w.groupBy.map((n) => columnIndex(schema, n)),
    // AggregateState is flattened in the order of aggregateStateColumns: its names give each slot's column
    state: w.aggregates.flatMap((a) => aggregateStateColumns(spec, a)).map((c) => columnIndex(schema, c.name)),
    ...columnIndexes(schema, PARTIALS_BATCH_COLUMNS),
  };
}
