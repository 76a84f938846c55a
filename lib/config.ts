/**
 * Typed deployment configuration, read once in bin/ from cdk.json context (and `-c key=value`
 * overrides) and validated with messages that name the bad key and the allowed values.
 */
import { ConfigurationError } from '../model/errors';
import { PIPELINE_NAMES } from '../pipelines';

export type KafkaConfig =
  | { readonly mode: 'serverless' }
  | {
      readonly mode: 'provisioned';
      readonly brokerCount: number;
      readonly instanceType: string;
      readonly kafkaVersion: string;
      readonly storageGiB: number;
    }
  | {
      readonly mode: 'existing';
      readonly clusterArn: string;
      readonly vpcId: string;
      /** CIDR of that VPC: the client security group's HTTPS egress to the VPC endpoints. */
      readonly vpcCidr: string;
      readonly subnetIds: readonly string[];
      readonly securityGroupId: string;
      /** Availability zone of each subnet, in the same order (no lookups at synth time). */
      readonly availabilityZones: readonly string[];
    };

export interface RetentionConfig {
  readonly eventsDays: number;
  readonly aggregatesDays: number;
  readonly quarantineDays: number;
  readonly athenaResultsDays: number;
}

export interface AlarmConfig {
  /** Records behind the head of the topic, per function. */
  readonly offsetLag: number;
  /** Function errors per 5 minutes. */
  readonly errors: number;
  /** Quarantined / received, 0–1. */
  readonly quarantineRatio: number;
  /** Seconds from the Kafka timestamp of the newest record to its rows being written. */
  readonly freshnessSeconds: number;
  readonly email?: string;
}

export interface StreamlakeConfig {
  /** Prefix of stack names and resource names. */
  readonly prefix: string;
  readonly kafka: KafkaConfig;
  readonly pipelines: readonly string[];
  /** Deployed pipelines whose values are Avro (Glue Schema Registry / Confluent wire format). */
  readonly avroPipelines: readonly string[];
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly retention: RetentionConfig;
  readonly alarms: AlarmConfig;
  readonly removalPolicy: 'destroy' | 'retain';
  /** Athena per-query bytes-scanned cutoff. */
  readonly athenaBytesScannedCutoff: number;
}

/** A configuration value that breaks a rule; the message names the key. */
export class ConfigError extends ConfigurationError {
  override readonly name: string = 'ConfigError';
  constructor(key: string, problem: string) {
    super(`config '${key}': ${problem} (set it in cdk.json "context" or with -c ${key}=...)`);
  }
}

export const DEFAULT_CONFIG: StreamlakeConfig = {
  prefix: 'streamlake',
  kafka: { mode: 'serverless' },
  pipelines: PIPELINE_NAMES,
  avroPipelines: [],
  batchSize: 1000,
  maxBatchingWindowSeconds: 5,
  retention: { eventsDays: 365, aggregatesDays: 730, quarantineDays: 90, athenaResultsDays: 30 },
  alarms: { offsetLag: 100_000, errors: 1, quarantineRatio: 0.05, freshnessSeconds: 300 },
  removalPolicy: 'destroy',
  athenaBytesScannedCutoff: 10 * 1024 ** 3,
};

/** Context keys this app reads (all prefixed `streamlake:`). */
export const CONFIG_KEYS = [
  'prefix', 'kafkaMode', 'brokerCount', 'brokerInstanceType', 'kafkaVersion', 'brokerStorageGiB',
  'existingClusterArn', 'existingVpcId', 'existingVpcCidr', 'existingSubnetIds', 'existingSecurityGroupId', 'existingAvailabilityZones',
  'pipelines', 'avroPipelines', 'batchSize', 'maxBatchingWindowSeconds',
  'eventsRetentionDays', 'aggregatesRetentionDays', 'quarantineRetentionDays', 'athenaResultsRetentionDays',
  'alarmOffsetLag', 'alarmErrors', 'alarmQuarantineRatio', 'alarmFreshnessSeconds', 'alarmEmail',
  'removalPolicy', 'athenaBytesScannedCutoff',
] as const;

