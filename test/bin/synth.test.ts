import { ctx, EXISTING_CLUSTER } from '../lib/support';
/** Synth smoke tests: every Kafka mode and pipeline subset synthesizes with no credentials or network. */
import { App } from 'aws-cdk-lib';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildStreamlake } from '../../lib/app';
import { parseConfig } from '../../lib/config';

describe('synth smoke', () => {
  it.each([
    ['serverless, all pipelines', {}],
    ['provisioned, all pipelines', { kafkaMode: 'provisioned', brokerCount: 3 }],
    ['existing cluster, all pipelines', EXISTING_CLUSTER],
    ['serverless, clickstream only', { pipelines: 'clickstream' }],
    ['serverless, sales only', { pipelines: 'sales' }],
    ['provisioned, sales only, retain', { kafkaMode: 'provisioned', pipelines: 'sales', removalPolicy: 'retain' }],
  ])('%s', (_name, context) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
    const config = parseConfig(ctx(context));
    buildStreamlake(app, config, { nag: false });
    const assembly = app.synth();
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual(['streamlake-kafka', 'streamlake-lake', 'streamlake-network', 'streamlake-processing']);
    const processing = assembly.getStackByName('streamlake-processing').template;
    const functions = Object.values(processing.Resources as Record<string, { Type: string; Properties: { Description?: string } }>).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && /processor of/.test(r.Properties.Description ?? ''),
    );
    expect(functions).toHaveLength(config.pipelines.length);
  });

  it('bundles the Lambda code with esbuild (no Docker)', () => {
    const app = new App({ context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
    buildStreamlake(app, parseConfig(ctx({ pipelines: 'sales' })), { nag: false });
    const assembly = app.synth();
    const bundles = readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.') && existsSync(join(assembly.directory, d, 'index.js')))
      .map((d) => readFileSync(join(assembly.directory, d, 'index.js'), 'utf8'));
    // the sales processor bundle carries the processing core (minified, with its source map beside it)
    expect(bundles.some((b) => b.includes('oversized-value') && b.length < 2_000_000)).toBe(true);
  });

  it('fails synth with a message naming a bad config key', () => {
    expect(() => parseConfig(ctx({ batchSize: 'lots' }))).toThrow("config 'streamlake:batchSize': must be an integer from 1 to 10000");
  });
});
