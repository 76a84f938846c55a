/**
 * The whole pipeline on one machine: a real Kafka broker, the spec topics, the unchanged
 * processor handlers behind event-source-mapping emulators, Apache Iceberg's REST catalog, and a
 * lake directory with the bucket's layout whose Iceberg tables the processors commit to.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { logLevel, type Admin, type Kafka } from 'kafkajs';
import { createKafka, parseBootstrap } from '../lambda/adapters/kafka-client';
import type { LakeStore } from '../lambda/adapters/lake-store';
import { LocalLakeStore } from '../lambda/adapters/local-lake-store';
import { referenceKey } from '../model/layout';
import { requirementsOf } from '../model/requirements';
import { consumerGroupOf, failureTopicOf, failureTopicsOf, summaryTopicsOf, type PipelineSpec } from '../model/spec';
import { buildProcessor, type BatchReport } from '../lambda/handlers/processor';
import { KafkaSummaryPublisher } from '../lambda/adapters/summary-publisher';
import { KafkaFailureSink } from '../lambda/adapters/failure-sink';
import { startBroker, type RunningBroker } from './broker/kafka-broker';
import { consumerLag, waitForLagZero } from './broker/lag';
import { ensureTopics } from './broker/topics';
import { EventSourceMappingEmulator, type EventHandler } from './esm/emulator';
import { localSchemaRegistry, registerLocalSchema } from './schemas';
import { RestCatalogClient } from '../lambda/adapters/rest-catalog';
import { ensureIcebergTables } from '../lambda/lake/ensure-tables';
import { catalogDirOf, compactorFor, lakeRootLocation, lakeWriterFor } from './catalog/lake-catalog';
import { MaintenanceError, type TableMaintenance } from '../lambda/lake/compactor';
import type { CompactionOptions } from '../lambda/lake/compaction';
import { startRestCatalog, type RestCatalogServerOptions, type RunningRestCatalog } from './catalog/rest-catalog-server';

/** The repository root, from source (tsx, jest) or from a bundle under .streamlake/ (the benchmark). */
export const REPO_ROOT = ((): string => {
  let dir = resolve(__dirname);
  while (!existsSync(join(dir, 'pipelines', 'reference'))) {
    const up = dirname(dir);
    if (up === dir) return resolve(__dirname, '..');
    dir = up;
  }
  return dir;
})();
export const DEFAULT_STATE_DIR = join(REPO_ROOT, '.streamlake');

export interface LocalRuntimeOptions {
  readonly specs: readonly PipelineSpec[];
  /** @default .streamlake/lake */
  readonly lakeDir?: string;
  /** @default .streamlake */
  readonly stateDir?: string;
  /**
   * Use this store instead of the lake directory (e.g. an S3-compatible endpoint whose bucket
   * is the lake directory: the catalog and the local readers see its objects as files there).
   */
  readonly store?: LakeStore;
  /** Use this Iceberg REST catalog instead of starting one on `<lake>/catalog`. */
  readonly catalogUrl?: string;
  /** How the catalog server started here runs (rest-catalog-server.ts): `up` runs for hours, tests briefly. @default 'startup' */
  readonly catalogProfile?: 'startup' | 'throughput';
  /** Use this broker instead of starting one. */
  readonly bootstrap?: string;
  readonly batchSize?: number;
  readonly batchingWindowMs?: number;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  /** Wraps each pipeline's handler (tests inject failures here). */
  readonly wrapHandler?: (spec: PipelineSpec, handler: EventHandler) => EventHandler;
  readonly onBatch?: (report: BatchReport) => void;
  readonly keepBrokerData?: boolean;
  readonly log?: (line: string) => void;
  /** A Confluent-compatible registry asked after the schema directory (Avro pipelines). */
  readonly confluentRegistryUrl?: string;
  /**
   * Where batches that finally fail go, as streamlake:onFailure chooses in AWS: `directory`
   * (default; `<state>/failed-batches/<pipeline>/`, the S3 destination's layout) or `kafka` (the
   * pipeline's `<topic>.failed` topic on the broker, created with the other topics).
   */
  readonly onFailure?: LocalFailureDestination;
  /**
   * Runs the compactor over every pipeline's tables this often (ms), one run at a time, as the
   * schedule does in AWS (`up --compact-every`). @default never (call `compact()`)
   */
  readonly compactEveryMs?: number;
  /** The compactor's options (target file size, snapshot retention, orphan margin …). */
  readonly compaction?: CompactionOptions;
}

/** One pipeline's maintenance run: its tables' reports, and the failures of those that failed. */
export interface PipelineMaintenance {
  readonly pipeline: string;
  readonly reports: readonly TableMaintenance[];
  readonly failures: readonly { readonly table: string; readonly error: unknown }[];
}

/** The local on-failure destinations (`up --on-failure`). */
export const LOCAL_FAILURE_DESTINATIONS = ['directory', 'kafka'] as const;
export type LocalFailureDestination = (typeof LOCAL_FAILURE_DESTINATIONS)[number];

