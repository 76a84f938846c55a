#!/usr/bin/env node
/**
 * streamlake CLI (local mode): `demo`, `up`, `produce`, `replay`, `query`, `down`.
 * Bad arguments get a one-line error and exit code 2; failures exit 1; never a stack trace
 * unless STREAMLAKE_DEBUG=1.
 */
import { createReadStream, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { Type } from 'avsc';
import { GlueClient } from '@aws-sdk/client-glue';
import { logLevel, type Message } from 'kafkajs';
import { ConfluentSchemaRegistry, GlueSchemaRegistry } from '../lambda/adapters/schema-registry';
import { avroSchemaOf } from '../lambda/core/avro';
import { createKafka, parseBootstrap } from '../lambda/adapters/kafka-client';
import { S3LakeStore } from '../lambda/adapters/s3-lake-store';
import type { LakeStore } from '../lambda/adapters/lake-store';
import { LocalLakeStore } from '../lambda/adapters/local-lake-store';
import { createProcessorHandler } from '../lambda/handlers/processor';
import { replayFailedBatches } from './replay-failed';
import { KafkaSummaryPublisher } from '../lambda/adapters/summary-publisher';
import { readSummaryTotals } from './summary';
import { avroSchemaNameOf, withAvroValues, type PipelineSpec } from '../model/spec';
import { PIPELINE_NAMES, pipelineByName } from '../pipelines';
import { namedQueries } from '../model/catalog';
import { athenaQuery, mskBootstrap } from './aws';
import { waitForBroker } from './broker/kafka-broker';
import { ensureTopics } from './broker/topics';
import { produce, sendPaced } from './produce';
import { LakeDb } from './query/lake-db';
import { DEFAULT_STATE_DIR, LocalRuntime } from './runtime';
import { localAvroEncoder, localSchemaRegistry, registeredAvroEncoder, schemaDirOf } from './schemas';

class UsageError extends Error {}

/** A client of a local (plaintext) broker, quiet: the CLI reports errors itself. */
const localKafka = (bootstrap: string, clientId: string) => createKafka({ brokers: parseBootstrap(bootstrap), clientId, auth: { kind: 'none' }, logLevel: logLevel.NOTHING });

const UP_STATE = join(DEFAULT_STATE_DIR, 'up.json');

const HELP: Record<string, string> = {
  main: `streamlake — run the pipeline locally on a real Kafka broker

usage: npm run streamlake -- <command> [options]      (or: npx tsx local/cli.ts <command>)

commands:
  demo      start everything, publish sample traffic, wait until processed, show results, stop
  up        start the broker and the processors and keep them running (Ctrl-C or 'down' stops)
  produce   publish generated events of a pipeline
  replay    publish the lines of a CSV/JSONL/log file (or stdin) to a topic at a rate
  summary   current window totals materialized from a pipeline's summary topic
  replay-failed  re-drive the batches that exhausted their retries (the on-failure folder)
  query     run SQL or a named query on the local lake with DuckDB (the local Athena)
  down      stop what 'up' started

'<command> --help' describes each command's options.`,
  demo: `usage: streamlake demo [--count N] [--lake DIR] [--avro]
  --count N      events per pipeline (default 20000)
  --lake DIR     lake directory (default .streamlake/lake)
  --avro         sales values as Avro: half in the Glue Schema Registry wire format (zlib), half in
                 the Confluent one, schemas in the local registry directory (.streamlake/schemas)`,
  up: `usage: streamlake up [--pipelines a,b] [--avro a,b] [--registry-url URL] [--lake DIR | --s3-endpoint URL --bucket NAME]
                   [--batch-size N] [--batching-window-ms N]
  --avro         pipelines whose values are Avro (as streamlake:avroPipelines deploys them); writer
                 schemas from .streamlake/schemas, then the Confluent-compatible --registry-url
  Starts a broker (KAFKA_BOOTSTRAP, else Docker, else the Kafka jars with Java) and the processors,
  then keeps running; 'streamlake down' or Ctrl-C stops them.`,
  produce: `usage: streamlake produce --pipeline NAME [--count N] [--rate N] [--seed N] [--malformed RATIO] [--bootstrap HOST:PORT]
                        [--format avro [--wire glue|confluent] [--zlib] [--writer-schema FILE] [--registry-url URL]]
                        [--msk --region R [--cluster-arn ARN | --ssm-parameter NAME] [--registry NAME]]
  --pipeline     ${PIPELINE_NAMES.join(' | ')}
  --count        events (default 1000)
  --rate         events per second (default 1000; 0 = as fast as possible)
  --malformed    share of deliberately malformed events, 0–1 (default 0)
  --format avro  Avro values (for a pipeline run with 'up --avro' or deployed with streamlake:avroPipelines)
  --wire         glue (default): header 3, compression byte, schema version id; confluent: magic 0, schema id
  --zlib         zlib-compress the payloads (glue wire only)
  --writer-schema  an Avro schema file to write with (an evolution of the pipeline's: added fields
                 with defaults, removed optional fields); registered before producing
  --registry-url a Confluent-compatible registry to register the writer schema in (confluent wire);
                 locally the default is the schema directory .streamlake/schemas
  --registry     with --msk and --wire glue: the Glue registry (default streamlake, the stack prefix);
                 records carry the schema's latest version
  --bootstrap    broker (default: the one 'up' started, or KAFKA_BOOTSTRAP)
  --msk          publish to Amazon MSK with IAM auth (aws-msk-iam-sasl-signer-js, default credentials);
                 brokers from --bootstrap, --cluster-arn (kafka:GetBootstrapBrokers) or the SSM
                 parameter the kafka stack writes (default /streamlake/kafka/bootstrap-brokers)`,
  replay: `usage: streamlake replay --topic NAME [--file PATH|-] [--rate N] [--key-field NAME] [--bootstrap HOST:PORT]
  Publishes every non-empty line of the file (or stdin with '-' or no --file) as one record.
  --key-field    JSON field (JSONL) or CSV column number (from 1) to use as the record key`,
  query: `usage: streamlake query (--named NAME | --sql "SELECT …") [--lake DIR] [--list]
                      [--athena --region R [--workgroup streamlake] [--database streamlake]]
  --list         list the named queries
  --athena       run in the deployed Athena workgroup instead of DuckDB on the local lake`,
  down: `usage: streamlake down   stops the broker and processors started by 'up'`,
  summary: `usage: streamlake summary --pipeline NAME [--bootstrap HOST:PORT]
  Reads the pipeline's summary topic from the start and merges the per-batch window updates
  (latest attempt per first offset; an attempt another starts inside is superseded).`,
  'replay-failed': `usage: streamlake replay-failed --pipeline NAME [--avro [--registry-url URL]] [--dir DIR] [--lake DIR | --s3-endpoint URL --bucket NAME]
  Replays each on-failure record (default .streamlake/failed-batches/<pipeline>/) through the processor;
  replayed records move to <dir>/replayed/. Their object keys are those of the failed attempts: nothing twice.`,
};

function parse(command: string, args: string[], options: ParseArgsConfig['options']) {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean' } }, allowPositionals: false, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (err) {
    void command;
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

function int(name: string, value: string | boolean | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

function rateOf(value: string | boolean | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--rate must be a number ≥ 0 (0 = as fast as possible), got '${value}'`);
  return n === 0 ? Infinity : n;
}

function specOf(name: string | boolean | undefined): PipelineSpec {
  if (typeof name !== 'string') throw new UsageError(`--pipeline is required (${PIPELINE_NAMES.join(', ')})`);
  try {
    return pipelineByName(name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function progress(label: string, total: number): (n: number) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  return (n) => {
    const pct = Math.floor((100 * n) / total);
    if (pct === lastPct) return;
    lastPct = pct;
    const width = 30;
    const bar = '█'.repeat(Math.round((width * n) / total)).padEnd(width, '░');
    const line = `${label.padEnd(12)} ${bar} ${String(pct).padStart(3)}% ${n}/${total}`;
    if (tty) process.stderr.write(`\r${line}${n >= total ? '\n' : ''}`);
    else if (n >= total || pct % 25 === 0) process.stderr.write(`${line}\n`);
  };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('.000Z', '');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (Buffer.isBuffer(v)) return v.toString('utf8').slice(0, 40);
  return String(v);
}

export function table(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

async function bootstrapFor(value: string | boolean | undefined): Promise<string> {
  const bootstrap = typeof value === 'string' ? value : process.env.KAFKA_BOOTSTRAP ?? (existsSync(UP_STATE) ? JSON.parse(readFileSync(UP_STATE, 'utf8')).bootstrap : undefined);
  if (!bootstrap) throw new UsageError("no broker: run 'streamlake up' first, or pass --bootstrap HOST:PORT (or set KAFKA_BOOTSTRAP)");
  try {
    parseBootstrap(bootstrap);
    await waitForBroker(bootstrap, 5000);
  } catch (err) {
    throw new UsageError(`broker ${bootstrap} is unreachable: ${(err as Error).message.split(':').slice(-1)[0].trim()}`);
  }
  return bootstrap;
}

async function demo(args: string[]): Promise<void> {
  const o = parse('demo', args, { count: { type: 'string' }, lake: { type: 'string' }, avro: { type: 'boolean' } });
  if (o.help) return void console.log(HELP.demo);
  const count = int('count', o.count, 20_000, 1, 1_000_000);
  const lakeDir = resolve(typeof o.lake === 'string' ? o.lake : join(DEFAULT_STATE_DIR, 'lake'));
  rmSync(lakeDir, { recursive: true, force: true });
  const shipped = PIPELINE_NAMES.map(pipelineByName);
  const avro = o.avro === true;
  const specs = shipped.map((s) => (avro && s.name === 'sales' ? withAvroValues(s) : s));
  const started = Date.now();
  const say = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${s}`);
  say('starting a Kafka broker…');
  const rt = await LocalRuntime.start({ specs, lakeDir, batchSize: 1000, batchingWindowMs: 500, log: (l) => say(l) });
  try {
    say(`broker ready at ${rt.broker.bootstrap} (${rt.broker.kind}); topics: ${specs.map((s) => `${s.topic.name} (${s.topic.partitions} partitions)`).join(', ')}`);
    say(`processors running behind the event-source-mapping emulator (batch size 1000, window 500 ms)`);
    for (const spec of shipped) {
      if (avro && spec.name === 'sales') {
        // both wire formats on one topic: the processor tells them apart by the first byte
        const half = Math.ceil(count / 2);
        const glue = await localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire: 'glue', zlib: true });
        const confluent = await localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire: 'confluent' });
        await produce(rt.kafka, spec, { count: half, rate: Infinity, seed: 7, malformedRatio: 0.01, encodeValue: glue, onProgress: progress('sales/glue', half) });
        await produce(rt.kafka, spec, { count: count - half, rate: Infinity, seed: 8, malformedRatio: 0.01, encodeValue: confluent, onProgress: progress('sales/conf', count - half) });
        say(`sales values: Avro, ${half} in the Glue Schema Registry wire format (zlib) and ${count - half} in the Confluent one; schemas in ${schemaDirOf(DEFAULT_STATE_DIR)}`);
      } else {
        await produce(rt.kafka, spec, { count, rate: Infinity, seed: 7, malformedRatio: 0.01, onProgress: progress(spec.name, count) });
      }
    }
    say('waiting until every event is processed (consumer lag 0)…');
    await rt.waitForLagZero(120_000);
    say(`processed: ${[...rt.emulators.entries()].map(([n, e]) => `${n} ${e.stats.records} records in ${e.stats.batches} batches`).join('; ')}`);
    const db = await LakeDb.open(rt.lakeDir, specs);
    try {
      console.log('\nThe latest 10 clickstream events (named query clickstream-latest-events):');
      console.log(table((await db.named('clickstream-latest-events')).map(({ kafka_key: _k, written_at: _w, ...r }) => r)));
      console.log('\nPage views per URL per minute (clickstream-page-views-1m, latest first):');
      console.log(table((await db.named('clickstream-page-views-1m')).slice(0, 12)));
      console.log('\nSales and orders per region per 10-minute window sliding by 5 (sales-region-10m):');
      console.log(table((await db.named('sales-region-10m')).slice(0, 16)));
      const counts = await db.query(
        `SELECT 'clickstream' AS pipeline, (SELECT count(*) FROM clickstream_events) AS events, (SELECT count(*) FROM clickstream_quarantine) AS quarantined
         UNION ALL SELECT 'sales', (SELECT count(*) FROM sales_events), (SELECT count(*) FROM sales_quarantine)`,
      );
      const salesSpec = specs.find((x) => x.name === 'sales')!;
      const totals = await readSummaryTotals(rt.kafka, salesSpec, salesSpec.windows![0]);
      const view = await db.query('SELECT window_start, region, orders FROM sales_region_10m');
      const agree = totals.length === view.length && view.every((r) => totals.some((t) => t.window_start === (r.window_start as Date).toISOString() && t.keys.region === r.region && t.values.orders === Number(r.orders)));
      console.log(`\nSummary topic ${salesSpec.windows![0].summaryTopic}: ${totals.length} window totals merged from the per-batch updates — ${agree ? 'equal to' : 'DIFFERENT FROM'} the lake view`);
      console.log('\nEvery record accounted for:');
      console.log(table(counts.map((r) => ({ ...r, produced: count }))));
    } finally {
      db.close();
    }
    console.log(`\nParquet files: ${rt.lakeDir} (events/, aggregates/, quarantine/, same layout as the S3 bucket)`);
    console.log(`Query them:    npm run streamlake -- query --list   |   npm run streamlake -- query --sql "SELECT * FROM sales_events LIMIT 5" --lake ${rt.lakeDir}`);
  } finally {
    say('stopping…');
    await rt.stop();
    say('done');
  }
}

