import { DuckDBInstance } from '@duckdb/node-api';
import { icebergViews } from '../../../model/catalog';
import { viewDdl } from '../../../lambda/custom-resources/athena-views';
import { sales } from '../../../pipelines/sales';

describe('athena views custom resource', () => {
  it('creates each view with CREATE OR REPLACE VIEW over the catalog SQL, which an SQL engine accepts', async () => {
    const v = icebergViews(sales)[0];
    const ddl = viewDdl(v.name, v.sql);
    expect(ddl.startsWith(`CREATE OR REPLACE VIEW "sales_region_10m" AS\n`)).toBe(true);
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    await db.run(
      `CREATE TABLE sales_region_10m_partials (window_start TIMESTAMP, window_end TIMESTAMP, region VARCHAR, sales DOUBLE, orders BIGINT, kafka_topic VARCHAR, kafka_partition INTEGER, first_offset BIGINT, last_offset BIGINT, max_event_time TIMESTAMP, written_at TIMESTAMP, dt VARCHAR)`,
    );
    await db.run(ddl);
    expect((await db.runAndReadAll('SELECT * FROM sales_region_10m')).getRows()).toEqual([]);
    db.closeSync();
  });
});
