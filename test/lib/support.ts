/** Builds the app in-process for template assertions. Asset bundling is skipped except where asked. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildStreamlake, type StreamlakeStacks } from '../../lib/app';
import { parseConfig } from '../../lib/config';

export interface BuiltApp {
  readonly app: App;
  readonly stacks: StreamlakeStacks;
  readonly templates: Record<'network' | 'kafka' | 'lake' | 'processing', Template>;
}

export function buildApp(context: Record<string, unknown> = {}, options: { bundle?: boolean; nag?: boolean } = {}): BuiltApp {
  const app = new App({
    context: {
      '@aws-cdk/core:defaultCrossStackReferences': 'strong',
      '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const stacks = buildStreamlake(app, parseConfig(context), { nag: options.nag });
  const t = (s: Stack) => Template.fromStack(s);
  return { app, stacks, templates: { network: t(stacks.network), kafka: t(stacks.kafka), lake: t(stacks.lake), processing: t(stacks.processing) } };
}

/** Every IAM policy statement of a template, with Action and Resource as arrays. */
/** Every IAM statement of the template; `policy` keeps only the policies whose logical id it accepts. */
export function policyStatements(template: Template, policy: (logicalId: string) => boolean = () => true): { Action: string[]; Resource: unknown[]; Effect: string }[] {
  const out: { Action: string[]; Resource: unknown[]; Effect: string }[] = [];
  const add = (doc: { Statement: { Action: string | string[]; Resource: unknown; Effect: string }[] }) => {
    for (const s of doc.Statement) out.push({ Effect: s.Effect, Action: ([] as string[]).concat(s.Action), Resource: ([] as unknown[]).concat(s.Resource) });
  };
  for (const [id, p] of Object.entries(template.findResources('AWS::IAM::Policy'))) if (policy(id)) add(p.Properties.PolicyDocument);
  for (const [id, r] of Object.entries(template.findResources('AWS::IAM::Role'))) if (policy(id)) for (const p of r.Properties.Policies ?? []) add(p.PolicyDocument);
  return out;
}

/** CDK context entries for config keys given without their `streamlake:` prefix. */
export const ctx = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).map(([k, v]) => [`streamlake:${k}`, v]));

/** A complete `kafkaMode=existing` configuration. */
export const EXISTING_CLUSTER = {
  kafkaMode: 'existing',
  existingClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/prod/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d-2',
  existingVpcId: 'vpc-0123456789abcdef0',
  existingVpcCidr: '10.20.0.0/16',
  existingSubnetIds: 'subnet-0123456789abcdef0,subnet-0123456789abcdef1',
  existingSecurityGroupId: 'sg-0123456789abcdef0',
  existingAvailabilityZones: 'eu-west-1a,eu-west-1b',
};
