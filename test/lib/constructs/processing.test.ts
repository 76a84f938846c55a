import { Match } from 'aws-cdk-lib/assertions';
import { avroSchemaOf } from '../../../lambda/core/avro';
import { withAvroValues } from '../../../model/spec';
import { sales } from '../../../pipelines/sales';
import { buildApp, policyStatements, ctx } from '../support';

describe('PipelineProcessor', () => {
  const { templates } = buildApp(ctx({ batchSize: 500, maxBatchingWindowSeconds: 7 }));
  const t = templates.processing;

  it('runs one Node.js 22 arm64 function per pipeline with tracing, in the VPC, with the lake bucket', () => {
    for (const name of ['clickstream', 'sales']) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: `streamlake processor of the ${name} pipeline`,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
        Environment: {
          Variables: Match.objectLike({ LAKE_BUCKET: Match.anyValue(), POWERTOOLS_SERVICE_NAME: name, NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=128' }),
        },
      });
    }
  });

  it('deploys one processor artifact for every pipeline, told its pipeline and on-failure bucket by the environment', () => {
    const processors = Object.values(t.findResources('AWS::Lambda::Function')).filter((f) => /processor of the/.test(f.Properties.Description));
    expect(processors.map((f) => f.Properties.Environment.Variables.STREAMLAKE_PIPELINE).sort()).toEqual(['clickstream', 'sales']);
    for (const f of processors) expect(f.Properties.Environment.Variables.FAILURE_BUCKET).toEqual({ Ref: expect.stringMatching(/^FailedBatches/) });
    // the same bundle (asset) behind both functions
    expect(new Set(processors.map((f) => JSON.stringify(f.Properties.Code))).size).toBe(1);
  });

  it('subscribes each function to its topic with an MSK event source mapping', () => {
    for (const [topic, group] of [
      ['clickstream', 'streamlake-clickstream'],
      ['sales', 'streamlake-sales'],
    ]) {
      t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        Topics: [topic],
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 500,
        MaximumBatchingWindowInSeconds: 7,
        AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: group },
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      });
    }
  });

  it("scopes Kafka permissions to the cluster, topic and group ARNs, and S3 writes to the pipeline's own tables", () => {
    const statements = policyStatements(t);
    const read = statements.filter((s) => s.Action.includes('kafka-cluster:ReadData'));
    expect(read).toHaveLength(2);
    for (const s of read) expect(JSON.stringify(s.Resource)).toMatch(/:topic\//);
    const groups = statements.filter((s) => s.Action.includes('kafka-cluster:AlterGroup'));
    expect(groups.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringContaining('streamlake-clickstream'), expect.stringContaining('streamlake-sales')]);
    // the processors' roles (the compactor's spans every pipeline's tables: test/lib/constructs/lake-compactor.test.ts)
    const puts = policyStatements(t, (id) => id.startsWith('Processor'))
      .filter((s) => s.Action.includes('s3:PutObject'))
      .map((s) => JSON.stringify(s.Resource));
    expect(puts.some((r) => r.includes('/iceberg/sales_events/*') && r.includes('/iceberg/sales_quarantine/*') && r.includes('/iceberg/sales_region_10m_partials/*'))).toBe(true);
    expect(puts.some((r) => r.includes('/iceberg/clickstream_events/*') && r.includes('/iceberg/sales_'))).toBe(false);
    // nothing outside the tables (the per-batch prefixes are gone)
    for (const r of puts) expect(r).not.toMatch(/"\/(events|aggregates|quarantine)\//);
  });

  it('writes to Kafka only where it must: the generator to the input topics, the sales processor to sales.summary', () => {
    const writes = policyStatements(t).filter((s) => s.Action.includes('kafka-cluster:WriteData'));
    expect(writes).toHaveLength(2);
    for (const w of writes) expect(w.Action.sort()).toEqual(['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData']);
    const summary = writes.filter((w) => JSON.stringify(w.Resource).includes('sales.summary'));
    expect(summary).toHaveLength(1);
    expect(summary[0].Resource).toHaveLength(1);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'streamlake processor of the sales pipeline',
      Environment: { Variables: Match.objectLike({ KAFKA_BOOTSTRAP_SERVERS: Match.anyValue() }) },
    });
    expect(policyStatements(t).some((s) => s.Action.includes('kafka-cluster:WriteDataIdempotently'))).toBe(true);
  });

  it('grants no wildcard action anywhere (no "*", no "service:*")', () => {
    for (const template of Object.values(templates)) {
      for (const s of policyStatements(template)) {
        for (const a of s.Action) expect(a === '*' || /:\*$/.test(a)).toBe(false);
      }
    }
  });

  it('has a dashboard with offset lag and alarms to an encrypted SNS topic', () => {
    const dashboards = Object.values(t.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const m of ['OffsetLag', 'RecordsProcessed', 'RecordsQuarantined', 'FreshnessSeconds', 'Invocations', 'Errors', 'Throttles', 'Duration']) expect(body).toContain(m);
    // 4 per pipeline, 2 per pipeline for its compaction, 1 for the compactor function
    t.resourceCountIs('AWS::CloudWatch::Alarm', 13);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OffsetLag', Namespace: 'AWS/Lambda', Threshold: 100000, AlarmActions: [Match.anyValue()] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(r > 0, q / r, 0)' })]), Threshold: 0.05 });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('subscribes the alarm e-mail when configured', () => {
    buildApp(ctx({ alarmEmail: 'ops@example.com' })).templates.processing.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });

  it('outputs what a user needs next', () => {
    t.hasOutput('GeneratorFunction', {});
    t.hasOutput('DashboardUrl', {});
    templates.lake.hasOutput('AthenaWorkGroup', {});
    templates.lake.hasOutput('AthenaConsole', {});
    templates.lake.hasOutput('LakeBucket', {});
  });
});

