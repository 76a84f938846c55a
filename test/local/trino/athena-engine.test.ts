/**
 * Athena's engine in the test suite: a real Trino (Athena engine v3's upstream, from Maven
 * Central) started once for this file, with the tables, views and named queries the CDK app
 * deploys (read from the synthesized template). It checks
 * 1. the local dialect: each Athena/DuckDB difference, run on both engines: the DuckDB lake gives
 *    Trino's answer or refuses with a message naming the function;
 * 2. a lake written end to end on a real Kafka broker (malformed records, batches that crash after
 *    writing and are retried with other boundaries): every view and named query returns the same
 *    rows on Trino as on the DuckDB lake, and Trino reads every object the processors wrote;
 * 3. partition projection: every event the processor accepts is visible to Athena's engine.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import type { GeneratedRecord } from '../../../lambda/traffic/generate';
import { produce } from '../../../local/produce';
import { LakeDb } from '../../../local/query/lake-db';
import { LocalRuntime, REPO_ROOT } from '../../../local/runtime';
import { TrinoQueryError } from '../../../local/trino/client';
import { lakeDefinitions, type LakeDefinitions } from '../../../local/trino/definitions';
import { TrinoLake } from '../../../local/trino/lake';
import { queryWithTrino } from '../../../local/trino/query';
import { startTrino, type RunningTrino } from '../../../local/trino/server';
import { checkProjectionCoversAcceptedEvents } from '../../../model/catalog';
import type { PipelineSpec } from '../../../model/spec';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { mskEvent } from '../../support/msk';
import { expectSameRows, fromDuck, fromTrino, inParallel, type Rows } from '../../support/engine-rows';

jest.setTimeout(300_000);
const specs = [clickstream, sales];
const timings: string[] = [];

let trino: RunningTrino;
let emptyLake: string;
let duck: LakeDb;
/** The deployed catalog of the shipped pipelines, synthesized while Trino boots. */
let deployed: LakeDefinitions;

beforeAll(async () => {
  emptyLake = mkdtempSync(join(tmpdir(), 'streamlake-trino-empty-'));
  trino = await startTrino({ repoRoot: REPO_ROOT, lakeDir: emptyLake, log: (l) => timings.push(l), whileStarting: () => void (deployed = lakeDefinitions()) });
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

/** Parquet files under a folder, as paths relative to the lake. */
function parquetFiles(lakeDir: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.parquet')) out.push(relative(lakeDir, join(d, e.name)));
    }
  };
  walk(dir);
  return out.sort();
}