async function up(args: string[]): Promise<void> {
  const o = parse('up', args, { pipelines: { type: 'string' }, avro: { type: 'string' }, 'registry-url': { type: 'string' }, lake: { type: 'string' }, 'batch-size': { type: 'string' }, 'batching-window-ms': { type: 'string' }, 's3-endpoint': { type: 'string' }, bucket: { type: 'string' } });
  if (o.help) return void console.log(HELP.up);
  const names = typeof o.pipelines === 'string' ? o.pipelines.split(',') : PIPELINE_NAMES;
  const avroNames = typeof o.avro === 'string' ? o.avro.split(',') : [];
  for (const n of avroNames) if (!names.includes(n)) throw new UsageError(`--avro ${n}: not one of the pipelines started (${names.join(', ')})`);
  const specs = names.map((n) => (avroNames.includes(n) ? withAvroValues(specOf(n)) : specOf(n)));
  let store: S3LakeStore | undefined;
  if (typeof o['s3-endpoint'] === 'string') {
    if (!/^https?:\/\/[^/\s]+/.test(o['s3-endpoint'])) throw new UsageError(`--s3-endpoint must be an http(s) URL, got '${o['s3-endpoint']}'`);
    if (typeof o.bucket !== 'string') throw new UsageError('--s3-endpoint needs --bucket NAME (credentials from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)');
    store = new S3LakeStore({ bucket: o.bucket, endpoint: o['s3-endpoint'], region: process.env.AWS_REGION ?? 'us-east-1' });
  }
  const rt = await LocalRuntime.start({
    specs,
    store,
    lakeDir: typeof o.lake === 'string' ? o.lake : undefined,
    batchSize: int('batch-size', o['batch-size'], 100, 1, 10_000),
    batchingWindowMs: int('batching-window-ms', o['batching-window-ms'], 500, 0, 300_000),
    keepBrokerData: true,
    confluentRegistryUrl: typeof o['registry-url'] === 'string' ? o['registry-url'] : undefined,
    log: (l) => console.log(l),
  });
  writeFileSync(UP_STATE, JSON.stringify({ pid: process.pid, bootstrap: rt.broker.bootstrap, lake: rt.lakeDir }));
  console.log(`streamlake up: broker ${rt.broker.bootstrap} (${rt.broker.kind}), processors: ${names.map((n) => (avroNames.includes(n) ? `${n} (Avro)` : n)).join(', ')}, lake: ${rt.store.describe()}`);
  console.log(`publish with: npm run streamlake -- produce --pipeline ${names[0]} --count 1000${avroNames.includes(names[0]) ? ' --format avro' : ''}`);
  await new Promise<void>((done) => {
    const stop = () => void rt.stop().finally(() => {
      rmSync(UP_STATE, { force: true });
      done();
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function down(args: string[]): Promise<void> {
  const o = parse('down', args, {});
  if (o.help) return void console.log(HELP.down);
  if (!existsSync(UP_STATE)) throw new UsageError("nothing to stop: 'streamlake up' is not running");
  const { pid } = JSON.parse(readFileSync(UP_STATE, 'utf8')) as { pid: number };
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(UP_STATE, { force: true });
    throw new UsageError(`'up' (pid ${pid}) is no longer running; cleaned up its state`);
  }
  console.log(`stopping streamlake up (pid ${pid})`);
}

async function produceCommand(args: string[]): Promise<void> {
  const o = parse('produce', args, {
    pipeline: { type: 'string' },
    count: { type: 'string' },
    rate: { type: 'string' },
    seed: { type: 'string' },
    malformed: { type: 'string' },
    bootstrap: { type: 'string' },
    msk: { type: 'boolean' },
    region: { type: 'string' },
    'cluster-arn': { type: 'string' },
    'ssm-parameter': { type: 'string' },
    format: { type: 'string' },
    wire: { type: 'string' },
    zlib: { type: 'boolean' },
    'writer-schema': { type: 'string' },
    'registry-url': { type: 'string' },
    registry: { type: 'string' },
  });
  if (o.help) return void console.log(HELP.produce);
  const spec = specOf(o.pipeline);
  const count = int('count', o.count, 1000, 1, 10_000_000);
  const rate = rateOf(o.rate, 1000);
  const malformed = o.malformed === undefined ? 0 : Number(o.malformed);
  if (!(malformed >= 0 && malformed <= 1)) throw new UsageError(`--malformed must be from 0 to 1, got '${o.malformed}'`);
  const seed = int('seed', o.seed, 1, 0, 2 ** 31);
  if (o.msk && typeof o.region !== 'string' && !process.env.AWS_REGION) throw new UsageError('--msk needs --region (or AWS_REGION)');
  const encodeValue = await avroEncoderFor(spec, o);
  let bootstrap: string;
  let kafka;
  if (o.msk) {
    // Amazon MSK with IAM auth: brokers from --bootstrap, --cluster-arn or the kafka stack's SSM parameter
    const region = typeof o.region === 'string' ? o.region : process.env.AWS_REGION!;
    bootstrap =
      typeof o.bootstrap === 'string'
        ? o.bootstrap
        : await mskBootstrap({ region, clusterArn: typeof o['cluster-arn'] === 'string' ? o['cluster-arn'] : undefined, ssmParameter: typeof o['ssm-parameter'] === 'string' ? o['ssm-parameter'] : undefined }).catch((e: Error) => {
            throw new UsageError(`cannot look up the MSK bootstrap brokers: ${e.message.split('\n')[0]}`);
          });
    kafka = createKafka({ brokers: parseBootstrap(bootstrap), clientId: 'streamlake-produce', auth: { kind: 'iam', region }, logLevel: logLevel.NOTHING });
  } else {
    bootstrap = await bootstrapFor(o.bootstrap);
    kafka = localKafka(bootstrap, 'streamlake-produce');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [spec.topic]);
    await admin.disconnect();
  }
  await produce(kafka, spec, { count, rate, seed, malformedRatio: malformed, encodeValue, onProgress: progress(spec.name, count) });
  console.log(`published ${count} ${spec.name} events${encodeValue ? ` (Avro, ${o.wire ?? 'glue'} wire format${o.zlib ? ', zlib' : ''})` : ''} to ${spec.topic.name} at ${bootstrap}`);
}

/** The value encoder of `produce --format avro`, or undefined for the pipeline's own text format. */
async function avroEncoderFor(spec: PipelineSpec, o: Record<string, string | boolean | undefined>): Promise<((value: Buffer) => Buffer | undefined) | undefined> {
  const format = o.format ?? spec.value.kind;
  if (format === spec.value.kind && format !== 'avro') {
    if (o.wire !== undefined || o.zlib || o['writer-schema'] !== undefined) throw new UsageError('--wire, --zlib and --writer-schema go with --format avro');
    return undefined;
  }
  if (format !== 'avro') throw new UsageError(`--format must be ${spec.value.kind} (the pipeline's own) or avro, got '${format}'`);
  const wire = o.wire ?? 'glue';
  if (wire !== 'glue' && wire !== 'confluent') throw new UsageError(`--wire must be glue or confluent, got '${wire}'`);
  if (o.zlib && wire !== 'glue') throw new UsageError('--zlib exists in the Glue wire format only (--wire glue)');
  let writerSchema: object | undefined;
  if (typeof o['writer-schema'] === 'string') {
    try {
      writerSchema = JSON.parse(readFileSync(o['writer-schema'], 'utf8')) as object;
      Type.forSchema(writerSchema as never); // a clear error now rather than on the first record
    } catch (err) {
      throw new UsageError(`--writer-schema ${o['writer-schema']}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  const registryUrl = typeof o['registry-url'] === 'string' ? o['registry-url'] : undefined;
  if (wire === 'confluent' && registryUrl) {
    const schema = writerSchema ?? avroSchemaOf(spec);
    const ref = await new ConfluentSchemaRegistry(registryUrl).register(`${spec.topic.name}-value`, JSON.stringify(schema));
    return registeredAvroEncoder(spec, schema, ref);
  }
  if (o.msk) {
    if (wire === 'confluent') throw new UsageError('--msk --wire confluent needs --registry-url (the Confluent-compatible registry the processors read)');
    if (writerSchema) throw new UsageError('--writer-schema with --msk: register the version in Glue Schema Registry first; records carry its latest version');
    const region = typeof o.region === 'string' ? o.region : process.env.AWS_REGION!;
    const registryName = typeof o.registry === 'string' ? o.registry : 'streamlake';
    const latest = await new GlueSchemaRegistry({ registryName, schemaName: avroSchemaNameOf(withAvroValues(spec)) }, new GlueClient({ region })).latest().catch((e: Error) => {
      throw new UsageError(`cannot read the Glue schema: ${e.message.split('\n')[0]}`);
    });
    return registeredAvroEncoder(spec, JSON.parse(latest.definition) as object, { registry: 'glue', versionId: latest.versionId }, o.zlib === true);
  }
  return localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire, zlib: o.zlib === true, writerSchema });
}

async function replay(args: string[]): Promise<void> {
  const o = parse('replay', args, { topic: { type: 'string' }, file: { type: 'string' }, rate: { type: 'string' }, 'key-field': { type: 'string' }, bootstrap: { type: 'string' } });
  if (o.help) return void console.log(HELP.replay);
  if (typeof o.topic !== 'string') throw new UsageError('--topic is required');
  const file = typeof o.file === 'string' && o.file !== '-' ? o.file : undefined;
  if (file && !existsSync(file)) throw new UsageError(`--file ${file} does not exist`);
  const rate = rateOf(o.rate, 1000);
  const keyField = typeof o['key-field'] === 'string' ? o['key-field'] : undefined;
  const bootstrap = await bootstrapFor(o.bootstrap);
  const kafka = localKafka(bootstrap, 'streamlake-replay');
  const keyOf = (line: string): string | undefined => {
    if (!keyField) return undefined;
    if (/^\d+$/.test(keyField)) return line.split(',')[Number(keyField) - 1];
    try {
      const v = (JSON.parse(line) as Record<string, unknown>)[keyField];
      return v === undefined ? undefined : String(v);
    } catch {
      return undefined;
    }
  };
  async function* chunks(): AsyncGenerator<Message[]> {
    const lines = createInterface({ input: file ? createReadStream(file) : process.stdin, crlfDelay: Infinity });
    let chunk: Message[] = [];
    const size = Number.isFinite(rate) ? Math.max(1, Math.ceil(rate / 10)) : 500;
    for await (const line of lines) {
      if (line.trim() === '') continue;
      chunk.push({ key: keyOf(line), value: line });
      if (chunk.length >= size) {
        yield chunk;
        chunk = [];
      }
    }
    if (chunk.length) yield chunk;
  }
  const sent = await sendPaced(kafka, o.topic, chunks(), rate);
  console.log(`replayed ${sent} lines to ${o.topic} at ${bootstrap}`);
}

async function query(args: string[]): Promise<void> {
  const o = parse('query', args, {
    named: { type: 'string' },
    sql: { type: 'string' },
    lake: { type: 'string' },
    list: { type: 'boolean' },
    athena: { type: 'boolean' },
    region: { type: 'string' },
    workgroup: { type: 'string' },
    database: { type: 'string' },
  });
  if (o.help) return void console.log(HELP.query);
  if (o.athena) {
    // the deployed workgroup and Glue database: same SQL, same named queries, Athena engine v3
    const region = typeof o.region === 'string' ? o.region : process.env.AWS_REGION;
    if (!region) throw new UsageError('--athena needs --region (or AWS_REGION)');
    const all = PIPELINE_NAMES.flatMap((n) => namedQueries(pipelineByName(n)));
    const sql = typeof o.sql === 'string' ? o.sql : typeof o.named === 'string' ? all.find((q) => q.name === o.named)?.sql : undefined;
    if (!sql) throw new UsageError(typeof o.named === 'string' ? `unknown named query '${o.named}' (known: ${all.map((q) => q.name).join(', ')})` : 'query --athena needs --named NAME or --sql "…"');
    const rows = await athenaQuery({ sql, region, workGroup: typeof o.workgroup === 'string' ? o.workgroup : 'streamlake', database: typeof o.database === 'string' ? o.database : 'streamlake' });
    return void console.log(table(rows));
  }
  const lake = resolve(typeof o.lake === 'string' ? o.lake : existsSync(UP_STATE) ? JSON.parse(readFileSync(UP_STATE, 'utf8')).lake : join(DEFAULT_STATE_DIR, 'lake'));
  const db = await LakeDb.open(lake, PIPELINE_NAMES.map(pipelineByName));
  try {
    if (o.list) return void console.log(table(db.namedQueries().map((q) => ({ name: q.name, description: q.description }))));
    if (typeof o.named === 'string') return void console.log(table(await db.named(o.named).catch((e: Error) => Promise.reject(new UsageError(e.message)))));
    if (typeof o.sql === 'string') return void console.log(table(await db.query(o.sql).catch((e: Error) => Promise.reject(new UsageError(`SQL error: ${e.message.split('\n')[0]}`)))));
    throw new UsageError('query needs --named NAME, --sql "…" or --list');
  } finally {
    db.close();
  }
}

async function replayFailed(args: string[]): Promise<void> {
  const o = parse('replay-failed', args, { pipeline: { type: 'string' }, avro: { type: 'boolean' }, 'registry-url': { type: 'string' }, lake: { type: 'string' }, dir: { type: 'string' }, 's3-endpoint': { type: 'string' }, bucket: { type: 'string' }, bootstrap: { type: 'string' } });
  if (o.help) return void console.log(HELP['replay-failed']);
  const spec = o.avro ? withAvroValues(specOf(o.pipeline)) : specOf(o.pipeline);
  const schemaRegistry = o.avro ? localSchemaRegistry(DEFAULT_STATE_DIR, typeof o['registry-url'] === 'string' ? o['registry-url'] : undefined) : undefined;
  let store: LakeStore;
  if (typeof o['s3-endpoint'] === 'string') {
    if (typeof o.bucket !== 'string') throw new UsageError('--s3-endpoint needs --bucket NAME');
    store = new S3LakeStore({ bucket: o.bucket, endpoint: o['s3-endpoint'], region: process.env.AWS_REGION ?? 'us-east-1' });
  } else {
    store = new LocalLakeStore(resolve(typeof o.lake === 'string' ? o.lake : join(DEFAULT_STATE_DIR, 'lake')));
  }
  const dir = resolve(typeof o.dir === 'string' ? o.dir : join(DEFAULT_STATE_DIR, 'failed-batches', spec.name));
  // a pipeline that publishes window updates republishes them for the replayed batches
  let summaryPublisher: KafkaSummaryPublisher | undefined;
  if ((spec.windows ?? []).some((w) => w.summaryTopic)) {
    const bootstrap = await bootstrapFor(o.bootstrap);
    summaryPublisher = new KafkaSummaryPublisher(localKafka(bootstrap, 'streamlake-replay-failed'));
  }
  const result = await replayFailedBatches(dir, createProcessorHandler({ spec, store, summaryPublisher, schemaRegistry }), (l) => console.log(l)).finally(() => summaryPublisher?.close());
  console.log(`replay-failed ${spec.name}: ${result.replayed.length} batches replayed, ${result.failed.length} still failing (${dir})`);
  if (result.failed.length > 0) throw new Error(`${result.failed.length} batches still fail; first: ${result.failed[0].error}`);
}

async function summary(args: string[]): Promise<void> {
  const o = parse('summary', args, { pipeline: { type: 'string' }, bootstrap: { type: 'string' } });
  if (o.help) return void console.log(HELP.summary);
  const spec = specOf(o.pipeline);
  const windows = (spec.windows ?? []).filter((w) => w.summaryTopic);
  if (windows.length === 0) throw new UsageError(`pipeline '${spec.name}' publishes no summary topic`);
  const bootstrap = await bootstrapFor(o.bootstrap);
  const kafka = localKafka(bootstrap, 'streamlake-summary');
  for (const w of windows) {
    const totals = await readSummaryTotals(kafka, spec, w);
    console.log(`${w.summaryTopic}: current totals of ${spec.name} ${w.name}, merged from the per-batch updates`);
    console.log(table(totals.sort((a, b) => (a.window_start < b.window_start ? 1 : -1)).map((t) => ({ window_start: t.window_start, window_end: t.window_end, ...t.keys, ...t.values }))));
  }
}

const COMMANDS: Record<string, (args: string[]) => Promise<void>> = {
  summary, demo, up, down, produce: produceCommand, replay, 'replay-failed': replayFailed, query };

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(HELP.main);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  try {
    if (!run) throw new UsageError(`unknown command '${command}' (${Object.keys(COMMANDS).join(', ')}); see --help`);
    await run(args);
    return 0;
  } catch (err) {
    if (process.env.STREAMLAKE_DEBUG === '1') console.error(err);
    console.error(`streamlake ${command}: ${(err as Error).message.split('\n')[0]}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
