import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { stackLogsKey } from './logs-key';
import { ConfigurationError } from '../../model/errors';

/** The repository root (lambda/ entries are resolved from it). */
export const REPO_ROOT = join(__dirname, '..', '..');

export interface StreamlakeFunctionProps extends Omit<nodejs.NodejsFunctionProps, 'entry' | 'runtime' | 'architecture' | 'bundling' | 'logGroup'> {
  /** Entry file relative to the repository root, e.g. `lambda/handlers/processor-entry.ts`. */
  readonly entry: string;
  /** @default 1 month */
  readonly logRetention?: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Every function of the app: Node.js 22 on arm64, bundled by esbuild (minified, source maps,
 * AWS SDK v3 from the runtime), X-Ray active tracing, its own KMS-encrypted log group with a
 * retention, environment variables encrypted with the same customer key.
 */
export class StreamlakeFunction extends nodejs.NodejsFunction {
  constructor(scope: Construct, id: string, props: StreamlakeFunctionProps) {
    const entry = join(REPO_ROOT, props.entry);
    if (!existsSync(entry)) throw new ConfigurationError(`${id}: Lambda entry ${props.entry} does not exist`);
    const key = stackLogsKey(scope);
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
      encryptionKey: key,
    });
    super(scope, id, {
      ...props,
      entry,
      handler: props.handler ?? 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.minutes(1),
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      environmentEncryption: key,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      bundling: { minify: true, sourceMap: true, target: 'node22', externalModules: ['@aws-sdk/*'], forceDockerBundling: false },
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    });
  }
}
