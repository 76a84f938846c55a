import { glueType, lakeTables, namedQueries, tableNames, views } from '../../model/catalog';
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
    expect(cols).toMatchObject({ window_start: 'timestamp', window_end: 'timestamp', region: 'string', sales: 'double', orders: 'bigint', first_offset: 'bigint', max_event_time: 'timestamp' });
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
    expect(namedQueries(clickstream)[0].sql).toBe('SELECT * FROM "clickstream_events" ORDER BY "recordtime" DESC LIMIT 10');
    expect(namedQueries(sales).map((q) => q.name)).toEqual(['sales-latest-events', 'sales-region-10m', 'sales-quarantine-by-reason']);
    expect(tableNames(sales).windowView(sales.windows![0])).toBe('sales_region_10m');
  });
});
