/**
 * An S3-compatible server on loopback for local runs and tests: versitygw with its posix
 * backend (buckets are directories, objects plain files), static credentials.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, killOnExit, PrerequisiteError, stopChild } from '../process';
import { InfrastructureError } from '../../model/errors';

export interface RunningS3Server {
  readonly endpoint: string;
  readonly root: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  client(): S3Client;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}

export function ensureVersitygw(repoRoot: string): string {
  const bin = join(repoRoot, '.streamlake', 'bin', 'versitygw');
  if (existsSync(bin)) return bin;
  const r = spawnSync('bash', [join(repoRoot, 'scripts', 'install-versitygw.sh')], { encoding: 'utf8', cwd: repoRoot });
  if (r.status !== 0) throw new PrerequisiteError(`building versitygw failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`);
  return bin;
}

/** Starts versitygw over `root`; `port` restarts a server where a previous one listened (fault tests). */
export async function startS3Server(repoRoot: string, root: string, port?: number): Promise<RunningS3Server> {
  const bin = ensureVersitygw(repoRoot);
  mkdirSync(root, { recursive: true });
  port ??= await freePort();
  const credentials = { accessKeyId: 'streamlake', secretAccessKey: 'streamlake-local-secret' };
  const child = spawn(bin, ['--access', credentials.accessKeyId, '--secret', credentials.secretAccessKey, '--port', `127.0.0.1:${port}`, 'posix', root], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const forget = killOnExit(child);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = () => new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await client().send(new ListBucketsCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await stopChild(child, 0);
        forget();
        throw new InfrastructureError(`versitygw did not answer on ${endpoint}: ${(err as Error).message} ${stderr.slice(-500)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    endpoint,
    root,
    credentials,
    client,
    createBucket: async (name) => void (await client().send(new CreateBucketCommand({ Bucket: name }))),
    stop: async () => {
      await stopChild(child, 5_000);
      forget();
    },
  };
}
