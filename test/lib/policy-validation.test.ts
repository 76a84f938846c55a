/** cfn-guard (Control Tower proactive rules for MSK, Lambda, S3, Glue, Athena) passes at synth time. */
import { App, Validations } from 'aws-cdk-lib';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildStreamlake } from '../../lib/app';
import { parseConfig } from '../../lib/config';
import { cfnGuardValidator, DISABLED_GUARD_RULES } from '../../lib/policy-validation';
import { ctx, EXISTING_CLUSTER } from './support';

function synthWithGuard(context: Record<string, unknown>): string {
  const outdir = mkdtempSync(join(tmpdir(), 'streamlake-guard-'));
  const lines: string[] = [];
  const spy = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    const app = new App({
      outdir,
      context: { 'aws:cdk:bundling-stacks': [], '@aws-cdk/core:defaultCrossStackReferences': 'strong', '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true },
    });
    Validations.of(app).addPlugins(cfnGuardValidator());
    buildStreamlake(app, parseConfig(context), { nag: false });
    app.synth();
    return lines.join('\n');
  } catch (err) {
    throw new Error(`cfn-guard validation failed:\n${lines.join('\n').slice(0, 4000)}\n${(err as Error).message}`, { cause: err });
  } finally {
    spy.mockRestore();
    log.mockRestore();
    rmSync(outdir, { recursive: true, force: true });
  }
}

describe('cfn-guard Control Tower rules', () => {
  it.each([
    ['serverless', {}],
    ['provisioned', ctx({ kafkaMode: 'provisioned' })],
    ['existing', ctx(EXISTING_CLUSTER)],
    ['sales with Avro values', ctx({ avroPipelines: 'sales' })],
    ['provisioned pollers', ctx({ minimumPollers: 2, maximumPollers: 20 })],
    ['a Kafka on-failure destination', ctx({ onFailure: 'kafka', maximumPollers: 10 })],
  ])('pass for %s', (_mode, context) => {
    expect(() => synthWithGuard(context)).not.toThrow();
  });

  it('disables only rules whose reason is written down', () => {
    for (const reason of Object.values(DISABLED_GUARD_RULES)) expect(reason.length).toBeGreaterThan(20);
    expect(Object.keys(DISABLED_GUARD_RULES).filter((r) => /ct-(msk|glue|athena)-/.test(r))).toEqual([]);
  });
});
