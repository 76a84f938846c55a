/**
 * The contract between the CDK app and the Lambda functions: the environment variables a
 * construct sets and the entry reads, in one typed module (like metric-names.ts for metrics).
 * Constructs build the variables with `processorEnvironment(...)`; the processor entry parses
 * them once at cold start with `readProcessorEnvironment()`, which names the variable and says
 * what is wrong. Pure: the variables are an argument.
 */
import { ConfigurationError } from './errors';

/** Variable names, one place. */
export const ENV = {
  /** Which shipped pipeline a processor function runs (a key of pipelines/index.ts). */
  pipeline: 'STREAMLAKE_PIPELINE',
  /** The lake bucket the processor writes to and reads reference data from. */
  lakeBucket: 'LAKE_BUCKET',
  /** An S3-compatible endpoint instead of AWS S3 (tests, local runs of the bundle). */
  s3Endpoint: 'S3_ENDPOINT',
  /** The bucket of the on-failure destination: batches that can never be processed are written there at once. */
  failureBucket: 'FAILURE_BUCKET',
  /** The Kafka on-failure topic instead (streamlake:onFailure=kafka): batches that can never be processed are produced there at once. */
  failureTopic: 'FAILURE_TOPIC',
  /** `avro` when the pipeline is deployed with Avro values (streamlake:avroPipelines). */
  valueFormat: 'VALUE_FORMAT',
  /** The Glue Schema Registry of an Avro pipeline. */
  glueRegistryName: 'GLUE_REGISTRY_NAME',
  /** A Confluent-compatible registry asked after Glue (optional). */
  confluentRegistryUrl: 'CONFLUENT_SCHEMA_REGISTRY_URL',
  /** IAM bootstrap brokers, for pipelines that publish to a summary topic (and the generator). */
  kafkaBootstrapServers: 'KAFKA_BOOTSTRAP_SERVERS',
  /** The generator: `{"<pipeline>": "<Glue schema version id>"}` of pipelines deployed with Avro values. */
  avroSchemaVersionIds: 'AVRO_SCHEMA_VERSION_IDS',
  /** The Iceberg REST catalog's base URI: Glue's `https://glue.<region>.amazonaws.com/iceberg`. */
  icebergCatalogUri: 'ICEBERG_CATALOG_URI',
  /** The catalog's warehouse (Glue: the account id, which is the catalog id). */
  icebergWarehouse: 'ICEBERG_WAREHOUSE',
  /** The region requests to the catalog are SigV4-signed for. */
  icebergRegion: 'ICEBERG_REGION',
  /** The namespace of the pipeline's tables: in Glue, the database (`<prefix>` with `-` as `_`). */
  icebergNamespace: 'ICEBERG_NAMESPACE',
  /** Where the table files live, as a location ending with `/`: `s3://<lake bucket>/`. */
  lakeRoot: 'LAKE_ROOT',
  /** Set by the Lambda runtime. */
  region: 'AWS_REGION',
} as const;

/** What a processor function is told by its environment. */
export interface ProcessorEnvironment {
  readonly pipeline: string;
  readonly lakeBucket: string;
  readonly s3Endpoint?: string;
  readonly failureBucket?: string;
  readonly failureTopic?: string;
  /** `avro` when the deployed value format differs from the shipped spec's; checked against the spec by the entry. */
  readonly valueFormat?: string;
  readonly glueRegistryName?: string;
  readonly confluentRegistryUrl?: string;
  readonly kafkaBootstrapServers?: string;
  readonly icebergCatalogUri?: string;
  readonly icebergWarehouse?: string;
  readonly icebergRegion?: string;
  readonly icebergNamespace?: string;
  readonly lakeRoot?: string;
  readonly region?: string;
}

/** The Iceberg lake a processor commits to, all of it given. */
export interface IcebergLakeEnvironment {
  readonly catalogUri: string;
  readonly warehouse: string;
  readonly region: string;
  readonly namespace: string;
  readonly lakeRoot: string;
}

/** The variables of an Iceberg lake (`processorEnvironment({ ...env, ...icebergLakeVariables(lake) })`). */
export function icebergLakeVariables(
  lake: IcebergLakeEnvironment,
): Pick<ProcessorEnvironment, 'icebergCatalogUri' | 'icebergWarehouse' | 'icebergRegion' | 'icebergNamespace' | 'lakeRoot'> {
  return {
    icebergCatalogUri: lake.catalogUri,
    icebergWarehouse: lake.warehouse,
    icebergRegion: lake.region,
    icebergNamespace: lake.namespace,
    lakeRoot: lake.lakeRoot,
  };
}

type Variables = Readonly<Record<string, string | undefined>>;

