/**
 * Athena's engine in the test suite: a real Trino (Athena engine v3's upstream, from Maven
 * Central) started once for this file, checking the local dialect: each Athena/DuckDB difference,
 * run on both engines: the DuckDB lake gives Trino's answer or refuses with a message naming the
 * function. The lake's tables, views and named queries on Trino's Iceberg connector, after faults
 * on a real broker: ./iceberg-lake.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeDb } from '../../../local/query/lake-db';
import { REPO_ROOT } from '../../../local/runtime';
import { TrinoQueryError } from '../../../local/trino/client';
import { startTrino, type RunningTrino } from '../../../local/trino/server';
import { expectSameRows, fromDuck, fromTrino, inParallel, type Rows } from '../../support/engine-rows';

jest.setTimeout(300_000);
const timings: string[] = [];

let trino: RunningTrino;
let emptyLake: string;
let duck: LakeDb;

beforeAll(async () => {
  emptyLake = mkdtempSync(join(tmpdir(), 'streamlake-trino-empty-'));
  trino = await startTrino({ repoRoot: REPO_ROOT, lakeDir: emptyLake, log: (l) => timings.push(l) });
  duck = await LakeDb.open(emptyLake, []);
});

afterAll(async () => {
  await duck?.close();
  await trino?.stop();
  rmSync(emptyLake, { recursive: true, force: true });
  console.log(`${timings.join('\n')}\nJava: ${trino?.java.java} (${trino?.java.version}, from ${trino?.java.source})`);
});

/** Local addresses of the sockets listening on `port` (Linux /proc/net/tcp and tcp6). */
function listeners(port: number): string[] {
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (!local || state !== '0A') continue; // LISTEN
      const [hex, p] = local.split(':');
      if (parseInt(p, 16) !== port) continue;
      // the address is in host byte order, 32-bit words
      const words = hex.match(/.{8}/g)!.map((w) => w.match(/../g)!.reverse().join(''));
      out.push(
        words.length === 1
          ? words[0]
              .match(/../g)!
              .map((b) => parseInt(b, 16))
              .join('.')
          : words.join('').toLowerCase(),
      );
    }
  }
  return out;
}

describe('the local Trino', () => {
  it('listens on 127.0.0.1 only', () => {
    const addresses = listeners(trino.port);
    expect(addresses.length).toBeGreaterThan(0);
    // 127.0.0.1, the same as an IPv4-mapped IPv6 address (::ffff:127.0.0.1), or ::1
    for (const a of addresses) expect(['127.0.0.1', '00000000000000000000ffff7f000001', '00000000000000000000000000000001']).toContain(a);
  });
});

