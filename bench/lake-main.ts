/**
 * `npm run bench -- --lake`: runs ./lake-bench.ts for each rate, prints the tables and writes the
 * figures as JSON (bench/results-lake.json by default).
 *
 *   --hours H      hours of history (default 3; measured at 1 h and at H h)
 *   --rate R[,R2]  events/s (default 1000; `--rate 1000,10000` runs both)
 *   --pipeline P   default clickstream
 *   --no-trino     DuckDB only
 *   --quick        0.2 h at 200 events/s, measured at 0.1 h and 0.2 h, DuckDB only unless --hours/--rate are given too (the test)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigurationError } from '../model/errors';
import { namedQueries } from '../model/catalog';
import { pipelineByName } from '../pipelines';
import { runLakeBench, type LakeRun, type LayoutMeasurement, type TableLayout } from './lake-bench';

export interface LakeMainOptions {
  readonly quick: boolean;
  readonly out: string;
  readonly hours?: string;
  readonly rate?: string;
  readonly pipeline: string;
  readonly trino: boolean;
  readonly queryRepeats?: string;
}

/** The reference rows are read into memory to be written as one file per partition: room for 10 M rows. */
const HEAP_OPTION = '--max-old-space-size=10240';

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function markdown(rows: string[][]): string {
  const [head, ...body] = rows;
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...body.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export async function mainLake(o: LakeMainOptions): Promise<void> {
  if (!process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
    const child = spawnSync(process.execPath, [...process.execArgv, HEAP_OPTION, ...process.argv.slice(1)], { stdio: 'inherit' });
    process.exit(child.status ?? 1);
  }
  const hours = Number(o.hours ?? (o.quick ? '0.2' : '3'));
  const rates = (o.rate ?? (o.quick ? '200' : '1000')).split(',').map(Number);
  if (!(hours > 0 && hours <= 24)) throw new ConfigurationError(`--hours must be a number in (0, 24], got '${o.hours}'`);
  for (const r of rates) if (!Number.isInteger(r) || r < 1) throw new ConfigurationError(`--rate must be positive integers (events/s), comma-separated, got '${o.rate}'`);
  const repeats = Number(o.queryRepeats ?? (o.quick ? '1' : '5'));
  const spec = pipelineByName(o.pipeline);
  const measureAt = hours > 1 ? [1, hours] : [hours / 2, hours];
  const trino = o.trino && !(o.quick && o.hours === undefined && o.rate === undefined);
  const runs: LakeRun[] = [];
  const out = resolve(o.out);
  mkdirSync(dirname(out), { recursive: true });
  // written after every measurement point, so a long run that is stopped keeps what it measured
  const write = (inProgress?: LakeRun) =>
    writeFileSync(
      out,
      JSON.stringify(
        {
          generatedAt: new Date().toISOString(),
          quick: o.quick,
          complete: inProgress === undefined,
          environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, nodeOptions: process.execArgv },
          command: `npm run bench -- ${process.argv.slice(2).join(' ')}`,
          runs: inProgress ? [...runs, inProgress] : runs,
        },
        null,
        2,
      ) + '\n',
    );
  for (const rate of rates) {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-lake-bench-'));
    try {
      process.stderr.write(`lake: ${spec.name}, ${hours} h at ${fmt(rate)} events/s (measured at ${measureAt.join(' h and ')} h${trino ? ', DuckDB and Trino' : ', DuckDB'})…\n`);
      const onPoint = (run: LakeRun) => {
        write(run);
        process.stderr.write(`  wrote ${out} (${run.points.length} of ${measureAt.length} points)\n`);
      };
      runs.push(await runLakeBench({ spec, hours, rate, measureAt, queryRepeats: repeats, trino, dir, onPoint, log: (l) => process.stderr.write(l + '\n') }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  write();
  for (const run of runs) print(run);
  console.log(`\nwrote ${out}`);
}

function print(run: LakeRun): void {
  const last = run.points[run.points.length - 1];
  console.log(
    `\nLake: ${run.pipeline}, ${run.hours} h at ${fmt(run.rate)} events/s: ${fmt(run.events)} events, ${fmt(run.invocations)} invocations (${run.kafkaPartitions} Kafka partitions, batch ${fmt(run.batchSize)} / ${run.batchingWindowMs / 1000} s, compactor every ${run.compactionPeriodMinutes} min), ${fmt(run.commits)} commits, simulated in ${fmt(run.simulationSeconds)} s\n`,
  );
  const files: string[][] = [
    [
      'table',
      'history',
      'data files/h before',
      'MB/h before',
      'objects/h before',
      'after (day open)',
      'after the day closed',
      'MB/h closed',
      'files per partition per hour, closed',
      'one-file layout files',
    ],
  ];
  for (const p of run.points)
    for (const [name, before] of Object.entries(p.beforeCompaction)) {
      const closed: TableLayout | undefined = p.closed?.layout.tables[name];
      files.push([
        name,
        `${p.hours} h`,
        fmt(before.dataFilesPerHour, 1),
        fmt(before.dataBytesPerHour / 1e6, 2),
        fmt(before.objectsPerHour, 1),
        fmt(p.compacted.tables[name].dataFilesPerHour, 1),
        closed ? fmt(closed.dataFilesPerHour, 2) : '–',
        closed ? fmt(closed.dataBytesPerHour / 1e6, 2) : '–',
        closed ? fmt(closed.filesPerPartitionHour, 2) : '–',
        fmt(p.oneFile.tables[name].dataFiles),
      ]);
    }
  console.log(markdown(files));
  const engines = ['duckdb', 'trino'] as const;
  // a failed query has no time (its error is listed below the tables)
  const ms = (l: LayoutMeasurement, e: (typeof engines)[number], q: string) => (l.queries[e][q]?.error === undefined ? l.queries[e][q]?.ms : undefined);
  const cell = (x: number | undefined) => (x === undefined ? '–' : fmt(x, 1));
  const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined ? '–' : `${fmt(a / b, 2)}×`);
  const queries: string[][] = [['query', 'engine', 'history', 'day open ms', 'one file ms', 'ratio', 'day closed ms', 'ratio']];
  for (const q of namedQueries(pipelineByName(run.pipeline)))
    for (const e of engines)
      for (const p of run.points) {
        if (p.compacted.queries[e][q.name] === undefined) continue;
        const closed = p.closed ? ms(p.closed.layout, e, q.name) : undefined;
        queries.push([
          q.name,
          e === 'duckdb' ? 'DuckDB' : 'Trino',
          `${p.hours} h`,
          cell(ms(p.compacted, e, q.name)),
          cell(ms(p.oneFile, e, q.name)),
          ratio(ms(p.compacted, e, q.name), ms(p.oneFile, e, q.name)),
          cell(closed),
          ratio(closed, ms(p.oneFile, e, q.name)),
        ]);
      }
  console.log(
    '\nNamed queries, median ms (the lake as the scheduled compactor leaves it, the day open; the same rows one file per partition; the lake after the day closed and was compacted)\n',
  );
  console.log(markdown(queries));
  if (run.points.length > 1) {
    const first = run.points[0];
    const growth: string[][] = [['query', 'engine', `growth ${first.hours} h → ${last.hours} h, day open`, 'one-file layout']];
    for (const q of namedQueries(pipelineByName(run.pipeline)))
      for (const e of engines) {
        if (first.compacted.queries[e][q.name] === undefined) continue;
        growth.push([
          q.name,
          e === 'duckdb' ? 'DuckDB' : 'Trino',
          ratio(ms(last.compacted, e, q.name), ms(first.compacted, e, q.name)),
          ratio(ms(last.oneFile, e, q.name), ms(first.oneFile, e, q.name)),
        ]);
      }
    console.log('\nGrowth with history\n');
    console.log(markdown(growth));
  }
  for (const p of run.points)
    for (const [layout, l] of [
      ['day open', p.compacted],
      ['one file', p.oneFile],
      ['day closed', p.closed?.layout],
    ] as const)
      for (const e of engines)
        for (const [q, t] of Object.entries(l?.queries[e] ?? {})) if (t.error !== undefined) console.log(`${p.hours} h, ${layout}, ${e}: ${q} failed: ${t.error}`);
  console.log(
    `\nrows equal in both layouts: ${run.points.every((p) => JSON.stringify(p.compacted.rows) === JSON.stringify(p.oneFile.rows) && (p.closed === undefined || JSON.stringify(p.closed.layout.rows) === JSON.stringify(p.oneFile.rows)))}; named queries' results equal: ${run.points.every((p) => p.sameResults && (p.closed?.sameResults ?? true))}`,
  );
}
