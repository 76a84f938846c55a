/**
 * The query side of a pipeline, in Athena (Trino) SQL: table names, the views that turn raw
 * files into exact results, and the named queries users run first. The CDK app deploys these to
 * Glue/Athena; the local runtime runs the same text on DuckDB after a small dialect translation.
 */
import { ConfigurationError } from './errors';
import {
  type AggregateSpec,
  type PipelineSpec,
  type ReferenceSpec,
  type WindowSpec,
  DEFAULT_ALLOWED_LATENESS_SECONDS,
  DEFAULT_MAX_FUTURE_SECONDS,
  DEFAULT_NOT_BEFORE,
  outputFields,
} from './spec';
import { type ColumnType, eventsSchema, partialsSchema, quarantineSchema, type TableSchema } from './tables';
import { aggregatesArea, eventsArea, quarantineArea, type LakeArea } from './layout';
import { partialsTableName } from './lake-tables';

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
    {
      name: names.quarantineRaw,
      area: quarantineArea(spec),
      schema: quarantineSchema(),
      description: `${spec.name} quarantined records as written (use the ${names.quarantine} view)`,
    },
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

/**
 * Window results over an Iceberg partials table, which holds every committed batch's partials
 * exactly once (commits skip offsets the table already holds): a plain merge per (window, keys),
 * sum of sums, min of mins …, with no attempt bookkeeping. `is_final` says the watermark (latest
 * event time − allowed lateness) has passed the window's end.
 */
function icebergWindowView(spec: PipelineSpec, w: WindowSpec): string {
  const partials = quote(partialsTableName(spec, w));
  const lateness = spec.allowedLatenessSeconds ?? DEFAULT_ALLOWED_LATENESS_SECONDS;
  const groupCols = ['"window_start"', '"window_end"', ...w.groupBy.map(quote)];
  return [
    `WITH "watermark" AS (`,
    `  SELECT max("max_event_time") - INTERVAL '${lateness}' SECOND AS "watermark" FROM ${partials}`,
    `)`,
    `SELECT ${groupCols.join(', ')},`,
    `  ${w.aggregates.flatMap((a) => mergeExpression(spec, a)).join(',\n  ')},`,
    `  "window_end" <= max("watermark"."watermark") AS "is_final"`,
    `FROM ${partials} CROSS JOIN "watermark"`,
    `GROUP BY ${groupCols.join(', ')}`,
  ].join('\n');
}

