/**
 * `npm run bench`: processor throughput per core, with and without the commits to the Iceberg
 * tables, Parquet bytes per record, bundle size and cold start, each next to a reference measured
 * in the same run (DuckDB with one thread; the processor path alone; a minimal S3 handler; parquet-wasm). Prints a table and writes the figures as JSON to --out.
 *
 *   npm run bench [-- --quick] [-- --out bench/results.json]
 *   npm run bench -- --e2e [--duration 180]
 *   npm run bench -- --lake [--hours 3] [--rate 1000[,10000]] [--pipeline clickstream] [--no-trino] [--quick]   (./lake-bench.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compilePipeline, decodeMskEvent, processBatch } from '../lambda/core/processor';
import { PROCESSOR_V8_OPTIONS } from '../model/node-options';
import { pipelineByName } from '../pipelines';
import { measureBundles } from './bundle-bench';
import { runDuckDb } from './duckdb-bench';
import { E2E_BATCH_SIZE, E2E_BATCHING_WINDOW_MS, runE2e } from './e2e-bench';
import { compareWriters, type WriterRun } from './parquet-writers';
import { runCommits, type CommitRun } from './commit-bench';
import { benchBatches, benchInput, BENCH_START, referencesFor, runProcessor, streamedEventTexts, toMskEvents } from './processor-bench';
import { ConfigurationError, InternalError } from '../model/errors';
import { mainLake } from './lake-main';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
    pipelines: { type: 'string', default: 'clickstream,sales' },
    e2e: { type: 'boolean', default: false },
    duration: { type: 'string', default: '180' },
    lake: { type: 'boolean', default: false },
    hours: { type: 'string' },
    rate: { type: 'string' },
    pipeline: { type: 'string', default: 'clickstream' },
    'no-trino': { type: 'boolean', default: false },
    'query-repeats': { type: 'string' },
    worker: { type: 'string' },
  },
});

const quick = args.quick === true;
const FULL_RUN = quick ? 50_000 : 1_000_000;
const PER_BATCH_SIZE_RECORDS = quick ? 20_000 : 100_000;
const BATCH_SIZES = [100, 1_000, 10_000];
const REPEATS = quick ? 2 : 3;
/** The event source mapping's default batch size and its maximum. */
const COMMIT_BATCH_SIZES = [1_000, 10_000];

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r, k) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + (k === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : ''))
    .join('\n');
}

async function mainE2e(): Promise<void> {
  const seconds = Number(args.duration);
  if (!Number.isInteger(seconds) || seconds < 5) throw new ConfigurationError(`--duration must be an integer ≥ 5 (seconds), got '${args.duration}'`);
  const spec = pipelineByName('clickstream');
  const runs = [];
  for (const rate of [1_000, 10_000]) {
    process.stderr.write(`e2e: ${spec.name} at ${fmt(rate)} events/s for ${seconds}s (batch size ${fmt(E2E_BATCH_SIZE)}, window ${E2E_BATCHING_WINDOW_MS / 1000} s)…\n`);
    runs.push(await runE2e(spec, rate, seconds, (l) => process.stderr.write(l + '\n')));
  }
  const rows: string[][] = [['rate (events/s)', 'produced', 'achieved produce rate', 'processed/s', 'freshness p50 ms', 'p95 ms', 'p99 ms', 'max lag', 'drain s', 'reconciled']];
  for (const r of runs)
    rows.push([
      fmt(r.ratePerSec),
      fmt(r.produced),
      fmt(r.achievedProduceRate),
      fmt(r.processedPerSec),
      fmt(r.freshnessMs.p50),
      fmt(r.freshnessMs.p95),
      fmt(r.freshnessMs.p99),
      fmt(r.maxLag),
      fmt(r.drainSeconds, 1),
      String(r.reconciled),
    ]);
  const out = resolve(args.out === 'bench/results.json' ? 'bench/results-e2e.json' : args.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify({ generatedAt: new Date().toISOString(), environment: { node: process.version, cores: cpus().length }, pipeline: spec.name, runs }, null, 2) + '\n',
  );
  console.log(
    `\nEnd to end on the local broker: ${spec.name}, ${seconds}s per rate, batch size ${fmt(E2E_BATCH_SIZE)}, window ${E2E_BATCHING_WINDOW_MS / 1000} s (the deployed defaults)\n`,
  );
  console.log(table(rows));
  for (const r of runs)
    console.log(
      `\nlag over time, ${fmt(r.ratePerSec)}/s (every 10 s): ${r.lagSamples
        .filter((s) => s.t % 10 === 0)
        .map((s) => `${s.t}s:${s.lag}`)
        .join(' ')}`,
    );
  console.log(`\nwrote ${out}`);
}

