import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRIC, METRICS_NAMESPACE } from '../../../model/metric-names';
import { lambdaProcessorHandler, powertoolsObserver } from '../../../lambda/handlers/lambda-processor';
import { sales } from '../../../pipelines/sales';

describe('Lambda wiring', () => {
  it('fails at cold start with a message naming the missing variable', () => {
    const saved = process.env.LAKE_BUCKET;
    delete process.env.LAKE_BUCKET;
    expect(() => lambdaProcessorHandler(sales)).toThrow(/environment variable LAKE_BUCKET is not set/);
    if (saved !== undefined) process.env.LAKE_BUCKET = saved;
  });

  it('runs a pipeline deployed with Avro values from VALUE_FORMAT, reading its Glue schema by name', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, { LAKE_BUCKET: 'lake', VALUE_FORMAT: 'avro', KAFKA_BOOTSTRAP_SERVERS: 'b-1.example:9098', AWS_REGION: 'eu-west-1' });
      delete process.env.GLUE_REGISTRY_NAME;
      expect(() => lambdaProcessorHandler(sales)).toThrow(/GLUE_REGISTRY_NAME is not set/);
      process.env.GLUE_REGISTRY_NAME = 'streamlake';
      expect(typeof lambdaProcessorHandler(sales)).toBe('function');
      process.env.VALUE_FORMAT = 'protobuf';
      expect(() => lambdaProcessorHandler(sales)).toThrow(/VALUE_FORMAT must be 'json' or 'avro', got 'protobuf'/);
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
      observe({ pipeline: 'sales', recordsIn: 10, events: 8, quarantined: 2, reasons: { 'invalid-json': 2 }, partialRows: 4, summaryMessages: 0, objects: ['a'], bytesWritten: 1234, maxKafkaTimestamp: 4_000, writtenAt: 9_000 });
    } finally {
      spy.mockRestore();
    }
    const emf = lines.map((l) => l.trim()).filter((l) => l.startsWith('{') && l.includes('_aws')).map((l) => JSON.parse(l));
    expect(emf).toHaveLength(1);
    const [doc] = emf;
    expect(doc._aws.CloudWatchMetrics[0].Namespace).toBe('streamlake');
    expect(doc._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['pipeline']));
    expect(doc.pipeline).toBe('sales');
    expect(doc[METRIC.recordsIn]).toBe(10);
    expect(doc[METRIC.recordsProcessed]).toBe(8);
    expect(doc[METRIC.recordsQuarantined]).toBe(2);
    expect(doc[METRIC.freshnessSeconds]).toBe(6);
  });
});
