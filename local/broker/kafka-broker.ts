/**
 * A real Apache Kafka broker for the local runtime, in this order:
 * 1. `KAFKA_BOOTSTRAP` (an existing broker), 2. a local Docker engine (`apache/kafka`, KRaft),
 * 3. the Kafka jars from Maven Central run with the local Java as a single-node KRaft broker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { parseBootstrap } from '../../lambda/adapters/kafka-client';
import { freePort, isRunning, killOnExit, onExit, PrerequisiteError, stopChild } from '../process';
import { InfrastructureError } from '../../model/errors';

export { freePort, PrerequisiteError } from '../process';

/**
 * The Kafka version of the local broker: MSK's recommended line, 3.8.x (3.6.0 reaches its MSK end
 * of support on 2026-06-01). Override with STREAMLAKE_KAFKA_VERSION (install it first with
 * `scripts/install-kafka.sh <version>`).
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/supported-kafka-versions.html
 */
export const DEFAULT_KAFKA_VERSION = '3.8.1';
export const LOCAL_KAFKA_VERSION = process.env.STREAMLAKE_KAFKA_VERSION || DEFAULT_KAFKA_VERSION;

export interface RunningBroker {
  readonly bootstrap: string;
  readonly kind: 'external' | 'docker' | 'jars';
  readonly logFile?: string;
  /** The jars broker's ports, to restart it in place. */
  readonly ports?: { readonly broker: number; readonly controller: number };
  stop(): Promise<void>;
}

export interface BrokerOptions {
  /** Root of the ignored state folder. @default <repo>/.streamlake */
  readonly stateDir: string;
  /** Where the jars are installed by scripts/install-kafka.sh. @default <repo>/.streamlake/kafka */
  readonly repoRoot: string;
  /** Keep data between runs (`up`); tests start empty. @default false */
  readonly keepData?: boolean;
  /** Listen on these ports (a restart where clients expect the broker). @default free ports */
  readonly ports?: { readonly broker: number; readonly controller: number };
  /** @default 60_000 */
  readonly readyTimeoutMs?: number;
  /** The Java launcher. @default $JAVA_HOME/bin/java when JAVA_HOME is set, else `java` on the PATH */
  readonly java?: string;
  readonly log?: (line: string) => void;
}

/**
 * Waits until kafkajs admin describeCluster succeeds. `gone` says the broker process died, so
 * waiting longer is pointless; `describeFailure` adds context (the broker log's tail) to the error.
 */
export async function waitForBroker(bootstrap: string, timeoutMs: number, describeFailure: () => string = () => '', gone: () => boolean = () => false): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  // a plaintext probe that fails fast (no client-level retries): this loop does the retrying
  const kafka = new Kafka({ clientId: 'streamlake-ready', brokers: parseBootstrap(bootstrap), logLevel: logLevel.NOTHING, connectionTimeout: 2_000, retry: { retries: 0 } });
  while (Date.now() < deadline) {
    if (gone()) throw new InfrastructureError(`Kafka broker for ${bootstrap} exited before it was ready${describeFailure()}`);
    const admin = kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      await admin.describeCluster();
      await admin.disconnect();
      return;
    } catch (err) {
      last = err;
      await admin.disconnect().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  throw new InfrastructureError(`Kafka broker at ${bootstrap} not ready after ${timeoutMs / 1000}s: ${(last as Error)?.message}${describeFailure()}`);
}

/** Throws a PrerequisiteError naming what to install when `command` cannot run. */
export function requireCommand(command: string, args: readonly string[], whatToInstall: string): void {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) throw new PrerequisiteError(whatToInstall);
}

const NEED_JAVA = 'Java 17+ is needed to run the local Kafka broker: install a JDK (e.g. apt-get install openjdk-17-jre-headless), or set KAFKA_BOOTSTRAP to an existing broker';
const NEED_MAVEN = 'Maven is needed once to fetch the Kafka jars from Maven Central: install it (e.g. apt-get install maven), or set KAFKA_BOOTSTRAP to an existing broker';

/**
 * A KRaft cluster id: a random UUID in Kafka's text form (URL-safe base64, no padding, 22
 * characters). Like Kafka's Uuid.randomUuid it never starts with '-', which the storage tool
 * would read as an option.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** True when a Docker engine answers (a `docker` client alone is not enough). */
export function dockerAnswers(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000, encoding: 'utf8' });
  return !r.error && r.status === 0 && r.stdout.trim().length > 0 && !/error|cannot connect/i.test(r.stdout);
}

