/**
 * The event source mapping options (streamlake:minimumPollers / maximumPollers, the mapping's own
 * metrics, streamlake:onFailure): fine-grained assertions on the synthesized templates.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ConfigError } from '../../../lib/config';
import { ESM_METRIC_GROUPS } from '../../../model/metric-names';
import { buildApp, ctx, policyStatements } from '../support';

type Resource = { Type: string; Properties: Record<string, unknown> };

function mappings(t: Template): [string, Resource][] {
  return Object.entries(t.findResources('AWS::Lambda::EventSourceMapping')) as [string, Resource][];
}

/** The logical id of the mapping of a topic. */
function mappingIdOf(t: Template, topic: string): string {
  const found = mappings(t).filter(([, r]) => JSON.stringify(r.Properties.Topics) === JSON.stringify([topic]));
  expect(found).toHaveLength(1);
  return found[0][0];
}

function processorEnvironment(t: Template, pipeline: string): Record<string, unknown> {
  const fns = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => f.Properties.Description === `streamlake processor of the ${pipeline} pipeline`);
  expect(fns).toHaveLength(1);
  return fns[0].Properties.Environment.Variables as Record<string, unknown>;
}

describe('event source mapping: on-demand mode, S3 on-failure destination (the defaults)', () => {
  const { templates } = buildApp();
  const t = templates.processing;

  it('leaves the poller configuration to Lambda (on-demand mode)', () => {
    expect(mappings(t)).toHaveLength(2);
    for (const [, m] of mappings(t)) expect(m.Properties.ProvisionedPollerConfig).toBeUndefined();
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ProvisionedPollerConfig: Match.absent(), BatchSize: 1000, MaximumBatchingWindowInSeconds: 5 });
  });

  it("enables every metric group of the mapping's own metrics on every mapping", () => {
    for (const [, m] of mappings(t)) expect(m.Properties.MetricsConfig).toEqual({ Metrics: [...ESM_METRIC_GROUPS] });
    expect([...ESM_METRIC_GROUPS]).toEqual(['EventCount', 'ErrorCount', 'KafkaMetrics']);
  });

  it('sends what finally fails to the failed-batches bucket, and tells the processors that bucket', () => {
    for (const [, m] of mappings(t)) {
      expect(m.Properties.DestinationConfig).toEqual({ OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringMatching(/^FailedBatches/), 'Arn'] } } });
    }
    for (const p of ['clickstream', 'sales']) {
      const env = processorEnvironment(t, p);
      expect(env.FAILURE_BUCKET).toEqual({ Ref: expect.stringMatching(/^FailedBatches/) });
      expect(env.FAILURE_TOPIC).toBeUndefined();
    }
    // the clickstream processor publishes nothing to Kafka: no bootstrap brokers, no write grant
    expect(processorEnvironment(t, 'clickstream').KAFKA_BOOTSTRAP_SERVERS).toBeUndefined();
    expect(policyStatements(t).some((s) => s.Action.includes('kafka-cluster:WriteData') && JSON.stringify(s.Resource).includes('.failed'))).toBe(false);
    t.hasOutput('FailedBatchesBucket', {});
    templates.kafka.hasResourceProperties('Custom::StreamlakeKafkaTopics', { Topics: Match.not(Match.arrayWith([Match.objectLike({ name: 'clickstream.failed' })])) });
  });

  it("shows the mapping's own metrics next to the function's, by its UUID", () => {
    const body = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const topic of ['clickstream', 'sales']) {
      const ref = JSON.stringify({ Ref: mappingIdOf(t, topic) });
      for (const metric of ['OffsetLag', 'PolledEventCount', 'InvokedEventCount', 'FailedInvokeEventCount', 'DroppedEventCount', 'OnFailureDestinationDeliveredEventCount']) {
        expect(body).toContain(`[\\"AWS/Lambda\\",\\"${metric}\\",\\"EventSourceMappingUUID\\",\\"",${ref}`);
      }
      // a search widget: every metric the mapping publishes, the error counts and Kafka metrics included
      expect(body).toContain(`SEARCH('{AWS/Lambda,EventSourceMappingUUID} EventSourceMappingUUID=\\\\\\"",${ref}`);
    }
    // the function's metrics stay on the dashboard
    for (const m of ['Invocations', 'Errors', 'Throttles', 'Duration']) expect(body).toContain(`\\"${m}\\",\\"FunctionName\\"`);
  });

  it("alarms on the mapping's own offset lag", () => {
    for (const topic of ['clickstream', 'sales']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'OffsetLag',
        Dimensions: [{ Name: 'EventSourceMappingUUID', Value: { Ref: mappingIdOf(t, topic) } }],
        Statistic: 'Maximum',
        Threshold: 100000,
      });
    }
    expect(Object.values(t.findResources('AWS::CloudWatch::Alarm')).filter((a) => a.Properties.MetricName === 'OffsetLag')).toHaveLength(2);
  });
});

