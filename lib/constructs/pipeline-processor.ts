import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { icebergLakeVariables, processorEnvironment } from '../../model/environment';
import { REFERENCE_ROOT } from '../../model/layout';
import { METRICS_NAMESPACE } from '../../model/metric-names';
import { PROCESSOR_NODE_OPTIONS } from '../../model/node-options';
import { icebergTables } from '../../model/lake-tables';
import { requirementsOf } from '../../model/requirements';
import { consumerGroupOf, type PipelineSpec } from '../../model/spec';
import { GLUE_ICEBERG_ACTIONS, grantIcebergTables, icebergLakeOfStack } from './iceberg-lake';
import type { KafkaCluster } from './kafka-cluster';
import type { LakeStorage } from './lake-storage';
import type { PipelineSchemas } from './pipeline-schemas';
import { StreamlakeFunction } from './node-function';

/**
 * Where the event source mapping (and the processor, for a batch it can never handle) puts the
 * invocation records of batches that finally fail: an S3 bucket, or a Kafka topic of the cluster.
 */
export type ProcessorFailureDestination = { readonly kind: 's3'; readonly bucket: s3.IBucket } | { readonly kind: 'kafka'; readonly topic: string };

/** Provisioned mode: the event pollers dedicated to the mapping. */
export interface ProvisionedPollers {
  readonly minimum: number;
  readonly maximum: number;
}

export interface PipelineProcessorProps {
  readonly spec: PipelineSpec;
  readonly cluster: KafkaCluster;
  readonly storage: LakeStorage;
  /** Keeps the invocation records of batches that finally fail. */
  readonly onFailure: ProcessorFailureDestination;
  /** Provisioned mode with these poller bounds. @default on-demand mode */
  readonly provisionedPollers?: ProvisionedPollers;
  /** The Glue schemas of Avro pipelines. */
  readonly schemas: PipelineSchemas;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly removalPolicy: RemovalPolicy;
  /** The Glue database of the pipeline's Iceberg tables, which it commits to. */
  readonly icebergDatabase: string;
}

/**
 * The event source mapping's on-failure destination: the invocation records of batches that
 * exhausted their retries, kept in S3. Unlike the stock S3OnFailureDestination (read-write grant
 * with wildcard actions), it grants only what Lambda needs to deliver them: s3:PutObject and
 * s3:ListBucket (Lambda developer guide, "Capturing discarded batches": S3 destination permissions).
 */
class S3FailureDestination implements lambda.IEventSourceDlq {
  constructor(
    private readonly bucket: s3.IBucket,
    private readonly storage: LakeStorage,
  ) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }));
    targetHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [this.bucket.bucketArn] }));
    targetHandler.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [this.storage.key.keyArn] }));
    return { destination: this.bucket.bucketArn };
  }
}

/**
 * The event source mapping's on-failure destination as a Kafka topic of the same cluster
 * (`kafka://<topic>`): Lambda's poller produces the failed records there with the function's role,
 * so the role may write that topic only (Lambda developer guide, "Capturing discarded batches for
 * Amazon MSK and self-managed Apache Kafka event sources": kafka-cluster:WriteData for a Kafka
 * destination; DescribeTopic for the producer's metadata requests, MSK developer guide, "IAM access
 * control"). kafka-cluster:Connect on the cluster is granted for the poller already.
 */
class KafkaFailureDestination implements lambda.IEventSourceDlq {
  private readonly destination: sources.KafkaDlq;

  constructor(
    private readonly cluster: KafkaCluster,
    private readonly topic: string,
  ) {
    this.destination = new sources.KafkaDlq(topic);
  }

  bind(target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: [this.cluster.resourceArn('topic', this.topic)] }),
    );
    return this.destination.bind(target, targetHandler);
  }
}

/**
 * One pipeline's processor: the Lambda function (the same handler the local runtime runs) and
 * its MSK event source mapping (IAM auth, TRIM_HORIZON, batch size and window, on-demand or
 * provisioned pollers, its own metrics, an S3 or Kafka on-failure destination), with IAM scoped to the cluster, topic and group ARNs and to the bucket prefixes
 * it writes.
 */
export class PipelineProcessor extends Construct {
  public readonly function: StreamlakeFunction;
  public readonly eventSource: sources.ManagedKafkaEventSource;
  /** The UUID of the event source mapping: the dimension of the metrics it publishes. */
  public readonly eventSourceMappingId: string;
  /** The Glue database of the Iceberg tables it commits to. */
  public readonly icebergDatabase: string;

