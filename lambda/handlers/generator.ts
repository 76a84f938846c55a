/**
 * Demo traffic generator (Lambda in the VPC): publishes N clickstream or sales events to the
 * pipeline's topic at a rate, with kafkajs and MSK IAM auth.
 * Input: `{ "pipeline": "sales", "count": 10000, "ratePerSecond": 500, "seed": 1, "malformedRatio": 0.01 }`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Kafka } from 'kafkajs';
import { readGeneratorEnvironment } from '../../model/environment';
import { ConfigurationError } from '../../model/errors';
import { createKafka, parseBootstrap } from '../adapters/kafka-client';
import { avroReencoder, avroSchemaOf } from '../core/avro';
import { generatorFor } from '../traffic/generate';
import { pipelineByName } from '../../pipelines';

export interface GeneratorInput {
  readonly pipeline: string;
  readonly count: number;
  readonly ratePerSecond?: number;
  readonly seed?: number;
  readonly malformedRatio?: number;
}

export interface GeneratorResult {
  readonly pipeline: string;
  readonly topic: string;
  readonly published: number;
  readonly malformed: number;
  readonly seconds: number;
}

/** Validates the input; throws a message naming the field. */
export function parseGeneratorInput(input: unknown): Required<GeneratorInput> {
  const i = (input ?? {}) as Partial<GeneratorInput>;
  const pipeline = pipelineByName(String(i.pipeline ?? '')).name;
  const count = Number(i.count ?? 1000);
  if (!Number.isInteger(count) || count < 1 || count > 1_000_000) throw new ConfigurationError(`count must be an integer from 1 to 1000000, got ${i.count}`);
  const ratePerSecond = Number(i.ratePerSecond ?? 1000);
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0 || ratePerSecond > 100_000)
    throw new ConfigurationError(`ratePerSecond must be a number from 1 to 100000, got ${i.ratePerSecond}`);
  const malformedRatio = Number(i.malformedRatio ?? 0);
  if (!(malformedRatio >= 0 && malformedRatio <= 1)) throw new ConfigurationError(`malformedRatio must be from 0 to 1, got ${i.malformedRatio}`);
  return { pipeline, count, ratePerSecond, seed: Number(i.seed ?? Date.now() % 100_000), malformedRatio };
}

/**
 * Value encoders of the pipelines deployed with Avro values: Glue wire format with the schema
 * version the CDK app created from the spec (AVRO_SCHEMA_VERSION_IDS = {"<pipeline>": "<id>"}).
 */
export function avroEncoders(ids: Readonly<Record<string, string>>): Map<string, (value: Buffer) => Buffer | undefined> {
  return new Map(
    Object.entries(ids).map(([name, versionId]) => {
      const shipped = pipelineByName(name);
      if (shipped.value.kind === 'avro') throw new ConfigurationError(`pipeline '${name}' ships Avro values: nothing to re-encode`);
      return [name, avroReencoder(shipped.value, avroSchemaOf(shipped), { ref: { registry: 'glue', versionId } })];
    }),
  );
}

const logger = new Logger({ serviceName: 'generator' });

/** The environment's clients, made once per container at the first invocation. */
let clients: { readonly kafka: Kafka; readonly encoders: ReturnType<typeof avroEncoders> } | undefined;
function containerClients(): NonNullable<typeof clients> {
  if (!clients) {
    const env = readGeneratorEnvironment();
    const kafka = createKafka({ brokers: parseBootstrap(env.kafkaBootstrapServers), clientId: 'streamlake-generator', auth: { kind: 'iam', region: env.region } });
    clients = { kafka, encoders: avroEncoders(env.avroSchemaVersionIds) };
  }
  return clients;
}

export async function handler(event: unknown): Promise<GeneratorResult> {
  const input = parseGeneratorInput(event);
  const { kafka, encoders } = containerClients();
  const spec = pipelineByName(input.pipeline);
  const gen = generatorFor(spec.name, { seed: input.seed, startTime: Date.now(), stepMillis: 1000 / input.ratePerSecond, malformedRatio: input.malformedRatio });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = Date.now();
  let published = 0;
  let malformed = 0;
  try {
    const chunk = Math.max(1, Math.min(500, Math.round(input.ratePerSecond / 10)));
    while (published < input.count) {
      const encode = encoders.get(spec.name);
      // a record that does not fit the Avro schema (a deliberately malformed one) goes as it is: quarantined
      const batch = gen.batch(Math.min(chunk, input.count - published)).map((r) => ({ ...r, value: encode?.(r.value) ?? r.value }));
      malformed += batch.filter((r) => r.malformed).length;
      await producer.send({ topic: spec.topic.name, messages: batch.map((r) => ({ key: r.key, value: r.value, timestamp: String(r.eventTime) })) });
      published += batch.length;
      // pace to the requested rate
      const due = started + (published / input.ratePerSecond) * 1000;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    }
  } finally {
    await producer.disconnect();
  }
  const result = { pipeline: spec.name, topic: spec.topic.name, published, malformed, seconds: (Date.now() - started) / 1000 };
  logger.info('published', { ...result });
  return result;
}
