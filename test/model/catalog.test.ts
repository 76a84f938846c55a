import { icebergViews, namedQueries, tableNames, viewDdl } from '../../model/catalog';
import { outputFields, type PipelineSpec } from '../../model/spec';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

describe('catalog', () => {
  it('merges the committed partials with no attempt bookkeeping (each offset is committed once) and flags final windows', () => {
    const [window] = icebergViews(sales);
    expect(window.name).toBe('sales_region_10m');
    expect(window.sql).toContain('sum("sales") AS "sales"');
    expect(window.sql).toContain('sum("orders") AS "orders"');
    expect(window.sql).toContain('FROM "sales_region_10m_partials"');
    expect(window.sql).not.toMatch(/row_number|first_offset|written_at/);
    expect(window.sql).toContain(`INTERVAL '600' SECOND`);
    expect(window.sql).toContain('GROUP BY "window_start", "window_end", "region"');
    // the lake tables themselves need no view
    expect(icebergViews(clickstream).map((v) => v.name)).toEqual(['clickstream_page_views_1m']);
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

describe('the reference query', () => {
  it('keeps the fields the reference query needs in the shipped sales spec', () => {
    expect(outputFields(sales).map((f) => f.name)).toEqual(expect.arrayContaining(['country', 'amount']));
  });
});
