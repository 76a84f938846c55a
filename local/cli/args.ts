/**
 * The argument helpers the commands share: option parsing, numbers, the pipeline specs, the lake
 * store, the broker. Each choice is made here once, so every command that takes `--lake`,
 * `--pipeline` or `--bootstrap` reads it, defaults it and rejects it in the same words.
 */
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { logLevel, type Kafka } from 'kafkajs';
import { createKafka, parseBootstrap } from '../../lambda/adapters/kafka-client';
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { StreamlakeError } from '../../model/errors';
import { withAvroValues, type PipelineSpec } from '../../model/spec';
import { PIPELINE_NAMES, pipelineByName } from '../../pipelines';
import { waitForBroker } from '../broker/kafka-broker';
import { DEFAULT_STATE_DIR } from '../runtime';
import { firstLine } from './output';
import { readUpState, type UpState } from './up-state';

/** The command line is wrong: the CLI prints the message and exits with code 2. */
export class UsageError extends StreamlakeError {
  override readonly name: string = 'UsageError';
  readonly retriable = false;
}

/** A command ran but did not achieve what it was asked (e.g. batches that still fail): exit code 1. */
export class CommandFailedError extends StreamlakeError {
  override readonly name: string = 'CommandFailedError';
  readonly retriable = false;
}

/**
 * The options of a command (plus `--help`), strictly: an unknown option, a missing value or a
 * positional argument is a UsageError. Values are typed from the declaration.
 */
export function parseOptions<const O extends ParseArgsOptionsConfig>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean' } }, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new UsageError(firstLine(err));
  }
}

/** `--name N`: an integer in [min, max], `fallback` when absent. */
export function int(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

/** `--rate N`: events (or lines) per second; 0 means as fast as possible (Infinity). */
export function rateOf(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--rate must be a number ≥ 0 (0 = as fast as possible), got '${value}'`);
  return n === 0 ? Infinity : n;
}

/** One of `values` (`up --on-failure kafka`); `fallback` when absent; anything else is a UsageError listing them. */
export function choiceOf<T extends string>(name: string, value: string | undefined, values: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${values.join(' | ')}, got '${value}'`);
  return value as T;
}

/** A comma-separated list option (`--pipelines a,b`, `up --avro a,b`); empty when absent. */
export function listOf(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',');
}

// ---- the pipeline specs: --pipeline NAME, --pipelines a,b, --avro ----

/** A shipped pipeline's spec; an unknown name is a UsageError listing the known ones. */
function shippedSpec(name: string): PipelineSpec {
  if (!PIPELINE_NAMES.includes(name)) throw new UsageError(`unknown pipeline '${name}' (known: ${PIPELINE_NAMES.join(', ')})`);
  return pipelineByName(name);
}

/** `--pipeline NAME` (required), with Avro values when `avro` (`replay-failed --avro`). */
export function specOf(name: string | undefined, avro = false): PipelineSpec {
  if (name === undefined) throw new UsageError(`--pipeline is required (${PIPELINE_NAMES.join(', ')})`);
  const spec = shippedSpec(name);
  return avro ? withAvroValues(spec) : spec;
}

/**
 * `--pipelines a,b` (default: every shipped pipeline), those named in `avro` with Avro values
 * (as `streamlake:avroPipelines` deploys them); an Avro name outside the list is a UsageError.
 */
export function specsOf(pipelines: string | undefined, avro: readonly string[] = []): PipelineSpec[] {
  const names = pipelines === undefined ? PIPELINE_NAMES : listOf(pipelines);
  for (const n of avro) if (!names.includes(n)) throw new UsageError(`--avro ${n}: not one of the pipelines started (${names.join(', ')})`);
  return names.map((n) => specOf(n, avro.includes(n)));
}

// ---- the lake: --lake DIR ----

/** Where the local lake is unless `--lake` says otherwise. */
export const DEFAULT_LAKE_DIR = join(DEFAULT_STATE_DIR, 'lake');

/** The options of the commands that write the lake (`up`, `replay-failed`). */
export const LAKE_STORE_OPTIONS = { lake: { type: 'string' }, 's3-endpoint': { type: 'string' }, bucket: { type: 'string' } } as const;

export interface LakeFlags {
  readonly lake?: string;
  readonly 's3-endpoint'?: string;
  readonly bucket?: string;
}

export interface LakeChoice {
  readonly kind: 'directory';
  readonly dir: string;
  readonly store: LocalLakeStore;
}

/** `--lake DIR`, absolute; the `fallback` directory when absent (asked only then). */
export function lakeDirOf(o: Pick<LakeFlags, 'lake'>, fallback: () => string = () => DEFAULT_LAKE_DIR): string {
  return resolve(o.lake ?? fallback());
}

/**
 * The lake: a directory with the bucket's layout (`--lake DIR`, default .streamlake/lake), its
 * Iceberg tables' metadata kept by the local catalog beside them. `--s3-endpoint`/`--bucket`
 * (a bucket on an S3-compatible endpoint, the per-batch layout's option) are refused with what to do.
 */
export function lakeStoreOf(o: LakeFlags): LakeChoice {
  if (o['s3-endpoint'] !== undefined || o.bucket !== undefined) {
    throw new UsageError(
      "--s3-endpoint/--bucket: the local lake is Apache Iceberg tables whose catalog (Apache Iceberg's REST catalog server) keeps table metadata as files: pass --lake DIR instead (the S3 store is exercised by the test suite with an S3-compatible server whose bucket is that directory)",
    );
  }
  const dir = lakeDirOf(o);
  return { kind: 'directory', dir, store: new LocalLakeStore(dir) };
}

// ---- the broker: --bootstrap, KAFKA_BOOTSTRAP, the running 'up' ----

/**
 * The local broker to talk to: `--bootstrap`, else KAFKA_BOOTSTRAP, else the one `up` started;
 * checked reachable (5 s), so a wrong address is one line instead of kafkajs retrying.
 */
export async function bootstrapFor(
  flag: string | undefined,
  env: string | undefined = process.env.KAFKA_BOOTSTRAP,
  upState: () => UpState | undefined = readUpState,
): Promise<string> {
  const bootstrap = flag ?? env ?? upState()?.bootstrap;
  if (!bootstrap) throw new UsageError("no broker: run 'streamlake up' first, or pass --bootstrap HOST:PORT (or set KAFKA_BOOTSTRAP)");
  try {
    parseBootstrap(bootstrap);
    await waitForBroker(bootstrap, 5000);
  } catch (err) {
    throw new UsageError(`broker ${bootstrap} is unreachable: ${(err as Error).message.split(':').slice(-1)[0].trim()}`);
  }
  return bootstrap;
}

/** A client of a local (plaintext) broker, quiet: the CLI reports errors itself. */
export function localKafka(bootstrap: string, clientId: string): Kafka {
  return createKafka({ brokers: parseBootstrap(bootstrap), clientId, auth: { kind: 'none' }, logLevel: logLevel.NOTHING });
}