describe('the deployed catalog on Trino over a lake written on a real broker', () => {
  let stateDir: string;
  let lakeDir: string;
  let db: LakeDb;
  let lake: TrinoLake;
  let definitions: LakeDefinitions;
  let failedAfterWrite = 0;
  const produced: Record<string, GeneratedRecord[]> = { clickstream: [], sales: [] };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-trino-e2e-'));
    lakeDir = join(stateDir, 'lake');
    let invocations = 0;
    // a batch that crashes after writing its Parquet objects, before its offsets are committed: retried
    const wrap = (_spec: PipelineSpec, handler: (e: never) => Promise<unknown>) => async (event: never) => {
      invocations += 1;
      const result = await handler(event);
      if (invocations % 4 === 1) {
        failedAfterWrite += 1;
        throw new Error('simulated crash after write');
      }
      return result;
    };
    const started = Date.now();
    const rt = await LocalRuntime.start({
      specs,
      stateDir,
      lakeDir,
      lakeFormat: 'per-batch',
      batchSize: 400,
      batchingWindowMs: 100,
      retryBaseMs: 10,
      maxAttempts: 10,
      wrapHandler: wrap as never,
    });
    try {
      // three event-time days, so views and projection span several dt and hr partitions
      const starts = [50, 26, 2].map((h) => Date.now() - h * 3_600_000);
      for (const [round, startTime] of starts.entries()) {
        for (const spec of specs) produced[spec.name].push(...(await produce(rt.kafka, spec, { count: 1_500, rate: Infinity, seed: 7 + round, malformedRatio: 0.02, startTime })));
        // processors restarted with another batch size: retried batches get other boundaries
        for (const spec of specs) {
          await rt.stopProcessor(spec);
          (rt.options as { batchSize?: number }).batchSize = 400 + 131 * (round + 1);
          await rt.startProcessor(spec);
        }
      }
      await rt.waitForLagZero(120_000);
    } finally {
      await rt.stop();
    }
    timings.push(`lake written on the broker in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    db = await LakeDb.open(lakeDir, specs);
    const opened = Date.now();
    definitions = deployed;
    lake = await TrinoLake.open({ trino, lakeDir, definitions });
    timings.push(`tables and views created on Trino in ${((Date.now() - opened) / 1000).toFixed(1)} s`);
  });

  afterAll(async () => {
    await db?.close();
    await lake?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('holds what was produced, with batches that crashed after writing', async () => {
    expect(failedAfterWrite).toBeGreaterThan(0);
    for (const spec of specs) {
      const [{ n }] = await lake.rows(`SELECT (SELECT count(*) FROM "${spec.name}_events") + (SELECT count(*) FROM "${spec.name}_quarantine") AS n`);
      expect(n).toBe(BigInt(produced[spec.name].length));
    }
  });

  it('creates every deployed table and view', async () => {
    const tables = (await lake.rows(`SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = '${definitions.database}' ORDER BY table_name`)).map(
      (r) => `${r.table_name} ${r.table_type}`,
    );
    expect(tables).toEqual([...definitions.tables.map((t) => `${t.Name} BASE TABLE`), ...definitions.views.map((v) => `${v.name} VIEW`)].sort());
  });

  it('returns the same rows for every view on Trino and on the DuckDB lake', async () => {
    const sqls = definitions.views.map((v) => `SELECT * FROM "${v.name}"`);
    const answers = await inParallel(sqls, 3, async (sql) => fromTrino(await lake.query(sql)));
    for (const [i, sql] of sqls.entries()) {
      expect({ sql, rows: answers[i].rows.length > 0 }).toEqual({ sql, rows: true });
      expectSameRows(sql, answers[i], await fromDuck(db, sql), false);
    }
  });

  it('returns the same rows in the same order for every named query', async () => {
    expect(definitions.namedQueries.map((q) => q.name)).toContain('sales-top-countries');
    const answers = await inParallel(definitions.namedQueries, 3, async (q) => fromTrino(await lake.named(q.name)));
    for (const [i, q] of definitions.namedQueries.entries()) {
      expect({ query: q.name, rows: answers[i].rows.length > 0 }).toEqual({ query: q.name, rows: true });
      expectSameRows(q.name, answers[i], await fromDuck(db, q.sql), true);
    }
  });

  it('reads every object the processors wrote: rows per object, row counts and per-column min/max equal to DuckDB', async () => {
    const statsOf = (table: (typeof definitions.tables)[number]) => {
      const columns = [...table.StorageDescriptor.Columns, ...(table.PartitionKeys ?? [])].map((c) => c.Name);
      return `SELECT count(*) AS "rows", ${columns.map((c) => `count("${c}") AS "n_${c}", min("${c}") AS "min_${c}", max("${c}") AS "max_${c}"`).join(', ')} FROM "${table.Name}"`;
    };
    const perObjectOf = (table: (typeof definitions.tables)[number]) =>
      `SELECT substr("$path", length('local:///lake/') + 1) AS object, count(*) AS n FROM "${table.Name}" GROUP BY 1 ORDER BY 1`;
    const answers = await inParallel(definitions.tables, 3, async (t) => ({
      stats: fromTrino(await lake.query(statsOf(t))),
      perObject: fromTrino(await lake.query(perObjectOf(t))),
    }));
    for (const [i, table] of definitions.tables.entries()) {
      const stats = statsOf(table);
      expectSameRows(stats, answers[i].stats, await fromDuck(db, stats), true);
      if (table.Parameters.classification !== 'parquet') continue;
      const folder = table.StorageDescriptor.Location.replace(definitions.bucketUri, '');
      const files = parquetFiles(lakeDir, join(lakeDir, folder));
      expect(files.length).toBeGreaterThan(0);
      const perObject = answers[i].perObject;
      expect(perObject.rows.map((r) => r[0])).toEqual(files);
      const duckPerObject = await fromDuck(
        db,
        `SELECT filename AS object, count(*) AS n FROM read_parquet('${join(lakeDir, folder)}**/*.parquet', filename = true) GROUP BY 1 ORDER BY 1`,
      );
      expectSameRows(
        `${table.Name} rows per object`,
        perObject,
        { columns: duckPerObject.columns, rows: duckPerObject.rows.map(([f, n]) => [relative(lakeDir, String(f)), n]) },
        true,
      );
    }
  });

  it("prints the statement and Trino's error when Trino fails", async () => {
    const error = await lake.query('SELECT no_such_column FROM "sales_events"').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(TrinoQueryError);
    expect((error as Error).message).toMatch(
      /^Trino failed \(COLUMN_NOT_FOUND\): line 1:8: Column 'no_such_column' cannot be resolved\n--- statement ---\nSELECT no_such_column FROM "sales_events"$/,
    );
  });

  it('runs a named query for the CLI (query --engine trino) on a running server', async () => {
    const r = await queryWithTrino({ named: 'sales-top-countries', lakeDir, trino, definitions });
    expect(r.columns.map((c) => c.name)).toEqual(['country', 'sales', 'orders']);
    expect(r.rows).toEqual((await lake.named('sales-top-countries')).rows);
    expect(r.trino.version).toBe('476');
    await expect(queryWithTrino({ named: 'nope', lakeDir, trino, definitions })).rejects.toThrow("unknown named query 'nope' (known: clickstream-latest-events, ");
    await expect(queryWithTrino({ sql: 'SELECT count(*) AS n FROM "sales_events"', lakeDir, trino, definitions })).resolves.toMatchObject({
      rows: [[BigInt(produced.sales.filter((x) => !x.malformed).length)]],
    });
  });
});

describe('partition projection shows every event the processor accepts', () => {
  // a pipeline whose producers may stamp events up to three days ahead
  const ahead: PipelineSpec = { ...clickstream, eventTime: { ...clickstream.eventTime, maxFutureSeconds: 3 * 86_400 } };
  let lakeDir: string;
  const now = Date.now();

  beforeAll(async () => {
    lakeDir = mkdtempSync(join(tmpdir(), 'streamlake-trino-ahead-'));
    const handler = createProcessorHandler({ spec: ahead, store: new LocalLakeStore(lakeDir) });
    const times = [now, now + 2.5 * 86_400_000, now + 2.99 * 86_400_000, now + 3.5 * 86_400_000];
    await handler(mskEvent(times.map((t, i) => ({ topic: 'clickstream', partition: 0, offset: i, value: `${t},${i},www.amazon1.com,192.168.2.1`, timestamp: now }))));
  });
  afterAll(() => rmSync(lakeDir, { recursive: true, force: true }));

  const count = async (lake: TrinoLake) =>
    (await lake.rows(`SELECT (SELECT count(*) FROM "clickstream_events") AS events, (SELECT count(*) FROM "clickstream_quarantine") AS quarantined`))[0];

  it('on Trino with the deployed range, as on the DuckDB lake: events up to maxFutureSeconds ahead are visible', async () => {
    const definitions = lakeDefinitions({ pipelines: [ahead] });
    expect(definitions.tables.find((t) => t.Name === 'clickstream_events_raw')!.Parameters['projection.dt.range']).toBe('2000-01-01,NOW+4DAYS');
    const lake = await TrinoLake.open({ trino, lakeDir, definitions });
    try {
      expect(await count(lake)).toEqual({ events: 3n, quarantined: 1n });
    } finally {
      await lake.close();
    }
    const db = await LakeDb.open(lakeDir, [ahead]);
    expect(await db.query(`SELECT (SELECT count(*) FROM "clickstream_events") AS events, (SELECT count(*) FROM "clickstream_quarantine") AS quarantined`)).toEqual([
      { events: 3n, quarantined: 1n },
    ]);
    await db.close();
  });

  it('while the old NOW+1DAYS range hid them on Trino, which the synth-time check now refuses', async () => {
    const deployed = lakeDefinitions({ pipelines: [ahead] });
    const old: LakeDefinitions = {
      ...deployed,
      tables: deployed.tables.map((t) => (t.Parameters['projection.dt.range'] ? { ...t, Parameters: { ...t.Parameters, 'projection.dt.range': '2000-01-01,NOW+1DAYS' } } : t)),
    };
    const lake = await TrinoLake.open({ trino, lakeDir, definitions: old });
    try {
      expect(await count(lake)).toEqual({ events: 1n, quarantined: 1n });
    } finally {
      await lake.close();
    }
    expect(() => checkProjectionCoversAcceptedEvents(ahead, 'clickstream_events_raw', old.tables[0].Parameters)).toThrow(/end it at NOW\+4DAYS/);
  });
});
