import type { IConstruct } from 'constructs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { buildApp } from './support';

const ctx = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [`streamlake:${k}`, v]));

/** cdk-nag findings (AwsSolutions and Serverless packs) left unsuppressed in a stack. */
function findings(stack: Parameters<typeof Annotations.fromStack>[0]) {
  const a = Annotations.fromStack(stack);
  const nag = Match.stringLikeRegexp('^(AwsSolutions|Serverless|CdkNagValidationFailure)');
  return [...a.findError('*', nag), ...a.findWarning('*', nag)].map((f) => `${f.id}: ${String(f.entry.data).slice(0, 160)}`);
}

describe('cdk-nag', () => {
  it.each([
    ['serverless', {}],
    ['provisioned', { kafkaMode: 'provisioned' }],
    ['existing', { kafkaMode: 'existing', existingClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2', existingVpcId: 'vpc-0123456789abcdef0', existingVpcCidr: '10.20.0.0/16', existingSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1', existingSecurityGroupId: 'sg-0123456789abcdef0', existingAvailabilityZones: 'eu-west-1a,eu-west-1b' }],
  ])('has no unsuppressed AwsSolutions or Serverless finding (%s)', (_mode, context) => {
    const { stacks } = buildApp(ctx(context));
    for (const stack of Object.values(stacks)) expect(findings(stack)).toEqual([]);
  });

  it('every suppression carries a written reason', () => {
    const { stacks } = buildApp();
    const suppressed = Object.values(stacks).flatMap((stack) =>
      stack.node.findAll().filter((c: IConstruct) => JSON.stringify((c as { cfnOptions?: { metadata?: unknown } }).cfnOptions?.metadata ?? {}).includes('cdk_nag')),
    );
    expect(suppressed.length).toBeGreaterThan(10);
    for (const c of suppressed) {
      const rules = (c as unknown as { cfnOptions: { metadata: { cdk_nag: { rules_to_suppress: { id: string; reason: string }[] } } } }).cfnOptions.metadata.cdk_nag.rules_to_suppress;
      for (const r of rules) expect(r.reason.length).toBeGreaterThan(40);
    }
  });
});
