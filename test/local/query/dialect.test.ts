/** Athena SQL → DuckDB: the catalog's SQL passes unchanged, Athena-only functions are rewritten and run. */
import { athenaToDuckDb } from '../../../local/query/dialect';
import { LakeDb } from '../../../local/query/lake-db';
import { namedQueries, views } from '../../../model/catalog';
import { PIPELINES } from '../../../pipelines';

describe('athenaToDuckDb', () => {
  it('leaves every catalog view and named query unchanged', () => {
    for (const spec of Object.values(PIPELINES)) {
      for (const sql of [...views(spec).map((v) => v.sql), ...namedQueries(spec).map((q) => q.sql)]) expect(athenaToDuckDb(sql)).toBe(sql);
    }
  });

  it.each([
    [`SELECT max("t") - INTERVAL '600' SECOND FROM "x"`, `SELECT max("t") - INTERVAL '600' SECOND FROM "x"`],
    [`SELECT date_format(t, '%Y-%m-%d %H:%i:%s') FROM x`, `SELECT strftime(t, '%Y-%m-%d %H:%M:%S') FROM x`],
    [`SELECT DATE_FORMAT(t, '%M %e') FROM x`, `SELECT strftime(t, '%B %-d') FROM x`],
    [`SELECT approx_distinct(ip) FROM x`, `SELECT approx_count_distinct(ip) FROM x`],
    [`SELECT from_iso8601_timestamp(s) FROM x`, `SELECT CAST(s AS TIMESTAMPTZ) FROM x`],
    [`SELECT from_unixtime(n / 1000) FROM x`, `SELECT to_timestamp(n / 1000) FROM x`],
    [`SELECT to_unixtime(max(t)) FROM x`, `SELECT epoch(max(t)) FROM x`],
    [`SELECT * FROM x WHERE regexp_like(url, 'amazon[0-9]+')`, `SELECT * FROM x WHERE regexp_matches(url, 'amazon[0-9]+')`],
    [`SELECT json_extract_scalar(j, '$.a') FROM x`, `SELECT json_extract_string(j, '$.a') FROM x`],
    [`SELECT date_add('minute', -5, now()) FROM x`, `SELECT (now() + (-5) * INTERVAL 1 MINUTE) FROM x`],
    // nested calls are rewritten inside out
    [`SELECT date_format(from_unixtime(n), '%H:%i') FROM x`, `SELECT strftime(to_timestamp(n), '%H:%M') FROM x`],
    // never inside string literals or quoted identifiers
    [`SELECT 'approx_distinct(x)' AS "from_unixtime(y)" FROM x`, `SELECT 'approx_distinct(x)' AS "from_unixtime(y)" FROM x`],
    [`SELECT 'it''s approx_distinct(' FROM x`, `SELECT 'it''s approx_distinct(' FROM x`],
    // a column named like a function is not a call
    [`SELECT cardinality FROM x`, `SELECT cardinality FROM x`],
  ])('%s', (athena, duckdb) => {
    expect(athenaToDuckDb(athena)).toBe(duckdb);
  });

  it('produces SQL DuckDB runs with the results Athena gives', async () => {
    const db = await LakeDb.open('/nonexistent-lake', []);
    const [row] = await db.query(
      `SELECT date_format(from_unixtime(1795341600), '%Y-%m-%d %H:%i:%s') AS formatted,
              to_unixtime(from_iso8601_timestamp('2026-11-22T10:00:00Z')) AS epoch_seconds,
              approx_distinct(x) AS distinct_values,
              regexp_like('www.amazon7.com', 'amazon[0-9]+') AS matches,
              json_extract_scalar('{"a": {"b": "c"}}', '$.a.b') AS extracted,
              date_add('minute', 90, TIMESTAMP '2026-11-22 10:00:00') AS later
       FROM range(5) AS t(x)`,
    );
    expect(row).toEqual({
      formatted: '2026-11-22 10:00:00',
      epoch_seconds: 1795341600,
      distinct_values: 5n,
      matches: true,
      extracted: 'c',
      later: new Date('2026-11-22T11:30:00Z'),
    });
    db.close();
  });
});
