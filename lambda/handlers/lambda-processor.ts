/**
 * Lambda wiring of the processor: the environment read once at cold start (model/environment.ts),
 * the pipeline picked from it, the S3 store and Powertools logger/metrics created once per
 * container, and the clients the pipeline's requirements name (registry, Kafka producer).
 *
 * The processor commits to the pipeline's Iceberg tables: an IcebergLakeWriter over a RestCatalogClient for Glue's Iceberg REST endpoint
 * (ICEBERG_CATALOG_URI, warehouse = the account id), every request SigV4-signed for the service
 * `glue` with the function's role credentials (the AWS SDK's default provider chain), and the
 * table files read and written through the same S3 store, rooted at LAKE_ROOT (`s3://<bucket>/`).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { ENV, icebergLakeOf, readProcessorEnvironment, requireVariable, type IcebergLakeEnvironment, type ProcessorEnvironment } from '../../model/environment';
import { ConfigurationError, errorClass, isRetriable } from '../../model/errors';
import { ERROR_CLASS_DIMENSION, METRIC, METRICS_NAMESPACE, PIPELINE_DIMENSION } from '../../model/metric-names';
import { avroSchemaNameOf, withAvroValues, type PipelineSpec } from '../../model/spec';
import { pipelineByName } from '../../pipelines';
import type { LakeStore } from '../adapters/lake-store';
import { RestCatalogClient, type RequestSigner } from '../adapters/rest-catalog';
import { sigV4Signer } from '../adapters/sigv4';
import { IcebergLakeWriter } from '../lake/lake-writer';
import { storeTableFiles } from '../lake/table-files';
import { S3LakeStore } from '../adapters/s3-lake-store';
import { KafkaFailureSink, StoreFailureSink, type FailureSink } from '../adapters/failure-sink';
import { failedBatchRecord } from '../core/failed-batch';
import type { MskEvent } from '../core/msk-event';
import { buildProcessor, type BatchReport } from './processor';

export function powertoolsObserver(logger: Logger, metrics: Metrics, now: () => number = Date.now): (r: BatchReport) => void {
  return (r) => {
    metrics.addMetric(METRIC.recordsIn, MetricUnit.Count, r.recordsIn);
    metrics.addMetric(METRIC.recordsProcessed, MetricUnit.Count, r.events);
    metrics.addMetric(METRIC.recordsQuarantined, MetricUnit.Count, r.quarantined);
    metrics.addMetric(METRIC.partialRows, MetricUnit.Count, r.partialRows);
    metrics.addMetric(METRIC.bytesWritten, MetricUnit.Bytes, r.bytesWritten);
    if (r.maxKafkaTimestamp !== null) metrics.addMetric(METRIC.freshnessSeconds, MetricUnit.Seconds, Math.max(0, (now() - r.maxKafkaTimestamp) / 1000));
    // optimistic concurrency: conflicts are commits another writer won (partitions of a topic, the compactor), each re-planned and tried again
    const commits = r.commits ?? [];
    metrics.addMetric(
      METRIC.commitAttempts,
      MetricUnit.Count,
      commits.reduce((n, c) => n + c.attempts, 0),
    );
    metrics.addMetric(
      METRIC.commitConflicts,
      MetricUnit.Count,
      commits.reduce((n, c) => n + c.conflicts, 0),
    );
    metrics.publishStoredMetrics();
    const summary = { recordsIn: r.recordsIn, events: r.events, quarantined: r.quarantined, reasons: r.reasons, objects: r.objects.length, bytesWritten: r.bytesWritten };
    if (r.quarantined > 0) logger.warn('batch processed with quarantined records', summary);
    else logger.info('batch processed', summary);
  };
}

/** The spec a function runs: the shipped one named by the environment, with Avro values if deployed so. */
export function deployedSpec(env: ProcessorEnvironment): PipelineSpec {
  const shipped = pipelineByName(env.pipeline);
  const format = env.valueFormat;
  if (format !== undefined && format !== shipped.value.kind && format !== 'avro') {
    throw new ConfigurationError(`VALUE_FORMAT must be '${shipped.value.kind}' or 'avro', got '${format}'`);
  }
  return format === 'avro' ? withAvroValues(shipped) : shipped;
}

