import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { failureTopicOf, type PipelineSpec } from '../../model/spec';
import type { StreamlakeConfig } from '../config';
import { DemoGenerator } from '../constructs/demo-generator';
import type { KafkaCluster } from '../constructs/kafka-cluster';
import { LakeCompactor } from '../constructs/lake-compactor';
import type { LakeStorage } from '../constructs/lake-storage';
import { Monitoring } from '../constructs/monitoring';
import type { Network } from '../constructs/network';
import { PipelineProcessor } from '../constructs/pipeline-processor';
import { PipelineSchemas } from '../constructs/pipeline-schemas';

export interface ProcessingStackProps extends StackProps {
  readonly config: StreamlakeConfig;
  readonly pipelines: readonly PipelineSpec[];
  readonly network: Network;
  readonly cluster: KafkaCluster;
  readonly storage: LakeStorage;
  /** The Glue database of the lake (the Iceberg tables' namespace). */
  readonly databaseName: string;
  readonly removalPolicy: RemovalPolicy;
}

/** Processor functions with their MSK event source mappings, the lake compactor and its schedules, the demo generator, dashboard and alarms. */
export class ProcessingStack extends Stack {
  public readonly schemas: PipelineSchemas;
  public readonly processors: PipelineProcessor[];
  public readonly generator: DemoGenerator;
  /** The lake maintenance; absent with streamlake:compaction=off. */
  public readonly compactor?: LakeCompactor;
  public readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: ProcessingStackProps) {
    super(scope, id, props);
    const { network, cluster, storage, config } = props;
    const esm = config.eventSourceMapping;
    // the S3 on-failure destination; with streamlake:onFailure=kafka each pipeline's `<topic>.failed` topic instead
    const failureBucket = esm.onFailure === 's3' ? this.failedBatchesBucket(props) : undefined;
    this.schemas = new PipelineSchemas(this, 'Schemas', { registryName: config.prefix, pipelines: props.pipelines });
    this.processors = props.pipelines.map(
      (spec) =>
        new PipelineProcessor(this, `Processor-${spec.name}`, {
          spec,
          cluster,
          storage,
          onFailure: failureBucket ? { kind: 's3', bucket: failureBucket } : { kind: 'kafka', topic: failureTopicOf(spec) },
          provisionedPollers: esm.provisionedPollers,
          schemas: this.schemas,
          vpc: network.vpc,
          subnets: network.subnets,
          securityGroup: network.clientSecurityGroup,
          batchSize: config.batchSize,
          maxBatchingWindowSeconds: config.maxBatchingWindowSeconds,
          removalPolicy: props.removalPolicy,
          icebergDatabase: props.databaseName,
        }),
    );
    if (config.compaction) {
      this.compactor = new LakeCompactor(this, 'Compactor', {
        pipelines: props.pipelines,
        storage,
        icebergDatabase: props.databaseName,
        compaction: config.compaction,
        retention: config.retention,
        prefix: config.prefix,
        vpc: network.vpc,
        subnets: network.subnets,
        securityGroup: network.clientSecurityGroup,
        removalPolicy: props.removalPolicy,
      });
    }
    this.generator = new DemoGenerator(this, 'Generator', {
      cluster,
      schemas: this.schemas,
      pipelines: props.pipelines,
      vpc: network.vpc,
      subnets: network.subnets,
      securityGroup: network.clientSecurityGroup,
      removalPolicy: props.removalPolicy,
    });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      dashboardName: config.prefix,
      pipelines: props.pipelines.map((spec, i) => ({ name: spec.name, function: this.processors[i].function, eventSourceMappingId: this.processors[i].eventSourceMappingId })),
      alarms: config.alarms,
      compactor: this.compactor && config.compaction ? { function: this.compactor.function, periodMinutes: config.compaction.periodMinutes } : undefined,
    });
    new CfnOutput(this, 'GeneratorFunction', { value: this.generator.function.functionName, description: 'invoke with {"pipeline":"sales","count":10000,"ratePerSecond":500}' });
    new CfnOutput(this, 'DashboardUrl', { value: `https://${this.region}.console.aws.amazon.com/cloudwatch/home?region=${this.region}#dashboards:name=${config.prefix}` });
    if (this.schemas.registry) {
      new CfnOutput(this, 'SchemaRegistry', { value: config.prefix, description: 'Glue Schema Registry of the Avro pipelines (produce --msk --format avro --registry)' });
    }
    if (failureBucket) {
      new CfnOutput(this, 'FailedBatchesBucket', { value: failureBucket.bucketName, description: 'invocation records of batches that exhausted their retries' });
    } else {
      new CfnOutput(this, 'FailedBatchesTopics', {
        value: props.pipelines.map(failureTopicOf).join(','),
        description: 'Kafka topics of the invocation records of batches that exhausted their retries (replay-failed --from kafka)',
      });
    }
  }

  /** The S3 on-failure destination of every mapping (and of the processors' not-retriable batches). */
  private failedBatchesBucket(props: ProcessingStackProps): s3.Bucket {
    return new s3.Bucket(this, 'FailedBatches', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.storage.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: props.storage.accessLogsBucket,
      serverAccessLogsPrefix: 'failed-batches/',
      lifecycleRules: [{ id: 'expire-failed-batches', expiration: Duration.days(props.config.retention.quarantineDays) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: props.removalPolicy === RemovalPolicy.DESTROY,
    });
  }
}
