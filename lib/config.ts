/**
 * Typed deployment configuration, read once in bin/ from cdk.json context (and `-c key=value`
 * overrides) and validated with messages that name the bad key and the allowed values.
 *
 * Every key is one row of `CONFIG_OPTIONS` (how it is read, its default, what is allowed, what it
 * means); the defaults, the known keys, the parser and the README table (`lib/config-docs.ts`)
 * all come from that table.
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
  /** Hours since the end of the oldest closed day partition that compaction has left with small files. */
  readonly uncompactedPartitionAgeHours: number;
  readonly email?: string;
}

/** How the event source mappings poll and where they put what finally fails. */
export interface EventSourceMappingConfig {
  /**
   * Provisioned mode: this many event pollers dedicated to each mapping, at least `minimum` and
   * at most `maximum`; absent for on-demand mode (Lambda scales the pollers on offset lag).
   */
  readonly provisionedPollers?: { readonly minimum: number; readonly maximum: number };
  /**
   * Where the invocation records of batches that finally fail go: `s3` (the failed-batches bucket)
   * or `kafka` (a topic of the same cluster per pipeline, `failureTopicOf(spec)`).
   */
  readonly onFailure: OnFailureDestinationKind;
}

/** The on-failure destinations a deployment can have (streamlake:onFailure). */
export const ON_FAILURE_DESTINATIONS = ['s3', 'kafka'] as const;
export type OnFailureDestinationKind = (typeof ON_FAILURE_DESTINATIONS)[number];

/** Lambda's defaults when only one bound of provisioned mode is given (Lambda API reference, ProvisionedPollerConfig). */
export const DEFAULT_MINIMUM_POLLERS = 1;
export const DEFAULT_MAXIMUM_POLLERS = 200;

/** The lake maintenance (lib/constructs/lake-compactor.ts); absent with streamlake:compaction=off. */
export interface CompactionConfig {
  /** Minutes between two runs of a pipeline's maintenance. */
  readonly periodMinutes: number;
  readonly targetFileSizeMiB: number;
  readonly snapshotRetentionHours: number;
  readonly orphanMinAgeHours: number;
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
  readonly eventSourceMapping: EventSourceMappingConfig;
  readonly retention: RetentionConfig;
  readonly alarms: AlarmConfig;
  readonly compaction?: CompactionConfig;
  readonly removalPolicy: 'destroy' | 'retain';
  /** Athena per-query bytes-scanned cutoff. */
  readonly athenaBytesScannedCutoff: number;
}

export interface ConfigProblem {
  /** The context key, e.g. `streamlake:batchSize`. */
  readonly key: string;
  readonly problem: string;
}

/**
 * Configuration values that break a rule. The message lists every problem, one line each,
 * naming the key; `key` is the first problem's, `problems` all of them.
 */
export class ConfigError extends ConfigurationError {
  override readonly name: string = 'ConfigError';
  readonly key: string;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(({ key, problem }) => `config '${key}': ${problem} (set it in cdk.json "context" or with -c ${key}=...)`).join('\n'));
    this.key = problems[0]?.key ?? '';
  }
}

/** MSK provisioned Kafka versions this app accepts (IAM auth needs 2.7.1+; 3.x recommended). */
export const KAFKA_VERSIONS = ['3.6.0', '3.7.x', '3.8.x', '3.9.x'] as const;

type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };
const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = <T>(problem: string): Read<T> => ({ ok: false, problem });

/** One context key: how it is read and checked, its default, and its documentation. */
export interface ConfigOption<T> {
  /** Reads a value given in context: a string from `-c key=value`, any JSON from cdk.json. */
  read(raw: unknown): Read<T>;
  /** Checks the value in force, given or default (how a key required in one mode says so). */
  check?(value: T): string | undefined;
  readonly default: T;
  /** Allowed values or range, for the docs. */
  readonly allowed: string;
  /** What the key sets, in one line, for the docs. */
  readonly doc: string;
  /** Read only in this Kafka mode; ignored in the others. */
  readonly kafkaMode?: 'provisioned' | 'existing';
  /** The default as the docs show it, when the value alone says it badly. */
  readonly docDefault?: string;
}