/** MSK provisioned Kafka versions this app accepts (IAM auth needs 2.7.1+; 3.x recommended). */
export const KAFKA_VERSIONS = ['3.6.0', '3.7.x', '3.8.x', '3.9.x'] as const;

type Context = Readonly<Record<string, unknown>>;

function raw(context: Context, key: string): unknown {
  return context[`streamlake:${key}`];
}

function str(context: Context, key: string, fallback: string): string {
  const v = raw(context, key);
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v !== 'string') throw new ConfigError(`streamlake:${key}`, `must be a string, got ${JSON.stringify(v)}`);
  return v;
}

function int(context: Context, key: string, fallback: number, min: number, max: number): number {
  const v = raw(context, key);
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`streamlake:${key}`, `must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function num(context: Context, key: string, fallback: number, min: number, max: number): number {
  const v = raw(context, key);
  if (v === undefined || v === null || v === '') return fallback;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n < min || n > max) throw new ConfigError(`streamlake:${key}`, `must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function list(context: Context, key: string): string[] | undefined {
  const v = raw(context, key);
  if (v === undefined || v === null || v === '') return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  throw new ConfigError(`streamlake:${key}`, `must be a list of strings or a comma-separated string, got ${JSON.stringify(v)}`);
}

function oneOf<T extends string>(context: Context, key: string, fallback: T, allowed: readonly T[]): T {
  const v = str(context, key, fallback);
  if (!allowed.includes(v as T)) throw new ConfigError(`streamlake:${key}`, `must be one of ${allowed.join(' | ')}, got '${v}'`);
  return v as T;
}

function kafkaConfig(context: Context): KafkaConfig {
  const mode = oneOf(context, 'kafkaMode', 'serverless', ['serverless', 'provisioned', 'existing'] as const);
  if (mode === 'serverless') return { mode };
  if (mode === 'provisioned') {
    const brokerCount = int(context, 'brokerCount', 2, 2, 30);
    const instanceType = str(context, 'brokerInstanceType', 'kafka.m7g.large');
    if (!/^kafka\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
      throw new ConfigError('streamlake:brokerInstanceType', `must look like kafka.m7g.large, got '${instanceType}'`);
    }
    // MSK's recommended 3.8.x line; the local broker runs 3.8.1 (local/broker/kafka-broker.ts)
    const kafkaVersion = str(context, 'kafkaVersion', '3.8.x');
    if (!(KAFKA_VERSIONS as readonly string[]).includes(kafkaVersion)) {
      throw new ConfigError('streamlake:kafkaVersion', `must be one of ${KAFKA_VERSIONS.join(' | ')}, got '${kafkaVersion}'`);
    }
    return { mode, brokerCount, instanceType, kafkaVersion, storageGiB: int(context, 'brokerStorageGiB', 100, 1, 16384) };
  }
  const clusterArn = str(context, 'existingClusterArn', '');
  if (!/^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/.test(clusterArn)) {
    throw new ConfigError('streamlake:existingClusterArn', `kafkaMode 'existing' needs the cluster ARN (arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>), got '${clusterArn}'`);
  }
  const vpcId = str(context, 'existingVpcId', '');
  if (!/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) throw new ConfigError('streamlake:existingVpcId', `kafkaMode 'existing' needs the cluster's VPC id (vpc-...), got '${vpcId}'`);
  const vpcCidr = str(context, 'existingVpcCidr', '');
  if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(vpcCidr)) throw new ConfigError('streamlake:existingVpcCidr', `kafkaMode 'existing' needs the VPC's CIDR block (e.g. 10.0.0.0/16), got '${vpcCidr}'`);
  const subnetIds = list(context, 'existingSubnetIds') ?? [];
  if (subnetIds.length < 2 || !subnetIds.every((s) => /^subnet-[0-9a-f]{8,17}$/.test(s))) {
    throw new ConfigError('streamlake:existingSubnetIds', `kafkaMode 'existing' needs 2+ private subnet ids (subnet-...), got ${JSON.stringify(subnetIds)}`);
  }
  const securityGroupId = str(context, 'existingSecurityGroupId', '');
  if (!/^sg-[0-9a-f]{8,17}$/.test(securityGroupId)) {
    throw new ConfigError('streamlake:existingSecurityGroupId', `kafkaMode 'existing' needs the cluster's security group id (sg-...), got '${securityGroupId}'`);
  }
  const availabilityZones = list(context, 'existingAvailabilityZones') ?? [];
  if (availabilityZones.length !== subnetIds.length) {
    throw new ConfigError('streamlake:existingAvailabilityZones', `must list the availability zone of each subnet (${subnetIds.length}), got ${JSON.stringify(availabilityZones)}`);
  }
  return { mode, clusterArn, vpcId, vpcCidr, subnetIds, securityGroupId, availabilityZones };
}

