import { Match } from 'aws-cdk-lib/assertions';
import { icebergViews, namedQueries } from '../../../model/catalog';
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

  it('expires Athena results, and nothing under iceberg/ (a table file goes only through its table)', () => {
    const [bucket] = Object.values(t.findResources('AWS::S3::Bucket')).filter(
      (r) => r.Properties.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.SSEAlgorithm === 'aws:kms',
    );
    const rules = bucket.Properties.LifecycleConfiguration.Rules as { Id: string; Prefix?: string; ExpirationInDays?: number }[];
    expect(rules.find((r) => r.Id === 'athena-results')).toMatchObject({ Prefix: 'athena-results/', ExpirationInDays: 30 });
    // current objects expire under athena-results/ only; no rule without a prefix expires current objects
    expect(rules.filter((r) => r.ExpirationInDays !== undefined).map((r) => r.Prefix)).toEqual(['athena-results/']);
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

  it('has a Hive table per reference data set, and none for the lake tables (Iceberg tables, test/lib/iceberg-lake.test.ts)', () => {
    expect(Object.keys(byName)).toEqual(['ref_country_region']);
    expect(byName.ref_country_region.Parameters['skip.header.line.count']).toBe('1');
    expect(byName.ref_country_region.StorageDescriptor.Location).toEqual({
      'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^StorageBucket/) }, '/reference/country_region/']],
    });
  });

  it('creates the window views from the specs through Athena', () => {
    const resource = Object.values(t.findResources('Custom::StreamlakeAthenaViews'))[0];
    expect(resource.Properties.Views.map((v: { name: string }) => v.name)).toEqual([...icebergViews(clickstream), ...icebergViews(sales)].map((v) => v.name));
    expect(resource.Properties.Views[0].sql).toBe(icebergViews(clickstream)[0].sql);
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
});
