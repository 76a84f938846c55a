/** Creates the spec topics on a local broker, idempotently, growing partitions (same plan as the AWS custom resource). */
import type { Admin } from 'kafkajs';
import { planTopics, type TopicPlan, type TopicState } from '../../model/topic-plan';

export async function ensureTopics(admin: Admin, topics: readonly TopicState[]): Promise<TopicPlan> {
  const names = new Set(await admin.listTopics());
  const existingNames = topics.map((t) => t.name).filter((n) => names.has(n));
  const metadata = existingNames.length ? await admin.fetchTopicMetadata({ topics: existingNames }) : { topics: [] };
  const plan = planTopics(
    topics,
    metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length })),
  );
  if (plan.create.length) {
    await admin.createTopics({ waitForLeaders: true, topics: plan.create.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: 1 })) });
  }
  if (plan.increase.length) await admin.createPartitions({ topicPartitions: plan.increase.map((t) => ({ topic: t.name, count: t.partitions })) });
  return plan;
}

export { consumerLag, waitForLagZero } from './lag';