describe('PipelineSchemas (streamlake:avroPipelines)', () => {
  const { templates, stacks } = buildApp(ctx({ avroPipelines: 'sales' }));
  const t = templates.processing;

  it('creates the Glue registry and the sales schema from the spec, FORWARD_ALL', () => {
    t.resourceCountIs('AWS::Glue::Registry', 1);
    t.hasResourceProperties('AWS::Glue::Registry', { Name: 'streamlake' });
    t.resourceCountIs('AWS::Glue::Schema', 1);
    const [schema] = Object.values(t.findResources('AWS::Glue::Schema'));
    expect(schema.Properties).toMatchObject({ Name: 'sales', DataFormat: 'AVRO', Compatibility: 'FORWARD_ALL' });
    expect(JSON.parse(schema.Properties.SchemaDefinition)).toEqual(avroSchemaOf(withAvroValues(sales)));
  });

  it('runs the sales processor with Avro values and lets it read only its own schema', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'streamlake processor of the sales pipeline',
      Environment: { Variables: Match.objectLike({ VALUE_FORMAT: 'avro', GLUE_REGISTRY_NAME: 'streamlake' }) },
    });
    const clickstream = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Description === 'streamlake processor of the clickstream pipeline')!;
    expect(clickstream.Properties.Environment.Variables.VALUE_FORMAT).toBeUndefined();
    // the schema registry's grants (the Iceberg catalog's glue:GetCatalog/GetTable/UpdateTable are test/lib/iceberg-lake.test.ts's)
    const glue = policyStatements(t).filter((s) => s.Action.some((a) => a.startsWith('glue:') && !/^glue:(GetCatalog|GetTable|UpdateTable)$/.test(a)));
    expect(glue).toHaveLength(1);
    expect(glue[0].Action.sort()).toEqual(['glue:GetSchemaVersion', 'glue:ListSchemaVersions']);
    expect(glue[0].Resource).toHaveLength(2);
    expect(JSON.stringify(glue[0].Resource)).not.toMatch(/"\*"/);
    // the registry and the schema of this stack, by their Fn::GetAtt Arn
    expect(JSON.stringify(glue[0].Resource)).toMatch(/SchemasRegistry.*Arn/);
    expect(JSON.stringify(glue[0].Resource)).toMatch(/SchemasSchemasales.*Arn/);
  });

  it('gives the generator the initial schema version id of each Avro pipeline', () => {
    const generator = Object.values(t.findResources('AWS::Lambda::Function')).find((f) => String(f.Properties.Description).startsWith('streamlake demo traffic generator'))!;
    expect(JSON.stringify(generator.Properties.Environment.Variables.AVRO_SCHEMA_VERSION_IDS)).toMatch(/InitialSchemaVersionId/);
    expect(stacks.processing.schemas.schemaOf(withAvroValues(sales)).schemaName).toBe('sales');
  });

  it('creates no registry when no pipeline has Avro values', () => {
    buildApp().templates.processing.resourceCountIs('AWS::Glue::Registry', 0);
  });
});
