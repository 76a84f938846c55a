import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { LakeCatalog } from '../../../lib/constructs/lake-catalog';
import { LakeStorage } from '../../../lib/constructs/lake-storage';
import { parseConfig } from '../../../lib/config';
import { checkProjectionCoversAcceptedEvents, lakeTables, namedQueries, projectionDtRange, views } from '../../../model/catalog';
import type { PipelineSpec } from '../../../model/spec';
import { batchObjectName, locationTemplate, objectKey } from '../../../model/layout';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { buildApp } from '../support';

describe('LakeStorage', () => {
  const t = buildApp().templates.lake;

  it('encrypts with a rotating KMS key, versions, blocks public access and logs access to a separate bucket', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }],
      },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'lake/' },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('expires each lake area after its retention', () => {
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'events', Prefix: 'events/', ExpirationInDays: 365, Status: 'Enabled' }),
          Match.objectLike({ Id: 'aggregates', Prefix: 'aggregates/', ExpirationInDays: 730 }),
          Match.objectLike({ Id: 'quarantine', Prefix: 'quarantine/', ExpirationInDays: 90 }),
        ]),
      },
    });
  });

  it('denies every request that is not TLS', () => {
    const policies = Object.values(t.findResources('AWS::S3::BucketPolicy'));
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const p of policies) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      );
    }
  });

  it('uploads the reference data under reference/<name>/', () => {
    t.hasResourceProperties('Custom::CDKBucketDeployment', { DestinationBucketKeyPrefix: 'reference/country_region/', Prune: false });
  });
});

describe('LakeCatalog', () => {
  const t = buildApp().templates.lake;
  const tables = Object.values(t.findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput);
  const byName = Object.fromEntries(tables.map((x) => [x.Name, x]));

  it('has a Glue table per lake area and reference data set, generated from the specs', () => {
    const expected = [...lakeTables(clickstream), ...lakeTables(sales)].map((x) => x.name);
    expect(Object.keys(byName).sort()).toEqual([...expected, 'ref_country_region'].sort());
    expect(byName.sales_events_raw.StorageDescriptor.Columns).toEqual(
      lakeTables(sales)[0].schema.columns.map((c) => ({ Name: c.name, Type: c.type === 'long' ? 'bigint' : c.type, Comment: c.comment })),
    );
    expect(byName.sales_events_raw.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(byName.sales_events_raw.PartitionKeys).toEqual([
      { Name: 'dt', Type: 'string' },
      { Name: 'hr', Type: 'string' },
    ]);
    expect(byName.ref_country_region.Parameters['skip.header.line.count']).toBe('1');
  });

  it('uses partition projection whose location template the writers agree with', () => {
    for (const lt of [...lakeTables(clickstream), ...lakeTables(sales)]) {
      const params = byName[lt.name].Parameters;
      expect(params['projection.enabled']).toBe('true');
      expect(params['projection.dt.type']).toBe('date');
      expect(params['projection.dt.format']).toBe('yyyy-MM-dd');
      if (lt.schema.partitionKeys.includes('hr')) expect([params['projection.hr.range'], params['projection.hr.digits']]).toEqual(['0,23', '2']);
      // the template in the table is the layout's template for the deployed bucket …
      const template = params['storage.location.template'];
      const text = JSON.stringify(template);
      expect(text).toContain(locationTemplate('', lt.area).slice(1));
      // … and filling it in gives exactly the prefix of the key the processor writes
      const values = { dt: '2026-11-22', hr: '07' };
      const filled = locationTemplate('s3://b', lt.area).replace(/\$\{(\w+)\}/g, (_, k: 'dt' | 'hr') => values[k]);
      expect(`s3://b/${objectKey(lt.area, values, 't', 0, 5)}`).toBe(filled + batchObjectName('t', 0, 5));
    }
  });

  it('creates the views from the specs through Athena', () => {
    const resource = Object.values(t.findResources('Custom::StreamlakeAthenaViews'))[0];
    expect(resource.Properties.Views.map((v: { name: string }) => v.name)).toEqual([...views(clickstream), ...views(sales)].map((v) => v.name));
    expect(resource.Properties.Views[0].sql).toBe(views(clickstream)[0].sql);
  });

  it('has an engine v3 workgroup with enforced, KMS-encrypted results and a bytes-scanned cutoff', () => {
    t.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'streamlake',
      WorkGroupConfiguration: {
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 10 * 1024 ** 3,
        ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: Match.anyValue() }, OutputLocation: Match.anyValue() },
      },
    });
  });

  it('saves the named queries users run first', () => {
    const queries = Object.values(t.findResources('AWS::Athena::NamedQuery')).map((r) => r.Properties);
    expect(queries.map((q) => q.Name).sort()).toEqual([...namedQueries(clickstream), ...namedQueries(sales)].map((q) => q.name).sort());
    expect(queries.find((q) => q.Name === 'clickstream-latest-events').QueryString).toBe(namedQueries(clickstream)[0].sql);
    expect(queries.find((q) => q.Name === 'sales-top-countries').QueryString).toBe(namedQueries(sales).find((q) => q.name === 'sales-top-countries')!.sql);
  });

  it('projects dt from notBefore to as far ahead as the processor accepts events, on every table', () => {
    for (const spec of [clickstream, sales]) {
      for (const lt of lakeTables(spec)) {
        expect(byName[lt.name].Parameters['projection.dt.range']).toBe(projectionDtRange(spec));
        expect(byName[lt.name].Parameters['projection.dt.range']).toBe('2000-01-01,NOW+2DAYS');
        checkProjectionCoversAcceptedEvents(spec, lt.name, byName[lt.name].Parameters);
      }
    }
  });

  it('follows a pipeline whose events may be days ahead (eventTime.maxFutureSeconds) with its projection range', () => {
    const ahead: PipelineSpec = { ...sales, eventTime: { ...sales.eventTime, maxFutureSeconds: 3 * 86_400, notBefore: '2024-01-01' } };
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'lake');
    const config = parseConfig({});
    const storage = new LakeStorage(stack, 'Storage', { pipelines: [ahead], retention: config.retention, removalPolicy: RemovalPolicy.DESTROY });
    new LakeCatalog(stack, 'Catalog', {
      databaseName: 'db',
      workGroupName: 'wg',
      storage,
      pipelines: [ahead],
      bytesScannedCutoffPerQuery: 1e9,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const tables = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput);
    const projected = tables.filter((x) => x.Parameters['projection.enabled'] === 'true');
    expect(projected.map((x) => x.Name).sort()).toEqual(
      lakeTables(ahead)
        .map((x) => x.name)
        .sort(),
    );
    for (const x of projected) {
      expect(x.Parameters['projection.dt.range']).toBe('2024-01-01,NOW+4DAYS');
      checkProjectionCoversAcceptedEvents(ahead, x.Name, x.Parameters);
    }
  });
});
