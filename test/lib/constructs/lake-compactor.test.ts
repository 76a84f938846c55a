import { Match, type Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../../lib/config';
import { buildApp, ctx, policyStatements } from '../support';

const TABLES = ['clickstream_events', 'clickstream_quarantine', 'clickstream_page_views_1m_partials', 'sales_events', 'sales_quarantine', 'sales_region_10m_partials'];

/** The compactor function's resource (one per stack). */
function compactorFunction(t: Template): { id: string; props: Record<string, any> } {
  const found = Object.entries(t.findResources('AWS::Lambda::Function')).filter(([, f]) => /lake maintenance/.test(f.Properties.Description ?? ''));
  expect(found).toHaveLength(1);
  return { id: found[0][0], props: found[0][1].Properties };
}

/** The tables a JSON-serialized resource list names, by `iceberg/<table>/` prefix. */
const tablesIn = (resources: unknown): string[] => [...JSON.stringify(resources).matchAll(/iceberg\/([a-z0-9_]+)\//g)].map((m) => m[1]).sort();

describe('LakeCompactor', () => {
  const { templates } = buildApp(ctx({}));
  const t = templates.processing;
  const compactorStatements = policyStatements(t, (id) => id.startsWith('CompactorFunction'));

  it('runs one function for every pipeline: Node.js 22, arm64, 3,008 MB, 15 minutes, in the VPC, with the lake and compaction settings', () => {
    const { props } = compactorFunction(t);
    expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 3008, Timeout: 900, TracingConfig: { Mode: 'Active' } });
    expect(props.VpcConfig.SubnetIds).toBeDefined();
    const vars = props.Environment.Variables;
    expect(vars).toMatchObject({
      COMPACTOR_PIPELINES: 'clickstream,sales',
      COMPACTION_TARGET_FILE_SIZE_BYTES: String(128 * 1024 * 1024),
      SNAPSHOT_RETENTION_SECONDS: String(3600),
      ORPHAN_MIN_AGE_SECONDS: String(72 * 3600),
      // the partition retention of streamlake:eventsRetentionDays, quarantineRetentionDays, aggregatesRetentionDays
      EVENTS_RETENTION_DAYS: '365',
      QUARANTINE_RETENTION_DAYS: '90',
      AGGREGATES_RETENTION_DAYS: '730',
      ICEBERG_NAMESPACE: 'streamlake',
      ICEBERG_WAREHOUSE: { Ref: 'AWS::AccountId' },
      POWERTOOLS_SERVICE_NAME: 'compactor',
    });
    expect(JSON.stringify(vars.ICEBERG_CATALOG_URI)).toContain('/iceberg');
    expect(JSON.stringify(vars.LAKE_ROOT)).toContain('s3://');
    expect(vars.LAKE_BUCKET).toBeDefined();
    expect(vars.STREAMLAKE_PIPELINE).toBeUndefined();
  });

  it('has Lambda retries off: the next scheduled run is the retry', () => {
    const { id } = compactorFunction(t);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 0 });
  });

  it('schedules each pipeline with EventBridge Scheduler: its own input, the period, its own role', () => {
    const { id } = compactorFunction(t);
    const schedules = Object.values(t.findResources('AWS::Scheduler::Schedule')).map((s) => s.Properties);
    expect(schedules.map((s) => s.Name).sort()).toEqual(['streamlake-compact-clickstream', 'streamlake-compact-sales']);
    for (const s of schedules) {
      const pipeline = (s.Name as string).replace('streamlake-compact-', '');
      expect(s).toMatchObject({ ScheduleExpression: 'rate(15 minutes)', State: 'ENABLED', FlexibleTimeWindow: { Mode: 'OFF' } });
      expect(s.Target.Arn).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      expect(JSON.parse(s.Target.Input)).toEqual({ pipeline });
      expect(s.Target.RoleArn['Fn::GetAtt'][0]).toMatch(/^CompactorSchedulerRole/);
      expect(s.Target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 3 });
    }
    // the schedules' role: assumed by EventBridge Scheduler for this account only; it may invoke the compactor only
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } })],
      },
    });
    const invoke = policyStatements(t, (pid) => pid.startsWith('CompactorSchedulerRole'));
    expect(invoke).toEqual([{ Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [{ 'Fn::GetAtt': [id, 'Arn'] }, expect.anything()] }]);
  });

  it("scopes Glue to the pipelines' tables: GetCatalog on the catalog, GetTable/UpdateTable on the catalog, database and each table", () => {
    const glue = compactorStatements.filter((s) => s.Action.some((a) => a.startsWith('glue:')));
    expect(glue.map((s) => s.Action.sort())).toEqual([['glue:GetCatalog'], ['glue:GetTable', 'glue:UpdateTable']]);
    const tables = JSON.stringify(glue[1].Resource);
    for (const table of TABLES) expect(tables).toContain(`:table/streamlake/${table}`);
    expect(glue[1].Resource).toHaveLength(2 + TABLES.length);
    expect(tables).toContain(':database/streamlake');
    expect(tables).not.toMatch(/table\/streamlake\/\*/);
  });

  it("scopes S3 to the tables' prefixes: Get/Put/Delete objects under iceberg/<table>/, ListBucket only for those prefixes, and the lake key", () => {
    const s3 = compactorStatements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    const byAction = (a: string) => s3.filter((s) => s.Action.includes(a));
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) {
      expect(byAction(action)).toHaveLength(1);
      expect(byAction(action)[0].Action).toEqual([action]);
      expect(tablesIn(byAction(action)[0].Resource)).toEqual([...TABLES].sort());
    }
    const list = t.findResources('AWS::IAM::Policy');
    const listStatements = Object.entries(list)
      .filter(([id]) => id.startsWith('CompactorFunction'))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[])
      .filter((s) => ([] as string[]).concat(s.Action).includes('s3:ListBucket'));
    expect(listStatements).toHaveLength(1);
    expect(listStatements[0].Action).toBe('s3:ListBucket');
    expect(JSON.stringify(listStatements[0].Resource)).not.toContain('/*');
    expect(listStatements[0].Condition).toEqual({ StringLike: { 's3:prefix': TABLES.map((table) => `iceberg/${table}/*`) } });
    expect(s3.flatMap((s) => s.Action).sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:ListBucket', 's3:PutObject']);
    const kms = compactorStatements.filter((s) => s.Action.some((a) => a.startsWith('kms:'))).flatMap((s) => s.Action);
    expect(new Set(kms)).toEqual(new Set(['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt']));
    // nothing else: no Kafka, no other bucket area
    expect(compactorStatements.flatMap((s) => s.Action).filter((a) => !/^(glue|s3|kms|xray|ec2):/.test(a))).toEqual([]);
  });

  it('adds per pipeline compaction widgets and alarms: failures, oldest uncompacted partition; and the function errors', () => {
    const body = JSON.stringify(Object.values(t.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    for (const m of [
      'CompactionFilesRewritten',
      'SnapshotsExpired',
      'OrphanFilesDeleted',
      'CompactionFailures',
      'OldestUncompactedPartitionAgeSeconds',
      'CommitConflicts',
      'CommitAttempts',
    ]) {
      expect(body).toContain(m);
    }
    for (const pipeline of ['clickstream', 'sales']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'CompactionFailures',
        Namespace: 'streamlake',
        Dimensions: Match.arrayWith([
          { Name: 'pipeline', Value: pipeline },
          { Name: 'service', Value: 'compactor' },
        ]),
        Statistic: 'Sum',
        // one datapoint per run: the period is the schedule's (15 minutes by default)
        Period: 900,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'OldestUncompactedPartitionAgeSeconds',
        Dimensions: Match.arrayWith([{ Name: 'pipeline', Value: pipeline }]),
        Statistic: 'Maximum',
        Threshold: 48 * 3600,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    const { id } = compactorFunction(t);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Namespace: 'AWS/Lambda', Dimensions: [{ Name: 'FunctionName', Value: { Ref: id } }], Threshold: 1 });
  });

  it('follows the config keys', () => {
    const custom = buildApp(
      ctx({
        compactionPeriodMinutes: 30,
        compactionTargetFileSizeMiB: 256,
        snapshotRetentionHours: 24,
        orphanMinAgeHours: 12,
        alarmUncompactedPartitionAgeHours: 6,
        pipelines: 'sales',
      }),
    ).templates.processing;
    const vars = compactorFunction(custom).props.Environment.Variables;
    expect(vars).toMatchObject({
      COMPACTOR_PIPELINES: 'sales',
      COMPACTION_TARGET_FILE_SIZE_BYTES: String(256 * 1024 * 1024),
      SNAPSHOT_RETENTION_SECONDS: '86400',
      ORPHAN_MIN_AGE_SECONDS: '43200',
    });
    custom.resourceCountIs('AWS::Scheduler::Schedule', 1);
    custom.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(30 minutes)',
      Target: Match.objectLike({ RetryPolicy: { MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 3 } }),
    });
    custom.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'OldestUncompactedPartitionAgeSeconds', Threshold: 6 * 3600, Period: 1800 });
    const list = policyStatements(custom, (id) => id.startsWith('CompactorFunction')).filter((s) => s.Action.includes('s3:DeleteObject'));
    expect(tablesIn(list[0].Resource)).toEqual(['sales_events', 'sales_quarantine', 'sales_region_10m_partials']);
  });

  it('is absent with streamlake:compaction=off (no function, schedule or compaction alarm)', () => {
    const off = buildApp(ctx({ compaction: 'off' })).templates.processing;
    off.resourceCountIs('AWS::Scheduler::Schedule', 0);
    expect(Object.values(off.findResources('AWS::Lambda::Function')).filter((f) => /lake maintenance/.test(f.Properties.Description ?? ''))).toEqual([]);
    off.resourceCountIs('AWS::CloudWatch::Alarm', 8);
  });

  it('validates its keys with messages naming them', () => {
    expect(() => parseConfig(ctx({ compactionPeriodMinutes: 5 }))).toThrow(/config 'streamlake:compactionPeriodMinutes': must be an integer from 15 to 1440, got 5/);
    expect(() => parseConfig(ctx({ orphanMinAgeHours: 0 }))).toThrow(/config 'streamlake:orphanMinAgeHours': must be an integer from 1 to 8760, got 0/);
    expect(() => parseConfig(ctx({ compaction: 'maybe' }))).toThrow(/config 'streamlake:compaction': must be one of on \| off, got 'maybe'/);
    expect(() => parseConfig(ctx({ compactionTargetFileSizeMiB: '1' }))).toThrow(/streamlake:compactionTargetFileSizeMiB/);
    expect(parseConfig(ctx({})).compaction).toEqual({ periodMinutes: 15, targetFileSizeMiB: 128, snapshotRetentionHours: 1, orphanMinAgeHours: 72 });
    expect(parseConfig(ctx({ compaction: 'off' })).compaction).toBeUndefined();
  });
});
