/**
 * The query side of a pipeline, in Athena (Trino) SQL: table names, the window views that merge
 * the committed partials, and the named queries users run first. The CDK app deploys these to
 * Glue/Athena; the local runtime runs the same text on DuckDB after a small dialect translation.
 */
import { ConfigurationError } from './errors';
import { type AggregateSpec, type PipelineSpec, type ReferenceSpec, type WindowSpec, DEFAULT_ALLOWED_LATENESS_SECONDS, outputFields } from './spec';
import { partialsTableName } from './lake-tables';

export interface TableNames {
  /** The events table: one row per (topic, partition, offset), committed once. */
  readonly events: string;
  readonly quarantine: string;
  readonly partials: (w: WindowSpec) => string;
  /** Window results merged from partials, with `is_final`. */
  readonly windowView: (w: WindowSpec) => string;
}

export function tableNames(spec: PipelineSpec): TableNames {
  const p = spec.name;
  return {
    events: `${p}_events`,
    quarantine: `${p}_quarantine`,
    partials: (w) => `${p}_${w.name}_partials`,
    windowView: (w) => `${p}_${w.name}`,
  };
}

export const referenceTableName = (ref: ReferenceSpec): string => `ref_${ref.name}`;

export interface ViewDefinition {
  readonly name: string;
  /** The SELECT statement (Athena SQL). */
  readonly sql: string;
  readonly description: string;
}

const quote = (id: string): string => `"${id}"`;

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
