/**
 * The pipeline spec: the single source of truth for a pipeline's topic, value format, schema,
 * enrichments and windows. The CDK app reads it to make topics, Glue tables, views and functions;
 * the processor reads the same object at run time. Pure: no AWS, no I/O.
 */

export type FieldType = 'string' | 'int' | 'long' | 'double' | 'boolean' | 'timestamp';

export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** A missing or empty value is allowed (stored as null). @default false */
  readonly optional?: boolean;
  /** Longest accepted string, in characters. @default 1024 */
  readonly maxLength?: number;
  /** Smallest accepted number (int, long, double). @default none */
  readonly min?: number;
  /** Largest accepted number (int, long, double). @default none */
  readonly max?: number;
}

export interface CsvFormat {
  readonly kind: 'csv';
  /** Column names in value order; each must be a schema field. */
  readonly columns: readonly string[];
  /** @default ',' */
  readonly delimiter?: string;
}

export interface JsonFormat {
  readonly kind: 'json';
}

/**
 * Avro binary values framed by a schema registry (AWS Glue Schema Registry or Confluent wire
 * format, detected per record). The reader schema is derived from the spec's schema.
 */
export interface AvroFormat {
  readonly kind: 'avro';
  /** Registry schema name (Glue) / subject (Confluent). @default the pipeline name */
  readonly schemaName?: string;
}

export type ValueFormat = CsvFormat | JsonFormat | AvroFormat;

export interface EventTimeSpec {
  /** Schema field holding the event time (type `timestamp`). */
  readonly field: string;
  /** How the raw value is written. */
  readonly encoding: 'epoch-millis' | 'iso-8601';
  /** Events stamped further than this into the future of their Kafka timestamp are quarantined. @default 86_400 (one day) */
  readonly maxFutureSeconds?: number;
  /** Events older than this (ISO date) are quarantined as absurd. @default '2000-01-01' */
  readonly notBefore?: string;
}

/** A static reference data set shipped with the pipeline (CSV with a header row). */
export interface ReferenceSpec {
  readonly name: string;
  /** File name under `pipelines/reference/`. */
  readonly file: string;
  /** Column that lookups match on. */
  readonly keyColumn: string;
  /** All columns, in file order; every reference column is a string. */
  readonly columns: readonly string[];
}

/** Join a field with a reference data set (stream-static join). */
export interface LookupEnrichment {
  readonly kind: 'lookup';
  /** Output field name. */
  readonly name: string;
  /** Input field whose value is looked up (compared trimmed and case-insensitively). */
  readonly from: string;
  readonly reference: string;
  /** Reference column copied into the output field. */
  readonly valueColumn: string;
  /** Value when the key is missing from the reference. */
  readonly default: string;
}

/** A field computed from another field by a named, pure function. */
export interface DerivedEnrichment {
  readonly kind: 'derived';
  readonly name: string;
  readonly from: string;
  readonly fn: DerivedFunction;
}

export type DerivedFunction = 'url-domain' | 'lower' | 'upper';
export const DERIVED_FUNCTIONS: readonly DerivedFunction[] = ['url-domain', 'lower', 'upper'];

export type Enrichment = LookupEnrichment | DerivedEnrichment;

export type AggregateFunction = 'count' | 'sum' | 'min' | 'max' | 'avg';
export const AGGREGATE_FUNCTIONS: readonly AggregateFunction[] = ['count', 'sum', 'min', 'max', 'avg'];

export interface AggregateSpec {
  /** Output column name. */
  readonly name: string;
  readonly fn: AggregateFunction;
  /** Numeric field aggregated; not used by `count`. */
  readonly field?: string;
}

export interface WindowSpec {
  /** Window name: part of table names and S3 prefixes. */
  readonly name: string;
  readonly kind: 'tumbling' | 'hopping';
  readonly sizeSeconds: number;
  /** Hopping windows only: must divide `sizeSeconds`. */
  readonly slideSeconds?: number;
  /** Fields (schema or enrichment outputs) that key a window's rows. */
  readonly groupBy: readonly string[];
  readonly aggregates: readonly AggregateSpec[];
  /**
   * Kafka topic that receives one update per (window, keys) per batch: the partial aggregate
   * and the offset range it covers (see `summary.ts` for how consumers merge them). @default none
   */
  readonly summaryTopic?: string;
}

