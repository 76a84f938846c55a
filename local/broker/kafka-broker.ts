/**
 * A real Apache Kafka broker for the local runtime, in this order:
 * 1. `KAFKA_BOOTSTRAP` (an existing broker), 2. a local Docker engine (`apache/kafka`, KRaft),
 * 3. the Kafka jars from Maven Central run with the local Java as a single-node KRaft broker.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { logLevel } from 'kafkajs';
import { createKafka, parseBootstrap } from '../../lambda/adapters/kafka-client';

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
  stop(): Promise<void>;
}

/** A prerequisite is missing: one line saying what to install. */
export class PrerequisiteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

export interface BrokerOptions {
  /** Root of the ignored state folder. @default <repo>/.streamlake */
  readonly stateDir: string;
  /** Where the jars are installed by scripts/install-kafka.sh. @default <repo>/.streamlake/kafka */
  readonly repoRoot: string;
  /** Keep data between runs (`up`); tests start empty. @default false */
  readonly keepData?: boolean;
  /** @default 60_000 */
  readonly readyTimeoutMs?: number;
  readonly log?: (line: string) => void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** Waits until kafkajs admin describeCluster succeeds. */
export async function waitForBroker(bootstrap: string, timeoutMs: number, describeFailure: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const admin = createKafka({ brokers: parseBootstrap(bootstrap), clientId: 'streamlake-ready', auth: { kind: 'none' }, logLevel: logLevel.NOTHING, connectionTimeoutMs: 2000 }).admin({
      retry: { retries: 0 },
    });
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
  throw new Error(`Kafka broker at ${bootstrap} not ready after ${timeoutMs / 1000}s: ${(last as Error)?.message}${describeFailure()}`);
}

function dockerAnswers(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5000, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim().length > 0;
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
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  };
  const args = ['run', '-d', '--rm', '--name', name, '-p', `127.0.0.1:${port}:9092`, ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), `apache/kafka:${LOCAL_KAFKA_VERSION}`];
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout: 300_000 });
  if (r.status !== 0) throw new Error(`docker run apache/kafka failed: ${r.stderr.trim()}`);
  const bootstrap = `127.0.0.1:${port}`;
  await waitForBroker(bootstrap, options.readyTimeoutMs ?? 60_000);
  return { bootstrap, kind: 'docker', stop: async () => void spawnSync('docker', ['stop', name], { timeout: 60_000 }) };
}

/** Installs the jars (idempotent) with scripts/install-kafka.sh. */
export function ensureKafkaJars(repoRoot: string, log: (line: string) => void = () => undefined): string {
  const libs = join(repoRoot, '.streamlake', 'kafka', LOCAL_KAFKA_VERSION, 'libs');
  if (existsSync(join(libs, '.complete'))) return libs;
  if (spawnSync('java', ['-version'], { encoding: 'utf8' }).error) throw new PrerequisiteError('Java 17+ is needed to run the local Kafka broker: install a JDK (e.g. apt-get install openjdk-17-jre-headless), or set KAFKA_BOOTSTRAP');
  if (spawnSync('mvn', ['-v'], { encoding: 'utf8' }).error) throw new PrerequisiteError('Maven is needed once to fetch the Kafka jars: install it (e.g. apt-get install maven), or set KAFKA_BOOTSTRAP');
  log(`fetching Apache Kafka ${LOCAL_KAFKA_VERSION} jars from Maven Central (once)…`);
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-kafka.sh'), LOCAL_KAFKA_VERSION], { encoding: 'utf8', cwd: repoRoot });
  if (r.status !== 0) throw new PrerequisiteError(`fetching the Kafka jars failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-3).join(' ')}`);
  return libs;
}

async function startJars(options: BrokerOptions): Promise<RunningBroker> {
  const libs = ensureKafkaJars(options.repoRoot, options.log);
  const [port, controllerPort] = [await freePort(), await freePort()];
  const dir = resolve(options.stateDir, 'broker');
  const dataDir = join(dir, 'data');
  if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const logFile = join(dir, 'broker.log');
  const props = join(dir, 'server.properties');
  writeFileSync(
    props,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
      'controller.listener.names=CONTROLLER',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
      'inter.broker.listener.name=PLAINTEXT',
      `log.dirs=${dataDir}`,
      'num.partitions=1',
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=4',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'auto.create.topics.enable=false',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const log4j = join(dir, 'log4j.properties');
  writeFileSync(
    log4j,
    ['log4j.rootLogger=WARN, file', 'log4j.appender.file=org.apache.log4j.FileAppender', `log4j.appender.file.File=${logFile}`, 'log4j.appender.file.layout=org.apache.log4j.PatternLayout', 'log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n', 'log4j.logger.kafka.server=INFO', ''].join('\n'),
  );
  const cp = `${libs}/*`;
  const jvm = ['-Xmx512m', '-Xms128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j.configuration=file:${log4j}`, '-cp', cp];
  if (!existsSync(join(dataDir, 'meta.properties'))) {
    const format = spawnSync('java', [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomUUID().replace(/-/g, '').slice(0, 22), '-c', props], { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`kafka storage format failed: ${format.stderr || format.stdout}`);
  }
  const child: ChildProcess = spawn('java', [...jvm, 'kafka.Kafka', props], { stdio: ['ignore', 'ignore', 'ignore'], detached: false });
  const tail = () => (existsSync(logFile) ? `\n--- ${logFile} (last lines) ---\n${readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n')}` : '');
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const bootstrap = `127.0.0.1:${port}`;
  try {
    await waitForBroker(bootstrap, options.readyTimeoutMs ?? 60_000, tail);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  // never leave a broker behind when this process ends
  process.once('exit', () => child.exitCode === null && child.kill('SIGKILL'));
  return { bootstrap, kind: 'jars', logFile, stop };
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
