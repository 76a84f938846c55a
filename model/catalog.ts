/**
 * The query side of a pipeline, in Athena (Trino) SQL: table names, the views that turn raw
 * files into exact results, and the named queries users run first. The CDK app deploys these to
 * Glue/Athena; the local runtime runs the same text on DuckDB after a small dialect translation.
 */
import { type AggregateSpec, type PipelineSpec, type ReferenceSpec, type WindowSpec, DEFAULT_ALLOWED_LATENESS_SECONDS } from './spec';
import { type ColumnType, eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from './tables';
import { aggregatesArea, eventsArea, quarantineArea, type LakeArea } from './layout';

export interface TableNames {
  /** Parquet files as written: may hold a retried batch twice. */
  readonly eventsRaw: string;
  /** Deduplicated events, one row per (topic, partition, offset). */
  readonly events: string;
  readonly quarantineRaw: string;
  readonly quarantine: string;
  readonly partials: (w: WindowSpec) => string;
  /** Window results merged from partials, with `is_final`. */
  readonly windowView: (w: WindowSpec) => string;
}

export function tableNames(spec: PipelineSpec): TableNames {
  const p = spec.name;
  return {
    eventsRaw: `${p}_events_raw`,
    events: `${p}_events`,
    quarantineRaw: `${p}_quarantine_raw`,
    quarantine: `${p}_quarantine`,
    partials: (w) => `${p}_${w.name}_partials`,
    windowView: (w) => `${p}_${w.name}`,
  };
}

export const referenceTableName = (ref: ReferenceSpec): string => `ref_${ref.name}`;

/** A table of Parquet files in the lake, described once for Glue and for DuckDB. */
export interface LakeTable {
  readonly name: string;
  readonly area: LakeArea;
  readonly schema: TableSchema;
  readonly description: string;
}

export function lakeTables(spec: PipelineSpec): LakeTable[] {
  const names = tableNames(spec);
  return [
    { name: names.eventsRaw, area: eventsArea(spec), schema: eventsSchema(spec), description: `${spec.name} events as written (use the ${names.events} view)` },
    { name: names.quarantineRaw, area: quarantineArea(spec), schema: quarantineSchema(), description: `${spec.name} quarantined records as written (use the ${names.quarantine} view)` },
    ...(spec.windows ?? []).map((w) => ({
      name: names.partials(w),
      area: aggregatesArea(spec, w),
      schema: partialsSchema(spec, w),
      description: `${spec.name} ${w.name} partial aggregates, one row per batch and window (use the ${names.windowView(w)} view)`,
    })),
  ];
}

export function glueType(t: ColumnType): string {
  switch (t) {
    case 'long':
      return 'bigint';
    default:
      return t;
  }
}

export interface ViewDefinition {
  readonly name: string;
  /** The SELECT statement (Athena SQL). */
  readonly sql: string;
  readonly description: string;
}

const quote = (id: string): string => `"${id}"`;

/** Keeps one row per Kafka record: a retried batch may have written a record twice. */
function dedupView(raw: string, schema: TableSchema, partitionCols: readonly string[]): string {
  const cols = [...schema.columns.map((c) => quote(c.name)), ...schema.partitionKeys.map(quote)].join(', ');
  const by = [...partitionCols, 'kafka_topic', 'kafka_partition', 'kafka_offset'].map(quote).join(', ');
  return [
    `SELECT ${cols}`,
    `FROM (`,
    `  SELECT *, row_number() OVER (PARTITION BY ${by} ORDER BY "written_at" DESC) AS "rn"`,
    `  FROM ${quote(raw)}`,
    `) AS "ranked"`,
    `WHERE "rn" = 1`,
  ].join('\n');
}

function mergeExpression(spec: PipelineSpec, a: AggregateSpec): string[] {
  const n = quote(a.name);
  switch (a.fn) {
    case 'count':
    case 'sum':
      return [`sum(${n}) AS ${n}`];
    case 'min':
      return [`min(${n}) AS ${n}`];
    case 'max':
      return [`max(${n}) AS ${n}`];
    case 'avg':
      return [`sum(${quote(a.name + '_sum')}) / nullif(sum(${quote(a.name + '_count')}), 0) AS ${n}`];
  }
  void spec;
}

/**
 * Merges partial aggregates into window results, counting every record once whatever the
 * retries. A batch attempt is identified by (topic, partition, first offset, written_at):
 * 1. a retry starts at the same first offset (the committed offset), so per first offset only the
 *    latest attempt counts; an older attempt's rows left in partitions the retry did not touch
 *    are dropped;
 * 2. an attempt that another attempt starts inside of was superseded by a retry with fewer
 *    records (the next batch then started inside its range), so it is dropped too.
 * `is_final` says the watermark (latest event time − allowed lateness) has passed the window's end.
 */
function windowView(spec: PipelineSpec, w: WindowSpec): string {
  const partials = quote(tableNames(spec).partials(w));
  const lateness = spec.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS;
  const keys = w.groupBy.map(quote);
  const groupCols = ['"window_start"', '"window_end"', ...keys];
  return [
    `WITH "attempts" AS (`,
    `  SELECT DISTINCT "kafka_topic", "kafka_partition", "first_offset", "last_offset", "written_at" FROM ${partials}`,
    `), "latest" AS (`,
    `  SELECT "kafka_topic", "kafka_partition", "first_offset", "last_offset", "written_at" FROM (`,
    `    SELECT *, row_number() OVER (PARTITION BY "kafka_topic", "kafka_partition", "first_offset" ORDER BY "written_at" DESC) AS "rn" FROM "attempts"`,
    `  ) AS "ranked" WHERE "rn" = 1`,
    `), "live" AS (`,
    `  SELECT "a".* FROM "latest" AS "a"`,
    `  LEFT JOIN "latest" AS "b"`,
    `    ON "b"."kafka_topic" = "a"."kafka_topic" AND "b"."kafka_partition" = "a"."kafka_partition"`,
    `   AND "b"."first_offset" > "a"."first_offset" AND "b"."first_offset" <= "a"."last_offset"`,
    `  WHERE "b"."first_offset" IS NULL`,
    `), "rows" AS (`,
    `  SELECT "p".* FROM ${partials} AS "p"`,
    `  JOIN "live" AS "l"`,
    `    ON "p"."kafka_topic" = "l"."kafka_topic" AND "p"."kafka_partition" = "l"."kafka_partition"`,
    `   AND "p"."first_offset" = "l"."first_offset" AND "p"."written_at" = "l"."written_at"`,
    `), "watermark" AS (`,
    `  SELECT max("max_event_time") - INTERVAL '${lateness}' SECOND AS "watermark" FROM "rows"`,
    `)`,
    `SELECT ${groupCols.join(', ')},`,
    `  ${w.aggregates.flatMap((a) => mergeExpression(spec, a)).join(',\n  ')},`,
    `  "window_end" <= max("watermark"."watermark") AS "is_final"`,
    `FROM "rows" CROSS JOIN "watermark"`,
    `GROUP BY ${groupCols.join(', ')}`,
  ].join('\n');
}

export function views(spec: PipelineSpec): ViewDefinition[] {
  const names = tableNames(spec);
  return [
    {
      name: names.events,
      sql: dedupView(names.eventsRaw, eventsSchema(spec), ['dt', 'hr']),
      description: `${spec.name} events, one row per Kafka record`,
    },
    {
      name: names.quarantine,
      sql: dedupView(names.quarantineRaw, quarantineSchema(), ['dt']),
      description: `${spec.name} quarantined records with reason and raw bytes, one row per Kafka record`,
    },
    ...(spec.windows ?? []).map((w) => ({
      name: names.windowView(w),
      sql: windowView(spec, w),
      description: `${spec.name} ${w.name}: ${w.kind} ${w.sizeSeconds}s window results by ${w.groupBy.join(', ')}`,
    })),
  ];
}

export interface NamedQuery {
  /** Kebab-case, unique across pipelines: `<pipeline>-<what>`. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

export function namedQueries(spec: PipelineSpec): NamedQuery[] {
  const names = tableNames(spec);
  const time = quote(spec.eventTime.field);
  return [
    {
      name: `${spec.name}-latest-events`,
      description: `The 10 latest ${spec.name} events by event time`,
      sql: `SELECT * FROM ${quote(names.events)} ORDER BY ${time} DESC LIMIT 10`,
    },
    ...(spec.windows ?? []).map((w) => ({
      name: `${spec.name}-${w.name.replace(/_/g, '-')}`,
      description: `${w.aggregates.map((a) => a.name).join(' and ')} per ${w.groupBy.join(', ')} per ${w.sizeSeconds / 60}-minute window, latest first`,
      sql:
        `SELECT "window_start", "window_end", ${w.groupBy.map(quote).join(', ')}, ${w.aggregates.map((a) => quote(a.name)).join(', ')}, "is_final"` +
        ` FROM ${quote(names.windowView(w))} ORDER BY "window_start" DESC, ${w.groupBy.map(quote).join(', ')} LIMIT 100`,
    })),
    {
      name: `${spec.name}-quarantine-by-reason`,
      description: `Quarantined ${spec.name} records by reason`,
      sql:
        `SELECT "reason", count(*) AS "records", min("kafka_timestamp") AS "first_seen", max("kafka_timestamp") AS "last_seen"` +
        ` FROM ${quote(names.quarantine)} GROUP BY "reason" ORDER BY "records" DESC`,
    },
  ];
}