type Docs = Pick<ConfigOption<unknown>, 'doc' | 'kafkaMode' | 'docDefault'> & { readonly allowed?: string };

function integer(o: Docs & { readonly default: number; readonly min: number; readonly max: number }): ConfigOption<number> {
  const { min, max } = o;
  return {
    ...o,
    allowed: o.allowed ?? `${min}–${max}`,
    read(v) {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : NaN;
      return Number.isInteger(n) && n >= min && n <= max ? ok(n) : bad(`must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
    },
  };
}

/** An integer that may be left unset (its absence means something, e.g. on-demand mode). */
function optionalInteger(o: Docs & { readonly min: number; readonly max: number; readonly docDefault: string }): ConfigOption<number | undefined> {
  const { read, allowed } = integer({ ...o, default: o.min });
  return { ...o, allowed, default: undefined, read };
}

function decimal(o: Docs & { readonly default: number; readonly min: number; readonly max: number }): ConfigOption<number> {
  const { min, max } = o;
  return {
    ...o,
    allowed: o.allowed ?? `${min}–${max}`,
    read(v) {
      const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      return Number.isFinite(n) && n >= min && n <= max ? ok(n) : bad(`must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    },
  };
}

const readString = (v: unknown): Read<string> => (typeof v === 'string' ? ok(v) : bad(`must be a string, got ${JSON.stringify(v)}`));

/** A string that must match `pattern` (unless `optional` and empty); `problem` says what else. */
function text(
  o: Docs & { readonly default: string; readonly allowed: string; readonly pattern: RegExp; readonly optional?: boolean; readonly problem: (v: string) => string },
): ConfigOption<string> {
  return { ...o, read: readString, check: (v) => ((o.optional && v === '') || o.pattern.test(v) ? undefined : o.problem(v)) };
}

function choice<T extends string>(values: readonly T[], o: Docs & { readonly default: T }): ConfigOption<T> {
  return {
    ...o,
    allowed: values.map((v) => `\`${v}\``).join(' | '),
    read(v) {
      const s = readString(v);
      if (!s.ok) return bad(s.problem);
      return values.includes(s.value as T) ? ok(s.value as T) : bad(`must be one of ${values.join(' | ')}, got '${s.value}'`);
    },
  };
}

/** A list, given as a JSON array or a comma-separated string. */
function stringList(
  o: Docs & { readonly default: readonly string[]; readonly allowed: string; readonly check?: (v: readonly string[]) => string | undefined },
): ConfigOption<readonly string[]> {
  return {
    ...o,
    read(v) {
      if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return ok(v as string[]);
      if (typeof v === 'string')
        return ok(
          v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
        );
      return bad(`must be a list of strings or a comma-separated string, got ${JSON.stringify(v)}`);
    },
  };
}

/** A key `existing` mode needs: its message says what, with an example. */
const existingKey = (what: string, example: string, allowed: string, pattern: RegExp): ConfigOption<string> =>
  text({ default: '', kafkaMode: 'existing', allowed, doc: what, pattern, problem: (v) => `kafkaMode 'existing' needs ${what} (${example}), got '${v}'` });

const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;

/** Every context key this app reads (all prefixed `streamlake:`), in the order the docs list them. */
export const CONFIG_OPTIONS = {
  prefix: text({
    default: 'streamlake',
    pattern: /^[a-z][a-z0-9-]{1,20}$/,
    problem: (v) => `must be 2-21 characters of [a-z0-9-] starting with a letter, got '${v}'`,
    allowed: '2–21 characters of `[a-z0-9-]`, starting with a letter',
    doc: 'stack and resource name prefix',
  }),
  kafkaMode: choice(['serverless', 'provisioned', 'existing'] as const, { default: 'serverless', doc: 'MSK Serverless, a provisioned MSK cluster, or an existing cluster' }),
  brokerCount: integer({ default: 2, min: 2, max: 30, kafkaMode: 'provisioned', doc: 'brokers' }),
  brokerInstanceType: text({
    default: 'kafka.m7g.large',
    kafkaMode: 'provisioned',
    pattern: /^kafka\.[a-z0-9]+\.[a-z0-9]+$/,
    problem: (v) => `must look like kafka.m7g.large, got '${v}'`,
    allowed: '`kafka.<family>.<size>`',
    doc: 'broker instance type',
  }),
  // MSK's recommended 3.8.x line; the local broker runs 3.8.1 (local/broker/kafka-broker.ts)
  kafkaVersion: choice(KAFKA_VERSIONS, { default: '3.8.x', kafkaMode: 'provisioned', doc: 'Kafka version' }),
  brokerStorageGiB: integer({ default: 100, min: 1, max: 16_384, kafkaMode: 'provisioned', doc: 'EBS storage per broker, GiB' }),
  existingClusterArn: existingKey(
    'the cluster ARN',
    'arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>',
    '`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`',
    /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/,
  ),
  existingVpcId: existingKey("the cluster's VPC id", 'vpc-...', '`vpc-...`', /^vpc-[0-9a-f]{8,17}$/),
  // the client security group's HTTPS egress to the VPC endpoints
  existingVpcCidr: existingKey("the VPC's CIDR block", 'e.g. 10.0.0.0/16', 'a CIDR block, e.g. `10.0.0.0/16`', /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/),
  existingSubnetIds: stringList({
    default: [],
    kafkaMode: 'existing',
    allowed: '2+ `subnet-...`',
    doc: "the cluster's private subnets",
    check: (v) => (v.length >= 2 && v.every((s) => SUBNET_ID.test(s)) ? undefined : `kafkaMode 'existing' needs 2+ private subnet ids (subnet-...), got ${JSON.stringify(v)}`),
  }),
  existingSecurityGroupId: existingKey("the cluster's security group id", 'sg-...', '`sg-...`', /^sg-[0-9a-f]{8,17}$/),
  // given, not looked up: no lookups at synth time
  existingAvailabilityZones: stringList({ default: [], kafkaMode: 'existing', allowed: 'one per subnet', doc: 'the availability zone of each subnet, in the same order' }),
  pipelines: stringList({
    default: PIPELINE_NAMES,
    allowed: PIPELINE_NAMES.map((p) => `\`${p}\``).join(', '),
    docDefault: `all (\`${PIPELINE_NAMES.join(',')}\`)`,
    doc: 'pipelines to deploy',
    check: (v) =>
      v.length === 0
        ? `must name at least one pipeline of ${PIPELINE_NAMES.join(', ')}`
        : v.filter((p) => !PIPELINE_NAMES.includes(p)).map((p) => `unknown pipeline '${p}' (known: ${PIPELINE_NAMES.join(', ')})`)[0],
  }),
  avroPipelines: stringList({
    default: [],
    allowed: 'pipelines of `streamlake:pipelines`',
    doc: 'pipelines whose values are Avro (e.g. `sales`): Glue Schema Registry + schema from the spec, processors decode Glue and Confluent frames',
  }),
  // MSK event source mapping limits (Lambda developer guide, "Amazon MSK event source mapping")
  batchSize: integer({ default: 1000, min: 1, max: 10_000, doc: 'event source mapping batch size' }),
  maxBatchingWindowSeconds: integer({ default: 5, min: 0, max: 300, doc: 'event source mapping batching window, seconds' }),
  // provisioned mode (Lambda developer guide, "Apache Kafka event poller scaling modes"; CloudFormation
  // AWS::Lambda::EventSourceMapping ProvisionedPollerConfig: MinimumPollers 1–200, MaximumPollers 1–2000)
  minimumPollers: optionalInteger({
    min: 1,
    max: 200,
    docDefault: `unset (on-demand mode; \`${DEFAULT_MINIMUM_POLLERS}\` when only maximumPollers is set)`,
    doc: 'provisioned mode: event pollers always ready per mapping (each up to 5 MB/s or 5 concurrent invocations; billed while provisioned)',
  }),
  maximumPollers: optionalInteger({
    min: 1,
    max: 2000,
    docDefault: `unset (on-demand mode; \`${DEFAULT_MAXIMUM_POLLERS}\` when only minimumPollers is set)`,
    doc: 'provisioned mode: event pollers per mapping at most; ≥ minimumPollers',
  }),
  onFailure: choice(ON_FAILURE_DESTINATIONS, {
    default: 's3',
    doc: 'on-failure destination of the event source mappings: `s3` (the failed-batches bucket) or `kafka` (topic `<input topic>.failed` of the same cluster; needs provisioned mode)',
  }),
  eventsRetentionDays: integer({
    default: 365,
    min: 1,
    max: 36_500,
    doc: 'days of events the events tables keep (by event day): older day partitions are deleted through the table by the compactor (README, "Compaction"; not with compaction=off)',
  }),
  aggregatesRetentionDays: integer({
    default: 730,
    min: 1,
    max: 36_500,
    doc: 'days of window partials kept (by window day), deleted by the compactor',
  }),
  quarantineRetentionDays: integer({
    default: 90,
    min: 1,
    max: 36_500,
    doc: 'days of quarantine records kept (by arrival day), deleted by the compactor',
  }),
  compaction: choice(['on', 'off'] as const, {
    default: 'on',
    doc: 'the lake maintenance: a compactor function run per pipeline on a schedule (compaction, snapshot expiry, orphan removal; README, "Compaction and retention")',
  }),
  // EventBridge Scheduler rate expressions take whole minutes; a run takes at most the function's 15 minutes
  compactionPeriodMinutes: integer({ default: 15, min: 15, max: 1440, doc: "minutes between two maintenance runs of a pipeline's tables" }),
  compactionTargetFileSizeMiB: integer({ default: 128, min: 8, max: 1024, doc: 'size of the files compaction writes, MiB (files below 75% of it are rewritten)' }),
  snapshotRetentionHours: integer({
    default: 1,
    min: 1,
    max: 8760,
    doc: 'snapshots older than this are expired (time travel reaches this far back), hours; every commit rewrites a metadata file listing them all',
  }),
  // > the processors' (5 min) and the compactor's (15 min) timeout: a writer may be between writing its files and committing them
  orphanMinAgeHours: integer({
    default: 72,
    min: 1,
    max: 8760,
    doc: 'files no snapshot lists are deleted once older than this, hours (must exceed the processor and compactor timeouts: at least 1)',
  }),
  athenaResultsRetentionDays: integer({ default: 30, min: 1, max: 3650, doc: 'lifecycle expiry of Athena query results, days' }),
  alarmOffsetLag: integer({ default: 100_000, min: 1, max: 1_000_000_000, doc: 'offset-lag alarm threshold (records)' }),
  alarmErrors: integer({ default: 1, min: 1, max: 1_000_000, doc: 'failed invocations per 5 minutes' }),
  alarmQuarantineRatio: decimal({ default: 0.05, min: 0, max: 1, doc: 'quarantined / received' }),
  alarmFreshnessSeconds: integer({ default: 300, min: 1, max: 86_400, doc: 'newest Kafka timestamp → rows written, seconds' }),
  alarmUncompactedPartitionAgeHours: integer({
    default: 48,
    min: 1,
    max: 8760,
    doc: 'alarm when the oldest closed day partition still holding small files ended longer ago than this, hours',
  }),
  alarmEmail: text({
    default: '',
    optional: true,
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    problem: (v) => `is not an e-mail address: '${v}'`,
    allowed: 'an e-mail address',
    doc: 'e-mail subscribed to the alarm topic',
  }),
  removalPolicy: choice(['destroy', 'retain'] as const, { default: 'destroy', doc: '`destroy` (dev: buckets emptied on delete) or `retain` (prod)' }),
  athenaBytesScannedCutoff: integer({
    default: 10 * 1024 ** 3,
    min: 10 * 1024 ** 2,
    max: Number.MAX_SAFE_INTEGER,
    allowed: '≥ 10485760 (10 MiB)',
    docDefault: '`10737418240` (10 GiB)',
    doc: 'per-query scan limit of the Athena workgroup, bytes',
  }),
};

export type ConfigKey = keyof typeof CONFIG_OPTIONS;
type ConfigValues = { -readonly [K in ConfigKey]: (typeof CONFIG_OPTIONS)[K] extends ConfigOption<infer T> ? T : never };

/** Context keys this app reads (all prefixed `streamlake:`). */
export const CONFIG_KEYS = Object.keys(CONFIG_OPTIONS) as ConfigKey[];

const contextKey = (key: string): string => `streamlake:${key}`;

/** Checks between keys, on the keys that are valid on their own. */
function crossKeyProblems(v: Partial<ConfigValues>): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  if (v.pipelines && v.avroPipelines) {
    for (const p of v.avroPipelines.filter((a) => !v.pipelines!.includes(a))) {
      out.push({ key: contextKey('avroPipelines'), problem: `'${p}' is not deployed (streamlake:pipelines is ${v.pipelines.join(',')}): add it there or remove it here` });
    }
  }
  const { minimumPollers: min, maximumPollers: max } = v;
  if (min !== undefined && max !== undefined && min > max) {
    out.push({ key: contextKey('minimumPollers'), problem: `must be at most streamlake:maximumPollers (${max}), got ${min}` });
  }
  // Lambda's Kafka on-failure destinations are a provisioned-mode feature (Lambda developer guide,
  // "Using a Kafka topic as an on-failure destination": its examples create the mapping with a ProvisionedPollerConfig)
  if (v.onFailure === 'kafka' && v.minimumPollers === undefined && v.maximumPollers === undefined && 'minimumPollers' in v && 'maximumPollers' in v) {
    out.push({ key: contextKey('onFailure'), problem: `'kafka' needs provisioned mode: set streamlake:minimumPollers and/or streamlake:maximumPollers, or use 's3'` });
  }
  const { existingSubnetIds: subnets, existingAvailabilityZones: zones } = v;
  if (subnets && zones && zones.length !== subnets.length) {
    out.push({ key: contextKey('existingAvailabilityZones'), problem: `must list the availability zone of each subnet (${subnets.length}), got ${JSON.stringify(zones)}` });
  }
  return out;
}

