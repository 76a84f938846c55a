/** Publishing: the demo generator and the log-shipping `replay` of the reference pipelines. */
import type { Kafka, Message } from 'kafkajs';
import { generatorFor, type GeneratedRecord } from '../lambda/traffic/generate';
import type { PipelineSpec } from '../model/spec';
import { InternalError } from '../model/errors';

export interface ProduceOptions {
  readonly count: number;
  /** Records per second; Infinity = as fast as possible. */
  readonly rate: number;
  readonly seed: number;
  readonly malformedRatio?: number;
  /** Event time of the first record. @default now − count / rate */
  readonly startTime?: number;
  readonly onProgress?: (sent: number) => void;
  /**
   * Re-encodes each generated value (e.g. as an Avro frame, see `avroValueEncoder`); undefined =
   * it does not fit, send the original bytes (only deliberately malformed records may not fit).
   */
  readonly encodeValue?: (value: Buffer) => Buffer | undefined;
}

/** Sends messages in chunks paced to `rate`; returns how many were sent. */
export async function sendPaced(
  kafka: Kafka,
  topic: string,
  messages: AsyncIterable<Message[]> | Iterable<Message[]>,
  rate: number,
  onProgress?: (sent: number) => void,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const started = Date.now();
  let sent = 0;
  try {
    for await (const chunk of messages) {
      if (chunk.length === 0) continue;
      await producer.send({ topic, acks: -1, messages: chunk });
      sent += chunk.length;
      onProgress?.(sent);
      if (Number.isFinite(rate)) {
        const due = started + (sent / rate) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
    }
  } finally {
    await producer.disconnect();
  }
  return sent;
}

function encodeRecord(r: GeneratedRecord, encode: (value: Buffer) => Buffer | undefined): GeneratedRecord {
  const value = encode(r.value);
  if (value) return { ...r, value };
  if (!r.malformed) throw new InternalError(`generated record ${r.value.toString('utf8').slice(0, 200)} does not fit the writer schema`);
  return r;
}

/** Generates and publishes demo events; returns what was produced (for independent checks). */
export async function produce(kafka: Kafka, spec: PipelineSpec, o: ProduceOptions): Promise<GeneratedRecord[]> {
  const step = Number.isFinite(o.rate) ? 1000 / o.rate : 10;
  const gen = generatorFor(spec.name, { seed: o.seed, startTime: o.startTime ?? Date.now() - o.count * step, stepMillis: step, malformedRatio: o.malformedRatio ?? 0 });
  const generated = gen.batch(o.count);
  const records = o.encodeValue ? generated.map((r) => encodeRecord(r, o.encodeValue!)) : generated;
  const chunk = Math.max(1, Math.min(1000, Number.isFinite(o.rate) ? Math.ceil(o.rate / 10) : 1000));
  function* chunks(): Generator<Message[]> {
    for (let i = 0; i < records.length; i += chunk) {
      yield records.slice(i, i + chunk).map((r) => ({ key: r.key, value: r.value }));
    }
  }
  await sendPaced(kafka, spec.topic.name, chunks(), o.rate, o.onProgress);
  return records;
}
