import { Match } from 'aws-cdk-lib/assertions';
import { planTopics } from '../../../model/topic-plan';
import { buildApp, policyStatements, ctx, EXISTING_CLUSTER } from '../support';

describe('KafkaCluster', () => {
  it('is MSK Serverless with IAM auth in the private subnets by default', () => {
    const t = buildApp().templates.kafka;
    t.resourceCountIs('AWS::MSK::ServerlessCluster', 1);
    t.resourceCountIs('AWS::MSK::Cluster', 0);
    t.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
      VpcConfigs: [Match.objectLike({ SubnetIds: Match.anyValue(), SecurityGroups: Match.anyValue() })],
    });
  });

  it('provisioned: IAM auth only, TLS in transit and in cluster, KMS at rest, broker logs, enhanced and open monitoring', () => {
    const t = buildApp(ctx({ kafkaMode: 'provisioned', brokerCount: 3, kafkaVersion: '3.6.0' })).templates.kafka;
    t.hasResourceProperties('AWS::MSK::Cluster', {
      KafkaVersion: '3.6.0',
      NumberOfBrokerNodes: 3,
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
      EncryptionInfo: { EncryptionAtRest: { DataVolumeKMSKeyId: Match.anyValue() }, EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
      EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
      OpenMonitoring: { Prometheus: { JmxExporter: { EnabledInBroker: true }, NodeExporter: { EnabledInBroker: true } } },
      LoggingInfo: { BrokerLogs: { CloudWatchLogs: { Enabled: true, LogGroup: Match.anyValue() } } },
    });
    t.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('existing: no cluster, IAM and topics on the given ARN', () => {
    const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2';
    const built = buildApp(ctx({ ...EXISTING_CLUSTER, existingClusterArn: arn }));
    built.templates.kafka.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    built.templates.kafka.resourceCountIs('AWS::MSK::Cluster', 0);
    built.templates.network.resourceCountIs('AWS::EC2::VPC', 0);
    expect(JSON.stringify(built.templates.processing.toJSON())).toContain(arn);
  });

  it('creates the spec topics with their partition counts through the topics custom resource', () => {
    const t = buildApp().templates.kafka;
    t.hasResourceProperties('Custom::StreamlakeKafkaTopics', {
      Topics: [
        { name: 'clickstream', partitions: '2' },
        { name: 'sales', partitions: '3' },
        { name: 'sales.summary', partitions: '3' },
      ],
      BootstrapServers: Match.anyValue(),
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue() }),
      Description: Match.stringLikeRegexp('creates Kafka topics'),
    });
    const topicActions = policyStatements(t).filter((s) => s.Action.includes('kafka-cluster:CreateTopic'));
    expect(topicActions).toHaveLength(1);
    expect(JSON.stringify(topicActions[0].Resource)).toContain(':topic/');
  });

  it('reads the IAM bootstrap brokers at deploy time and publishes them and the topics in SSM', () => {
    const t = buildApp().templates.kafka;
    const lookups = Object.values(t.findResources('Custom::AWS')).map((r) => JSON.stringify(r.Properties));
    expect(lookups.some((l) => l.includes('getBootstrapBrokers') && l.includes('BootstrapBrokerStringSaslIam'))).toBe(true);
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/streamlake/kafka/bootstrap-brokers' });
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/streamlake/pipelines/sales/topic', Value: 'sales' });
    t.hasResourceProperties('AWS::SSM::Parameter', { Name: '/streamlake/kafka/cluster-arn' });
  });
});

describe('planTopics', () => {
  it('creates missing topics, grows partitions, never shrinks', () => {
    expect(
      planTopics(
        [
          { name: 'a', partitions: 2 },
          { name: 'b', partitions: 6 },
          { name: 'c', partitions: 3 },
          { name: 'd', partitions: 1 },
        ],
        [
          { name: 'b', partitions: 3 },
          { name: 'c', partitions: 3 },
          { name: 'd', partitions: 4 },
          { name: 'other', partitions: 9 },
        ],
      ),
    ).toEqual({ create: [{ name: 'a', partitions: 2 }], increase: [{ name: 'b', partitions: 6 }], unchanged: ['c'], keepLarger: [{ name: 'd', partitions: 4 }] });
  });
});
