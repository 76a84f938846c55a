import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { readProcessorEnvironment } from '../../../model/environment';
import { METRIC, METRICS_NAMESPACE } from '../../../model/metric-names';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import type { MskEvent } from '../../../lambda/core/msk-event';
import { failureSinkOf, lambdaProcessorHandler, powertoolsObserver } from '../../../lambda/handlers/lambda-processor';
import { KafkaFailureSink, StoreFailureSink, type FailureSink } from '../../../lambda/adapters/failure-sink';
import type { FailedBatchRecord } from '../../../lambda/core/failed-batch';
import { pipelineByName } from '../../../pipelines';
import { mskEvent } from '../../support/msk';

// nothing listens on port 9: these tests fail before, or without, reaching the catalog
const ICEBERG_VARS = {
  ICEBERG_CATALOG_URI: 'http://127.0.0.1:9/iceberg',
  ICEBERG_WAREHOUSE: '123456789012',
  ICEBERG_REGION: 'eu-west-1',
  ICEBERG_NAMESPACE: 'streamlake',
  LAKE_ROOT: 's3://lake/',
};

describe('Lambda wiring', () => {
  it('fails at cold start with a message naming the missing variable', () => {
    const saved = { ...process.env };
    try {
      process.env.STREAMLAKE_PIPELINE = 'sales';
      delete process.env.LAKE_BUCKET;
      expect(() => lambdaProcessorHandler()).toThrow(/environment variable LAKE_BUCKET is not set/);
    } finally {
      process.env = saved;
    }
  });

  it('runs a pipeline deployed with Avro values from VALUE_FORMAT, reading its Glue schema by name', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        STREAMLAKE_PIPELINE: 'sales',
        LAKE_BUCKET: 'lake',
        VALUE_FORMAT: 'avro',
        KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098',
        AWS_REGION: 'eu-west-1',
        ...ICEBERG_VARS,
      });
      delete process.env.GLUE_REGISTRY_NAME;
      expect(() => lambdaProcessorHandler()).toThrow(/GLUE_REGISTRY_NAME is not set/);
      process.env.GLUE_REGISTRY_NAME = 'streamlake';
      expect(typeof lambdaProcessorHandler()).toBe('function');
      process.env.VALUE_FORMAT = 'protobuf';
      expect(() => lambdaProcessorHandler()).toThrow(/VALUE_FORMAT must be 'json' or 'avro', got 'protobuf'/);
    } finally {
      process.env = saved;
    }
  });

  it('emits the dashboard metrics in CloudWatch EMF with the pipeline dimension', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'sales', defaultDimensions: { pipeline: 'sales' } });
      const logger = new Logger({ serviceName: 'sales', logLevel: 'SILENT' });
      const observe = powertoolsObserver(logger, metrics, () => 10_000);
      observe({
        pipeline: 'sales',
        recordsIn: 10,
        events: 8,
        quarantined: 2,
        reasons: { 'invalid-json': 2 },
        partialRows: 4,
        summaryMessages: 0,
        objects: ['a'],
        bytesWritten: 1234,
        maxKafkaTimestamp: 4_000,
        writtenAt: 9_000,
        commits: [
          { table: 'sales_events', snapshotId: 1n, dataFiles: 1, paths: ['a'], records: 8, bytes: 1000, attempts: 3, conflicts: 2 },
          { table: 'sales_quarantine', snapshotId: 2n, dataFiles: 1, paths: [], records: 2, bytes: 234, attempts: 1, conflicts: 0 },
        ],
        skippedRecords: 0,
      });
    } finally {
      spy.mockRestore();
    }
    const emf = lines
      .map((l) => l.trim())
      .filter((l) => l.startsWith('{') && l.includes('_aws'))
      .map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const [doc] = emf;
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('streamlake');
    expect(doc._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['pipeline']));
    expect(doc.pipeline).toBe('sales');
    expect(doc[METRIC.recordsIn]).toBe(10);
    expect(doc[METRIC.recordsProcessed]).toBe(8);
    expect(doc[METRIC.recordsQuarantined]).toBe(2);
    expect(doc[METRIC.freshnessSeconds]).toBe(6);
    // commits of every table: one try each, plus one more per conflict lost
    expect(doc[METRIC.commitAttempts]).toBe(4);
    expect(doc[METRIC.commitConflicts]).toBe(2);
  });
});