export interface IcebergWriterOptions {
  /** Signs catalog requests. @default SigV4 for `glue` in the lake's region, default credential chain */
  readonly sign?: RequestSigner;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * The writer of an Iceberg lake: the catalog client (Glue's Iceberg REST endpoint, SigV4 `glue`)
 * and the table files in `store`, whose keys start at the lake root.
 */
export function icebergLakeWriter(lake: IcebergLakeEnvironment, store: LakeStore, options: IcebergWriterOptions = {}): IcebergLakeWriter {
  const sign = options.sign ?? sigV4Signer({ region: lake.region, service: 'glue' });
  const catalog = new RestCatalogClient({ uri: lake.catalogUri, warehouse: lake.warehouse, sign, fetch: options.fetch });
  return new IcebergLakeWriter({ catalog, files: storeTableFiles(store, lake.lakeRoot), namespace: lake.namespace });
}

export interface LambdaProcessorOptions {
  /** The lake store instead of the S3 bucket LAKE_BUCKET names (tests). */
  readonly store?: LakeStore;
  /** How the Iceberg writer reaches the catalog (tests: a local catalog without SigV4). */
  readonly iceberg?: IcebergWriterOptions;
}

/** Where a batch that can never be processed goes at once: the on-failure bucket, beside Lambda's own records. */
export const NOT_RETRIABLE_PREFIX = 'streamlake/not-retriable/';

/**
 * Where this function puts a batch it can never handle: the same kind of destination as its event
 * source mapping's — the on-failure topic (FAILURE_TOPIC, produced over MSK IAM auth) or the
 * on-failure bucket (FAILURE_BUCKET, under `streamlake/not-retriable/<pipeline>/`); none when
 * neither is set (the batch is then rethrown like any failure). `store` replaces the bucket (tests).
 */
export function failureSinkOf(env: ProcessorEnvironment, spec: PipelineSpec, store?: LakeStore): FailureSink | undefined {
  const prefix = `${NOT_RETRIABLE_PREFIX}${spec.name}/`;
  if (store) return new StoreFailureSink(store, prefix);
  if (env.failureTopic) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps kafkajs out of the cold start of S3-destination processors
    const { createKafka, parseBootstrap } = require('../adapters/kafka-client') as typeof import('../adapters/kafka-client');
    const brokers = parseBootstrap(requireVariable(env, 'kafkaBootstrapServers', `${ENV.failureTopic} is set (the on-failure topic is on the cluster)`));
    const kafka = createKafka({
      brokers,
      clientId: `streamlake-${spec.name}-on-failure`,
      auth: { kind: 'iam', region: requireVariable(env, 'region', 'MSK IAM auth signs for a region') },
    });
    return new KafkaFailureSink(kafka, env.failureTopic);
  }
  return env.failureBucket ? new StoreFailureSink(new S3LakeStore({ bucket: env.failureBucket, endpoint: env.s3Endpoint }), prefix) : undefined;
}

/**
 * The Lambda handler of the pipeline the environment names. An infrastructure failure (or any
 * unknown one) is rethrown so the event source mapping retries the batch; an error that says
 * retrying cannot help (a malformed event) sends the batch to the on-failure bucket at once —
 * counted and logged by error class — and returns, so the partition moves on without burning
 * retries (the on-failure topic instead with streamlake:onFailure=kafka, see `failureSinkOf`).
 * `failureStore` replaces the S3 on-failure bucket, or `failureSink` the destination altogether
 * (tests); `options` the lake store and the catalog's transport (tests).
 */
export function lambdaProcessorHandler(
  env: ProcessorEnvironment = readProcessorEnvironment(),
  failureStore?: LakeStore | FailureSink,
  options: LambdaProcessorOptions = {},
): (event: MskEvent, context?: Context) => Promise<BatchReport | undefined> {
  const spec = deployedSpec(env);
  const iceberg = icebergLakeOf(env);
  const store = options.store ?? new S3LakeStore({ bucket: env.lakeBucket, endpoint: env.s3Endpoint });
  const failures = failureStore && 'write' in failureStore ? failureStore : failureSinkOf(env, spec, failureStore);
  const logger = new Logger({ serviceName: spec.name });
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: spec.name, defaultDimensions: { [PIPELINE_DIMENSION]: spec.name } });
  const processEvent = buildProcessor(spec, {
    store,
    lake: icebergLakeWriter(iceberg, store, options.iceberg),
    observe: powertoolsObserver(logger, metrics),
    // the registry and Kafka clients are loaded only by pipelines that use them (cold start)
    schemaRegistry: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps the Glue client out of other processors' cold start
      const { ChainedSchemaRegistry, ConfluentSchemaRegistry, GlueSchemaRegistry } = require('../adapters/schema-registry') as typeof import('../adapters/schema-registry');
      // the pipeline's Glue schema for Glue-framed values; a Confluent-compatible endpoint if configured
      const glue = new GlueSchemaRegistry({ registryName: requireVariable(env, 'glueRegistryName', 'the pipeline has Avro values'), schemaName: avroSchemaNameOf(spec) });
      return env.confluentRegistryUrl ? new ChainedSchemaRegistry([glue, new ConfluentSchemaRegistry(env.confluentRegistryUrl)]) : glue;
    },
    // windows that publish to a summary topic: MSK with IAM auth, from inside the VPC
    summaryPublisher: () => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: keeps kafkajs out of other processors' cold start
      const { createKafka, parseBootstrap } = require('../adapters/kafka-client') as typeof import('../adapters/kafka-client');
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, as above
      const { KafkaSummaryPublisher } = require('../adapters/summary-publisher') as typeof import('../adapters/summary-publisher');
      const brokers = parseBootstrap(requireVariable(env, 'kafkaBootstrapServers', 'the pipeline publishes to a summary topic'));
      return new KafkaSummaryPublisher(
        createKafka({ brokers, clientId: `streamlake-${spec.name}`, auth: { kind: 'iam', region: requireVariable(env, 'region', 'MSK IAM auth signs for a region') } }),
      );
    },
  });
  return async (event, context) => {
    if (context) logger.addContext(context);
    try {
      return await processEvent(event);
    } catch (err) {
      const cls = errorClass(err);
      if (isRetriable(err) || !failures) {
        // infrastructure failure: rethrow so the event source mapping retries the batch
        logger.error('batch failed; it will be retried', { errorClass: cls, error: err as Error });
        throw err;
      }
      const record = failedBatchRecord(event, { condition: 'NotRetriable', attempts: 1, functionArn: context?.invokedFunctionArn ?? spec.name, error: err, now: Date.now() });
      // a failed write throws: the batch is retried rather than lost
      const key = await failures.write(record);
      metrics.addDimension(ERROR_CLASS_DIMENSION, cls);
      metrics.addMetric(METRIC.notRetriableBatches, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
      logger.error('batch cannot be processed; sent to the on-failure destination without retries', {
        errorClass: cls,
        destination: failures.describe(),
        key,
        error: err as Error,
      });
      return undefined;
    }
  };
}
