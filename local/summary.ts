/**
 * Materializes current window totals from a summary topic: reads every update from the start to
 * the current end offsets and merges them with `mergeSummaryUpdates` (the documented consumer
 * rule), so the totals equal the lake's window view once processing has caught up.
 */
import type { Kafka } from 'kafkajs';
import type { PipelineSpec, WindowSpec } from '../model/spec';
import { mergeSummaryUpdates, type SummaryUpdate, type WindowTotal } from '../lambda/core/summary';
import { compileWindow } from '../lambda/core/window';
import { outputFields } from '../model/spec';
import { ConfigurationError, InfrastructureError } from '../model/errors';

export async function readSummaryTotals(kafka: Kafka, spec: PipelineSpec, window: WindowSpec, timeoutMs = 60_000): Promise<WindowTotal[]> {
  const topic = window.summaryTopic;
  if (!topic) throw new ConfigurationError(`window '${window.name}' of '${spec.name}' publishes no summary topic`);
  const fields = outputFields(spec);
  const compiled = compileWindow(window, (n) => fields.findIndex((f) => f.name === n));
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, Number(e.high)]));
  // updates are merged in topic order per partition; all updates of one window share a key, so one partition
  const byPartition = new Map<number, SummaryUpdate[]>();
  if (remaining.size > 0) {
    const consumer = kafka.consumer({ groupId: `streamlake-summary-reader-${process.pid}-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new InfrastructureError(`summary topic ${topic} not read to its end in ${timeoutMs / 1000}s`)), timeoutMs);
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          (byPartition.get(partition) ?? byPartition.set(partition, []).get(partition)!).push(JSON.parse(message.value!.toString()) as SummaryUpdate);
          if (Number(message.offset) + 1 >= (remaining.get(partition) ?? Infinity)) remaining.delete(partition);
          if (remaining.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    try {
      await done;
    } finally {
      await consumer.disconnect();
    }
  }
  return [...byPartition.values()].flatMap((updates) => mergeSummaryUpdates(compiled, updates));
}
