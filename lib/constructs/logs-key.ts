import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * One customer-managed KMS key per stack for CloudWatch log groups and Lambda environment
 * variables. CloudWatch Logs may use it only for log groups of this account and region
 * (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS").
 */
export function stackLogsKey(scope: Construct): kms.IKey {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild('LogsKey') as kms.Key | undefined;
  if (existing) return existing;
  const key = new kms.Key(stack, 'LogsKey', { enableKeyRotation: true, description: `${stack.stackName}: CloudWatch Logs and Lambda environment` });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${stack.partition}:logs:${stack.region}:${stack.account}:log-group:*` } },
    }),
  );
  return key;
}
