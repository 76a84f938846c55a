/**
 * `npm run bench`: processor throughput per core, Parquet bytes per record, bundle size and cold
 * start, each next to a reference measured in the same run (DuckDB with one thread; a minimal
 * S3 handler; parquet-wasm). Prints a table and writes the figures as JSON to --out.
 *
 *   npm run bench [-- --quick] [-- --out bench/results.json]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compilePipeline, decodeMskEvent, processBatch } from '../lambda/core/processor';
import { pipelineByName } from '../pipelines';
import { measureBundles } from './bundle-bench';
import { runDuckDb } from './duckdb-bench';
import { compareWriters } from './parquet-writers';
import { benchInput, BENCH_START, lazyMskEvents, referencesFor, runProcessor, toMskEvents } from './processor-bench';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results.json' },
    pipelines: { type: 'string', default: 'clickstream,sales' },
  },
});

const quick = args.quick === true;
const FULL_RUN = quick ? 50_000 : 1_000_000;
const PER_BATCH_SIZE_RECORDS = quick ? 20_000 : 100_000;
const BATCH_SIZES = [100, 1_000, 10_000];
const REPEATS = quick ? 2 : 3;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r, k) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ') + (k === 0 ? '\n' + widths.map((w) => '-'.repeat(w)).join('  ') : '')).join('\n');
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = {};
  const summary: string[][] = [['pipeline', 'records/s', 'DuckDB records/s', 'ratio', 'bytes/record', 'DuckDB bytes/record', 'ratio']];
  const batches: string[][] = [['pipeline', ...BATCH_SIZES.map((b) => `batch ${fmt(b)}`), `${fmt(FULL_RUN)} records (batches of 10,000)`]];
  const writers: string[][] = [['pipeline / Parquet library', 'records/s', 'bytes/record', 'package bytes']];

  for (const name of args.pipelines!.split(',')) {
    const spec = pipelineByName(name);
    process.stderr.write(`${name}: generating ${fmt(FULL_RUN)} records…\n`);
    const input = benchInput(spec, FULL_RUN);

    const byBatch: Record<string, number> = {};
    for (const size of BATCH_SIZES) {
      const slice = input.slice(0, PER_BATCH_SIZE_RECORDS);
      byBatch[size] = runProcessor(spec, toMskEvents(spec, slice, size), slice.length, size, REPEATS).recordsPerSec;
      process.stderr.write(`${name}: batch ${size}: ${fmt(byBatch[size])} records/s\n`);
    }
    const full = runProcessor(spec, { [Symbol.iterator]: () => lazyMskEvents(spec, input, 10_000) }, input.length, 10_000, 2);
    process.stderr.write(`${name}: full run ${fmt(full.recordsPerSec)} records/s; DuckDB…\n`);
    const duck = await runDuckDb(spec, input, REPEATS);

    const sample = input.slice(0, PER_BATCH_SIZE_RECORDS);
    const p = compilePipeline(spec, referencesFor(spec));
    const eventObjects = toMskEvents(spec, sample, 10_000)
      .flatMap((e) => decodeMskEvent(e))
      .flatMap((b) => processBatch(p, b, BENCH_START).objects.filter((o) => o.kind === 'events'));
    const writerRuns = await compareWriters(eventObjects, sample.length, REPEATS);

    results[name] = {
      recordsPerSec: full.recordsPerSec,
      duckdbRecordsPerSec: duck.recordsPerSec,
      throughputRatio: full.recordsPerSec / duck.recordsPerSec,
      bytesPerRecord: full.bytesPerRecord,
      duckdbBytesPerRecord: duck.bytesPerRecord,
      bytesRatio: full.bytesPerRecord / duck.bytesPerRecord,
      recordsPerSecByBatchSize: byBatch,
      records: FULL_RUN,
      parquetWriters: writerRuns,
    };
    summary.push([name, fmt(full.recordsPerSec), fmt(duck.recordsPerSec), `${fmt(full.recordsPerSec / duck.recordsPerSec, 2)}×`, fmt(full.bytesPerRecord, 2), fmt(duck.bytesPerRecord, 2), `${fmt(full.bytesPerRecord / duck.bytesPerRecord, 2)}×`]);
    batches.push([name, ...BATCH_SIZES.map((b) => fmt(byBatch[b])), fmt(full.recordsPerSec)]);
    for (const [lib, r] of Object.entries(writerRuns)) writers.push([`${name} / ${lib}`, fmt(r.recordsPerSec), fmt(r.bytesPerRecord, 2), fmt(r.packageBytes)]);
  }

  process.stderr.write('bundles and cold start…\n');
  const bundles = measureBundles(quick ? 3 : 7);
  const bundleRows: string[][] = [['bundle', 'bytes (minified)', 'cold-start import ms (median)']];
  for (const [name, b] of Object.entries(bundles)) bundleRows.push([name, fmt(b.bundleBytes), fmt(b.coldStartMs, 1)]);

  const doc = {
    generatedAt: new Date().toISOString(),
    quick,
    environment: { node: process.version, cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, note: 'one process, one thread; DuckDB threads=1' },
    pipelines: results,
    bundles,
  };
  const out = resolve(args.out!);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');

  console.log(`\nProcessor (decode → parse → validate → enrich → window → Parquet) vs DuckDB (1 thread), ${fmt(FULL_RUN)} records\n`);
  console.log(table(summary));
  console.log('\nRecords/s by batch size\n');
  console.log(table(batches));
  console.log('\nParquet libraries on the same events rows\n');
  console.log(table(writers));
  console.log('\nBundles\n');
  console.log(table(bundleRows));
  console.log(`\nwrote ${out}`);
}

main().catch((err: unknown) => {
  console.error(`bench failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
