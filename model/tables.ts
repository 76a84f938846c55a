/**
 * The columns of every table a pipeline writes, derived from its spec. The Parquet writer and
 * the Glue tables both use these, so Athena and the files never disagree.
 */
import { outputFields, type AggregateSpec, type FieldType, type PipelineSpec, type WindowSpec } from './spec';

export type ColumnType = FieldType | 'binary';

export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  readonly comment?: string;
}

export interface TableSchema {
  readonly columns: readonly Column[];
  /** Hive partition keys (strings), in path order; not stored in the files. */
  readonly partitionKeys: readonly string[];
}

const col = (name: string, type: ColumnType, comment: string, nullable = false): Column => ({ name, type, nullable, comment });

/** Kafka coordinates every events and quarantine row carries, for exactly-once reads. */
const KAFKA_COORDINATE_COLUMNS: readonly Column[] = [
  col('kafka_topic', 'string', 'topic the record was read from'),
  col('kafka_partition', 'int', 'partition the record was read from'),
  col('kafka_offset', 'long', 'offset of the record in its partition'),
  col('kafka_timestamp', 'timestamp', 'Kafka record timestamp'),
];

/** The Kafka columns of an events row: coordinates, then the key as text. */
const KAFKA_COLUMNS: readonly Column[] = [...KAFKA_COORDINATE_COLUMNS, col('kafka_key', 'string', 'record key as UTF-8', true)];

const WRITTEN_AT_COLUMN = col('written_at', 'timestamp', 'when the processor wrote the row');

export function eventsSchema(spec: PipelineSpec): TableSchema {
  const fields = outputFields(spec).map((f) => col(f.name, f.type, 'pipeline field', f.optional === true));
  return {
    columns: [...fields, ...KAFKA_COLUMNS, WRITTEN_AT_COLUMN],
    partitionKeys: ['dt', 'hr'],
  };
}

/** Columns holding the mergeable state of one aggregate. */
export function aggregateStateColumns(spec: PipelineSpec, a: AggregateSpec): Column[] {
  const fieldType = a.field === undefined ? undefined : outputFields(spec).find((f) => f.name === a.field)?.type;
  const sumType: ColumnType = fieldType === 'double' ? 'double' : 'long';
  switch (a.fn) {
    case 'count':
      return [col(a.name, 'long', `count${a.field ? ` of non-null ${a.field}` : ''}`)];
    case 'sum':
      return [col(a.name, sumType, `sum of ${a.field}`)];
    case 'min':
    case 'max':
      return [col(a.name, fieldType === 'double' ? 'double' : 'long', `${a.fn} of ${a.field}`, true)];
    case 'avg':
      return [col(`${a.name}_sum`, 'double', `sum of ${a.field} (avg state)`), col(`${a.name}_count`, 'long', `count of ${a.field} (avg state)`)];
  }
}

export function partialsSchema(spec: PipelineSpec, w: WindowSpec): TableSchema {
  const fields = outputFields(spec);
  const keys = w.groupBy.map((g) => {
    const f = fields.find((x) => x.name === g)!;
    return col(g, f.type, 'group-by key', f.optional === true);
  });
  return {
    columns: [
      col('window_start', 'timestamp', 'inclusive window start'),
      col('window_end', 'timestamp', 'exclusive window end'),
      ...keys,
      ...w.aggregates.flatMap((a) => aggregateStateColumns(spec, a)),
      col('kafka_topic', 'string', 'topic of the batch'),
      col('kafka_partition', 'int', 'partition of the batch'),
      col('first_offset', 'long', 'first offset of the batch this partial covers'),
      col('last_offset', 'long', 'last offset of the batch this partial covers'),
      col('max_event_time', 'timestamp', 'latest event time in the batch (watermark input)'),
      WRITTEN_AT_COLUMN,
    ],
    partitionKeys: ['dt'],
  };
}

export function quarantineSchema(): TableSchema {
  return {
    columns: [
      col('reason', 'string', 'quarantine reason code'),
      col('detail', 'string', 'human-readable explanation'),
      ...KAFKA_COORDINATE_COLUMNS,
      // key and value bytes as they came (not the events table's key text): a bad record may not be text
      col('raw_key', 'binary', 'record key bytes', true),
      col('raw_value', 'binary', 'record value bytes', true),
      WRITTEN_AT_COLUMN,
    ],
    partitionKeys: ['dt'],
  };
}