  constructor(scope: Construct, id: string, props: PipelineProcessorProps) {
    super(scope, id);
    const { spec, cluster } = props;
    this.icebergDatabase = props.icebergDatabase;
    const needs = requirementsOf(spec);
    const avroSchema = needs.schemaRegistry ? props.schemas.schemaOf(spec) : undefined;
    const iceberg = icebergLakeOfStack(this, props.icebergDatabase, props.storage);
    this.function = new StreamlakeFunction(this, 'Function', {
      // one entry for every pipeline: it reads which one from STREAMLAKE_PIPELINE
      entry: 'lambda/handlers/processor-entry.ts',
      description: `streamlake processor of the ${spec.name} pipeline`,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      memorySize: 1769, // one full vCPU (Lambda developer guide, "Memory and computing power")
      timeout: Duration.minutes(5),
      removalPolicy: props.removalPolicy,
      environment: {
        ...processorEnvironment({
          pipeline: spec.name,
          lakeBucket: props.storage.bucket.bucketName,
          failureBucket: props.onFailure.kind === 's3' ? props.onFailure.bucket.bucketName : undefined,
          // a batch it can never handle goes to the same kind of destination as the mapping's (the topic, over IAM auth)
          failureTopic: props.onFailure.kind === 'kafka' ? props.onFailure.topic : undefined,
          // the handler swaps the shipped spec's value format for Avro and reads writer schemas from Glue
          valueFormat: avroSchema ? 'avro' : undefined,
          glueRegistryName: avroSchema?.registryName,
          kafkaBootstrapServers: needs.summaryTopics.length > 0 || props.onFailure.kind === 'kafka' ? cluster.bootstrapBrokers : undefined,
          ...icebergLakeVariables(iceberg),
        }),
        POWERTOOLS_SERVICE_NAME: spec.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: 'INFO',
        NODE_OPTIONS: PROCESSOR_NODE_OPTIONS,
      },
    });

    // Lambda's MSK poller authenticates with the function's role (Lambda developer guide,
    // "Amazon MSK event source mapping permissions"; MSK developer guide, "IAM access control")
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'], resources: [cluster.clusterArn] }));
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'], resources: [cluster.clusterArn] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'], resources: [cluster.resourceArn('topic', spec.topic.name)] }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'], resources: [cluster.resourceArn('group', consumerGroupOf(spec))] }),
    );

    if (avroSchema) props.schemas.grantRead(this.function, spec);

    const summaryTopics = needs.summaryTopics;
    if (summaryTopics.length > 0) {
      // an idempotent producer (MSK developer guide, "IAM access control": WriteDataIdempotently on the cluster)
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['kafka-cluster:WriteDataIdempotently'], resources: [cluster.clusterArn] }));
      this.function.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'], resources: summaryTopics.map((t) => cluster.resourceArn('topic', t)) }),
      );
    }

    // its own tables only: load and commit through the Iceberg REST endpoint, files under iceberg/<table>/ (./iceberg-lake.ts)
    grantIcebergTables(this, this.function, {
      storage: props.storage,
      databaseName: props.icebergDatabase,
      tables: icebergTables(spec).map((t) => t.name),
      glueActions: GLUE_ICEBERG_ACTIONS.commit,
    });
    if (needs.references.length > 0) props.storage.grantRead(this.function, [REFERENCE_ROOT]);

    this.eventSource = new sources.ManagedKafkaEventSource({
      clusterArn: cluster.clusterArn,
      topic: spec.topic.name,
      consumerGroupId: consumerGroupOf(spec),
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: props.batchSize,
      maxBatchingWindow: Duration.seconds(props.maxBatchingWindowSeconds),
      onFailure: props.onFailure.kind === 's3' ? new S3FailureDestination(props.onFailure.bucket, props.storage) : new KafkaFailureDestination(cluster, props.onFailure.topic),
      // provisioned mode (Lambda developer guide, "Apache Kafka event poller scaling modes"); batch size and window apply in both modes
      provisionedPollerConfig: props.provisionedPollers ? { minimumPollers: props.provisionedPollers.minimum, maximumPollers: props.provisionedPollers.maximum } : undefined,
      // the mapping's own metrics: event counts, errors, Kafka consumer metrics such as offset lag (CloudFormation MetricsConfig)
      metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT, lambda.MetricType.ERROR_COUNT, lambda.MetricType.KAFKA_METRICS] },
    });
    this.function.addEventSource(this.eventSource);
    this.eventSourceMappingId = this.eventSource.eventSourceMappingId;
  }
}
