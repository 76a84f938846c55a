import { Arn, ArnFormat, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as msk from 'aws-cdk-lib/aws-msk';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { KafkaConfig } from '../config';
import { stackLogsKey } from './logs-key';

export interface KafkaClusterProps {
  readonly name: string;
  readonly config: KafkaConfig;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Kafka cluster: MSK Serverless (default), provisioned MSK (IAM auth only, TLS everywhere,
 * KMS at rest, broker logs, enhanced and open monitoring) or an existing cluster by ARN. Exposes
 * the IAM-auth bootstrap brokers (read with kafka:GetBootstrapBrokers at deploy time) and the ARN
 * builders the IAM policies need.
 */
export class KafkaCluster extends Construct {
  public readonly clusterArn: string;
  public readonly bootstrapBrokers: string;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    const c = props.config;
    if (c.mode === 'serverless') {
      const cluster = new msk.CfnServerlessCluster(this, 'Cluster', {
        clusterName: props.name,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfigs: [{ subnetIds, securityGroups: [props.securityGroup.securityGroupId] }],
      });
      cluster.applyRemovalPolicy(props.removalPolicy);
      this.clusterArn = cluster.attrArn;
    } else if (c.mode === 'provisioned') {
      const key = new kms.Key(this, 'DataKey', { enableKeyRotation: true, description: `${props.name} MSK data at rest`, removalPolicy: props.removalPolicy });
      const brokerLogs = new logs.LogGroup(this, 'BrokerLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: props.removalPolicy, encryptionKey: stackLogsKey(this) });
      const cluster = new msk.CfnCluster(this, 'Cluster', {
        clusterName: props.name,
        kafkaVersion: c.kafkaVersion,
        numberOfBrokerNodes: c.brokerCount,
        brokerNodeGroupInfo: {
          clientSubnets: subnetIds,
          instanceType: c.instanceType,
          securityGroups: [props.securityGroup.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: c.storageGiB } },
        },
        clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
        encryptionInfo: {
          encryptionAtRest: { dataVolumeKmsKeyId: key.keyArn },
          encryptionInTransit: { clientBroker: 'TLS', inCluster: true },
        },
        enhancedMonitoring: 'PER_TOPIC_PER_BROKER',
        openMonitoring: { prometheus: { jmxExporter: { enabledInBroker: true }, nodeExporter: { enabledInBroker: true } } },
        loggingInfo: { brokerLogs: { cloudWatchLogs: { enabled: true, logGroup: brokerLogs.logGroupName } } },
      });
      cluster.applyRemovalPolicy(props.removalPolicy);
      this.clusterArn = cluster.attrArn;
    } else {
      this.clusterArn = c.clusterArn;
    }

    const brokers = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.clusterArn },
        physicalResourceId: cr.PhysicalResourceId.of(`${props.name}-bootstrap-brokers`),
        outputPaths: ['BootstrapBrokerStringSaslIam'],
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['kafka:GetBootstrapBrokers'], resources: [this.clusterArn] })]),
      installLatestAwsSdk: false,
    });
    this.bootstrapBrokers = brokers.getResponseField('BootstrapBrokerStringSaslIam');
  }

  /**
   * ARN of a topic or consumer group of this cluster: `arn:aws:kafka:<region>:<account>:topic/<cluster name>/<cluster uuid>/<topic>`
   * (Amazon MSK developer guide, "IAM access control" → resources).
   */
  resourceArn(kind: 'topic' | 'group' | 'transactional-id', name: string): string {
    const parts = Fn.split('/', this.clusterArn);
    return Arn.format(
      { service: 'kafka', resource: kind, resourceName: `${Fn.select(1, parts)}/${Fn.select(2, parts)}/${name}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME },
      Stack.of(this),
    );
  }
}
