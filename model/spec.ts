/**
 * The pipeline spec: the single source of truth for a pipeline's topic, value format, schema,
 * enrichments and windows. The CDK app reads it to make topics, Glue tables, views and functions;
 * the processor reads the same object at run time. Pure: no AWS, no I/O.
 */

import { ConfigurationError } from './errors';

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

/** A spec that breaks a rule; the message names the spec and the field. */
export class PipelineSpecError extends ConfigurationError {
  override readonly name: string = 'PipelineSpecError';
  constructor(
    readonly pipeline: string,
    readonly path: string,
    problem: string,
  ) {
    super(`pipeline '${pipeline}': ${path}: ${problem}`);
  }
}

export const DEFAULT_MAX_STRING_LENGTH = 1024;
export const DEFAULT_MAX_VALUE_BYTES = 65_536;
export const DEFAULT_ALLOWED_LATENESS_SECONDS = 300;
export const DEFAULT_MAX_FUTURE_SECONDS = 86_400;
export const DEFAULT_NOT_BEFORE = '2000-01-01';

const IDENTIFIER = /^[a-z][a-z0-9_]{0,39}$/;
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const NUMERIC_TYPES: readonly FieldType[] = ['int', 'long', 'double'];

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

/**
 * Checks every rule of a spec and returns it unchanged, or throws a PipelineSpecError naming
 * the pipeline and the offending field. Called by the CDK app at synth time and by the
 * processor at cold start.
 */
