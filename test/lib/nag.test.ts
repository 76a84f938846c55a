import type { IConstruct } from 'constructs';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { buildApp, ctx, EXISTING_CLUSTER } from './support';

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
    ['existing', EXISTING_CLUSTER],
    ['sales with Avro values', { avroPipelines: 'sales' }],
    ['existing cluster, Avro values', { ...EXISTING_CLUSTER, avroPipelines: 'sales' }],
    ['provisioned pollers', { minimumPollers: 2, maximumPollers: 20 }],
    ['Kafka on-failure destination', { onFailure: 'kafka', maximumPollers: 10 }],
    ['Kafka on-failure destination, existing cluster', { ...EXISTING_CLUSTER, onFailure: 'kafka', minimumPollers: 1 }],
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
      const rules = (c as unknown as { cfnOptions: { metadata: { cdk_nag: { rules_to_suppress: { id: string; reason: string }[] } } } }).cfnOptions.metadata.cdk_nag
        .rules_to_suppress;
      for (const r of rules) expect(r.reason.length).toBeGreaterThan(40);
    }
  });
});
