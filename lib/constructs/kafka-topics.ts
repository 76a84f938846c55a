import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { TopicSpec } from '../../model/spec';
import type { KafkaCluster } from './kafka-cluster';
import { StreamlakeFunction } from './node-function';

export interface KafkaTopicsProps {
  readonly cluster: KafkaCluster;
  readonly topics: readonly TopicSpec[];
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Topics as code: a custom resource whose Lambda (in the VPC, kafkajs admin over MSK IAM auth)
 * creates each topic with its partition count, increases partitions on update and retains
 * topics on delete.
 */
export class KafkaTopics extends Construct {
  public readonly function: StreamlakeFunction;

  constructor(scope: Construct, id: string, props: KafkaTopicsProps) {
    super(scope, id);
    this.function = new StreamlakeFunction(this, 'Handler', {
      entry: 'lambda/custom-resources/topics.ts',
      description: 'streamlake: creates Kafka topics from the pipeline specs',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      timeout: Duration.minutes(5),
      removalPolicy: props.removalPolicy,
    });
    const cluster = props.cluster;
    // MSK IAM actions: Amazon MSK developer guide, "IAM access control" → semantics of actions
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeCluster'], resources: [cluster.clusterArn] }));
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:CreateTopic', 'kafka-cluster:DescribeTopic', 'kafka-cluster:AlterTopic'],
        resources: props.topics.map((t) => cluster.resourceArn('topic', t.name)),
      }),
    );
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: this.function });
    new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StreamlakeKafkaTopics',
      properties: {
        BootstrapServers: cluster.bootstrapBrokers,
        Topics: props.topics.map((t) => ({ name: t.name, partitions: String(t.partitions) })),
      },
    });
  }
}