export function validatePipelineSpec(spec: PipelineSpec): PipelineSpec {
  const name = typeof spec?.name === 'string' ? spec.name : '<unnamed>';
  const fail = (path: string, problem: string): never => {
    throw new PipelineSpecError(name, path, problem);
  };

  if (!IDENTIFIER.test(spec.name ?? '')) {
    fail('name', `must match ${IDENTIFIER} (lower case, starts with a letter, at most 40 chars), got '${spec.name}'`);
  }
  if (!TOPIC_NAME.test(spec.topic?.name ?? '')) {
    fail('topic.name', `must be 1-249 characters of [a-zA-Z0-9._-], got '${spec.topic?.name}'`);
  }
  if (!Number.isInteger(spec.topic.partitions) || spec.topic.partitions < 1 || spec.topic.partitions > 1000) {
    fail('topic.partitions', `must be an integer from 1 to 1000, got ${spec.topic.partitions}`);
  }

  if (!Array.isArray(spec.schema) || spec.schema.length === 0) fail('schema', 'must declare at least one field');
  const seen = new Set<string>();
  spec.schema.forEach((f, i) => {
    const path = `schema[${i}] '${f.name}'`;
    if (!IDENTIFIER.test(f.name)) fail(path, `field name must match ${IDENTIFIER}`);
    if (RESERVED_COLUMNS.includes(f.name)) fail(path, `field name is reserved (${RESERVED_COLUMNS.join(', ')})`);
    if (seen.has(f.name)) fail(path, 'duplicate field name');
    seen.add(f.name);
    if (!['string', 'int', 'long', 'double', 'boolean', 'timestamp'].includes(f.type)) {
      fail(path, `unknown type '${f.type}' (string, int, long, double, boolean, timestamp)`);
    }
    if ((f.min !== undefined || f.max !== undefined) && !NUMERIC_TYPES.includes(f.type)) {
      fail(path, `min/max apply to numeric fields only, not '${f.type}'`);
    }
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) fail(path, `min ${f.min} exceeds max ${f.max}`);
    if (f.maxLength !== undefined && (!Number.isInteger(f.maxLength) || f.maxLength < 1)) {
      fail(path, `maxLength must be a positive integer, got ${f.maxLength}`);
    }
  });

  if (spec.value?.kind === 'csv') {
    const delimiter = spec.value.delimiter ?? ',';
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
      fail('value.delimiter', `must be one character other than a quote or newline, got '${delimiter}'`);
    }
    if (spec.value.columns.length === 0) fail('value.columns', 'must list at least one column');
    spec.value.columns.forEach((c, i) => {
      if (!seen.has(c)) fail(`value.columns[${i}]`, `'${c}' is not a schema field`);
    });
    for (const f of spec.schema) {
      if (!spec.value.columns.includes(f.name) && !f.optional) {
        fail('value.columns', `required schema field '${f.name}' is missing from the CSV columns`);
      }
    }
  } else if (spec.value?.kind === 'avro') {
    if (spec.value.schemaName !== undefined && !/^[a-zA-Z0-9_.$#-]{1,255}$/.test(spec.value.schemaName)) {
      fail('value.schemaName', `must be 1-255 characters of [a-zA-Z0-9_.$#-], got '${spec.value.schemaName}'`);
    }
  } else if (spec.value?.kind !== 'json') {
    fail('value.kind', `must be 'csv', 'json' or 'avro', got '${(spec.value as { kind?: string })?.kind}'`);
  }

  const timeField = fieldOf(spec, spec.eventTime?.field);
  if (!timeField) fail('eventTime.field', `'${spec.eventTime?.field}' is not a schema field`);
  else if (timeField.type !== 'timestamp') fail('eventTime.field', `'${timeField.name}' must have type timestamp, not ${timeField.type}`);
  else if (timeField.optional) fail('eventTime.field', `'${timeField.name}' must not be optional`);
  if (!['epoch-millis', 'iso-8601'].includes(spec.eventTime.encoding)) {
    fail('eventTime.encoding', `must be 'epoch-millis' or 'iso-8601', got '${spec.eventTime.encoding}'`);
  }
  if (spec.eventTime.notBefore !== undefined && Number.isNaN(Date.parse(spec.eventTime.notBefore))) {
    fail('eventTime.notBefore', `'${spec.eventTime.notBefore}' is not an ISO date`);
  }
  const maxFuture = spec.eventTime.maxFutureSeconds;
  if (maxFuture !== undefined && (!Number.isFinite(maxFuture) || maxFuture < 0)) {
    fail('eventTime.maxFutureSeconds', `must be a non-negative number, got ${maxFuture}`);
  }

  const references = new Map<string, ReferenceSpec>();
  (spec.references ?? []).forEach((r, i) => {
    const path = `references[${i}] '${r.name}'`;
    if (!IDENTIFIER.test(r.name)) fail(path, `name must match ${IDENTIFIER}`);
    if (references.has(r.name)) fail(path, 'duplicate reference name');
    if (!/^[a-zA-Z0-9._-]+\.csv$/.test(r.file)) fail(`${path}.file`, `must be a .csv file name, got '${r.file}'`);
    if (!r.columns.includes(r.keyColumn)) fail(`${path}.keyColumn`, `'${r.keyColumn}' is not one of its columns`);
    references.set(r.name, r);
  });

  const available = new Map<string, FieldSpec>(spec.schema.map((f) => [f.name, f]));
  (spec.enrichments ?? []).forEach((e, i) => {
    const path = `enrichments[${i}] '${e.name}'`;
    if (!IDENTIFIER.test(e.name)) fail(path, `name must match ${IDENTIFIER}`);
    if (available.has(e.name) || RESERVED_COLUMNS.includes(e.name)) fail(path, 'output name clashes with an existing field');
    const from = available.get(e.from);
    if (!from) fail(`${path}.from`, `'${e.from}' is not a field defined before this enrichment`);
    if (e.kind === 'lookup') {
      const ref = references.get(e.reference);
      if (!ref) fail(`${path}.reference`, `'${e.reference}' is not declared in references`);
      else if (!ref.columns.includes(e.valueColumn)) fail(`${path}.valueColumn`, `'${e.valueColumn}' is not a column of reference '${ref.name}'`);
      if (typeof e.default !== 'string') fail(`${path}.default`, 'must be a string');
    } else if (e.kind === 'derived') {
      if (!DERIVED_FUNCTIONS.includes(e.fn)) fail(`${path}.fn`, `unknown function '${e.fn}' (${DERIVED_FUNCTIONS.join(', ')})`);
      if (from && from.type !== 'string') fail(`${path}.from`, `'${e.from}' must be a string field for '${e.fn}'`);
    } else {
      fail(path, `unknown enrichment kind '${(e as { kind?: string }).kind}' (lookup, derived)`);
    }
    available.set(e.name, { name: e.name, type: 'string' });
  });

  const windowNames = new Set<string>();
  (spec.windows ?? []).forEach((w, i) => {
    const path = `windows[${i}] '${w.name}'`;
    if (!IDENTIFIER.test(w.name)) fail(path, `name must match ${IDENTIFIER}`);
    if (windowNames.has(w.name)) fail(path, 'duplicate window name');
    windowNames.add(w.name);
    if (w.kind !== 'tumbling' && w.kind !== 'hopping') fail(`${path}.kind`, `must be 'tumbling' or 'hopping', got '${w.kind}'`);
    if (!Number.isInteger(w.sizeSeconds) || w.sizeSeconds < 1 || w.sizeSeconds > 7 * 86_400) {
      fail(`${path}.sizeSeconds`, `must be an integer from 1 to 604800 (7 days), got ${w.sizeSeconds}`);
    }
    if (86_400 % w.sizeSeconds !== 0 && w.sizeSeconds % 86_400 !== 0) {
      fail(`${path}.sizeSeconds`, `must divide a day or be a whole number of days so windows align to UTC midnight, got ${w.sizeSeconds}`);
    }
    if (w.kind === 'tumbling' && w.slideSeconds !== undefined && w.slideSeconds !== w.sizeSeconds) {
      fail(`${path}.slideSeconds`, 'a tumbling window slides by its size; use kind hopping for another slide');
    }
    if (w.kind === 'hopping') {
      const slide = w.slideSeconds;
      if (slide === undefined || !Number.isInteger(slide) || slide < 1 || slide > w.sizeSeconds) {
        fail(`${path}.slideSeconds`, `must be an integer from 1 to sizeSeconds (${w.sizeSeconds}), got ${slide}`);
      } else if (w.sizeSeconds % slide !== 0) {
        fail(`${path}.slideSeconds`, `${slide} does not divide sizeSeconds ${w.sizeSeconds}`);
      } else if (w.sizeSeconds / slide > 60) {
        fail(`${path}.slideSeconds`, `a window may overlap at most 60 others (size/slide), got ${w.sizeSeconds / slide}`);
      }
    }
    w.groupBy.forEach((g, j) => {
      const f = available.get(g);
      if (!f) fail(`${path}.groupBy[${j}]`, `unknown field '${g}' (fields: ${[...available.keys()].join(', ')})`);
      else if (f.type === 'timestamp' || f.type === 'double') fail(`${path}.groupBy[${j}]`, `cannot group by ${f.type} field '${g}'`);
    });
    if (w.aggregates.length === 0) fail(`${path}.aggregates`, 'must list at least one aggregate');
    if (w.summaryTopic !== undefined) {
      if (!TOPIC_NAME.test(w.summaryTopic)) fail(`${path}.summaryTopic`, `must be 1-249 characters of [a-zA-Z0-9._-], got '${w.summaryTopic}'`);
      else if (w.summaryTopic === spec.topic.name) fail(`${path}.summaryTopic`, `must differ from the input topic '${spec.topic.name}'`);
    }
    const aggNames = new Set<string>();
    w.aggregates.forEach((a, j) => {
      const apath = `${path}.aggregates[${j}] '${a.name}'`;
      if (!IDENTIFIER.test(a.name)) fail(apath, `name must match ${IDENTIFIER}`);
      if (aggNames.has(a.name) || w.groupBy.includes(a.name) || RESERVED_COLUMNS.includes(a.name)) fail(apath, 'name clashes with another column');
      aggNames.add(a.name);
      if (!AGGREGATE_FUNCTIONS.includes(a.fn)) fail(`${apath}.fn`, `unknown function '${a.fn}' (${AGGREGATE_FUNCTIONS.join(', ')})`);
      if (a.fn === 'count') {
        if (a.field !== undefined && !available.has(a.field)) fail(`${apath}.field`, `unknown field '${a.field}'`);
      } else {
        const f = a.field === undefined ? undefined : available.get(a.field);
        if (!f) fail(`${apath}.field`, `${a.fn} needs a field; '${a.field}' is not one`);
        else if (!NUMERIC_TYPES.includes(f.type)) fail(`${apath}.field`, `${a.fn} needs a numeric field; '${f.name}' is ${f.type}`);
      }
    });
  });

  const lateness = spec.allowedLatenessSeconds;
  if (lateness !== undefined && (!Number.isInteger(lateness) || lateness < 0 || lateness > 7 * 86_400)) {
    fail('allowedLatenessSeconds', `must be an integer from 0 to 604800, got ${lateness}`);
  }
  const maxBytes = spec.maxValueBytes;
  if (maxBytes !== undefined && (!Number.isInteger(maxBytes) || maxBytes < 16 || maxBytes > 6 * 1024 * 1024)) {
    fail('maxValueBytes', `must be an integer from 16 to 6291456 (the Lambda payload limit), got ${maxBytes}`);
  }
  return spec;
}