describe("the local dialect gives Athena's answer or refuses, each case run on Trino and on DuckDB", () => {
  const trinoAnswers = new Map<string, Promise<Rows | TrinoQueryError>>();
  /** Trino's answer, asked once per statement (the cases' statements are asked together, in beforeAll). */
  const trinoAnswer = (sql: string): Promise<Rows | TrinoQueryError> => {
    if (!trinoAnswers.has(sql)) {
      const answer = trino
        .client()
        .query(sql)
        .then(fromTrino)
        .catch((e: unknown) => {
          if (e instanceof TrinoQueryError) return e;
          throw e;
        });
      trinoAnswers.set(sql, answer);
    }
    return trinoAnswers.get(sql)!;
  };

  /** Trino's answer and the DuckDB lake's for the same Athena SQL (DuckDB's errors come from another realm: told apart by shape). */
  async function both(sql: string): Promise<{ trino: Rows | TrinoQueryError; duck: Rows | { readonly error: string } }> {
    const t = await trinoAnswer(sql);
    const d = await fromDuck(duck, sql).catch((e: unknown) => ({ error: String((e as Error).message) }));
    return { trino: t, duck: d };
  }
  const duckError = (d: Rows | { readonly error: string }): string | undefined => ('error' in d ? d.error : undefined);

  const values = (rows: string) => `(VALUES ${rows})`;
  const timestamps = values(
    [
      ['2026-11-23 10:00:59.000', '2026-11-23 10:01:00.000'],
      ['2026-11-23 10:01:00.000', '2026-11-23 10:00:01.000'],
      ['2026-01-31 10:00:00.000', '2026-02-28 09:00:00.000'],
      ['2026-01-31 00:00:00.000', '2026-02-28 00:00:00.000'],
      ['2024-02-29 12:00:00.000', '2025-02-28 12:00:00.000'],
      ['2024-02-29 12:00:00.000', '2028-02-29 11:59:59.999'],
      ['2026-11-01 00:00:00.000', '2026-11-14 23:59:59.999'],
      ['2026-12-31 23:59:59.999', '2027-01-01 00:00:00.000'],
      ['2027-01-01 00:00:00.000', '2026-10-01 00:00:00.001'],
      ['2026-11-23 10:00:00.001', '2026-11-23 10:00:00.000'],
    ]
      .map(([a, b]) => `(TIMESTAMP '${a}', TIMESTAMP '${b}')`)
      .join(', '),
  );
  const units = ['millisecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];

  const same: [string, string][] = [
    [
      'date_diff counts whole units elapsed (10:00:59 → 10:01:00 is 0 minutes)',
      `SELECT date_diff('minute', TIMESTAMP '2026-11-23 10:00:59', TIMESTAMP '2026-11-23 10:01:00') AS m`,
    ],
    [
      'date_diff in every unit, backwards, across month ends and leap days',
      `SELECT a, b, ${units.map((u) => `date_diff('${u}', a, b) AS "${u}"`).join(', ')} FROM ${timestamps} AS t(a, b) ORDER BY a, b`,
    ],
    [
      'date_diff on dates',
      `SELECT a, b, ${['day', 'week', 'month', 'quarter', 'year'].map((u) => `date_diff('${u}', a, b) AS "${u}"`).join(', ')} FROM ${values("(DATE '2024-02-29', DATE '2025-02-28'), (DATE '2026-03-31', DATE '2026-02-28'), (DATE '2026-01-01', DATE '2026-12-31')")} AS t(a, b) ORDER BY a, b`,
    ],
    [
      'integer division truncates (7/2 is 3), modulo keeps the sign, doubles divide',
      `SELECT 7 / 2 AS a, -7 / 2 AS b, 7 % 3 AS c, -7 % 3 AS d, CAST(7 AS bigint) / 2 AS e, 2.5e0 / 2 AS f, 7 / 2e0 AS g, 1 + 6 / 4 * 3 AS h, (1 + 6) / 4 AS i`,
    ],
    [
      'integer division over rows and aggregates',
      `SELECT x / y AS q, x % y AS r, sum(x) OVER () / count(*) OVER () AS s FROM ${values('(7, 2), (9, 4), (-9, 4), (0, 5)')} AS t(x, y) ORDER BY x`,
    ],
    ['division by NULL is NULL', `SELECT 7 / nullif(0, 0) AS a, 7.5e0 / CAST(NULL AS double) AS b`],
    [
      'json_extract_scalar: NULL for objects, arrays, JSON null, missing paths and invalid JSON; scalars as text',
      `SELECT json_extract_scalar('{"a": {"b": 1}}', '$.a') AS object, json_extract_scalar('{"a": [1, 2]}', '$.a') AS "array", json_extract_scalar('{"a": null}', '$.a') AS "null",
              json_extract_scalar('{"a": 1}', '$.b') AS missing, json_extract_scalar('not json', '$.a') AS invalid, json_extract_scalar('{"a": "x\\u00e9"}', '$.a') AS string,
              json_extract_scalar('{"a": true}', '$.a') AS bool, json_extract_scalar('{"a": 10}', '$.a') AS "integer", json_extract_scalar('{"a": -3}', '$.a') AS negative,
              json_extract_scalar('{"a": {"b": "c"}}', '$.a.b') AS nested, json_extract_scalar('{"a": [5, 6]}', '$.a[1]') AS element`,
    ],
    ['json_extract then CAST for a number with a fraction', `SELECT CAST(json_extract('{"a": 1.50}', '$.a') AS double) AS a`],
    [
      'quarantined bytes read with the console functions: from_utf8, length, to_hex, json_extract_scalar',
      `SELECT from_utf8(X'c3a9') AS e, from_utf8(X'61 00 62') AS nul, length(X'ff00') AS bytes, length(X'') AS empty, length('héllo') AS chars, length(from_utf8(X'f09f9880')) AS emoji,
              to_hex(X'ff00') AS hex, json_extract_scalar(from_utf8(X'7b2261223a2278227d'), '$.a') AS field, length(CAST(NULL AS varbinary)) AS "null"`,
    ],
    [
      'date_format with every specifier Athena supports, unknown letters literal',
      `SELECT t, date_format(t, '%a %b %c %d %e %f %H %h %I %i %j %k %l %M %m %p %r %S %s %T %v %W %x %Y %y %% %E %Q %g %-') AS f FROM ${values(
        "(TIMESTAMP '2027-01-03 15:04:05.123'), (TIMESTAMP '2026-12-28 00:00:00.000'), (TIMESTAMP '2026-07-09 09:05:01.007'), (TIMESTAMP '2021-01-01 12:00:00.000')",
      )} AS x(t) ORDER BY t`,
    ],
    [
      'the other rewritten functions',
      `SELECT from_unixtime(1795341600) AS a, to_unixtime(TIMESTAMP '2026-11-22 10:00:00.500') AS b, from_iso8601_timestamp('2026-11-22T10:00:00Z') AS c,
              regexp_like('www.amazon7.com', 'amazon[0-9]+') AS d, date_add('minute', 90, TIMESTAMP '2026-11-22 10:00:00') AS e, cardinality(ARRAY[1, 2, 3]) AS f, from_unixtime(1795341600123 / 1000) AS g`,
    ],
  ];

  it.each(same)('%s', async (_, sql) => {
    const r = await both(sql);
    if (r.trino instanceof Error) throw r.trino;
    const error = duckError(r.duck);
    if (error !== undefined) throw new Error(`DuckDB failed where Trino answered: ${error}\n--- statement ---\n${sql}`);
    expectSameRows(sql, r.trino, r.duck as Rows, true, false);
  });

  const refusedLocally: [string, string, string][] = [
    ['a double divided by zero (Athena: Infinity)', `SELECT 1e0 / 0 AS a`, 'division by zero'],
    ['a decimal divided (Athena: at the larger scale, 7.5 / 2 = 3.8)', `SELECT 7.5 / 2 AS a`, 'division of a decimal'],
    ['json_extract_scalar of a number with a fraction (Athena: as written, 1.50)', `SELECT json_extract_scalar('{"a": 1.50}', '$.a') AS a`, 'json_extract_scalar'],
    ['json_extract_scalar of a number with an exponent (Athena: as written, 1e3)', `SELECT json_extract_scalar('{"a": 1e3}', '$.a') AS a`, 'json_extract_scalar'],
    ['from_utf8 of invalid UTF-8 (Athena: U+FFFD)', `SELECT from_utf8(X'61ff62') AS a`, 'from_utf8'],
  ];

  it.each(refusedLocally)('refuses %s, naming the function', async (_, sql, fn) => {
    const r = await both(sql);
    if (r.trino instanceof Error) throw r.trino;
    expect(duckError(r.duck)).toContain(fn);
  });

  const bothFail: [string, string, string][] = [
    ['an integer divided by zero', `SELECT 7 / 0 AS a`, 'Division by zero'],
    ['an integer modulo zero', `SELECT 7 % 0 AS a`, 'Division by zero'],
    ...['D', 'U', 'u', 'V', 'w', 'X'].map((s): [string, string, string] => [
      `date_format %${s}`,
      `SELECT date_format(TIMESTAMP '2027-01-03 15:04:05', '%${s}') AS a`,
      `date_format: %${s}`,
    ]),
  ];

  beforeAll(async () => {
    // every case's statement on Trino, three at a time, before the cases compare
    await inParallel(
      [...same, ...refusedLocally, ...bothFail].map((c) => c[1]),
      3,
      trinoAnswer,
    );
  });

  it.each(bothFail)('fails on both engines: %s', async (_, sql, message) => {
    const r = await both(sql);
    expect(r.trino).toBeInstanceOf(TrinoQueryError);
    expect(duckError(r.duck)).toContain(message);
  });
});
