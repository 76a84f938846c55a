/** Real-broker helpers for local-mode tests: one broker per test file, unique topics per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logLevel, type Kafka } from 'kafkajs';
import { createKafka, parseBootstrap } from '../../lambda/adapters/kafka-client';
import { startBroker, type RunningBroker } from '../../local/broker/kafka-broker';
import { REPO_ROOT } from '../../local/runtime';

export interface TestBroker {
  readonly broker: RunningBroker;
  readonly kafka: Kafka;
  readonly stateDir: string;
  stop(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const stateDir = mkdtempSync(join(tmpdir(), 'streamlake-test-'));
  const broker = await startBroker({ stateDir, repoRoot: REPO_ROOT, readyTimeoutMs: 90_000 });
  const kafka = createKafka({ brokers: parseBootstrap(broker.bootstrap), clientId: 'streamlake-test', auth: { kind: 'none' }, logLevel: logLevel.NOTHING });
  return {
    broker,
    kafka,
    stateDir,
    stop: async () => {
      await broker.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export const uniqueTopic = (prefix: string): string => `${prefix}-${process.pid}-${Date.now() % 1_000_000}-${counter++}`;

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
