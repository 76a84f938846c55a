import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ENV } from '../../model/environment';
import { Construct } from 'constructs';
import type { PipelineSpec } from '../../model/spec';
import type { KafkaCluster } from './kafka-cluster';
import type { PipelineSchemas } from './pipeline-schemas';
import { StreamlakeFunction } from './node-function';

export interface DemoGeneratorProps {
  readonly cluster: KafkaCluster;
  readonly pipelines: readonly PipelineSpec[];
  /** The Glue schemas of Avro pipelines: the generator writes Avro for those. */
  readonly schemas: PipelineSchemas;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
}

/** The demo traffic generator: publishes N events of a pipeline at a rate (kafkajs + MSK IAM). */
export class DemoGenerator extends Construct {
  public readonly function: StreamlakeFunction;

  constructor(scope: Construct, id: string, props: DemoGeneratorProps) {
    super(scope, id);
    this.function = new StreamlakeFunction(this, 'Function', {
      entry: 'lambda/handlers/generator.ts',
      description: 'streamlake demo traffic generator: {"pipeline":"sales","count":10000,"ratePerSecond":500}',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      timeout: Duration.minutes(15),
      removalPolicy: props.removalPolicy,
      environment: { [ENV.kafkaBootstrapServers]: props.cluster.bootstrapBrokers, POWERTOOLS_SERVICE_NAME: 'generator' },
    });
    // Avro pipelines: records framed with the schema version created from the spec
    const avro = props.pipelines.filter((p) => p.value.kind === 'avro');
    if (avro.length > 0) {
      this.function.addEnvironment(
        ENV.avroSchemaVersionIds,
        Stack.of(this).toJsonString(Object.fromEntries(avro.map((p) => [p.name, props.schemas.schemaOf(p).initialVersionId]))),
      );
    }
    // MSK developer guide, "IAM access control": a producer needs Connect, DescribeTopic and WriteData
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:Connect'], resources: [props.cluster.clusterArn] }));
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: props.pipelines.map((p) => props.cluster.resourceArn('topic', p.topic.name)),
      }),
    );
  }
}
