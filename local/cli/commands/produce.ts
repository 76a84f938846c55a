/** `streamlake produce`: generated events of a pipeline, to the local broker or to Amazon MSK. */
import { readFileSync } from 'node:fs';
import { Type } from 'avsc';
import { GlueClient } from '@aws-sdk/client-glue';
import { logLevel, type Kafka } from 'kafkajs';
import { createKafka, parseBootstrap } from '../../../lambda/adapters/kafka-client';
import { ConfluentSchemaRegistry, GlueSchemaRegistry } from '../../../lambda/adapters/schema-registry';
import { avroSchemaOf } from '../../../lambda/core/avro';
import { avroSchemaNameOf, withAvroValues, type PipelineSpec } from '../../../model/spec';
import { PIPELINE_NAMES } from '../../../pipelines';
import { mskBootstrap } from '../../aws';
import { ensureTopics } from '../../broker/topics';
import { produce } from '../../produce';
import { DEFAULT_STATE_DIR } from '../../runtime';
import { localAvroEncoder, registeredAvroEncoder } from '../../schemas';
import { UsageError, bootstrapFor, int, localKafka, parseOptions, rateOf, specOf } from '../args';
import { firstLine, progress } from '../output';

export const usage = `usage: streamlake produce --pipeline NAME [--count N] [--rate N] [--seed N] [--malformed RATIO] [--bootstrap HOST:PORT]
                        [--format avro [--wire glue|confluent] [--zlib] [--writer-schema FILE] [--registry-url URL]]
                        [--msk --region R [--cluster-arn ARN | --ssm-parameter NAME] [--registry NAME]]
  --pipeline     ${PIPELINE_NAMES.join(' | ')}
  --count        events (default 1000)
  --rate         events per second (default 1000; 0 = as fast as possible)
  --malformed    share of deliberately malformed events, 0–1 (default 0)
  --format avro  Avro values (for a pipeline run with 'up --avro' or deployed with streamlake:avroPipelines)
  --wire         glue (default): header 3, compression byte, schema version id; confluent: magic 0, schema id
  --zlib         zlib-compress the payloads (glue wire only)
  --writer-schema  an Avro schema file to write with (an evolution of the pipeline's: added fields
                 with defaults, removed optional fields); registered before producing
  --registry-url a Confluent-compatible registry to register the writer schema in (confluent wire);
                 locally the default is the schema directory .streamlake/schemas
  --registry     with --msk and --wire glue: the Glue registry (default streamlake, the stack prefix);
                 records carry the schema's latest version
  --bootstrap    broker (default: the one 'up' started, or KAFKA_BOOTSTRAP)
  --msk          publish to Amazon MSK with IAM auth (aws-msk-iam-sasl-signer-js, default credentials);
                 brokers from --bootstrap, --cluster-arn (kafka:GetBootstrapBrokers) or the SSM
                 parameter the kafka stack writes (default /streamlake/kafka/bootstrap-brokers)`;

const OPTIONS = {
  pipeline: { type: 'string' },
  count: { type: 'string' },
  rate: { type: 'string' },
  seed: { type: 'string' },
  malformed: { type: 'string' },
  bootstrap: { type: 'string' },
  msk: { type: 'boolean' },
  region: { type: 'string' },
  'cluster-arn': { type: 'string' },
  'ssm-parameter': { type: 'string' },
  format: { type: 'string' },
  wire: { type: 'string' },
  zlib: { type: 'boolean' },
  'writer-schema': { type: 'string' },
  'registry-url': { type: 'string' },
  registry: { type: 'string' },
} as const;

