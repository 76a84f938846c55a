import { checkProjectionCoversAcceptedEvents, glueType, lakeTables, namedQueries, projectionDaysAhead, projectionDtRange, tableNames, viewDdl, views } from '../../model/catalog';
import { ConfigurationError } from '../../model/errors';
import { outputFields, type PipelineSpec } from '../../model/spec';
import { eventsSchema, partialsSchema } from '../../model/tables';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

describe('catalog', () => {
  it('describes a raw table per lake area with the writer schema', () => {
    const tables = lakeTables(sales);
    expect(tables.map((t) => t.name)).toEqual(['sales_events_raw', 'sales_quarantine_raw', 'sales_region_10m_partials']);
    expect(tables[0].schema).toEqual(eventsSchema(sales));
    expect(tables[2].schema).toEqual(partialsSchema(sales, sales.windows![0]));
    expect(tables[2].area).toEqual({ kind: 'aggregates', pipeline: 'sales', window: 'region_10m' });
  });

  it('types the partial aggregate state with real types', () => {
    const cols = Object.fromEntries(partialsSchema(sales, sales.windows![0]).columns.map((c) => [c.name, glueType(c.type)]));
    expect(cols).toMatchObject({
      window_start: 'timestamp',
      window_end: 'timestamp',
      region: 'string',
      sales: 'double',
      orders: 'bigint',
      first_offset: 'bigint',
      max_event_time: 'timestamp',
    });
  });

  it('deduplicates events by Kafka coordinates within their partition', () => {
    const [events] = views(clickstream);
    expect(events.name).toBe('clickstream_events');
    expect(events.sql).toContain('row_number() OVER (PARTITION BY "dt", "hr", "kafka_topic", "kafka_partition", "kafka_offset" ORDER BY "written_at" DESC)');
    expect(events.sql).toContain('FROM "clickstream_events_raw"');
  });

  it('merges partials, drops superseded batch attempts and flags final windows', () => {
    const window = views(sales).find((v) => v.name === 'sales_region_10m')!;
    expect(window.sql).toContain('sum("sales") AS "sales"');
    expect(window.sql).toContain('sum("orders") AS "orders"');
    expect(window.sql).toContain('row_number() OVER (PARTITION BY "kafka_topic", "kafka_partition", "first_offset" ORDER BY "written_at" DESC)');
    expect(window.sql).toContain('"b"."first_offset" > "a"."first_offset" AND "b"."first_offset" <= "a"."last_offset"');
    expect(window.sql).toContain(`INTERVAL '600' SECOND`);
    expect(window.sql).toContain('GROUP BY "window_start", "window_end", "region"');
  });

  it('offers the queries users run first', () => {
    expect(namedQueries(clickstream).map((q) => q.name)).toEqual(['clickstream-latest-events', 'clickstream-page-views-1m', 'clickstream-quarantine-by-reason']);
    expect(namedQueries(clickstream)[0].sql).toBe('SELECT * FROM "clickstream_events" ORDER BY "recordtime" DESC, "kafka_topic", "kafka_partition", "kafka_offset" DESC LIMIT 10');
    expect(namedQueries(sales).map((q) => q.name)).toEqual(['sales-latest-events', 'sales-region-10m', 'sales-quarantine-by-reason', 'sales-top-countries']);
    expect(tableNames(sales).windowView(sales.windows![0])).toBe('sales_region_10m');
  });

  it("has the reference sales pipeline's batch query: top 25 countries by all-time sales and orders", () => {
    const q = namedQueries(sales).find((n) => n.name === 'sales-top-countries')!;
    expect(q.sql).toBe(
      'SELECT "country", round(sum("amount"), 2) AS "sales", count(*) AS "orders" FROM "sales_events" GROUP BY "country" ORDER BY "sales" DESC, "orders" DESC, "country" LIMIT 25',
    );
    const withoutCountry: PipelineSpec = { ...sales, schema: sales.schema.filter((f) => f.name !== 'country'), enrichments: [] };
    expect(() => namedQueries(withoutCountry)).toThrow("pipeline 'sales': its named query sales-top-countries needs the field(s) country");
  });

  it('breaks every ORDER BY tie down to a key of the rows, so every engine lists the same rows in the same order', () => {
    // what makes a row unique in each source: the events view has one row per Kafka record, a
    // window view one per (window, keys), a GROUP BY one per group
    for (const spec of [clickstream, sales]) {
      for (const q of namedQueries(spec)) {
        const order = /ORDER BY (.*?)(?: LIMIT \d+)?$/.exec(q.sql)?.[1];
        expect(order).toBeDefined();
        const cols = order!.split(', ').map((c) => c.replace(/ (ASC|DESC)$/, '').replace(/"/g, ''));
        const groupBy = /GROUP BY (.*?) ORDER BY/
          .exec(q.sql)?.[1]
          ?.split(', ')
          .map((c) => c.replace(/"/g, ''));
        const window = spec.windows?.find((w) => q.sql.includes(`FROM "${tableNames(spec).windowView(w)}"`));
        const key = groupBy ?? (window ? ['window_start', ...window.groupBy] : ['kafka_topic', 'kafka_partition', 'kafka_offset']);
        expect({ query: q.name, covered: key.every((k) => cols.includes(k)) }).toEqual({ query: q.name, covered: true });
      }
    }
  });

  it('writes the view DDL the views custom resource sends to Athena', () => {
    expect(viewDdl('sales_events', 'SELECT 1')).toBe('CREATE OR REPLACE VIEW "sales_events" AS\nSELECT 1');
  });
});

describe('partition projection and what the processor accepts', () => {
  const withMaxFuture = (seconds: number | undefined): PipelineSpec => ({ ...sales, eventTime: { ...sales.eventTime, maxFutureSeconds: seconds } });

  it('reaches as many days ahead as events may be, plus a day of clock skew', () => {
    expect(projectionDtRange(sales)).toBe('2000-01-01,NOW+2DAYS');
    expect(projectionDaysAhead(withMaxFuture(3 * 86_400))).toBe(4);
    expect(projectionDaysAhead(withMaxFuture(0))).toBe(1);
    expect(projectionDtRange({ ...withMaxFuture(86_401), eventTime: { ...sales.eventTime, maxFutureSeconds: 86_401, notBefore: '2024-03-01T00:00:00Z' } })).toBe(
      '2024-03-01,NOW+3DAYS',
    );
  });

  /** The dates a `<start>,NOW+<n>DAYS` projection lists at `now`, as Trino (Athena's engine) computes them: every day from the start while not after now + n days. */
  function lastProjectedDate(range: string, now: number): string {
    const ahead = Number(/NOW\+(\d+)DAYS/.exec(range)![1]);
    const end = now + ahead * 86_400_000;
    return new Date(end - (end % 86_400_000)).toISOString().slice(0, 10);
  }

  it.each([0, 1, 3_600, 86_399, 86_400, 86_401, 2.5 * 86_400, 3 * 86_400, 30 * 86_400])('lists the date of the furthest event accepted with maxFutureSeconds %d', (seconds) => {
    const spec = withMaxFuture(seconds);
    const range = projectionDtRange(spec);
    for (const now of [Date.UTC(2026, 10, 23, 0, 0, 0), Date.UTC(2026, 10, 23, 12, 0, 0), Date.UTC(2026, 10, 23, 23, 59, 59, 999)]) {
      // a producer clock up to 12 hours ahead of the reader's: Kafka timestamp ahead of "now"
      for (const skew of [0, 12 * 3_600_000]) {
        const furthest = new Date(now + skew + seconds * 1000).toISOString().slice(0, 10);
        expect(lastProjectedDate(range, now) >= furthest).toBe(true);
      }
    }
    expect(() => checkProjectionCoversAcceptedEvents(spec, 't', projection(range))).not.toThrow();
  });

  const projection = (range: string, extra: Record<string, string> = {}) => ({
    'projection.enabled': 'true',
    'projection.dt.type': 'date',
    'projection.dt.format': 'yyyy-MM-dd',
    'projection.dt.range': range,
    'projection.dt.interval': '1',
    'projection.dt.interval.unit': 'DAYS',
    ...extra,
  });

  it('refuses a projection that would hide accepted events, naming what to change', () => {
    const spec = withMaxFuture(3 * 86_400);
    const check = (params: Record<string, string>) => () => checkProjectionCoversAcceptedEvents(spec, 'sales_events_raw', params);
    expect(check(projection('2000-01-01,NOW+1DAYS'))).toThrow(ConfigurationError);
    expect(check(projection('2000-01-01,NOW+1DAYS'))).toThrow(
      "table 'sales_events_raw' of pipeline 'sales': projection.dt.range '2000-01-01,NOW+1DAYS' ends before the newest events the processor accepts (eventTime.maxFutureSeconds 259200 = 3.00 days after their Kafka timestamp), so Athena would not see them: end it at NOW+4DAYS (2000-01-01,NOW+4DAYS, from projectionDtRange) or lower eventTime.maxFutureSeconds",
    );
    expect(check(projection('2020-01-01,NOW+4DAYS'))).toThrow(/starts after eventTime.notBefore 2000-01-01/);
    expect(check(projection('2000-01-01,2030-01-01'))).toThrow(/must be '<first date>,NOW\+<n>DAYS'/);
    expect(check(projection('2000-01-01,NOW+4DAYS', { 'projection.dt.interval': '2' }))).toThrow(/one day at a time/);
    expect(check(projection('2000-01-01,NOW+4DAYS', { 'projection.hr.type': 'integer', 'projection.hr.range': '0,22', 'projection.hr.digits': '2' }))).toThrow(/projection.hr/);
    expect(check(projection('2000-01-01,NOW+4DAYS', { 'projection.hr.type': 'integer', 'projection.hr.range': '0,23', 'projection.hr.digits': '2' }))).not.toThrow();
    // a table without projection hides nothing, whatever its format
    expect(check({ table_type: 'ICEBERG' })).not.toThrow();
  });

  it('keeps the fields the reference query needs in the shipped sales spec', () => {
    expect(outputFields(sales).map((f) => f.name)).toEqual(expect.arrayContaining(['country', 'amount']));
  });
});
