#!/usr/bin/env node
/** CDK app entry: reads the typed config from context once and instantiates the stacks. */
import { App } from 'aws-cdk-lib';
import { ConfigError, parseConfig } from '../lib/config';
import { buildStreamlake } from '../lib/app';
import { PipelineSpecError } from '../lambda/core/spec';

const app = new App();
try {
  const context: Record<string, unknown> = {};
  for (const key of Object.keys({ ...app.node.getAllContext() })) context[key] = app.node.tryGetContext(key);
  buildStreamlake(app, parseConfig(context));
} catch (err) {
  if (err instanceof ConfigError || err instanceof PipelineSpecError) {
    console.error(`streamlake: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
app.synth();