/** Builds and validates the configuration from CDK context. */
export function parseConfig(context: Context): StreamlakeConfig {
  const unknown = Object.keys(context).filter((k) => k.startsWith('streamlake:') && !(CONFIG_KEYS as readonly string[]).includes(k.slice('streamlake:'.length)));
  if (unknown.length > 0) throw new ConfigError(unknown[0], `unknown key; known keys: ${CONFIG_KEYS.map((k) => `streamlake:${k}`).join(', ')}`);

  const prefix = str(context, 'prefix', DEFAULT_CONFIG.prefix);
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(prefix)) throw new ConfigError('streamlake:prefix', `must be 2-21 characters of [a-z0-9-] starting with a letter, got '${prefix}'`);
  const pipelines = list(context, 'pipelines') ?? [...DEFAULT_CONFIG.pipelines];
  if (pipelines.length === 0) throw new ConfigError('streamlake:pipelines', `must name at least one pipeline of ${PIPELINE_NAMES.join(', ')}`);
  for (const p of pipelines) {
    if (!PIPELINE_NAMES.includes(p)) throw new ConfigError('streamlake:pipelines', `unknown pipeline '${p}' (known: ${PIPELINE_NAMES.join(', ')})`);
  }
  const avroPipelines = list(context, 'avroPipelines') ?? [];
  for (const p of avroPipelines) {
    if (!pipelines.includes(p)) throw new ConfigError('streamlake:avroPipelines', `'${p}' is not deployed (streamlake:pipelines is ${pipelines.join(',')}): add it there or remove it here`);
  }
  const email = str(context, 'alarmEmail', '');
  if (email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new ConfigError('streamlake:alarmEmail', `is not an e-mail address: '${email}'`);
  const d = DEFAULT_CONFIG;
  return {
    prefix,
    kafka: kafkaConfig(context),
    pipelines: [...new Set(pipelines)],
    avroPipelines: [...new Set(avroPipelines)],
    // MSK event source mapping limits (Lambda developer guide, "Amazon MSK event source mapping")
    batchSize: int(context, 'batchSize', d.batchSize, 1, 10_000),
    maxBatchingWindowSeconds: int(context, 'maxBatchingWindowSeconds', d.maxBatchingWindowSeconds, 0, 300),
    retention: {
      eventsDays: int(context, 'eventsRetentionDays', d.retention.eventsDays, 1, 36_500),
      aggregatesDays: int(context, 'aggregatesRetentionDays', d.retention.aggregatesDays, 1, 36_500),
      quarantineDays: int(context, 'quarantineRetentionDays', d.retention.quarantineDays, 1, 36_500),
      athenaResultsDays: int(context, 'athenaResultsRetentionDays', d.retention.athenaResultsDays, 1, 3650),
    },
    alarms: {
      offsetLag: int(context, 'alarmOffsetLag', d.alarms.offsetLag, 1, 1_000_000_000),
      errors: int(context, 'alarmErrors', d.alarms.errors, 1, 1_000_000),
      quarantineRatio: num(context, 'alarmQuarantineRatio', d.alarms.quarantineRatio, 0, 1),
      freshnessSeconds: int(context, 'alarmFreshnessSeconds', d.alarms.freshnessSeconds, 1, 86_400),
      email: email || undefined,
    },
    removalPolicy: oneOf(context, 'removalPolicy', d.removalPolicy, ['destroy', 'retain'] as const),
    athenaBytesScannedCutoff: int(context, 'athenaBytesScannedCutoff', d.athenaBytesScannedCutoff, 10 * 1024 ** 2, Number.MAX_SAFE_INTEGER),
  };
}