/** The variables a construct sets for `env` (absent fields are left out). */
export function processorEnvironment(env: ProcessorEnvironment): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) {
    if (field === 'avroSchemaVersionIds' || field === 'region') continue; // not the processor's
    const value = (env as unknown as Record<string, string | undefined>)[field];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function required(vars: Variables, name: string): string {
  const v = vars[name];
  if (!v) throw new ConfigurationError(`environment variable ${name} is not set (the CDK app sets it on the function)`);
  return v;
}

const optional = (vars: Variables, name: string): string | undefined => vars[name] || undefined;

/** Parses a processor's environment; a missing or wrong variable throws a ConfigurationError naming it. */
export function readProcessorEnvironment(vars: Variables = process.env): ProcessorEnvironment {
  return {
    pipeline: required(vars, ENV.pipeline),
    lakeBucket: required(vars, ENV.lakeBucket),
    s3Endpoint: optional(vars, ENV.s3Endpoint),
    failureBucket: optional(vars, ENV.failureBucket),
    failureTopic: optional(vars, ENV.failureTopic),
    valueFormat: optional(vars, ENV.valueFormat),
    glueRegistryName: optional(vars, ENV.glueRegistryName),
    confluentRegistryUrl: optional(vars, ENV.confluentRegistryUrl),
    kafkaBootstrapServers: optional(vars, ENV.kafkaBootstrapServers),
    icebergCatalogUri: optional(vars, ENV.icebergCatalogUri),
    icebergWarehouse: optional(vars, ENV.icebergWarehouse),
    icebergRegion: optional(vars, ENV.icebergRegion),
    icebergNamespace: optional(vars, ENV.icebergNamespace),
    lakeRoot: optional(vars, ENV.lakeRoot),
    region: optional(vars, ENV.region),
  };
}

/**
 * The Iceberg lake a processor commits to: every Iceberg variable is required (a
 * ConfigurationError names the first one missing), and the lake root must be a location ending with `/`.
 */
export function icebergLakeOf(env: ProcessorEnvironment, why = "the processor commits to the pipeline's Iceberg tables"): IcebergLakeEnvironment {
  const lake: IcebergLakeEnvironment = {
    catalogUri: requireVariable(env, 'icebergCatalogUri', why),
    warehouse: requireVariable(env, 'icebergWarehouse', why),
    region: requireVariable(env, 'icebergRegion', why),
    namespace: requireVariable(env, 'icebergNamespace', why),
    lakeRoot: requireVariable(env, 'lakeRoot', why),
  };
  if (!/^[a-z][a-z0-9+.-]*:.*\/$/.test(lake.lakeRoot)) {
    throw new ConfigurationError(`environment variable ${ENV.lakeRoot} must be a location ending with '/' (s3://<bucket>/), got '${lake.lakeRoot}'`);
  }
  return lake;
}

/** A variable that a pipeline's requirements make mandatory (e.g. the registry of an Avro pipeline). */
export function requireVariable<T extends keyof ProcessorEnvironment>(env: ProcessorEnvironment, field: T, why: string): NonNullable<ProcessorEnvironment[T]> {
  const v = env[field];
  if (v === undefined || v === '') throw new ConfigurationError(`environment variable ${ENV[field]} is not set: ${why} (the CDK app sets it on the function)`);
  return v as NonNullable<ProcessorEnvironment[T]>;
}

/** What the demo generator function is told by its environment. */
export interface GeneratorEnvironment {
  readonly kafkaBootstrapServers: string;
  readonly region: string;
  /** Pipelines deployed with Avro values → the Glue schema version their records are framed with. */
  readonly avroSchemaVersionIds: Readonly<Record<string, string>>;
}

export function readGeneratorEnvironment(vars: Variables = process.env): GeneratorEnvironment {
  const ids = optional(vars, ENV.avroSchemaVersionIds) ?? '{}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(ids);
  } catch {
    throw new ConfigurationError(`environment variable ${ENV.avroSchemaVersionIds} is not JSON: ${ids.slice(0, 100)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new ConfigurationError(`environment variable ${ENV.avroSchemaVersionIds} must be a JSON object of pipeline → schema version id`);
  }
  return {
    kafkaBootstrapServers: required(vars, ENV.kafkaBootstrapServers),
    region: required(vars, ENV.region),
    avroSchemaVersionIds: parsed as Record<string, string>,
  };
}

/**
 * The compactor function's own variables (the lake and catalog ones are the processors': LAKE_BUCKET,
 * S3_ENDPOINT, ICEBERG_*, LAKE_ROOT). Absent options keep the compactor's defaults (lambda/lake/compaction.ts).
 */
export const COMPACTOR_ENV = {
  /** The pipelines the function may maintain (comma-separated): an event naming another is rejected. */
  pipelines: 'COMPACTOR_PIPELINES',
  /** Size of the files a rewrite writes, bytes (streamlake:compactionTargetFileSizeMiB). */
  targetFileSizeBytes: 'COMPACTION_TARGET_FILE_SIZE_BYTES',
  /** Snapshots older than this are expired, seconds (streamlake:snapshotRetentionHours). */
  snapshotRetentionSeconds: 'SNAPSHOT_RETENTION_SECONDS',
  /** Unreferenced files younger than this are kept, seconds (streamlake:orphanMinAgeHours). */
  orphanMinAgeSeconds: 'ORPHAN_MIN_AGE_SECONDS',
  /** Days the events tables keep, by event day (streamlake:eventsRetentionDays). */
  eventsRetentionDays: 'EVENTS_RETENTION_DAYS',
  /** Days the quarantine tables keep, by arrival day (streamlake:quarantineRetentionDays). */
  quarantineRetentionDays: 'QUARANTINE_RETENTION_DAYS',
  /** Days the window partials keep, by window day (streamlake:aggregatesRetentionDays). */
  partialsRetentionDays: 'AGGREGATES_RETENTION_DAYS',
} as const;

/** What the compactor function is told by its environment. */
export interface CompactorEnvironment {
  readonly pipelines: readonly string[];
  readonly lakeBucket: string;
  readonly s3Endpoint?: string;
  readonly lake: IcebergLakeEnvironment;
  readonly targetFileSizeBytes?: number;
  readonly snapshotRetentionSeconds?: number;
  readonly orphanMinAgeSeconds?: number;
  /** Day partitions older than this many days are deleted, by kind of table (absent: kept). */
  readonly retentionDays?: { readonly events?: number; readonly quarantine?: number; readonly partials?: number };
}

/** The variables a construct sets for the compactor (absent options are left out). */
export function compactorEnvironment(env: CompactorEnvironment): Record<string, string> {
  const out: Record<string, string> = {
    [COMPACTOR_ENV.pipelines]: env.pipelines.join(','),
    ...processorEnvironment({ pipeline: '', lakeBucket: env.lakeBucket, s3Endpoint: env.s3Endpoint, ...icebergLakeVariables(env.lake) }),
  };
  delete out[ENV.pipeline];
  if (env.targetFileSizeBytes !== undefined) out[COMPACTOR_ENV.targetFileSizeBytes] = String(env.targetFileSizeBytes);
  if (env.snapshotRetentionSeconds !== undefined) out[COMPACTOR_ENV.snapshotRetentionSeconds] = String(env.snapshotRetentionSeconds);
  if (env.orphanMinAgeSeconds !== undefined) out[COMPACTOR_ENV.orphanMinAgeSeconds] = String(env.orphanMinAgeSeconds);
  const r = env.retentionDays;
  if (r?.events !== undefined) out[COMPACTOR_ENV.eventsRetentionDays] = String(r.events);
  if (r?.quarantine !== undefined) out[COMPACTOR_ENV.quarantineRetentionDays] = String(r.quarantine);
  if (r?.partials !== undefined) out[COMPACTOR_ENV.partialsRetentionDays] = String(r.partials);
  return out;
}

function optionalCount(vars: Variables, name: string, min: number): number | undefined {
  const v = optional(vars, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) throw new ConfigurationError(`environment variable ${name} must be an integer of at least ${min}, got '${v}'`);
  return n;
}

/** Parses the compactor's environment; a missing or wrong variable throws a ConfigurationError naming it. */
export function readCompactorEnvironment(vars: Variables = process.env): CompactorEnvironment {
  const pipelines = required(vars, COMPACTOR_ENV.pipelines)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (pipelines.length === 0) throw new ConfigurationError(`environment variable ${COMPACTOR_ENV.pipelines} names no pipeline`);
  const common = { ...readProcessorEnvironment({ ...vars, [ENV.pipeline]: pipelines[0] }) };
  return {
    pipelines,
    lakeBucket: common.lakeBucket,
    s3Endpoint: common.s3Endpoint,
    lake: icebergLakeOf(common, "the compactor maintains the pipelines' Iceberg tables"),
    targetFileSizeBytes: optionalCount(vars, COMPACTOR_ENV.targetFileSizeBytes, 1),
    snapshotRetentionSeconds: optionalCount(vars, COMPACTOR_ENV.snapshotRetentionSeconds, 0),
    orphanMinAgeSeconds: optionalCount(vars, COMPACTOR_ENV.orphanMinAgeSeconds, 0),
    retentionDays: {
      events: optionalCount(vars, COMPACTOR_ENV.eventsRetentionDays, 1),
      quarantine: optionalCount(vars, COMPACTOR_ENV.quarantineRetentionDays, 1),
      partials: optionalCount(vars, COMPACTOR_ENV.partialsRetentionDays, 1),
    },
  };
}
