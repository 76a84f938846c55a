import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { PipelineSpec } from '../../model/spec';
import type { StreamlakeConfig } from '../config';
import { LakeCatalog } from '../constructs/lake-catalog';
import { LakeStorage } from '../constructs/lake-storage';

export interface LakeStackProps extends StackProps {
  readonly config: StreamlakeConfig;
  readonly pipelines: readonly PipelineSpec[];
  readonly removalPolicy: RemovalPolicy;
}

/** Bucket, KMS, Glue database, tables and views, Athena workgroup and named queries, reference data. */
export class LakeStack extends Stack {
  public readonly storage: LakeStorage;
  public readonly catalog: LakeCatalog;

  constructor(scope: Construct, id: string, props: LakeStackProps) {
    super(scope, id, props);
    const prefix = props.config.prefix;
    this.storage = new LakeStorage(this, 'Storage', { pipelines: props.pipelines, retention: props.config.retention, removalPolicy: props.removalPolicy });
    this.catalog = new LakeCatalog(this, 'Catalog', {
      databaseName: prefix.replace(/-/g, '_'),
      workGroupName: prefix,
      storage: this.storage,
      pipelines: props.pipelines,
      bytesScannedCutoffPerQuery: props.config.athenaBytesScannedCutoff,
      removalPolicy: props.removalPolicy,
    });
    const params: [string, string, string][] = [
      ['LakeBucketParameter', `/${prefix}/lake/bucket`, this.storage.bucket.bucketName],
      ['GlueDatabaseParameter', `/${prefix}/lake/glue-database`, prefix.replace(/-/g, '_')],
      ['AthenaWorkGroupParameter', `/${prefix}/lake/athena-workgroup`, this.catalog.workGroup.ref],
    ];
    for (const [id2, name, value] of params) new ssm.StringParameter(this, id2, { parameterName: name, stringValue: value });
    new CfnOutput(this, 'LakeBucket', { value: this.storage.bucket.bucketName, description: 'S3 data lake bucket' });
    new CfnOutput(this, 'AthenaWorkGroup', { value: this.catalog.workGroup.ref, description: 'Athena workgroup with the named queries' });
    new CfnOutput(this, 'AthenaConsole', {
      value: `https://${this.region}.console.aws.amazon.com/athena/home?region=${this.region}#/query-editor`,
      description: `Athena query editor: choose workgroup ${prefix}, then "Saved queries"`,
    });
  }
}
