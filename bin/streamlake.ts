#!/usr/bin/env node
/** CDK app entry: reads the typed config from context once and instantiates the stacks. */
import { App, Validations } from 'aws-cdk-lib';
import { ConfigError, parseConfig } from '../lib/config';
import { buildStreamlake } from '../lib/app';
import { cfnGuardValidator } from '../lib/policy-validation';
import { PipelineSpecError } from '../model/spec-rules';

// cfn-guard with the Control Tower proactive rules runs on every synth (lib/policy-validation.ts)
const app = new App();
Validations.of(app).addPlugins(cfnGuardValidator());
try {
  const context: Record<string, unknown> = {};
  for (const key of Object.keys({ ...app.node.getAllContext() })) context[key] = app.node.tryGetContext(key);
  buildStreamlake(app, parseConfig(context));
} catch (err) {
  if (err instanceof ConfigError || err instanceof PipelineSpecError) {
    // one line per problem: both errors list every problem found, not only the first
    for (const line of err.message.split('\n')) console.error(`streamlake: ${line}`);
    process.exit(1);
  }
  throw err;
}
app.synth();