interface PipelineResult {
  readonly recordsPerSec: number;
  readonly duckdbRecordsPerSec: number;
  readonly throughputRatio: number;
  readonly bytesPerRecord: number;
  readonly duckdbBytesPerRecord: number;
  readonly bytesRatio: number;
  readonly recordsPerSecByBatchSize: Record<string, number>;
  readonly records: number;
  readonly parquetWriters: Record<string, WriterRun>;
  /** The handler committing to the Iceberg tables through the local REST catalog, by batch size. */
  readonly commits: Record<string, CommitRun>;
}

/** Every figure of one pipeline. Runs in a process of its own (see main). */
async function measurePipeline(name: string): Promise<PipelineResult> {
  const spec = pipelineByName(name);
  // the full run's input is generated batch by batch as it is consumed, on both sides
  const full = runProcessor(spec, { [Symbol.iterator]: () => streamedEventTexts(spec, FULL_RUN, 10_000) }, FULL_RUN, 10_000, 2);
  process.stderr.write(`${name}: ${fmt(FULL_RUN)} records: ${fmt(full.recordsPerSec)} records/s\n`);

  const sample = benchInput(spec, PER_BATCH_SIZE_RECORDS);
  const byBatch: Record<string, number> = {};
  for (const size of BATCH_SIZES) {
    const texts = toMskEvents(spec, sample, size).map((e) => JSON.stringify(e));
    byBatch[size] = runProcessor(spec, texts, sample.length, size, REPEATS).recordsPerSec;
    process.stderr.write(`${name}: batch ${size}: ${fmt(byBatch[size])} records/s\n`);
  }
  process.stderr.write(`${name}: DuckDB…\n`);
  const duck = await runDuckDb(spec, benchBatches(spec, FULL_RUN, 10_000), FULL_RUN, REPEATS);

  const p = compilePipeline(spec, referencesFor(spec));
  const eventObjects = toMskEvents(spec, sample, 10_000)
    .flatMap((e) => decodeMskEvent(e))
    .flatMap((b) => processBatch(p, b, BENCH_START).objects.filter((o) => o.kind === 'events'));
  const writerRuns = await compareWriters(eventObjects, sample.length, REPEATS);
  const commits: Record<string, CommitRun> = {};
  for (const size of COMMIT_BATCH_SIZES) {
    commits[size] = await runCommits(spec, sample, size);
    process.stderr.write(`${name}: batch ${size} committed to Iceberg tables: ${fmt(commits[size].recordsPerSec)} records/s\n`);
  }
  return {
    recordsPerSec: full.recordsPerSec,
    duckdbRecordsPerSec: duck.recordsPerSec,
    throughputRatio: full.recordsPerSec / duck.recordsPerSec,
    bytesPerRecord: full.bytesPerRecord,
    duckdbBytesPerRecord: duck.bytesPerRecord,
    bytesRatio: full.bytesPerRecord / duck.bytesPerRecord,
    recordsPerSecByBatchSize: byBatch,
    records: FULL_RUN,
    parquetWriters: writerRuns,
    commits,
  };
}

