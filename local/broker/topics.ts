/** Creates the spec topics on a local broker, idempotently, growing partitions (same plan as the AWS custom resource). */
import type { Admin } from 'kafkajs';
import { planTopics, type TopicPlan, type TopicState } from '../../lambda/custom-resources/topic-plan';

export async function ensureTopics(admin: Admin, topics: readonly TopicState[]): Promise<TopicPlan> {
  const names = new Set(await admin.listTopics());
  const existingNames = topics.map((t) => t.name).filter((n) => names.has(n));
  const metadata = existingNames.length ? await admin.fetchTopicMetadata({ topics: existingNames }) : { topics: [] };
  const plan = planTopics(topics, metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length })));
  if (plan.create.length) {
    await admin.createTopics({ waitForLeaders: true, topics: plan.create.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })) });
  }
  if (plan.increase.length) await admin.createPartitions({ topicPartitions: plan.increase.map((t) => ({ topic: t.name, count: t.partitions })) });
  return plan;
}

/** Records behind the committed offsets of `groupId` on `topic` (sum over partitions). */
export async function consumerLag(admin: Admin, groupId: string, topic: string): Promise<number> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  let lag = 0;
  for (const end of ends) {
    const c = committed?.partitions.find((p) => p.partition === end.partition);
    const at = c && Number(c.offset) >= 0 ? Number(c.offset) : Number(end.low);
    lag += Math.max(0, Number(end.high) - at);
  }
  return lag;
}
