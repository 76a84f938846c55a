/**
 * replay-failed from both kinds of on-failure destination: a folder of records (the S3
 * destination's layout) and an on-failure Kafka topic on the real local broker, written by the
 * emulator as Lambda's `kafka://` destination receives them.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaFailureSink } from '../../lambda/adapters/failure-sink';
import { failedBatchRecord } from '../../lambda/core/failed-batch';
import type { MskEvent } from '../../lambda/core/msk-event';
import { ensureTopics } from '../../local/broker/topics';
import { EventSourceMappingEmulator } from '../../local/esm/emulator';
import { replayFailedBatches, replayFailedBatchesFromKafka } from '../../local/replay-failed';
import { mskEvent } from '../support/msk';
import { startTestBroker, uniqueTopic, waitFor, type TestBroker } from './support';

jest.setTimeout(120_000);

const valuesOf = (e: MskEvent): string[] =>
  Object.values(e.records)
    .flat()
    .map((r) => Buffer.from(r.value!, 'base64').toString());

describe('replay-failed from a folder of on-failure records', () => {
  it('replays each record in offset order, moves it to replayed/, keeps what still fails, and reads a `payload` record too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-replay-'));
    try {
      const at = (offset: number, value: string) => mskEvent([{ topic: 'sales', partition: 0, offset, value }]);
      const context = { condition: 'RetryAttemptsExhausted' as const, attempts: 4, functionArn: 'arn:fn', error: new Error('down'), now: 0 };
      const second = failedBatchRecord(at(20, 'b'), context);
      writeFileSync(join(dir, 'sales-0-00000000000000000020.json'), JSON.stringify(second));
      const { event, ...withoutEvent } = failedBatchRecord(at(10, 'a'), context);
      writeFileSync(join(dir, 'sales-0-00000000000000000010.json'), JSON.stringify({ ...withoutEvent, payload: event }));
      writeFileSync(join(dir, 'sales-0-00000000000000000030.json'), JSON.stringify(failedBatchRecord(at(30, 'poison'), context)));
      const seen: string[] = [];
      const result = await replayFailedBatches(dir, async (e) => {
        if (valuesOf(e).includes('poison')) throw new Error('still poison');
        seen.push(...valuesOf(e));
      });
      expect(seen).toEqual(['a', 'b']);
      expect(result.replayed).toEqual(['sales-0-00000000000000000010.json', 'sales-0-00000000000000000020.json']);
      expect(result.failed).toEqual([{ file: 'sales-0-00000000000000000030.json', error: 'still poison' }]);
      expect(readdirSync(join(dir, 'replayed')).sort()).toEqual(result.replayed);
      expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual(['sales-0-00000000000000000030.json']);
      mkdirSync(join(dir, 'empty'));
      expect(await replayFailedBatches(join(dir, 'empty'), async () => undefined)).toEqual({ replayed: [], failed: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('replay-failed from an on-failure Kafka topic on a real broker', () => {
  let tb: TestBroker;
  beforeAll(async () => {
    tb = await startTestBroker();
  });
  afterAll(async () => {
    await tb?.stop();
  });

  /** A 2-partition input topic with `values` (round-robin) and its empty `.failed` topic. */
  async function topics(values: string[]): Promise<{ topic: string; failureTopic: string }> {
    const topic = uniqueTopic('replay');
    const failureTopic = `${topic}.failed`;
    const admin = tb.kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { name: topic, partitions: 2 },
      { name: failureTopic, partitions: 2 },
    ]);
    await admin.disconnect();
    const producer = tb.kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % 2 })) });
    await producer.disconnect();
    return { topic, failureTopic };
  }

  it("re-drives what the emulator parked on the topic, each record once, through the unchanged handler's contract", async () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    const { topic, failureTopic } = await topics(values);
    // the "lake" is down for the first records: their batches exhaust their attempts and go to the topic
    const down = new Set(['v0', 'v1', 'v2', 'v3']);
    const written: string[] = [];
    const e = new EventSourceMappingEmulator({
      kafka: tb.kafka,
      bootstrap: tb.broker.bootstrap,
      topic,
      groupId: `g-${topic}`,
      handler: async (ev) => {
        if (valuesOf(ev).some((v) => down.has(v))) throw new Error('lake unavailable');
        written.push(...valuesOf(ev));
      },
      batchSize: 2,
      batchingWindowMs: 100,
      maxAttempts: 2,
      retryBaseMs: 10,
      onFailure: new KafkaFailureSink(tb.kafka, failureTopic),
    });
    await e.start();
    await waitFor(() => written.length === 8, 30_000, 'the batches after the parked ones');
    await e.stop();
    expect(e.stats.failedBatches).toBe(2);

    // the lake is back: replay the topic
    const replayedValues: string[] = [];
    const lines: string[] = [];
    const options = { kafka: tb.kafka, topic: failureTopic, groupId: `replay-${topic}` };
    const result = await replayFailedBatchesFromKafka(
      options,
      async (ev) => void replayedValues.push(...valuesOf(ev)),
      (l) => lines.push(l),
    );
    expect(result.failed).toEqual([]);
    expect(result.replayed).toHaveLength(2);
    // one message per parked batch, wherever the key put it
    for (const id of result.replayed) expect(id).toMatch(new RegExp(`^${failureTopic.replace(/\./g, '\\.')}-[01]@[01]$`));
    expect(new Set(result.replayed).size).toBe(2);
    expect(replayedValues.sort()).toEqual(['v0', 'v1', 'v2', 'v3']);
    expect([...written, ...replayedValues].sort()).toEqual([...values].sort());
    expect(lines.sort()).toEqual([`replayed ${topic}-0 offsets 0–1 (2 records)`, `replayed ${topic}-1 offsets 0–1 (2 records)`]);

    // the group committed what it replayed: a second run has nothing to do
    const again = await replayFailedBatchesFromKafka(options, async () => {
      throw new Error('must not be called');
    });
    expect(again).toEqual({ replayed: [], failed: [] });
  });

  it('stops a partition at a record that still fails, uncommitted, so the next run replays it and what follows in order', async () => {
    const { topic, failureTopic } = await topics([]);
    const sink = new KafkaFailureSink(tb.kafka, failureTopic);
    const context = { condition: 'RetryAttemptsExhausted' as const, attempts: 4, functionArn: 'arn:fn', error: new Error('down'), now: 0 };
    // three parked batches of the same source partition: one on-failure partition, in order
    for (const [offset, value] of [
      [0, 'poison'],
      [5, 'after-1'],
      [9, 'after-2'],
    ] as const) {
      await sink.write(failedBatchRecord(mskEvent([{ topic, partition: 1, offset, value }]), context));
    }
    await sink.close();
    const options = { kafka: tb.kafka, topic: failureTopic, groupId: `replay-${topic}` };
    const seen: string[] = [];
    const handler = (poisonFixed: boolean) => async (ev: MskEvent) => {
      if (!poisonFixed && valuesOf(ev).includes('poison')) throw new Error('still poison');
      seen.push(...valuesOf(ev));
    };
    const first = await replayFailedBatchesFromKafka(options, handler(false));
    expect(first.replayed).toEqual([]);
    expect(first.failed).toEqual([{ file: expect.stringMatching(/@0$/), error: 'still poison' }]);
    expect(seen).toEqual([]);
    const second = await replayFailedBatchesFromKafka(options, handler(true));
    expect(second.failed).toEqual([]);
    expect(second.replayed.map((id) => id.split('@')[1])).toEqual(['0', '1', '2']);
    expect(seen).toEqual(['poison', 'after-1', 'after-2']);
  });
});