async function startDocker(options: BrokerOptions): Promise<RunningBroker> {
  const port = await freePort();
  const name = `streamlake-kafka-${port}`;
  const env = {
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: `PLAINTEXT://0.0.0.0:9092,CONTROLLER://0.0.0.0:9093`,
    KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${port}`,
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    KAFKA_HEAP_OPTS: '-Xmx512m -Xms128m',
  };
  // published on loopback only
  const args = [
    'run',
    '-d',
    '--rm',
    '--name',
    name,
    '-p',
    `127.0.0.1:${port}:9092`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    `apache/kafka:${LOCAL_KAFKA_VERSION}`,
  ];
  options.log?.(`starting apache/kafka:${LOCAL_KAFKA_VERSION} in Docker…`);
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new InfrastructureError(`docker run apache/kafka:${LOCAL_KAFKA_VERSION} failed: ${(r.stderr ?? '').trim()}`);
  const remove = () => void spawnSync('docker', ['rm', '-f', name], { timeout: 30_000 });
  const forget = onExit(remove);
  const bootstrap = `127.0.0.1:${port}`;
  const logs = () =>
    `\n--- docker logs ${name} (last lines) ---\n${(spawnSync('docker', ['logs', '--tail', '15', name], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '').trim()}`;
  try {
    await waitForBroker(bootstrap, options.readyTimeoutMs ?? 60_000, logs);
  } catch (err) {
    remove();
    forget();
    throw err;
  }
  return {
    bootstrap,
    kind: 'docker',
    stop: async () => {
      spawnSync('docker', ['stop', '-t', '15', name], { timeout: 60_000 });
      forget();
    },
  };
}

/** Installs the jars (idempotent) with scripts/install-kafka.sh; returns the libs folder. */
export function ensureKafkaJars(repoRoot: string, log: (line: string) => void = () => undefined, java = javaCommand()): string {
  const libs = join(repoRoot, '.streamlake', 'kafka', LOCAL_KAFKA_VERSION, 'libs');
  if (existsSync(join(libs, '.complete'))) return libs;
  requireCommand(java, ['-version'], NEED_JAVA);
  requireCommand('mvn', ['-v'], NEED_MAVEN);
  log(`fetching the Apache Kafka ${LOCAL_KAFKA_VERSION} jars from Maven Central (once)…`);
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-kafka.sh'), LOCAL_KAFKA_VERSION], { encoding: 'utf8', cwd: repoRoot });
  if (r.status !== 0) throw new PrerequisiteError(`fetching the Kafka jars failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return libs;
}

/** server.properties of a single-node KRaft broker (combined broker + controller) on loopback. */
export function serverProperties(o: { readonly port: number; readonly controllerPort: number; readonly dataDir: string }): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${o.controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${o.port},CONTROLLER://127.0.0.1:${o.controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${o.port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${o.dataDir}`,
    // topics come from the specs only, as on MSK with auto-creation off
    'auto.create.topics.enable=false',
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    // fast start and fast consumer-group joins on one machine
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
    'num.recovery.threads.per.data.dir=1',
    'log.retention.hours=168',
    'log.segment.bytes=104857600',
    '',
  ].join('\n');
}

export function javaCommand(options: Pick<BrokerOptions, 'java'> = {}): string {
  return options.java ?? (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
}

async function startJars(options: BrokerOptions): Promise<RunningBroker> {
  const java = javaCommand(options);
  requireCommand(java, ['-version'], NEED_JAVA);
  const libs = ensureKafkaJars(options.repoRoot, options.log, java);
  const [port, controllerPort] = options.ports ? [options.ports.broker, options.ports.controller] : [await freePort(), await freePort()];
  const dir = resolve(options.stateDir, 'broker');
  const dataDir = join(dir, 'data');
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'broker.log');
  const props = join(dir, 'server.properties');
  writeFileSync(props, serverProperties({ port, controllerPort, dataDir }));
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    [
      'log4j.rootLogger=WARN, file',
      'log4j.appender.file=org.apache.log4j.FileAppender',
      `log4j.appender.file.File=${logFile}`,
      'log4j.appender.file.layout=org.apache.log4j.PatternLayout',
      'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n',
      'log4j.logger.kafka.server=INFO',
      '',
    ].join('\n'),
  );
  // a small heap and the C1 compiler only: the broker starts in seconds and fits a 2-core runner
  const jvm = ['-Xmx512m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${log4j}`, '-cp', `${libs}/*`];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const format = spawnSync(java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', props], { encoding: 'utf8', timeout: 120_000 });
    if (format.status !== 0) throw new InfrastructureError(`kafka storage format failed: ${(format.stderr || format.stdout || String(format.error)).trim()}`);
  }
  options.log?.(`starting Apache Kafka ${LOCAL_KAFKA_VERSION} (KRaft, jars) on 127.0.0.1:${port}; log: ${logFile}`);
  const child: ChildProcess = spawn(java, [...jvm, 'kafka.Kafka', props], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const forget = killOnExit(child);
  const running = () => isRunning(child);
  const tail = () =>
    (existsSync(logFile) ? `\n--- ${logFile} (last lines) ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '') +
    (stderr.trim() ? `\n--- stderr ---\n${stderr.trim()}` : '');
  const bootstrap = `127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    // a clean shutdown takes a few seconds; never wait forever
    await stopChild(child, 15_000);
    forget();
  };
  try {
    await waitForBroker(bootstrap, options.readyTimeoutMs ?? 60_000, tail, () => !running());
  } catch (err) {
    await stopChild(child, 0);
    forget();
    throw err;
  }
  return { bootstrap, kind: 'jars', logFile, ports: { broker: port, controller: controllerPort }, stop };
}

/** Starts (or finds) a broker; see the module comment for the order. */
export async function startBroker(options: BrokerOptions): Promise<RunningBroker> {
  const external = process.env.KAFKA_BOOTSTRAP;
  if (external) {
    await waitForBroker(external, options.readyTimeoutMs ?? 15_000);
    return { bootstrap: external, kind: 'external', stop: async () => undefined };
  }
  if (process.env.STREAMLAKE_NO_DOCKER !== '1' && dockerAnswers()) return startDocker(options);
  return startJars(options);
}