describe('event source mapping: provisioned mode (streamlake:minimumPollers / maximumPollers)', () => {
  it('emits the poller bounds on every mapping, batch size and window unchanged', () => {
    const t = buildApp(ctx({ minimumPollers: 2, maximumPollers: 10, batchSize: 200 })).templates.processing;
    expect(mappings(t)).toHaveLength(2);
    for (const [, m] of mappings(t)) {
      expect(m.Properties).toMatchObject({ ProvisionedPollerConfig: { MinimumPollers: 2, MaximumPollers: 10 }, BatchSize: 200, MaximumBatchingWindowInSeconds: 5 });
      expect(m.Properties.ScalingConfig).toBeUndefined(); // mutually exclusive with ProvisionedPollerConfig
    }
  });

  it("uses Lambda's default for the bound that is not given", () => {
    const t = buildApp(ctx({ maximumPollers: 4 })).templates.processing;
    for (const [, m] of mappings(t)) expect(m.Properties.ProvisionedPollerConfig).toEqual({ MinimumPollers: 1, MaximumPollers: 4 });
  });

  it('fails synth naming the key when a bound is out of range or the bounds are crossed', () => {
    expect(() => buildApp(ctx({ maximumPollers: 2001 }))).toThrow(ConfigError);
    expect(() => buildApp(ctx({ maximumPollers: 2001 }))).toThrow("config 'streamlake:maximumPollers': must be an integer from 1 to 2000, got 2001");
    expect(() => buildApp(ctx({ minimumPollers: 9, maximumPollers: 3 }))).toThrow("config 'streamlake:minimumPollers': must be at most streamlake:maximumPollers (3), got 9");
  });
});

describe('event source mapping: Kafka on-failure destination (streamlake:onFailure=kafka)', () => {
  const { templates } = buildApp(ctx({ onFailure: 'kafka', minimumPollers: 1, maximumPollers: 5 }));
  const t = templates.processing;

  it("sends what finally fails to the pipeline's `<topic>.failed` topic of the same cluster", () => {
    for (const topic of ['clickstream', 'sales']) {
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [topic],
        DestinationConfig: { OnFailure: { Destination: `kafka://${topic}.failed` } },
        ProvisionedPollerConfig: { MinimumPollers: 1, MaximumPollers: 5 },
      });
    }
  });

  it('creates no failed-batches bucket and tells the processors their topic and the brokers instead', () => {
    expect(Object.keys(t.findResources('AWS::S3::Bucket')).filter((id) => id.startsWith('FailedBatches'))).toEqual([]);
    for (const p of ['clickstream', 'sales']) {
      const env = processorEnvironment(t, p);
      expect(env.FAILURE_TOPIC).toBe(`${p}.failed`);
      expect(env.FAILURE_BUCKET).toBeUndefined();
      expect(env.KAFKA_BOOTSTRAP_SERVERS).toBeDefined();
    }
    t.hasOutput('FailedBatchesTopics', { Value: 'clickstream.failed,sales.failed' });
    expect(Object.keys(t.findOutputs('FailedBatchesBucket'))).toEqual([]);
  });

  it('lets each function write its own on-failure topic only (DescribeTopic, WriteData), and no S3 on-failure grant', () => {
    const writes = policyStatements(t).filter((s) => JSON.stringify(s.Resource).includes('.failed'));
    expect(writes).toHaveLength(2);
    for (const w of writes) {
      expect([...w.Action].sort()).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
      expect(w.Resource).toHaveLength(1);
      expect(JSON.stringify(w.Resource[0])).toMatch(/:topic\/.*\/(clickstream|sales)\.failed"/);
    }
    expect(policyStatements(t).some((s) => s.Action.includes('s3:ListBucket') && JSON.stringify(s.Resource).includes('FailedBatches'))).toBe(false);
  });

  it('creates the on-failure topics with the input partition counts, before the mappings need them', () => {
    templates.kafka.hasResourceProperties('Custom::StreamlakeKafkaTopics', {
      Topics: [
        { name: 'clickstream', partitions: '2' },
        { name: 'sales', partitions: '3' },
        { name: 'sales.summary', partitions: '3' },
        { name: 'clickstream.failed', partitions: '2' },
        { name: 'sales.failed', partitions: '3' },
      ],
    });
    const create = policyStatements(templates.kafka).filter((s) => s.Action.includes('kafka-cluster:CreateTopic'));
    expect(create).toHaveLength(1);
    expect(JSON.stringify(create[0].Resource)).toContain('clickstream.failed');
  });

  it('fails synth naming the key without provisioned mode', () => {
    expect(() => buildApp(ctx({ onFailure: 'kafka' }))).toThrow("config 'streamlake:onFailure': 'kafka' needs provisioned mode");
  });
});
