import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { compactorEnvironment } from '../../model/environment';
import { icebergTables } from '../../model/lake-tables';
import { COMPACTOR_SERVICE, METRICS_NAMESPACE } from '../../model/metric-names';
import type { PipelineSpec } from '../../model/spec';
import type { CompactionConfig } from '../config';
import { GLUE_ICEBERG_ACTIONS, grantIcebergTables, icebergLakeOfStack, icebergTablePrefix } from './iceberg-lake';
import type { LakeStorage } from './lake-storage';
import { StreamlakeFunction } from './node-function';

const MIB = 1024 * 1024;

export interface LakeCompactorProps {
  /** The pipelines whose tables it maintains: one schedule each. */
  readonly pipelines: readonly PipelineSpec[];
  readonly storage: LakeStorage;
  /** The Glue database of the pipelines' Iceberg tables. */
  readonly icebergDatabase: string;
  readonly compaction: CompactionConfig;
  /** Days each kind of table keeps (streamlake:*RetentionDays), enforced by the compactor. */
  readonly retention: { readonly eventsDays: number; readonly quarantineDays: number; readonly aggregatesDays: number };
  /** Names the schedules (`<prefix>-compact-<pipeline>`). */
  readonly prefix: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The lake maintenance (issue #14): one compactor function for every pipeline
 * (lambda/handlers/compactor-entry.ts, the `IcebergCompactor` the local runtime runs) and one
 * EventBridge Scheduler schedule per pipeline that invokes it with `{"pipeline": "<name>"}` every
 * `periodMinutes`. Each run rewrites the pipeline's closed day partitions into large files, expires
 * old snapshots and deletes orphan files, through Glue's Iceberg REST endpoint like the processors.
 *
 * In the VPC's private subnets with the processors' security group: everything it calls is
 * reachable there without internet access (S3 through the gateway endpoint, Glue's Iceberg REST
 * endpoint through the Glue interface endpoint; logs, metrics in EMF and traces leave through the
 * Lambda service).
 *
 * IAM, the pipelines' tables only: GetCatalog, GetTable/UpdateTable on the catalog, database and
 * each table ARN (./iceberg-lake.ts); s3:GetObject/PutObject/DeleteObject under `iceberg/<table>/`
 * (DeleteObjects checks s3:DeleteObject per key: Amazon S3 API reference, DeleteObjects);
 * s3:ListBucket on the bucket only for the `s3:prefix` values `iceberg/<table>/*` (Amazon S3 user
 * guide, "Bucket policy examples using condition keys": s3:prefix); the lake key's KMS actions.
 */
export class LakeCompactor extends Construct {
  public readonly function: StreamlakeFunction;
  /** By pipeline name. */
  public readonly schedules: Readonly<Record<string, scheduler.Schedule>> = {};
  /** The role the schedules invoke the function with. */
  public readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: LakeCompactorProps) {
    super(scope, id);
    const c = props.compaction;
    const tables = props.pipelines.flatMap((spec) => icebergTables(spec).map((t) => t.name));
    this.function = new StreamlakeFunction(this, 'Function', {
      entry: 'lambda/handlers/compactor-entry.ts',
      description: 'streamlake lake maintenance: compaction, snapshot expiry, orphan removal of the Iceberg tables',
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      // a rewrite holds a partition's rows (up to about the target size, decoded) and the file it writes;
      // 3,008 MB is also ~1.7 vCPU (Lambda developer guide, "Memory and computing power")
      memorySize: 3008,
      timeout: Duration.minutes(15),
      removalPolicy: props.removalPolicy,
      environment: {
        ...compactorEnvironment({
          pipelines: props.pipelines.map((p) => p.name),
          lakeBucket: props.storage.bucket.bucketName,
          lake: icebergLakeOfStack(this, props.icebergDatabase, props.storage),
          targetFileSizeBytes: c.targetFileSizeMiB * MIB,
          snapshotRetentionSeconds: c.snapshotRetentionHours * 3600,
          orphanMinAgeSeconds: c.orphanMinAgeHours * 3600,
          retentionDays: { events: props.retention.eventsDays, quarantine: props.retention.quarantineDays, partials: props.retention.aggregatesDays },
        }),
        POWERTOOLS_SERVICE_NAME: COMPACTOR_SERVICE,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        LOG_LEVEL: 'INFO',
      },
    });
    // a failed run is not retried by Lambda's asynchronous invocation: the next scheduled run is the retry
    // (every step is idempotent), and the failure shows in the function's Errors and CompactionFailures
    this.function.configureAsyncInvoke({ retryAttempts: 0 });

    grantIcebergTables(this, this.function, { storage: props.storage, databaseName: props.icebergDatabase, tables, glueActions: GLUE_ICEBERG_ACTIONS.commit });
    const bucket = props.storage.bucket;
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:DeleteObject'], resources: tables.map((t) => bucket.arnForObjects(`${icebergTablePrefix(t)}*`)) }));
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': tables.map((t) => `${icebergTablePrefix(t)}*`) } },
      }),
    );

    // the schedules' own role (not the stack-wide one aws-scheduler-targets would share): it may invoke this function only,
    // assumed by EventBridge Scheduler for schedules of this account (EventBridge Scheduler user guide, "Set up the execution role")
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
      description: 'streamlake: EventBridge Scheduler invokes the compactor function',
    });
    const rate = scheduler.ScheduleExpression.rate(Duration.minutes(c.periodMinutes));
    const schedules: Record<string, scheduler.Schedule> = {};
    for (const spec of props.pipelines) {
      schedules[spec.name] = new scheduler.Schedule(this, `Schedule-${spec.name}`, {
        scheduleName: `${props.prefix}-compact-${spec.name}`,
        description: `streamlake: maintain the ${spec.name} pipeline's Iceberg tables`,
        schedule: rate,
        target: new targets.LambdaInvoke(this.function, {
          role: this.schedulerRole,
          input: scheduler.ScheduleTargetInput.fromObject({ pipeline: spec.name }),
          // a run that cannot start within a period is superseded by the next one
          maxEventAge: Duration.minutes(Math.min(c.periodMinutes, 1440)),
          retryAttempts: 3,
        }),
      });
    }
    this.schedules = schedules;
  }
}
