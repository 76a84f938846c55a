/** Athena SQL → DuckDB: the catalog's SQL passes unchanged, Athena-only functions are rewritten and run. */
import { athenaToDuckDb } from '../../../local/query/dialect';
import { LakeDb } from '../../../local/query/lake-db';
import { icebergViews, namedQueries } from '../../../model/catalog';
import { PIPELINES } from '../../../pipelines';

describe('athenaToDuckDb', () => {
  it('leaves every catalog view and named query unchanged', () => {
    for (const spec of Object.values(PIPELINES)) {
      for (const sql of [...icebergViews(spec).map((v) => v.sql), ...namedQueries(spec).map((q) => q.sql)]) expect(athenaToDuckDb(sql)).toBe(sql);
    }
  });

  it.each([
    [`SELECT max("t") - INTERVAL '600' SECOND FROM "x"`, `SELECT max("t") - INTERVAL '600' SECOND FROM "x"`],
    [`SELECT date_format(t, '%Y-%m-%d %H:%i:%s') FROM x`, `SELECT strftime(t, '%Y-%m-%d %H:%M:%S') FROM x`],
    [`SELECT DATE_FORMAT(t, '%M %e') FROM x`, `SELECT strftime(t, '%B %-d') FROM x`],
    [`SELECT approx_distinct(ip) FROM x`, `SELECT approx_count_distinct(ip) FROM x`],
    [`SELECT cardinality(ARRAY[1, 2]) FROM x`, `SELECT len(ARRAY[1, 2]) FROM x`],
    [`SELECT from_iso8601_timestamp(s) FROM x`, `SELECT CAST(s AS TIMESTAMPTZ) FROM x`],
    [`SELECT from_unixtime(n / 1000) FROM x`, `SELECT to_timestamp(athena_divide(n, 1000)) FROM x`],
    [`SELECT to_unixtime(max(t)) FROM x`, `SELECT epoch(max(t)) FROM x`],
    [`SELECT * FROM x WHERE regexp_like(url, 'amazon[0-9]+')`, `SELECT * FROM x WHERE regexp_matches(url, 'amazon[0-9]+')`],
    [`SELECT json_extract_scalar(j, '$.a') FROM x`, `SELECT athena_json_extract_scalar(j, '$.a') FROM x`],
    [`SELECT date_diff('minute', a, b) FROM x`, `SELECT date_sub('minute', a, b) FROM x`],
    [`SELECT from_utf8(raw_value), length(raw_value) FROM x`, `SELECT athena_from_utf8(raw_value), athena_length(raw_value) FROM x`],
    [`SELECT X'ff 00', "x"'' FROM x`, `SELECT from_hex('ff00'), "x"'' FROM x`],
    // division and modulo: whole operands, precedence and associativity kept
    [`SELECT a / b, a % b FROM x`, `SELECT athena_divide(a, b), athena_modulo(a, b) FROM x`],
    [`SELECT 1 + a * b / c - d FROM x`, `SELECT 1 + athena_divide(a * b, c) - d FROM x`],
    [`SELECT a / b / c FROM x`, `SELECT athena_divide(athena_divide(a, b), c) FROM x`],
    [`SELECT a / b * c FROM x`, `SELECT athena_divide(a, b) * c FROM x`],
    [`SELECT -"t"."a" / -2.5e0 FROM x`, `SELECT -athena_divide("t"."a", -2.5e0) FROM x`],
    [`SELECT sum(x) OVER (PARTITION BY y) / count(*) FILTER (WHERE z) FROM x`, `SELECT athena_divide(sum(x) OVER (PARTITION BY y), count(*) FILTER (WHERE z)) FROM x`],
    [`SELECT CASE WHEN a THEN 1 ELSE 2 END / CAST(b AS double) FROM x`, `SELECT athena_divide(CASE WHEN a THEN 1 ELSE 2 END, CAST(b AS double)) FROM x`],
    [`SELECT x FROM t WHERE a / 2 > 1 AND b = c % 3`, `SELECT x FROM t WHERE athena_divide(a, 2) > 1 AND b = athena_modulo(c, 3)`],
    [`SELECT a::double / INTERVAL '1' DAY FROM x`, `SELECT athena_divide(a::double, INTERVAL '1' DAY) FROM x`],
    // never in comments
    [`SELECT a -- a / b\n/* c / d */ FROM x`, `SELECT a -- a / b\n/* c / d */ FROM x`],
    // date_format: Athena's specifiers one by one; unsupported ones refused, unknown letters literal
    [`SELECT date_format(t, '%v %x %E %Q %% %-') FROM x`, `SELECT strftime(t, '%V %G E Q %% -') FROM x`],
    [`SELECT date_format(t, '%U') FROM x`, `SELECT error('date_format: %U is not supported by Athena (Trino), so the local query refuses it too') FROM x`],
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
              json_extract_scalar('{"a": {"b": "c"}}', '$.a') AS object,
              7 / 2 AS quotient,
              date_add('minute', 90, TIMESTAMP '2026-11-22 10:00:00') AS later
       FROM range(5) AS t(x)`,
    );
    expect(row).toEqual({
      formatted: '2026-11-22 10:00:00',
      epoch_seconds: 1795341600,
      distinct_values: 5n,
      matches: true,
      extracted: 'c',
      object: null,
      quotient: 3,
      later: new Date('2026-11-22T11:30:00Z'),
    });
    await db.close();
  });
});