describe('errors the processor acts on', () => {
  const env = readProcessorEnvironment({ STREAMLAKE_PIPELINE: 'clickstream', LAKE_BUCKET: 'lake', S3_ENDPOINT: 'http://127.0.0.1:9', AWS_REGION: 'eu-west-1', ...ICEBERG_VARS });
  const quiet = () => jest.spyOn(process.stdout, 'write').mockImplementation(() => true);

  it('sends a malformed event to the on-failure bucket at once, with its error class, and returns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-failures-'));
    const spy = quiet();
    try {
      const handler = lambdaProcessorHandler(env, new LocalLakeStore(dir));
      const event = {
        eventSource: 'aws:kafka',
        records: { 'clickstream-0': [{ partition: 0, offset: 7, timestamp: 1, timestampType: 'CREATE_TIME', value: 'eA==' }] },
      } as unknown as MskEvent;
      await expect(handler(event)).resolves.toBeUndefined();
      const files = readdirSync(join(dir, 'streamlake/not-retriable/clickstream'));
      expect(files).toHaveLength(1);
      const record = JSON.parse(readFileSync(join(dir, 'streamlake/not-retriable/clickstream', files[0]), 'utf8'));
      expect(record.requestContext.condition).toBe('NotRetriable');
      expect(record.responseContext.errorType).toBe('MalformedEventError');
      expect(record.responseContext.errorMessage).toMatch(/lacks topic, partition or offset/);
      expect(record.event).toEqual(event);
      const emf = spy.mock.calls
        .map(([c]) => String(c))
        .filter((l) => l.includes('NotRetriableBatches'))
        .map((l) => JSON.parse(l));
      expect(emf).toHaveLength(1);
      expect(emf[0].errorClass).toBe('MalformedEventError');
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('picks the same kind of on-failure destination as its mapping: the topic with FAILURE_TOPIC, else the bucket', () => {
    const spec = pipelineByName('clickstream');
    const kafka = failureSinkOf({ ...env, failureTopic: 'clickstream.failed', kafkaBootstrapServers: 'b-1:9098,b-2:9098' }, spec);
    expect(kafka).toBeInstanceOf(KafkaFailureSink);
    expect(kafka!.describe()).toBe('kafka://clickstream.failed');
    const bucket = failureSinkOf({ ...env, failureBucket: 'failed' }, spec);
    expect(bucket).toBeInstanceOf(StoreFailureSink);
    expect(bucket!.describe()).toBe('s3://failed/streamlake/not-retriable/clickstream/');
    expect(failureSinkOf(env, spec)).toBeUndefined();
    expect(() => failureSinkOf({ ...env, failureTopic: 'clickstream.failed' }, spec)).toThrow(/KAFKA_BOOTSTRAP_SERVERS is not set: FAILURE_TOPIC is set/);
  });

  it('sends a malformed event to the on-failure topic when the mapping has one', async () => {
    const written: FailedBatchRecord[] = [];
    const sink: FailureSink = {
      write: async (r) => (written.push(r), 'clickstream.failed-0@12'),
      describe: () => 'kafka://clickstream.failed',
      close: async () => undefined,
    };
    const spy = quiet();
    const errSpy = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const handler = lambdaProcessorHandler({ ...env, failureTopic: 'clickstream.failed', kafkaBootstrapServers: 'b-1:9098' }, sink);
      const event = { eventSource: 'aws:kafka', records: { 'clickstream-0': [{ partition: 0, offset: 7, value: 'eA==' }] } } as unknown as MskEvent;
      await expect(handler(event)).resolves.toBeUndefined();
      expect(written).toHaveLength(1);
      expect(written[0]).toMatchObject({ requestContext: { condition: 'NotRetriable' }, responseContext: { errorType: 'MalformedEventError' }, event });
      const logged = [...spy.mock.calls, ...errSpy.mock.calls].map(([c]) => String(c)).find((l) => l.includes('sent to the on-failure destination'));
      expect(JSON.parse(logged!)).toMatchObject({ destination: 'kafka://clickstream.failed', key: 'clickstream.failed-0@12' });
    } finally {
      spy.mockRestore();
      errSpy.mockRestore();
    }
  });

  it('rethrows an infrastructure failure so the event source mapping retries the batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'streamlake-failures-'));
    const spy = quiet();
    try {
      const handler = lambdaProcessorHandler(env, new LocalLakeStore(dir));
      const event = mskEvent([{ topic: 'clickstream', partition: 0, offset: 0, value: '2026-11-22T11:59:00Z,e1,www.amazon1.com,192.168.2.1' }]);
      // no credentials here: signing the catalog request fails before anything is sent
      await expect(handler(event)).rejects.toMatchObject({
        name: 'CatalogUnavailableError',
        retriable: true,
        message: expect.stringMatching(/signing the request failed: Could not load credentials/),
      });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      spy.mockRestore();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