/** The folder a pipeline's exhausted batches go to with the directory destination. */
export const failedBatchesDirOf = (stateDir: string, spec: PipelineSpec): string => join(stateDir, 'failed-batches', spec.name);

/** Copies the specs' reference data into the lake (`reference/<name>/<file>`), as the CDK app's BucketDeployment does. */
export async function seedReferenceData(store: LakeStore, specs: readonly PipelineSpec[]): Promise<void> {
  for (const spec of specs) {
    for (const ref of spec.references ?? []) await store.put(referenceKey(ref), await readFile(join(REPO_ROOT, 'pipelines', 'reference', ref.file)), 'text/csv');
  }
}

export class LocalRuntime {
  readonly emulators = new Map<string, EventSourceMappingEmulator>();
  /** Summary-topic producers of the running processors, closed on stop. */
  private readonly publishers: KafkaSummaryPublisher[] = [];
  private compactionTimer?: NodeJS.Timeout;
  private compaction?: Promise<unknown>;
  private stopping = false;

  private constructor(
    readonly options: LocalRuntimeOptions,
    readonly broker: RunningBroker,
    readonly kafka: Kafka,
    readonly admin: Admin,
    readonly lakeDir: string,
    readonly store: LakeStore,
  ) {}

  /** The Iceberg REST catalog the processors commit through (set by `start`). */
  catalog!: RestCatalogClient;
  private catalogServer?: RunningRestCatalog;

  /** The catalog's URL. */
  get catalogUrl(): string {
    return this.catalog.uri;
  }

  /** Starts the catalog (unless given one) and creates the pipelines' tables that do not exist. */
  private async startCatalog(): Promise<void> {
    const o = this.options;
    let url = o.catalogUrl;
    if (!url) {
      this.catalogServer = await startRestCatalog(this.catalogServerOptions());
      url = this.catalogServer.url;
    }
    this.catalog = new RestCatalogClient({ uri: url });
    for (const spec of o.specs) {
      const created = await ensureIcebergTables(this.catalog, spec, lakeRootLocation(this.lakeDir));
      if (created.length > 0) o.log?.(`created Iceberg tables ${created.map((t) => `streamlake.${t}`).join(', ')}`);
    }
  }

  /** Stops the catalog server this runtime started (a fault test's crash), keeping the processors running. */
  async stopCatalog(options: { readonly kill?: boolean } = {}): Promise<void> {
    await (options.kill ? this.catalogServer?.kill() : this.catalogServer?.stop());
  }

  /** Starts the catalog server again on the same port and directories. */
  async restartCatalog(): Promise<void> {
    const port = this.catalogServer ? Number(new URL(this.catalogServer.url).port) : undefined;
    this.catalogServer = await startRestCatalog({ ...this.catalogServerOptions(), port });
  }

  /** The catalog server's directories and settings, the same on start and restart. */
  private catalogServerOptions(): RestCatalogServerOptions {
    return {
      repoRoot: REPO_ROOT,
      metadataDir: catalogDirOf(this.lakeDir),
      warehouseDir: join(this.lakeDir, 'iceberg'),
      profile: this.options.catalogProfile,
      log: this.options.log,
    };
  }