/** The views over a pipeline's Iceberg tables: its window results (the tables need none to be read). */
export function icebergViews(spec: PipelineSpec): ViewDefinition[] {
  return (spec.windows ?? []).map((w) => ({
    name: tableNames(spec).windowView(w),
    sql: icebergWindowView(spec, w),
    description: `${spec.name} ${w.name}: ${w.kind} ${w.sizeSeconds}s window results by ${w.groupBy.join(', ')}`,
  }));
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

/**
 * The DDL that creates a view in Athena: the views custom resource
 * (lambda/custom-resources/athena-views.ts) sends this text, and the local Trino runs it too
 * (a test holds the two equal).
 */
export function viewDdl(name: string, sql: string): string {
  return `CREATE OR REPLACE VIEW "${name}" AS\n${sql}`;
}

export interface NamedQuery {
  /** Kebab-case, unique across pipelines: `<pipeline>-<what>`. */
  readonly name: string;
  readonly description: string;
  readonly sql: string;
}

/**
 * The reference pipelines' batch queries (what their users ran over the whole table), by pipeline
 * name. Each names the fields it needs, so a spec that loses one fails at synth time.
 */
const REFERENCE_QUERIES: Readonly<Record<string, { readonly fields: readonly string[]; readonly query: (events: string) => NamedQuery }>> = {
  sales: {
    fields: ['country', 'amount'],
    query: (events) => ({
      name: 'sales-top-countries',
      description: "The 25 countries with the most sales of all time, with their orders (the reference pipeline's batch query)",
      sql:
        `SELECT "country", round(sum("amount"), 2) AS "sales", count(*) AS "orders" FROM ${quote(events)}` +
        ` GROUP BY "country" ORDER BY "sales" DESC, "orders" DESC, "country" LIMIT 25`,
    }),
  },
};

/**
 * The queries users run first. Every ORDER BY is unique (ties broken down to a key of the rows),
 * so Athena, the local Trino and DuckDB list the same rows in the same order.
 */
export function namedQueries(spec: PipelineSpec): NamedQuery[] {
  const names = tableNames(spec);
  const time = quote(spec.eventTime.field);
  const reference = REFERENCE_QUERIES[spec.name];
  if (reference) {
    const missing = reference.fields.filter((f) => !outputFields(spec).some((o) => o.name === f));
    if (missing.length) throw new ConfigurationError(`pipeline '${spec.name}': its named query ${reference.query(names.events).name} needs the field(s) ${missing.join(', ')}`);
  }
  return [
    {
      name: `${spec.name}-latest-events`,
      description: `The 10 latest ${spec.name} events by event time`,
      // one row per (topic, partition, offset) in the events view: the latest offset first among equal times
      sql: `SELECT * FROM ${quote(names.events)} ORDER BY ${time} DESC, "kafka_topic", "kafka_partition", "kafka_offset" DESC LIMIT 10`,
    },
    ...(spec.windows ?? []).map((w) => ({
      name: `${spec.name}-${w.name.replace(/_/g, '-')}`,
      description: `${w.aggregates.map((a) => a.name).join(' and ')} per ${w.groupBy.join(', ')} per ${w.sizeSeconds / 60}-minute window, latest first`,
      // one row per (window_start, keys) in the window view
      sql:
        `SELECT "window_start", "window_end", ${w.groupBy.map(quote).join(', ')}, ${w.aggregates.map((a) => quote(a.name)).join(', ')}, "is_final"` +
        ` FROM ${quote(names.windowView(w))} ORDER BY "window_start" DESC, ${w.groupBy.map(quote).join(', ')} LIMIT 100`,
    })),
    {
      name: `${spec.name}-quarantine-by-reason`,
      description: `Quarantined ${spec.name} records by reason`,
      sql:
        `SELECT "reason", count(*) AS "records", min("kafka_timestamp") AS "first_seen", max("kafka_timestamp") AS "last_seen"` +
        ` FROM ${quote(names.quarantine)} GROUP BY "reason" ORDER BY "records" DESC, "reason"`,
    },
    ...(reference ? [reference.query(names.events)] : []),
  ];
}

export const SECONDS_PER_DAY = 86_400;

/**
 * How many days past "now" the `dt` partition projection must reach so that Athena sees every
 * event the processor accepts: events are accepted up to `maxFutureSeconds` after their Kafka
 * timestamp and partitioned by event time, so their date is at most ceil(maxFuture / 1 day) days
 * ahead of the Kafka timestamp; one more day covers producer clocks running ahead of Athena's.
 */
export function projectionDaysAhead(spec: PipelineSpec): number {
  return Math.ceil((spec.eventTime.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS) / SECONDS_PER_DAY) + 1;
}

/** The `projection.dt.range` of a pipeline's tables: from `notBefore` (the oldest accepted date) to `NOW+<days ahead>DAYS`. */
export function projectionDtRange(spec: PipelineSpec): string {
  return `${(spec.eventTime.notBefore ?? DEFAULT_NOT_BEFORE).slice(0, 10)},NOW+${projectionDaysAhead(spec)}DAYS`;
}

/**
 * Checks that a table's parameters let Athena see every row the pipeline's processor accepts. A
 * table without partition projection hides nothing (its partitions or snapshots list what was
 * written); with projection on, the `dt` range must start on or before `notBefore` and reach at
 * least `projectionDaysAhead` days past now, one day at a time, and `hr` must span 00–23.
 * Throws a ConfigurationError naming the table, the parameter and what to change.
 */
export function checkProjectionCoversAcceptedEvents(spec: PipelineSpec, table: string, parameters: Readonly<Record<string, unknown>>): void {
  if (String(parameters['projection.enabled']).toLowerCase() !== 'true') return;
  const fail = (what: string) => {
    throw new ConfigurationError(`table '${table}' of pipeline '${spec.name}': ${what}`);
  };
  const p = (k: string) => (parameters[k] === undefined ? undefined : String(parameters[k]));
  const notBefore = (spec.eventTime.notBefore ?? DEFAULT_NOT_BEFORE).slice(0, 10);
  const days = projectionDaysAhead(spec);
  const wanted = projectionDtRange(spec);
  if (p('projection.dt.type') !== 'date' || p('projection.dt.format') !== 'yyyy-MM-dd')
    fail(`projection.dt must be a yyyy-MM-dd date projection (the layout's dt=YYYY-MM-DD), got type ${p('projection.dt.type')} format ${p('projection.dt.format')}`);
  if ((p('projection.dt.interval') ?? '1') !== '1' || (p('projection.dt.interval.unit') ?? 'DAYS').toUpperCase() !== 'DAYS')
    fail(`projection.dt must step one day at a time, got ${p('projection.dt.interval')} ${p('projection.dt.interval.unit')}`);
  const range = p('projection.dt.range') ?? '';
  const m = /^(\d{4}-\d{2}-\d{2}),\s*NOW(?:\+(\d+)DAYS?)?$/i.exec(range.trim());
  if (!m) fail(`projection.dt.range '${range}' must be '<first date>,NOW+<n>DAYS' so it keeps up with the events; use ${wanted}`);
  const [, start, ahead] = m!;
  if (start > notBefore)
    fail(
      `projection.dt.range '${range}' starts after eventTime.notBefore ${notBefore}: Athena would not see accepted events before ${start}; start it at ${notBefore} (${wanted})`,
    );
  if (Number(ahead ?? 0) < days) {
    const maxFuture = spec.eventTime.maxFutureSeconds ?? DEFAULT_MAX_FUTURE_SECONDS;
    fail(
      `projection.dt.range '${range}' ends before the newest events the processor accepts (eventTime.maxFutureSeconds ${maxFuture} = ${(maxFuture / SECONDS_PER_DAY).toFixed(2)} days after their Kafka timestamp), so Athena would not see them: end it at NOW+${days}DAYS (${wanted}, from projectionDtRange) or lower eventTime.maxFutureSeconds`,
    );
  }
  if (
    p('projection.hr.type') !== undefined &&
    (p('projection.hr.type') !== 'integer' || p('projection.hr.range')?.replace(/\s/g, '') !== '0,23' || p('projection.hr.digits') !== '2')
  ) {
    fail(
      `projection.hr must be a 2-digit integer projection over 0,23 (the layout's hr=HH), got ${p('projection.hr.type')} ${p('projection.hr.range')} digits ${p('projection.hr.digits')}`,
    );
  }
}
