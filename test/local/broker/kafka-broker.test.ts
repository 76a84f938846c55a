/** The local Kafka broker (jars or Docker, else KAFKA_BOOTSTRAP), topics from specs, consumer lag. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrerequisiteError, randomClusterId, serverProperties, startBroker, waitForBroker } from '../../../local/broker/kafka-broker';
import { consumerLag, ensureTopics } from '../../../local/broker/topics';
import { REPO_ROOT } from '../../../local/runtime';
import { startTestBroker, uniqueTopic, type TestBroker } from '../support';

jest.setTimeout(120_000);

const portOpen = (bootstrap: string) =>
  new Promise<boolean>((resolve) => {
    const [host, port] = bootstrap.split(':');
    const socket = createConnection({ host, port: Number(port) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('local Kafka broker', () => {
  let tb: TestBroker;
  let startMs: number;
  beforeAll(async () => {
    const t0 = Date.now();
    tb = await startTestBroker();
    startMs = Date.now() - t0;
  });
  afterAll(async () => {
    await tb?.stop();
  });

  it('starts a single-node KRaft broker on loopback that answers describeCluster within seconds', async () => {
    expect(tb.broker.bootstrap).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(startMs).toBeLessThan(60_000);
    const admin = tb.kafka.admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers).toHaveLength(1);
    if (tb.broker.kind === 'jars') expect(readFileSync(tb.broker.logFile!, 'utf8')).toMatch(/started/i);
  });

  it('creates the spec topics idempotently, grows partitions and never auto-creates topics', async () => {
    const admin = tb.kafka.admin();
    await admin.connect();
    const topic = uniqueTopic('topics');
    expect((await ensureTopics(admin, [{ name: topic, partitions: 2 }])).create).toHaveLength(1);
    const again = await ensureTopics(admin, [{ name: topic, partitions: 2 }]);
    expect([again.create.length, again.increase.length]).toEqual([0, 0]);
    await ensureTopics(admin, [{ name: topic, partitions: 3 }]);
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta.partitions).toHaveLength(3);
    const producer = tb.kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } });
    await producer.connect();
    await expect(producer.send({ topic: uniqueTopic('never-created'), messages: [{ value: 'x' }], timeout: 2000 })).rejects.toThrow();
    await producer.disconnect();
    await admin.disconnect();
  });

  it('measures consumer lag against the committed offsets', async () => {
    const admin = tb.kafka.admin();
    await admin.connect();
    const topic = uniqueTopic('lag');
    await ensureTopics(admin, [{ name: topic, partitions: 2 }]);
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: i % 2 })) });
    await producer.disconnect();
    expect(await consumerLag(admin, 'lag-group', topic)).toBe(10);
    await admin.setOffsets({ groupId: 'lag-group', topic, partitions: [{ partition: 0, offset: '3' }] });
    expect(await consumerLag(admin, 'lag-group', topic)).toBe(7);
    await admin.disconnect();
  });

  it('uses KAFKA_BOOTSTRAP when set and leaves that broker running on stop', async () => {
    const saved = process.env.KAFKA_BOOTSTRAP;
    process.env.KAFKA_BOOTSTRAP = tb.broker.bootstrap;
    try {
      const external = await startBroker({ stateDir: tb.stateDir, repoRoot: REPO_ROOT });
      expect(external.kind).toBe('external');
      expect(external.bootstrap).toBe(tb.broker.bootstrap);
      await external.stop();
      expect(await portOpen(tb.broker.bootstrap)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.KAFKA_BOOTSTRAP;
      else process.env.KAFKA_BOOTSTRAP = saved;
    }
  });

  it('stops cleanly: the port closes', async () => {
    const other = await startTestBroker();
    expect(await portOpen(other.broker.bootstrap)).toBe(true);
    const t0 = Date.now();
    await other.broker.stop();
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(await portOpen(other.broker.bootstrap)).toBe(false);
    await other.stop();
  });
});

describe('broker prerequisites and readiness', () => {
  it('says what to install when Java is missing', async () => {
    const saved = { KAFKA_BOOTSTRAP: process.env.KAFKA_BOOTSTRAP, STREAMLAKE_NO_DOCKER: process.env.STREAMLAKE_NO_DOCKER };
    const stateDir = mkdtempSync(join(tmpdir(), 'streamlake-nojava-'));
    delete process.env.KAFKA_BOOTSTRAP;
    process.env.STREAMLAKE_NO_DOCKER = '1';
    try {
      const started = startBroker({ stateDir, repoRoot: REPO_ROOT, java: join(stateDir, 'bin', 'java') });
      await expect(started).rejects.toThrow(PrerequisiteError);
      await expect(started).rejects.toThrow(/Java 17\+ is needed .* install a JDK/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('gives up waiting with the reason and the context it is given', async () => {
    await expect(waitForBroker('127.0.0.1:1', 800, () => '\n--- log tail ---')).rejects.toThrow(/not ready after 0\.8s: .*\n--- log tail ---/s);
    await expect(
      waitForBroker(
        '127.0.0.1:1',
        30_000,
        () => ' (log)',
        () => true,
      ),
    ).rejects.toThrow(/exited before it was ready \(log\)/);
  });

  it('writes a loopback-only KRaft configuration with topic auto-creation off', () => {
    const props = serverProperties({ port: 1234, controllerPort: 1235, dataDir: '/d' });
    expect(props).toContain('listeners=PLAINTEXT://127.0.0.1:1234,CONTROLLER://127.0.0.1:1235');
    expect(props).toContain('process.roles=broker,controller');
    expect(props).toContain('auto.create.topics.enable=false');
    expect(props).not.toMatch(/0\.0\.0\.0/);
    for (let i = 0; i < 500; i++) expect(randomClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