  static async start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
    const stateDir = options.stateDir ?? DEFAULT_STATE_DIR;
    const broker: RunningBroker = options.bootstrap
      ? { bootstrap: options.bootstrap, kind: 'external', stop: async () => undefined }
      : await startBroker({ stateDir, repoRoot: REPO_ROOT, keepData: options.keepBrokerData, log: options.log });
    const kafka = createKafka({ brokers: parseBootstrap(broker.bootstrap), clientId: 'streamlake-local', auth: { kind: 'none' }, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    const lakeDir = resolve(options.lakeDir ?? join(stateDir, 'lake'));
    const store = options.store ?? new LocalLakeStore(lakeDir);
    const runtime = new LocalRuntime(options, broker, kafka, admin, lakeDir, store);
    try {
      await admin.connect();
      // input topics, the summary topics windows publish to (same partitions as the input), and the on-failure topics when chosen
      await ensureTopics(admin, [
        ...options.specs.map((s) => s.topic),
        ...summaryTopicsOf(options.specs),
        ...(options.onFailure === 'kafka' ? failureTopicsOf(options.specs) : []),
      ]);
      await seedReferenceData(store, options.specs);
      await runtime.startCatalog();
      // Avro pipelines: their schemas are in the registry before the first record, as in AWS
      for (const spec of options.specs.filter((s) => requirementsOf(s).schemaRegistry)) await registerLocalSchema(stateDir, spec);
      for (const spec of options.specs) await runtime.startProcessor(spec);
      if (options.compactEveryMs !== undefined) runtime.scheduleCompaction(options.compactEveryMs);
    } catch (err) {
      // leave nothing running behind a failed start
      await runtime.stop().catch(() => undefined);
      throw err;
    }
    return runtime;
  }

  /** Starts (or restarts) one pipeline's processor behind its emulator. */
  async startProcessor(spec: PipelineSpec): Promise<EventSourceMappingEmulator> {
    const o = this.options;
    const base = buildProcessor(spec, {
      store: this.store,
      // one writer per processor, like a Lambda container: its own cache of the tables
      lake: lakeWriterFor(this.lakeDir, this.store, this.catalog),
      observe: o.onBatch,
      summaryPublisher: () => {
        const publisher = new KafkaSummaryPublisher(this.kafka);
        this.publishers.push(publisher);
        return publisher;
      },
      schemaRegistry: () => localSchemaRegistry(o.stateDir ?? DEFAULT_STATE_DIR, o.confluentRegistryUrl),
    });
    const handler = o.wrapHandler ? o.wrapHandler(spec, base) : base;
    const emulator = new EventSourceMappingEmulator({
      kafka: this.kafka,
      bootstrap: this.broker.bootstrap,
      topic: spec.topic.name,
      groupId: consumerGroupOf(spec),
      handler,
      batchSize: o.batchSize,
      batchingWindowMs: o.batchingWindowMs,
      maxAttempts: o.maxAttempts,
      retryBaseMs: o.retryBaseMs,
      ...(o.onFailure === 'kafka'
        ? { onFailure: new KafkaFailureSink(this.kafka, failureTopicOf(spec)) }
        : { onFailureDir: failedBatchesDirOf(o.stateDir ?? DEFAULT_STATE_DIR, spec) }),
      log: o.log,
    });
    await emulator.start();
    this.emulators.set(spec.name, emulator);
    return emulator;
  }

  async stopProcessor(spec: PipelineSpec): Promise<void> {
    await this.emulators.get(spec.name)?.stop();
    this.emulators.delete(spec.name);
  }

  async lag(spec: PipelineSpec): Promise<number> {
    return consumerLag(this.admin, consumerGroupOf(spec), spec.topic.name);
  }

  /** Resolves when every pipeline's consumer lag is 0; `onTick` gets the lags by pipeline name. */
  async waitForLagZero(timeoutMs: number, onTick?: (lags: Record<string, number>) => void): Promise<void> {
    const subscriptions = this.options.specs.map((spec) => ({ groupId: consumerGroupOf(spec), topic: spec.topic.name, pipeline: spec.name }));
    await waitForLagZero(this.admin, subscriptions, timeoutMs, (lags) => onTick?.(Object.fromEntries(subscriptions.map((s) => [s.pipeline, lags[`${s.groupId}/${s.topic}`]]))));
  }

  /**
   * Compacts, expires and sweeps every pipeline's tables once (lambda/lake/compactor.ts), one
   * pipeline after the other; a table that fails is reported, not thrown, so the others run.
   */
  async compact(o: { readonly now?: () => number } = {}): Promise<PipelineMaintenance[]> {
    const run = (async () => {
      const compactor = compactorFor(this.lakeDir, this.catalog, { now: o.now, log: this.options.log });
      const out: PipelineMaintenance[] = [];
      for (const spec of this.options.specs) {
        try {
          out.push({ pipeline: spec.name, reports: await compactor.maintain(spec, this.options.compaction), failures: [] });
        } catch (err) {
          if (!(err instanceof MaintenanceError)) throw err;
          out.push({ pipeline: spec.name, reports: err.reports, failures: err.failures });
        }
      }
      return out;
    })();
    // one run at a time: a scheduled run waits for an explicit one and the other way round
    const previous = this.compaction ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => run);
    this.compaction = mine;
    return mine;
  }

  private scheduleCompaction(everyMs: number): void {
    const tick = (): void => {
      this.compactionTimer = setTimeout(() => {
        void this.compact()
          .then((runs) => {
            for (const r of runs) {
              const rewritten = r.reports.reduce((n, t) => n + t.compaction.filesRemoved, 0);
              const written = r.reports.reduce((n, t) => n + t.compaction.filesAdded, 0);
              if (rewritten > 0) this.options.log?.(`compacted ${r.pipeline}: ${rewritten} files rewritten into ${written}`);
              for (const f of r.failures) this.options.log?.(`compaction of ${f.table} failed (tried again next time): ${(f.error as Error).message}`);
            }
          })
          .catch((err: unknown) => this.options.log?.(`compaction failed (tried again next time): ${(err as Error).message}`))
          .finally(() => {
            if (!this.stopping) tick();
          });
      }, everyMs);
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.compactionTimer);
    await this.compaction?.catch(() => undefined);
    for (const e of this.emulators.values()) await e.stop().catch(() => undefined);
    this.emulators.clear();
    for (const p of this.publishers.splice(0)) await p.close().catch(() => undefined);
    await this.admin.disconnect().catch(() => undefined);
    await this.catalogServer?.stop();
    await this.broker.stop();
  }
}
