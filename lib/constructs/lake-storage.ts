import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { referencePrefix } from '../../model/layout';
import type { PipelineSpec } from '../../model/spec';
import type { RetentionConfig } from '../config';
import { REPO_ROOT } from './node-function';

/** Where Athena writes query results inside the lake bucket. */
export const ATHENA_RESULTS_PREFIX = 'athena-results/';

export interface LakeStorageProps {
  readonly pipelines: readonly PipelineSpec[];
  readonly retention: RetentionConfig;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The data-lake bucket: KMS (customer key, rotation), versioning, TLS only, public access
 * blocked, server access logs to a separate bucket, Athena results expired, and the pipelines'
 * reference data uploaded at deploy time under `reference/<name>/`.
 */
export class LakeStorage extends Construct {
  public readonly key: kms.Key;
  public readonly bucket: s3.Bucket;
  public readonly accessLogsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LakeStorageProps) {
    super(scope, id);
    const destroy = props.removalPolicy === RemovalPolicy.DESTROY;
    this.key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'streamlake data lake and Athena results', removalPolicy: props.removalPolicy });
    // Server access logs cannot be delivered to an SSE-KMS bucket: S3-managed keys here.
    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });
    const days = props.retention;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'lake/',
      lifecycleRules: [
        // no rule under iceberg/: an object a table's metadata lists must only ever be removed through
        // the table (an expired data file would make every query of its snapshot fail)
        { id: 'athena-results', prefix: ATHENA_RESULTS_PREFIX, expiration: Duration.days(days.athenaResultsDays) },
        // overwritten or deleted objects (Athena results, reference data): keep the old versions only briefly
        { id: 'noncurrent-versions', noncurrentVersionExpiration: Duration.days(7), abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: props.removalPolicy,
      autoDeleteObjects: destroy,
    });

    for (const spec of props.pipelines) {
      for (const ref of spec.references ?? []) {
        new s3deploy.BucketDeployment(this, `Reference-${ref.name}`, {
          destinationBucket: this.bucket,
          destinationKeyPrefix: referencePrefix(ref),
          sources: [s3deploy.Source.data(ref.file, readFileSync(join(REPO_ROOT, 'pipelines', 'reference', ref.file), 'utf8'))],
          prune: false,
          retainOnDelete: !destroy,
          memoryLimit: 256,
        });
      }
    }
  }

  /** s3:PutObject on the given key prefixes (no wildcard actions), with the KMS actions SSE-KMS needs. */
  grantWrite(grantee: iam.IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: prefixes.map((p) => this.bucket.arnForObjects(`${p}*`)) }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [this.key.keyArn] }));
  }

  /** s3:GetObject on the given key prefixes, with kms:Decrypt. */
  grantRead(grantee: iam.IGrantable, prefixes: readonly string[]): void {
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: prefixes.map((p) => this.bucket.arnForObjects(`${p}*`)) }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [this.key.keyArn] }));
  }
}
