/**
 * Custom resource: creates the pipelines' topics on the MSK cluster with kafkajs admin over IAM
 * auth. Idempotent; increases partitions on update; never deletes topics (retained on delete).
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { createKafka, parseBootstrap } from '../adapters/kafka-client';
import { planTopics, type TopicState } from '../../model/topic-plan';

interface Properties {
  readonly BootstrapServers: string;
  readonly Topics: readonly { readonly name: string; readonly partitions: string | number }[];
  /** Replication factor: 3 on MSK (serverless manages it; -1 = broker default). */
  readonly ReplicationFactor?: string | number;
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string; Data?: Record<string, string> }> {
  const physicalId = 'streamlake-topics';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId };
  const props = event.ResourceProperties as unknown as Properties;
  const desired: TopicState[] = props.Topics.map((t) => ({ name: t.name, partitions: Number(t.partitions) }));
  const kafka = createKafka({ brokers: parseBootstrap(props.BootstrapServers), clientId: 'streamlake-topics', auth: { kind: 'iam', region: process.env.AWS_REGION! } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const names = new Set(await admin.listTopics());
    const existingNames = desired.map((t) => t.name).filter((n) => names.has(n));
    const metadata = existingNames.length ? await admin.fetchTopicMetadata({ topics: existingNames }) : { topics: [] };
    const existing = metadata.topics.map((t) => ({ name: t.name, partitions: t.partitions.length }));
    const plan = planTopics(desired, existing);
    if (plan.create.length) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: plan.create.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: Number(props.ReplicationFactor ?? -1) })),
      });
    }
    if (plan.increase.length) await admin.createPartitions({ topicPartitions: plan.increase.map((t) => ({ topic: t.name, count: t.partitions })) });
    console.log(JSON.stringify({ message: 'topics reconciled', ...plan }));
    return { PhysicalResourceId: physicalId, Data: { Created: plan.create.map((t) => t.name).join(','), Increased: plan.increase.map((t) => t.name).join(',') } };
  } finally {
    await admin.disconnect();
  }
}