async function main(): Promise<void> {
  if (args.e2e) return mainE2e();
  if (args.lake)
    return mainLake({
      quick,
      out: args.out === 'bench/results.json' ? 'bench/results-lake.json' : args.out!,
      hours: args.hours,
      rate: args.rate,
      pipeline: args.pipeline!,
      trino: !args['no-trino'],
      queryRepeats: args['query-repeats'],
    });
  if (args.worker) {
    process.stdout.write(JSON.stringify(await measurePipeline(args.worker)));
    return;
  }
  const results: Record<string, PipelineResult> = {};
  const summary: string[][] = [['pipeline', 'records/s', 'DuckDB records/s', 'ratio', 'bytes/record', 'DuckDB bytes/record', 'ratio']];
  const batches: string[][] = [['pipeline', ...BATCH_SIZES.map((b) => `batch ${fmt(b)}`), `${fmt(FULL_RUN)} records (batches of 10,000)`]];
  const writers: string[][] = [['pipeline / Parquet library', 'records/s', 'bytes/record', 'package bytes']];
  const commitRows: string[][] = [['pipeline / batch size', 'records/s, commits included', 'processor path alone', 'ratio', 'ms per invocation', 'snapshots']];

  for (const name of args.pipelines!.split(',')) {
    pipelineByName(name); // fails here, with the known names, for a typo
    // One process per pipeline, as each processor is its own Lambda function: measuring one
    // after the other in a process would hand the second a JIT shaped by the first.
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1], '--worker', name, ...(quick ? ['--quick'] : [])], {
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 << 20,
    });
    if (child.status !== 0) throw new InternalError(`measuring ${name} failed (exit ${child.status})`);
    const r = (results[name] = JSON.parse(child.stdout.toString()) as PipelineResult);
    summary.push([
      name,
      fmt(r.recordsPerSec),
      fmt(r.duckdbRecordsPerSec),
      `${fmt(r.throughputRatio, 2)}×`,
      fmt(r.bytesPerRecord, 2),
      fmt(r.duckdbBytesPerRecord, 2),
      `${fmt(r.bytesRatio, 2)}×`,
    ]);
    batches.push([name, ...BATCH_SIZES.map((b) => fmt(r.recordsPerSecByBatchSize[b])), fmt(r.recordsPerSec)]);
    for (const [lib, w] of Object.entries(r.parquetWriters)) writers.push([`${name} / ${lib}`, fmt(w.recordsPerSec), fmt(w.bytesPerRecord, 2), fmt(w.packageBytes)]);
    for (const c of Object.values(r.commits))
      commitRows.push([
        `${name} / ${fmt(c.batchSize)}`,
        fmt(c.recordsPerSec),
        fmt(c.coreRecordsPerSec),
        `${fmt(c.recordsPerSec / c.coreRecordsPerSec, 2)}×`,
        fmt(c.msPerInvocation, 1),
        fmt(c.commits),
      ]);
  }

  process.stderr.write('bundles and cold start…\n');
  const bundles = measureBundles(quick ? 3 : 7);
  const bundleRows: string[][] = [['bundle', 'bytes (minified)', 'cold-start import ms (median)']];
  for (const [name, b] of Object.entries(bundles)) bundleRows.push([name, fmt(b.bundleBytes), fmt(b.coldStartMs, 1)]);

  const doc = {
    generatedAt: new Date().toISOString(),
    quick,
    environment: {
      node: process.version,
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      note: 'one process, one thread; DuckDB threads=1',
      nodeOptions: process.execArgv,
    },
    pipelines: results,
    bundles,
  };
  const out = resolve(args.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');

  console.log(`\nProcessor (decode → parse → validate → enrich → window → Parquet; node ${process.execArgv.join(' ')}) vs DuckDB (1 thread), ${fmt(FULL_RUN)} records\n`);
  console.log(table(summary));
  console.log('\nRecords/s by batch size\n');
  console.log(table(batches));
  console.log('\nCommitted to the Iceberg tables through the local REST catalog (one invocation at a time), next to the processor path alone\n');
  console.log(table(commitRows));
  console.log('\nParquet libraries on the same events rows\n');
  console.log(table(writers));
  console.log('\nBundles\n');
  console.log(table(bundleRows));
  console.log(`\nwrote ${out}`);
}

// The processor runs in Lambda with PROCESSOR_V8_OPTIONS: measure it under the same ones.
const missing = PROCESSOR_V8_OPTIONS.filter((o) => !process.execArgv.includes(o));
if (missing.length > 0) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...missing, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
