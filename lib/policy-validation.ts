/**
 * cfn-guard policy validation at synth time (@cdklabs/cdk-validator-cfnguard) with the AWS
 * Control Tower proactive rules for the services this app uses. The rules disabled below are
 * listed with the reason each does not fit a streaming data lake.
 */
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { join } from 'node:path';

const CONTROL_TOWER_RULES = join(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'), '..', 'rules', 'control-tower', 'cfn-guard');

/** The services whose Control Tower proactive controls the app must pass. */
export const GUARDED_SERVICES = ['msk', 'lambda', 's3', 'glue', 'athena'] as const;

/** Disabled rule files (`ct-<service>-pr-<n>`), each with its reason. */
export const DISABLED_GUARD_RULES: Record<string, string> = {
  // CT.LAMBDA.PR.3: every function that reaches Kafka runs in the private subnets (asserted by
  // test/lib/constructs/processing.test.ts); the findings are deploy-time functions that only call
  // AWS APIs (CDK custom resource framework, BucketDeployment, auto-delete, Athena views).
  'ct-lambda-pr-3': 'lambda_inside_vpc_check: deploy-time functions that only call AWS APIs need no VPC',
  // CT.S3.PR.9: retried batches must overwrite their objects and areas expire by lifecycle rules;
  // Object Lock would forbid both.
  'ct-s3-pr-9': 's3_bucket_object_lock_enabled_check: exactly-once overwrites and lifecycle expiry need mutable objects',
  // CT.S3.PR.4: nothing consumes bucket notifications; the pipeline is driven by Kafka.
  'ct-s3-pr-4': 's3_event_notifications_enabled_check: no consumer of bucket events',
  // CT.S3.PR.2 and CT.S3.PR.10 fail only on the access-log bucket: it cannot log to itself, and
  // S3 cannot deliver server access logs to an SSE-KMS bucket. Every other bucket passes both
  // (asserted by test/lib/security.test.ts).
  'ct-s3-pr-2': 's3_bucket_logging_enabled_check: only the access-log bucket, which cannot log to itself',
  'ct-s3-pr-10': 's3_bucket_default_encryption_kms_check: only the access-log bucket, which S3 requires to be SSE-S3',
};

export function cfnGuardValidator(): CfnGuardValidator {
  return new CfnGuardValidator({
    controlTowerRulesEnabled: false,
    rules: GUARDED_SERVICES.map((s) => join(CONTROL_TOWER_RULES, s)),
    disabledRules: Object.keys(DISABLED_GUARD_RULES),
  });
}