type Options = ReturnType<typeof parseOptions<typeof OPTIONS>>;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, OPTIONS);
  if (o.help) return void console.log(usage);
  const spec = specOf(o.pipeline);
  const count = int('count', o.count, 1000, 1, 10_000_000);
  const rate = rateOf(o.rate, 1000);
  const malformed = o.malformed === undefined ? 0 : Number(o.malformed);
  if (!(malformed >= 0 && malformed <= 1)) throw new UsageError(`--malformed must be from 0 to 1, got '${o.malformed}'`);
  const seed = int('seed', o.seed, 1, 0, 2 ** 31);
  if (o.msk && o.region === undefined && !process.env.AWS_REGION) throw new UsageError('--msk needs --region (or AWS_REGION)');
  const encodeValue = await avroEncoderFor(spec, o);
  let bootstrap: string;
  let kafka: Kafka;
  if (o.msk) {
    // Amazon MSK with IAM auth: brokers from --bootstrap, --cluster-arn or the kafka stack's SSM parameter
    const region = o.region ?? process.env.AWS_REGION!;
    bootstrap =
      o.bootstrap ??
      (await mskBootstrap({ region, clusterArn: o['cluster-arn'], ssmParameter: o['ssm-parameter'] }).catch((e: Error) => {
        throw new UsageError(`cannot look up the MSK bootstrap brokers: ${firstLine(e)}`);
      }));
    kafka = createKafka({ brokers: parseBootstrap(bootstrap), clientId: 'streamlake-produce', auth: { kind: 'iam', region }, logLevel: logLevel.NOTHING });
  } else {
    bootstrap = await bootstrapFor(o.bootstrap);
    kafka = localKafka(bootstrap, 'streamlake-produce');
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [spec.topic]);
    await admin.disconnect();
  }
  await produce(kafka, spec, { count, rate, seed, malformedRatio: malformed, encodeValue, onProgress: progress(spec.name, count) });
  console.log(
    `published ${count} ${spec.name} events${encodeValue ? ` (Avro, ${o.wire ?? 'glue'} wire format${o.zlib ? ', zlib' : ''})` : ''} to ${spec.topic.name} at ${bootstrap}`,
  );
}

/** The value encoder of `produce --format avro`, or undefined for the pipeline's own text format. */
async function avroEncoderFor(spec: PipelineSpec, o: Options): Promise<((value: Buffer) => Buffer | undefined) | undefined> {
  const format = o.format ?? spec.value.kind;
  if (format === spec.value.kind && format !== 'avro') {
    if (o.wire !== undefined || o.zlib || o['writer-schema'] !== undefined) throw new UsageError('--wire, --zlib and --writer-schema go with --format avro');
    return undefined;
  }
  if (format !== 'avro') throw new UsageError(`--format must be ${spec.value.kind} (the pipeline's own) or avro, got '${format}'`);
  const wire = o.wire ?? 'glue';
  if (wire !== 'glue' && wire !== 'confluent') throw new UsageError(`--wire must be glue or confluent, got '${wire}'`);
  if (o.zlib && wire !== 'glue') throw new UsageError('--zlib exists in the Glue wire format only (--wire glue)');
  let writerSchema: object | undefined;
  if (o['writer-schema'] !== undefined) {
    try {
      writerSchema = JSON.parse(readFileSync(o['writer-schema'], 'utf8')) as object;
      Type.forSchema(writerSchema as never); // a clear error now rather than on the first record
    } catch (err) {
      throw new UsageError(`--writer-schema ${o['writer-schema']}: ${firstLine(err)}`);
    }
  }
  const registryUrl = o['registry-url'];
  if (wire === 'confluent' && registryUrl) {
    const schema = writerSchema ?? avroSchemaOf(spec);
    const ref = await new ConfluentSchemaRegistry(registryUrl).register(`${spec.topic.name}-value`, JSON.stringify(schema));
    return registeredAvroEncoder(spec, schema, ref);
  }
  if (o.msk) {
    if (wire === 'confluent') throw new UsageError('--msk --wire confluent needs --registry-url (the Confluent-compatible registry the processors read)');
    if (writerSchema) throw new UsageError('--writer-schema with --msk: register the version in Glue Schema Registry first; records carry its latest version');
    const region = o.region ?? process.env.AWS_REGION!;
    const registryName = o.registry ?? 'streamlake';
    const latest = await new GlueSchemaRegistry({ registryName, schemaName: avroSchemaNameOf(withAvroValues(spec)) }, new GlueClient({ region })).latest().catch((e: Error) => {
      throw new UsageError(`cannot read the Glue schema: ${firstLine(e)}`);
    });
    return registeredAvroEncoder(spec, JSON.parse(latest.definition) as object, { registry: 'glue', versionId: latest.versionId }, o.zlib === true);
  }
  return localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire, zlib: o.zlib === true, writerSchema });
}