function kafkaConfigOf(v: ConfigValues): KafkaConfig {
  switch (v.kafkaMode) {
    case 'serverless':
      return { mode: 'serverless' };
    case 'provisioned':
      return { mode: 'provisioned', brokerCount: v.brokerCount, instanceType: v.brokerInstanceType, kafkaVersion: v.kafkaVersion, storageGiB: v.brokerStorageGiB };
    case 'existing':
      return {
        mode: 'existing',
        clusterArn: v.existingClusterArn,
        vpcId: v.existingVpcId,
        vpcCidr: v.existingVpcCidr,
        subnetIds: v.existingSubnetIds,
        securityGroupId: v.existingSecurityGroupId,
        availabilityZones: v.existingAvailabilityZones,
      };
  }
}

/** The typed configuration from one value per key. */
function toConfig(v: ConfigValues): StreamlakeConfig {
  return {
    prefix: v.prefix,
    kafka: kafkaConfigOf(v),
    pipelines: [...new Set(v.pipelines)],
    avroPipelines: [...new Set(v.avroPipelines)],
    batchSize: v.batchSize,
    maxBatchingWindowSeconds: v.maxBatchingWindowSeconds,
    eventSourceMapping: {
      provisionedPollers:
        v.minimumPollers === undefined && v.maximumPollers === undefined
          ? undefined
          : { minimum: v.minimumPollers ?? DEFAULT_MINIMUM_POLLERS, maximum: v.maximumPollers ?? DEFAULT_MAXIMUM_POLLERS },
      onFailure: v.onFailure,
    },
    retention: {
      eventsDays: v.eventsRetentionDays,
      aggregatesDays: v.aggregatesRetentionDays,
      quarantineDays: v.quarantineRetentionDays,
      athenaResultsDays: v.athenaResultsRetentionDays,
    },
    alarms: {
      offsetLag: v.alarmOffsetLag,
      errors: v.alarmErrors,
      quarantineRatio: v.alarmQuarantineRatio,
      freshnessSeconds: v.alarmFreshnessSeconds,
      uncompactedPartitionAgeHours: v.alarmUncompactedPartitionAgeHours,
      email: v.alarmEmail || undefined,
    },
    compaction:
      v.compaction === 'on'
        ? {
            periodMinutes: v.compactionPeriodMinutes,
            targetFileSizeMiB: v.compactionTargetFileSizeMiB,
            snapshotRetentionHours: v.snapshotRetentionHours,
            orphanMinAgeHours: v.orphanMinAgeHours,
          }
        : undefined,
    removalPolicy: v.removalPolicy,
    athenaBytesScannedCutoff: v.athenaBytesScannedCutoff,
  };
}

