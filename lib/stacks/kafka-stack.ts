import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { failureTopicsOf, summaryTopicsOf, type PipelineSpec } from '../../model/spec';
import type { StreamlakeConfig } from '../config';
import { KafkaCluster } from '../constructs/kafka-cluster';
import { KafkaTopics } from '../constructs/kafka-topics';
import type { Network } from '../constructs/network';

export interface KafkaStackProps extends StackProps {
  readonly config: StreamlakeConfig;
  readonly network: Network;
  readonly pipelines: readonly PipelineSpec[];
  readonly removalPolicy: RemovalPolicy;
}

/** The MSK cluster, the spec topics and their SSM parameters. */
export class KafkaStack extends Stack {
  public readonly cluster: KafkaCluster;

  constructor(scope: Construct, id: string, props: KafkaStackProps) {
    super(scope, id, props);
    const { network, config } = props;
    this.cluster = new KafkaCluster(this, 'Kafka', {
      name: config.prefix,
      config: config.kafka,
      vpc: network.vpc,
      subnets: network.subnets,
      securityGroup: network.clusterSecurityGroup,
      removalPolicy: props.removalPolicy,
    });
    new KafkaTopics(this, 'Topics', {
      cluster: this.cluster,
      // input topics, the summary topics windows publish to (same partition count as their input), and
      // with streamlake:onFailure=kafka the on-failure topics (Lambda needs them to exist in the same cluster)
      topics: [
        ...props.pipelines.map((p) => p.topic),
        ...summaryTopicsOf(props.pipelines),
        ...(config.eventSourceMapping.onFailure === 'kafka' ? failureTopicsOf(props.pipelines) : []),
      ],
      vpc: network.vpc,
      subnets: network.subnets,
      securityGroup: network.clientSecurityGroup,
      removalPolicy: props.removalPolicy,
    });
    new ssm.StringParameter(this, 'BootstrapBrokersParameter', {
      parameterName: `/${config.prefix}/kafka/bootstrap-brokers`,
      stringValue: this.cluster.bootstrapBrokers,
      description: 'MSK bootstrap brokers (IAM auth, port 9098)',
    });
    new ssm.StringParameter(this, 'ClusterArnParameter', { parameterName: `/${config.prefix}/kafka/cluster-arn`, stringValue: this.cluster.clusterArn });
    for (const p of props.pipelines) {
      new ssm.StringParameter(this, `TopicParameter-${p.name}`, { parameterName: `/${config.prefix}/pipelines/${p.name}/topic`, stringValue: p.topic.name });
    }
  }
}
