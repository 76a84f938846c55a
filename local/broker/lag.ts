/** Consumer lag: records between a group's committed offsets and the end of each partition. */
import type { Admin } from 'kafkajs';
import { InfrastructureError } from '../../model/errors';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Retries kafkajs calls that fail with a retriable error: on a fresh broker the first offset
 * fetch of a group answers NOT_COORDINATOR while the offsets topic is being created.
 */
async function retrying<T>(call: () => Promise<T>, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (attempt >= attempts || (err as { retriable?: boolean }).retriable !== true) throw err;
      await sleep(Math.min(100 * attempt, 1_000));
    }
  }
}

/**
 * Records behind the committed offsets of `groupId` on `topic` (sum over partitions). A partition
 * without a committed offset counts from its earliest offset, as a group starting at
 * TRIM_HORIZON would.
 */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await retrying(() => admin.fetchOffsets({ groupId, topics: [topic] }));
  const ends = await retrying(() => admin.fetchTopicOffsets(topic));
  let lag = 0;
  for (const end of ends) {
    const c = committed?.partitions.find((p) => p.partition === end.partition);
    const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
    lag += Math.max(0, Number(end.high) - at);
  }
  return lag;
}

/** Resolves when every (group, topic) has lag 0; throws with the lags after `timeoutMs`. */
export async function waitForLagZero(
  admin: Admin,
  subscriptions: readonly { readonly groupId: string; readonly topic: string }[],
  timeoutMs: number,
  onTick?: (lags: Record<string, number>) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lags: Record<string, number> = {};
    for (const s of subscriptions) lags[`${s.groupId}/${s.topic}`] = await consumerLag(admin, s.groupId, s.topic);
    onTick?.(lags);
    if (Object.values(lags).every((l) => l === 0)) return;
    if (Date.now() > deadline) throw new InfrastructureError(`consumer lag not 0 after ${timeoutMs / 1000}s: ${JSON.stringify(lags)}`);
    await sleep(250);
  }
}
