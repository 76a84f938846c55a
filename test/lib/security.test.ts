/**
 * Security by default, across every template: least-privilege IAM, nothing public, KMS at rest,
 * TLS in transit. Each exception is listed with the reason it cannot be narrower.
 */
import { buildApp, ctx, policyStatements } from './support';

// the default deployment (Glue Iceberg REST grants), one with Avro values (Glue Schema Registry grants)
// and one with provisioned pollers and the Kafka on-failure destination (grants on the on-failure topics)
const { templates } = buildApp();
const all = [
  ...Object.values(templates),
  ...Object.values(buildApp(ctx({ avroPipelines: 'sales' })).templates),
  ...Object.values(buildApp(ctx({ onFailure: 'kafka', minimumPollers: 2, maximumPollers: 20 })).templates),
];

/** Actions that support no resource-level permissions, so `Resource: "*"` is the narrowest there is. */
const RESOURCE_STAR_ALLOWED: Record<string, string> = {
  'xray:PutTraceSegments': 'X-Ray: no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray: no resource-level permissions',
  'ec2:DescribeManagedPrefixLists': 'EC2 Describe*: no resource-level permissions',
};

describe('security defaults', () => {
  it('grants no "*" or "service:*" action, and "*" resources only to actions without resource-level permissions', () => {
    for (const t of all) {
      for (const s of policyStatements(t)) {
        for (const a of s.Action) expect(a === '*' || a.endsWith(':*')).toBe(false);
        if (s.Resource.includes('*')) for (const a of s.Action) expect(Object.keys(RESOURCE_STAR_ALLOWED)).toContain(a);
      }
    }
  });

  it('exposes nothing publicly: no internet gateway, no public IPs, no open ingress', () => {
    for (const t of all) {
      t.resourceCountIs('AWS::EC2::InternetGateway', 0);
      for (const s of Object.values(t.findResources('AWS::EC2::Subnet'))) expect(s.Properties.MapPublicIpOnLaunch).toBe(false);
      for (const sg of Object.values(t.findResources('AWS::EC2::SecurityGroup'))) {
        for (const rule of sg.Properties.SecurityGroupIngress ?? []) expect(rule.CidrIp).not.toBe('0.0.0.0/0');
      }
      for (const b of Object.values(t.findResources('AWS::S3::Bucket'))) {
        expect(b.Properties.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
      }
    }
  });

  it('encrypts data at rest with KMS (the access-log bucket excepted: S3 cannot deliver server access logs to SSE-KMS)', () => {
    for (const t of all) {
      for (const [id, b] of Object.entries(t.findResources('AWS::S3::Bucket'))) {
        const algorithm = b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm;
        expect(id.startsWith('StorageAccessLogs') ? 'AES256' : 'aws:kms').toBe(algorithm);
      }
      for (const k of Object.values(t.findResources('AWS::KMS::Key'))) expect(k.Properties.EnableKeyRotation).toBe(true);
      for (const topic of Object.values(t.findResources('AWS::SNS::Topic'))) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    }
    templates.lake.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: { ResultConfiguration: { EncryptionConfiguration: { EncryptionOption: 'SSE_KMS' } } },
    });
  });

  it('requires TLS in transit: buckets and topics deny plain requests, MSK takes IAM over TLS only', () => {
    for (const t of all) {
      for (const p of Object.values(t.findResources('AWS::S3::BucketPolicy'))) {
        expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
      for (const p of Object.values(t.findResources('AWS::SNS::TopicPolicy'))) {
        expect(JSON.stringify(p.Properties.PolicyDocument)).toContain('"aws:SecureTransport":"false"');
      }
    }
    const provisioned = buildApp({ 'streamlake:kafkaMode': 'provisioned' }).templates.kafka;
    provisioned.hasResourceProperties('AWS::MSK::Cluster', {
      EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      ClientAuthentication: { Unauthenticated: { Enabled: false } },
    });
  });
});