export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
}

export interface PipelineSpec {
  /** Lower-case identifier: names tables, prefixes, functions. */
  readonly name: string;
  readonly description: string;
  readonly topic: TopicSpec;
  readonly value: ValueFormat;
  readonly schema: readonly FieldSpec[];
  readonly eventTime: EventTimeSpec;
  readonly references?: readonly ReferenceSpec[];
  readonly enrichments?: readonly Enrichment[];
  readonly windows?: readonly WindowSpec[];
  /** Windows whose end is older than (max event time − this) are final. @default 300 */
  readonly allowedLatenessSeconds?: number;
  /** Values larger than this are quarantined unparsed. @default 65_536 */
  readonly maxValueBytes?: number;
}

/** Names of the columns every events row carries besides the spec's fields. */
export const RESERVED_COLUMNS: readonly string[] = [
  'kafka_topic',
  'kafka_partition',
  'kafka_offset',
  'kafka_timestamp',
  'kafka_key',
  'written_at',
  'window_start',
  'window_end',
  'first_offset',
  'last_offset',
  'max_event_time',
  'dt',
  'hr',
];

export const DEFAULT_MAX_STRING_LENGTH = 1024;
export const DEFAULT_MAX_VALUE_BYTES = 65_536;
export const DEFAULT_ALLOWED_LATENESS_SECONDS = 300;
export const DEFAULT_MAX_FUTURE_SECONDS = 86_400;
export const DEFAULT_NOT_BEFORE = '2000-01-01';

/** The type of each output field: schema fields plus enrichment outputs (always string). */
export function outputFields(spec: PipelineSpec): FieldSpec[] {
  const enriched: FieldSpec[] = (spec.enrichments ?? []).map((e) => ({
    name: e.name,
    type: 'string',
    optional: e.kind === 'derived' ? fieldOf(spec, e.from)?.optional : false,
  }));
  return [...spec.schema, ...enriched];
}

function fieldOf(spec: PipelineSpec, name: string): FieldSpec | undefined {
  return spec.schema.find((f) => f.name === name);
}

/** Consumer group of a pipeline's event source mapping (AWS) and emulator (local). */
export const consumerGroupOf = (spec: PipelineSpec): string => `streamlake-${spec.name}`;

/**
 * The Kafka on-failure destination of a pipeline (streamlake:onFailure=kafka): a topic of the same
 * cluster, never the input topic itself (Lambda refuses that configuration to prevent loops).
 */
export const failureTopicOf = (spec: PipelineSpec): string => `${spec.topic.name}.failed`;

/** The on-failure topics of the specs, each with its input topic's partition count. */
export function failureTopicsOf(specs: readonly PipelineSpec[]): TopicSpec[] {
  return specs.map((s) => ({ name: failureTopicOf(s), partitions: s.topic.partitions }));
}

/** The summary topics the specs' windows publish to, each with its input topic's partition count. */
export function summaryTopicsOf(specs: readonly PipelineSpec[]): TopicSpec[] {
  return specs.flatMap((s) => (s.windows ?? []).flatMap((w) => (w.summaryTopic ? [{ name: w.summaryTopic, partitions: s.topic.partitions }] : [])));
}

/**
 * The same pipeline with Avro values (a deploy-time choice: `streamlake:avroPipelines`, `up --avro`).
 * Everything downstream of decoding (tables, windows, views) stays the same: the Avro reader
 * schema is derived from the spec's schema.
 */
export function withAvroValues(spec: PipelineSpec): PipelineSpec {
  return spec.value.kind === 'avro' ? spec : { ...spec, value: { kind: 'avro' } };
}

/** Registry schema name (Glue) / subject (Confluent) of an Avro pipeline. */
export function avroSchemaNameOf(spec: PipelineSpec): string {
  return (spec.value.kind === 'avro' && spec.value.schemaName) || spec.name;
}

export function windowSlideSeconds(w: WindowSpec): number {
  return w.kind === 'hopping' ? (w.slideSeconds ?? w.sizeSeconds) : w.sizeSeconds;
}