const DEFAULT_VALUES = Object.fromEntries(CONFIG_KEYS.map((k) => [k, CONFIG_OPTIONS[k].default])) as ConfigValues;

export const DEFAULT_CONFIG: StreamlakeConfig = toConfig(DEFAULT_VALUES);

type Context = Readonly<Record<string, unknown>>;

/** Keys earlier versions read, with what to do instead: a cdk.json that still sets one fails with this. */
const REMOVED_KEYS: Readonly<Record<string, string>> = {
  lakeFormat:
    'removed: the lake is always Apache Iceberg tables now (README, "The lake"); delete the key (a deployment of the per-batch layout: README, "Upgrading from the per-batch layout")',
};

/** Builds and validates the configuration from CDK context; fails once, listing every bad key. */
export function parseConfig(context: Context): StreamlakeConfig {
  const problems: ConfigProblem[] = Object.keys(context)
    .filter((k) => k.startsWith('streamlake:') && !(CONFIG_KEYS as readonly string[]).includes(k.slice('streamlake:'.length)))
    .map((key) => ({ key, problem: REMOVED_KEYS[key.slice('streamlake:'.length)] ?? `unknown key; known keys: ${CONFIG_KEYS.map(contextKey).join(', ')}` }));

  const values: Partial<ConfigValues> = {};
  const readKey = (key: ConfigKey): void => {
    const option = CONFIG_OPTIONS[key] as ConfigOption<unknown>;
    const raw = context[contextKey(key)];
    const read = raw === undefined || raw === null || raw === '' ? ok(option.default) : option.read(raw);
    const problem = read.ok ? option.check?.(read.value) : read.problem;
    if (problem !== undefined) problems.push({ key: contextKey(key), problem });
    else if (read.ok) (values as Record<ConfigKey, unknown>)[key] = read.value;
  };
  // the Kafka mode first: it decides which of the mode's keys are read at all
  CONFIG_KEYS.filter((k) => CONFIG_OPTIONS[k].kafkaMode === undefined).forEach(readKey);
  const mode = values.kafkaMode;
  CONFIG_KEYS.filter((k) => CONFIG_OPTIONS[k].kafkaMode !== undefined && CONFIG_OPTIONS[k].kafkaMode === mode).forEach(readKey);
  problems.push(...crossKeyProblems(values));

  if (problems.length > 0) throw new ConfigError(problems);
  return toConfig({ ...DEFAULT_VALUES, ...values });
}
