import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MskEvent } from '../../../lambda/core/msk-event';
import { ensureTopics, consumerLag } from '../../../local/broker/topics';
import { EventSourceMappingEmulator } from '../../../local/esm/emulator';
import { KafkaFailureSink } from '../../../lambda/adapters/failure-sink';
import { parseFailedBatchRecord } from '../../../lambda/core/failed-batch';
import { MalformedEventError } from '../../../model/errors';
import { startTestBroker, uniqueTopic, waitFor, type TestBroker } from '../support';

jest.setTimeout(120_000);

describe('event-source-mapping emulator on a real broker', () => {
  let tb: TestBroker;
  beforeAll(async () => {
    tb = await startTestBroker();
  });
  afterAll(async () => {
    await tb?.stop();
  });

  async function topicWith(partitions: number, messages: { key?: string; value: string; partition: number; headers?: Record<string, string> }[]): Promise<string> {
    const topic = uniqueTopic('esm');
    const admin = tb.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ name: topic, partitions }]);
    await admin.disconnect();
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: messages.map((m) => ({ key: m.key, value: m.value, partition: m.partition, headers: m.headers })) });
    await producer.disconnect();
    return topic;
  }

  function emulator(topic: string, handler: (e: MskEvent) => Promise<unknown>, extra: Partial<ConstructorParameters<typeof EventSourceMappingEmulator>[0]> = {}) {
    return new EventSourceMappingEmulator({
      kafka: tb.kafka,
      bootstrap: tb.broker.bootstrap,
      topic,
      groupId: `g-${topic}`,
      handler,
      onFailureDir: join(tb.stateDir, 'failed', topic),
      batchingWindowMs: 100,
      retryBaseMs: 20,
      ...extra,
    });
  }

  it('delivers every record in the Lambda MSK shape, in order per partition, honouring the batch size', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2, headers: { source: 'test' } }));
    const topic = await topicWith(2, messages);
    const events: MskEvent[] = [];
    const e = emulator(topic, async (ev) => void events.push(ev), { batchSize: 7 });
    await e.start();
    await waitFor(() => e.stats.records === 50, 30_000, 'all records');
    await e.stop();
    expect(events.every((ev) => ev.eventSource === 'aws:kafka' && ev.bootstrapServers === tb.broker.bootstrap && ev.eventSourceArn!.startsWith('arn:aws:kafka:'))).toBe(true);
    const records = events.flatMap((ev) => Object.entries(ev.records).map(([tp, rs]) => ({ tp, rs })));
    for (const { tp, rs } of records) {
      expect(rs.length).toBeLessThanOrEqual(7);
      for (const r of rs) expect(tp).toBe(`${topic}-${r.partition}`);
    }
    const all = records.flatMap((x) => x.rs);
    expect(all).toHaveLength(50);
    const first = all.find((r) => Buffer.from(r.value!, 'base64').toString() === 'v0')!;
    expect(Buffer.from(first.key!, 'base64').toString()).toBe('k0');
    expect(first.headers).toEqual([{ source: [...Buffer.from('test')] }]);
    expect(first.timestampType).toBe('CREATE_TIME');
    expect(typeof first.timestamp).toBe('number');
    for (const p of [0, 1]) {
      const values = all.filter((r) => r.partition === p).map((r) => Number(Buffer.from(r.value!, 'base64').toString().slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(all.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    }
  });

  it('gathers records until the batching window elapses, then delivers them in one batch', async () => {
    const topic = await topicWith(1, [
      { value: 'a', partition: 0 },
      { value: 'b', partition: 0 },
    ]);
    const events: { at: number; values: string[] }[] = [];
    const e = emulator(
      topic,
      async (ev) =>
        void events.push({
          at: Date.now(),
          values: Object.values(ev.records)
            .flat()
            .map((r) => Buffer.from(r.value!, 'base64').toString()),
        }),
      { batchSize: 100, batchingWindowMs: 1_500 },
    );
    const started = Date.now();
    await e.start();
    await new Promise((r) => setTimeout(r, 400));
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        { value: 'c', partition: 0 },
        { value: 'd', partition: 0 },
      ],
    });
    await producer.disconnect();
    await waitFor(() => e.stats.records === 4, 15_000, 'the window to elapse');
    await e.stop();
    // one batch with the records that arrived during the window, not one per fetch
    expect(events.map((x) => x.values)).toEqual([['a', 'b', 'c', 'd']]);
    expect(events[0].at - started).toBeGreaterThanOrEqual(1_400);
    expect(e.stats.lag).toBe(0);
  });

  it('delivers a full batch without waiting for the window', async () => {
    const topic = await topicWith(
      1,
      Array.from({ length: 12 }, (_, i) => ({ value: `v${i}`, partition: 0 })),
    );
    const sizes: number[] = [];
    const e = emulator(topic, async (ev) => void sizes.push(Object.values(ev.records).flat().length), { batchSize: 5, batchingWindowMs: 60_000 });
    const started = Date.now();
    await e.start();
    await waitFor(() => e.stats.records === 10, 15_000, 'two full batches');
    expect(Date.now() - started).toBeLessThan(15_000);
    await new Promise((r) => setTimeout(r, 300));
    // the last 2 records wait for the window (60 s) or for 3 more
    expect(sizes).toEqual([5, 5]);
    await e.stop();
  });

  it('retries a throwing handler and commits only after it succeeds', async () => {
    const topic = await topicWith(
      1,
      Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: 0 })),
    );
    const admin = tb.kafka.admin();
    await admin.connect();
    let calls = 0;
    let lagDuringFailures = -1;
    const e = emulator(
      topic,
      async () => {
        calls += 1;
        if (calls <= 2) {
          lagDuringFailures = await consumerLag(admin, `g-${topic}`, topic);
          throw new Error(`boom ${calls}`);
        }
      },
      { batchSize: 100, maxAttempts: 4 },
    );
    await e.start();
    await waitFor(() => e.stats.records === 10, 30_000, 'success after retries');
    await waitFor(async () => (await consumerLag(admin, `g-${topic}`, topic)) === 0, 10_000, 'commit');
    await e.stop();
    await admin.disconnect();
    expect(calls).toBe(3);
    expect(e.stats.retries).toBe(2);
    expect(lagDuringFailures).toBe(10);
  });

  it('writes an exhausted batch to the on-failure folder and moves on', async () => {
    const topic = await topicWith(
      1,
      Array.from({ length: 6 }, (_, i) => ({ value: i === 0 ? 'poison' : `v${i}`, partition: 0 })),
    );
    const delivered: string[] = [];
    const e = emulator(
      topic,
      async (ev) => {
        const values = Object.values(ev.records)
          .flat()
          .map((r) => Buffer.from(r.value!, 'base64').toString());
        if (values.includes('poison')) throw new Error('cannot handle poison');
        delivered.push(...values);
      },
      { batchSize: 3, maxAttempts: 2 },
    );
    await e.start();
    await waitFor(() => delivered.length === 3, 30_000, 'the batch after the failed one');
    await e.stop();
    expect(e.stats.failedBatches).toBe(1);
    const dir = join(tb.stateDir, 'failed', topic);
    expect(existsSync(dir)).toBe(true);
    const [file] = readdirSync(dir);
    const failure = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    expect(failure.KafkaBatchInfo).toEqual({ topic, partition: 0, firstOffset: 0, lastOffset: 2, batchSize: 3 });
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.responseContext.errorMessage).toBe('cannot handle poison');
    expect(Object.values(failure.event.records as Record<string, unknown[]>).flat()).toHaveLength(3);
    expect(delivered).toEqual(['v3', 'v4', 'v5']);
  });

  it('sends a batch whose error is not retriable to the on-failure folder at once, counted by class', async () => {
    const topic = await topicWith(
      1,
      Array.from({ length: 4 }, (_, i) => ({ value: `v${i}`, partition: 0 })),
    );
    let calls = 0;
    const delivered: string[] = [];
    const e = emulator(
      topic,
      async (ev) => {
        const values = Object.values(ev.records)
          .flat()
          .map((r) => Buffer.from(r.value!, 'base64').toString());
        if (values.includes('v0')) {
          calls += 1;
          throw new MalformedEventError('records lack an offset');
        }
        delivered.push(...values);
      },
      { batchSize: 2, maxAttempts: 5 },
    );
    await e.start();
    await waitFor(() => delivered.length === 2, 30_000, 'the batch after the malformed one');
    await e.stop();
    expect(calls).toBe(1);
    expect(e.stats.retries).toBe(0);
    expect(e.stats.failedBatches).toBe(1);
    expect(e.stats.notRetriable).toEqual({ MalformedEventError: 1 });
    const dir = join(tb.stateDir, 'failed', topic);
    const failure = JSON.parse(readFileSync(join(dir, readdirSync(dir)[0]), 'utf8'));
    expect(failure.requestContext).toMatchObject({ condition: 'NotRetriable', approximateInvokeCount: 1 });
    expect(failure.responseContext).toMatchObject({ errorType: 'MalformedEventError', errorMessage: 'records lack an offset' });
    expect(failure.KafkaBatchInfo).toEqual({ topic, partition: 0, firstOffset: 0, lastOffset: 1, batchSize: 2 });
    expect(delivered).toEqual(['v2', 'v3']);
  });

  /** Every message of a topic, read from the beginning with a throw-away group. */
  async function readAll(topic: string, count: number): Promise<{ key: string; value: string; partition: number; headers: Record<string, string> }[]> {
    const out: { key: string; value: string; partition: number; headers: Record<string, string> }[] = [];
    const consumer = tb.kafka.consumer({ groupId: `read-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) =>
        void out.push({
          partition,
          key: message.key!.toString(),
          value: message.value!.toString(),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        }),
    });
    await waitFor(() => out.length >= count, 30_000, `${count} messages on ${topic}`);
    await consumer.disconnect();
    return out;
  }

  it('writes exhausted and not-retriable batches to a Kafka on-failure topic on the broker, as the kafka:// destination does', async () => {
    const topic = await topicWith(
      2,
      Array.from({ length: 8 }, (_, i) => ({ value: i === 0 ? 'poison' : i === 5 ? 'malformed' : `v${i}`, partition: i < 4 ? 0 : 1 })),
    );
    const failureTopic = `${topic}.failed`;
    const admin = tb.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ name: failureTopic, partitions: 2 }]);
    await admin.disconnect();
    const delivered: string[] = [];
    let attempts = 0;
    const e = emulator(
      topic,
      async (ev) => {
        const values = Object.values(ev.records)
          .flat()
          .map((r) => Buffer.from(r.value!, 'base64').toString());
        if (values.includes('poison')) {
          attempts += 1;
          throw new Error('cannot handle poison');
        }
        if (values.includes('malformed')) throw new MalformedEventError('records lack an offset');
        delivered.push(...values);
      },
      { batchSize: 2, maxAttempts: 3, onFailure: new KafkaFailureSink(tb.kafka, failureTopic), onFailureDir: undefined },
    );
    await e.start();
    await waitFor(() => delivered.length === 4, 30_000, 'the batches after the failed ones');
    await e.stop();
    expect(attempts).toBe(3);
    expect(e.stats).toMatchObject({ failedBatches: 2, retries: 2, notRetriable: { MalformedEventError: 1 } });
    expect(existsSync(join(tb.stateDir, 'failed', topic))).toBe(false); // nothing in a folder

    const messages = await readAll(failureTopic, 2);
    expect(messages).toHaveLength(2);
    const byKey = new Map(messages.map((m) => [m.key, m]));
    // keyed by the failed batch's source partition; the JSON invocation record with the event to replay
    const exhausted = parseFailedBatchRecord(byKey.get(`${topic}-0`)!.value);
    expect(exhausted.requestContext).toMatchObject({ condition: 'RetryAttemptsExhausted', approximateInvokeCount: 3 });
    expect(exhausted.responseContext).toMatchObject({ functionError: 'Unhandled', errorMessage: 'cannot handle poison' });
    expect(exhausted.KafkaBatchInfo).toEqual({ topic, partition: 0, firstOffset: 0, lastOffset: 1, batchSize: 2 });
    expect(
      Object.values(exhausted.event.records)
        .flat()
        .map((r) => Buffer.from(r.value!, 'base64').toString()),
    ).toEqual(['poison', 'v1']);
    expect(byKey.get(`${topic}-0`)!.headers).toEqual({ 'content-type': 'application/json', condition: 'RetryAttemptsExhausted' });
    const notRetriable = parseFailedBatchRecord(byKey.get(`${topic}-1`)!.value);
    expect(notRetriable.requestContext).toMatchObject({ condition: 'NotRetriable', approximateInvokeCount: 1 });
    expect(notRetriable.KafkaBatchInfo).toEqual({ topic, partition: 1, firstOffset: 0, lastOffset: 1, batchSize: 2 });
    expect(delivered.sort()).toEqual(['v2', 'v3', 'v6', 'v7']);
  });

  it('gives up retrying when stopped, without committing or writing a failure', async () => {
    const topic = await topicWith(1, [{ value: 'v', partition: 0 }]);
    const admin = tb.kafka.admin();
    await admin.connect();
    let calls = 0;
    const e = emulator(
      topic,
      async () => {
        calls += 1;
        throw new Error('always');
      },
      { maxAttempts: 50, retryBaseMs: 5_000, batchingWindowMs: 0 },
    );
    await e.start();
    await waitFor(() => calls === 1, 15_000, 'the first attempt');
    const stopping = Date.now();
    await e.stop();
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(e.stats.failedBatches).toBe(0);
    expect(existsSync(join(tb.stateDir, 'failed', topic))).toBe(false);
    expect(await consumerLag(admin, `g-${topic}`, topic)).toBe(1);
    await admin.disconnect();
  });

  it('shares partitions across a rebalance: nothing lost, per-partition order kept by each member', async () => {
    const topic = await topicWith(
      4,
      Array.from({ length: 200 }, (_, i) => ({ value: `v${i}`, partition: i % 4 })),
    );
    const seen: { member: number; partition: number; offset: number }[] = [];
    const handler = (member: number) => async (ev: MskEvent) => {
      for (const r of Object.values(ev.records).flat()) seen.push({ member, partition: r.partition, offset: r.offset });
      await new Promise((r) => setTimeout(r, 20));
    };
    const admin = tb.kafka.admin();
    await admin.connect();
    const a = emulator(topic, handler(1), { batchSize: 10, groupId: `shared-${topic}` });
    await a.start();
    await waitFor(() => seen.length >= 20, 30_000, 'member 1 to start');
    const b = emulator(topic, handler(2), { batchSize: 10, groupId: `shared-${topic}` });
    await b.start();
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 200 }, (_, i) => ({ value: `w${i}`, partition: i % 4 })) });
    await producer.disconnect();
    await waitFor(async () => (await consumerLag(admin, `shared-${topic}`, topic)) === 0, 60_000, 'lag 0 across both members');
    await Promise.all([a.stop(), b.stop()]);
    await admin.disconnect();
    // at least once: every offset delivered; a batch in flight during the rebalance may come twice
    for (let p = 0; p < 4; p++) {
      expect(new Set(seen.filter((x) => x.partition === p).map((x) => x.offset))).toEqual(new Set(Array.from({ length: 100 }, (_, i) => i)));
      for (const member of [1, 2]) {
        // within one member a partition only moves forward (a redelivery repeats offsets already seen)
        const firstSeen = [...new Set(seen.filter((x) => x.partition === p && x.member === member).map((x) => x.offset))];
        expect(firstSeen).toEqual([...firstSeen].sort((x, y) => x - y));
      }
    }
    expect(new Set(seen.map((x) => x.member))).toEqual(new Set([1, 2]));
  });

  it('resumes from the committed offsets after a restart', async () => {
    const topic = await topicWith(
      1,
      Array.from({ length: 20 }, (_, i) => ({ value: `v${i}`, partition: 0 })),
    );
    const seen: number[] = [];
    const offsetsOf = (ev: MskEvent) =>
      Object.values(ev.records)
        .flat()
        .map((r) => r.offset);
    const first = emulator(topic, async (ev) => void seen.push(...offsetsOf(ev)), { batchSize: 5 });
    await first.start();
    await waitFor(() => seen.length === 20, 30_000, 'first pass');
    await first.stop();
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `w${i}`, partition: 0 })) });
    await producer.disconnect();
    const second = emulator(topic, async (ev) => void seen.push(...offsetsOf(ev)), { batchSize: 5 });
    await second.start();
    await waitFor(() => seen.length === 25, 30_000, 'second pass');
    await second.stop();
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => i));
  });
});
