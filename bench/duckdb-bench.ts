/**
 * The reference: DuckDB with one thread doing the same work from the same bytes — read the
 * CSV/NDJSON values, validate types, join the reference data, write the enriched Parquet (zstd)
 * and compute the windows into Parquet.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedRecord } from '../lambda/traffic/generate';
import type { PipelineSpec } from '../model/spec';
import { REPO_ROOT } from '../local/runtime';
import { ConfigurationError, InternalError } from '../model/errors';

const NEWLINE = Buffer.from('\n');

export interface DuckDbRun {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSec: number;
  readonly eventsBytes: number;
  readonly bytesPerRecord: number;
}

/**
 * The Kafka coordinates our events rows carry, so both sides write the same rows: the bench
 * input is one partition with offsets in file order, Kafka timestamp = event time + 5 ms, and the
 * key the generator used (ip, customer id).
 */
function kafkaColumns(spec: PipelineSpec, timeColumn: string, keyExpression: string): string {
  return [
    `'${spec.topic.name}' AS kafka_topic`,
    `0::INTEGER AS kafka_partition`,
    `(row_number() OVER () - 1)::BIGINT AS kafka_offset`,
    `${timeColumn} + INTERVAL 5 MILLISECOND AS kafka_timestamp`,
    `${keyExpression} AS kafka_key`,
    `TIMESTAMP '2026-11-22 00:00:00' AS written_at`,
  ].join(', ');
}

function sqlFor(spec: PipelineSpec, input: string, out: string): string[] {
  if (spec.name === 'clickstream') {
    const events = `SELECT make_timestamp(recordtime * 1000) AS recordtime, eventid, url, ip,
        regexp_replace(lower(regexp_extract(url, '^(?:[a-zA-Z][a-zA-Z0-9+.-]*://)?(?:[^@/?#]*@)?([^:/?#]*)', 1)), '^www\\.', '') AS domain
      FROM read_csv('${input}', header = false, columns = {'recordtime': 'BIGINT', 'eventid': 'BIGINT', 'url': 'VARCHAR', 'ip': 'VARCHAR'}, ignore_errors = true)`;
    return [
      `CREATE TEMP TABLE ev AS ${events}`,
      `COPY (SELECT *, ${kafkaColumns(spec, 'recordtime', 'ip')} FROM ev) TO '${out}/events.parquet' (FORMAT parquet, COMPRESSION zstd)`,
      `COPY (SELECT time_bucket(INTERVAL 60 SECOND, recordtime) AS window_start, url, count(*) AS page_views FROM ev GROUP BY ALL)
        TO '${out}/windows.parquet' (FORMAT parquet, COMPRESSION zstd)`,
    ];
  }
  if (spec.name === 'sales') {
    const ref = spec.references![0];
    const events = `SELECT s.*, coalesce(r.region, 'Unassigned') AS region
      FROM read_json('${input}', format = 'newline_delimited', ignore_errors = true, columns = {
        'payment_id': 'BIGINT', 'customer_id': 'BIGINT', 'amount': 'DOUBLE', 'payment_date': 'TIMESTAMP',
        'city': 'VARCHAR', 'district': 'VARCHAR', 'country': 'VARCHAR'}) AS s
      LEFT JOIN (SELECT lower(trim(country)) AS k, region FROM read_csv('${join(REPO_ROOT, 'pipelines', 'reference', ref.file)}', header = true)) AS r
        ON lower(trim(s.country)) = r.k`;
    return [
      `CREATE TEMP TABLE ev AS ${events}`,
      `COPY (SELECT *, ${kafkaColumns(spec, 'payment_date', 'customer_id::VARCHAR')} FROM ev) TO '${out}/events.parquet' (FORMAT parquet, COMPRESSION zstd)`,
      `COPY (
        SELECT w.window_start, w.window_start + INTERVAL 600 SECOND AS window_end, region, sum(amount) AS sales, count(*) AS orders
        FROM (SELECT *, unnest([time_bucket(INTERVAL 300 SECOND, payment_date) - INTERVAL 300 SECOND, time_bucket(INTERVAL 300 SECOND, payment_date)]) AS window_start FROM ev) AS w
        GROUP BY ALL) TO '${out}/windows.parquet' (FORMAT parquet, COMPRESSION zstd)`,
    ];
  }
  throw new ConfigurationError(`no DuckDB reference for pipeline '${spec.name}'`);
}

/** `batches` yields the input records (the same ones our processor gets), `count` in all. */
export async function runDuckDb(spec: PipelineSpec, batches: Iterable<readonly GeneratedRecord[]>, count: number, repeats: number): Promise<DuckDbRun> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlake-bench-'));
  try {
    const input = join(dir, spec.value.kind === 'csv' ? 'input.csv' : 'input.ndjson');
    const fd = openSync(input, 'w');
    for (const batch of batches) writeSync(fd, Buffer.concat(batch.flatMap((r) => [r.value, NEWLINE])));
    closeSync(fd);
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const db = await instance.connect();
    let best = Infinity;
    for (let rep = 0; rep < repeats; rep++) {
      await db.run('DROP TABLE IF EXISTS ev');
      const t0 = process.hrtime.bigint();
      for (const sql of sqlFor(spec, input, dir)) await db.run(sql);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const check = await db.runAndReadAll('SELECT count(*)::INTEGER AS n FROM ev');
    const rows = check.getRowObjectsJS()[0].n as number;
    if (rows !== count) throw new InternalError(`DuckDB reference read ${rows} of ${count} records`);
    db.closeSync();
    const eventsBytes = statSync(join(dir, 'events.parquet')).size;
    return { records: count, seconds: best, recordsPerSec: count / best, eventsBytes, bytesPerRecord: eventsBytes / count };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
