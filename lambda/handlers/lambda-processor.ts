/**
 * Lambda wiring of the processor: environment read once at cold start, S3 store and Powertools
 * logger/metrics created once per container.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { S3LakeStore } from '../adapters/s3-lake-store';
import type { SchemaRegistry } from '../adapters/schema-registry';
import type { SummaryPublisher } from '../adapters/summary-publisher';
import { METRIC, METRICS_NAMESPACE, PIPELINE_DIMENSION } from '../../model/metric-names';
import type { MskEvent } from '../core/msk-event';
import { avroSchemaNameOf, withAvroValues, type PipelineSpec } from '../../model/spec';
import { createProcessorHandler, type BatchReport } from './processor';

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set (the CDK app sets it on the function)`);
  return v;
}

export function powertoolsObserver(logger: Logger, metrics: Metrics, now: () => number = Date.now): (r: BatchReport) => void {
  return (r) => {
    metrics.addMetric(METRIC.recordsIn, MetricUnit.Count, r.recordsIn);
    metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, r.events);
    metrics.addMetric(METRIC.recordsQuarantined, MetricUnit.Count, r.quarantined);
    metrics.addMetric(METRIC.partialRows, MetricUnit.Count, r.partialRows);
    metrics.addMetric(METRIC.bytesWritten, MetricUnit.Bytes, r.bytesWritten);
    if (r.maxKafkaTimestamp !== null) metrics.addMetric(METRIC.freshnessSeconds, MetricUnit.Seconds, Math.max(0, (now() - r.maxKafkaTimestamp) / 1000));
    metrics.publishStoredMetrics();
    const summary = { recordsIn: r.recordsIn, events: r.events, quarantined: r.quarantined, reasons: r.reasons, objects: r.objects.length, bytesWritten: r.bytesWritten };
    if (r.quarantined > 0) logger.warn('batch processed with quarantined records', summary);
    else logger.info('batch processed', summary);
  };
}

/**
 * Builds the Lambda handler of a pipeline. Reads once: LAKE_BUCKET (and optional S3_ENDPOINT);
 * VALUE_FORMAT=avro for a pipeline deployed with Avro values (streamlake:avroPipelines), with
 * GLUE_REGISTRY_NAME and optional CONFLUENT_SCHEMA_REGISTRY_URL; KAFKA_BOOTSTRAP_SERVERS and
 * AWS_REGION for pipelines with a summary topic.
 */
export function lambdaProcessorHandler(shipped: PipelineSpec): (event: MskEvent, context?: Context) => Promise<BatchReport> {
  const valueFormat = process.env.VALUE_FORMAT;
  if (valueFormat && valueFormat !== shipped.value.kind && valueFormat !== 'avro') {
    throw new Error(`VALUE_FORMAT must be '${shipped.value.kind}' or 'avro', got '${valueFormat}'`);
  }
  const spec = valueFormat === 'avro' ? withAvroValues(shipped) : shipped;
  const store = new S3LakeStore({ bucket: requiredEnv('LAKE_BUCKET'), endpoint: process.env.S3_ENDPOINT || undefined });
  const logger = new Logger({ serviceName: spec.name });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: spec.name, defaultDimensions: { [PIPELINE_DIMENSION]: spec.name } });
  // Kafka and registry clients are loaded only by pipelines that use them (cold start)
  let schemaRegistry: SchemaRegistry | undefined;
  if (spec.value.kind === 'avro') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ChainedSchemaRegistry, ConfluentSchemaRegistry, GlueSchemaRegistry } = require('../adapters/schema-registry') as typeof import('../adapters/schema-registry');
    // the pipeline's Glue schema for Glue-framed values; a Confluent-compatible endpoint if configured
    const glue = new GlueSchemaRegistry({ registryName: requiredEnv('GLUE_REGISTRY_NAME'), schemaName: avroSchemaNameOf(spec) });
    const confluentUrl = process.env.CONFLUENT_SCHEMA_REGISTRY_URL;
    schemaRegistry = confluentUrl ? new ChainedSchemaRegistry([glue, new ConfluentSchemaRegistry(confluentUrl)]) : glue;
  }
  // windows that publish to a summary topic: MSK with IAM auth, from inside the VPC
  let summaryPublisher: SummaryPublisher | undefined;
  if ((spec.windows ?? []).some((w) => w.summaryTopic)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createKafka, parseBootstrap } = require('../adapters/kafka-client') as typeof import('../adapters/kafka-client');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { KafkaSummaryPublisher } = require('../adapters/summary-publisher') as typeof import('../adapters/summary-publisher');
    summaryPublisher = new KafkaSummaryPublisher(
      createKafka({ brokers: parseBootstrap(requiredEnv('KAFKA_BOOTSTRAP_SERVERS')), clientId: `streamlake-${spec.name}`, auth: { kind: 'iam', region: requiredEnv('AWS_REGION') } }),
    );
  }
  const processEvent = createProcessorHandler({ spec, store, schemaRegistry, summaryPublisher, observe: powertoolsObserver(logger, metrics) });
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      return await processEvent(event);
    } catch (err) {
      // infrastructure failure: rethrow so the event source mapping retries the batch
      logger.error('batch failed; it will be retried', err as Error);
      throw err;
    }
  };
}
