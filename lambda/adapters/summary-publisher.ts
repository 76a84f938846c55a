/**
 * Publishes window updates to a summary topic with an idempotent kafkajs producer (acks=all,
 * one request in flight), so a retried send does not duplicate records; a failure throws and
 * the batch is retried, producing the same keys and values.
 */
import type { Kafka, Producer } from 'kafkajs';
import type { SummaryMessage } from '../core/summary';

export interface SummaryPublisher {
  publish(topic: string, messages: readonly SummaryMessage[]): Promise<void>;
}

export class KafkaSummaryPublisher implements SummaryPublisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly kafka: Kafka) {}

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const p = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await p.connect();
      this.producer = p;
      return p;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async publish(topic: string, messages: readonly SummaryMessage[]): Promise<void> {
    const producer = await this.connected();
    await producer.send({ topic, acks: -1, messages: messages.map((m) => ({ key: m.key, value: m.value })) });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = undefined;
  }
}
