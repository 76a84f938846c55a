/** A summary publisher that records what the processor publishes (an injected adapter, like the stores). */
import type { SummaryPublisher } from '../../lambda/adapters/summary-publisher';
import type { SummaryMessage } from '../../lambda/core/summary';

export interface RecordingPublisher extends SummaryPublisher {
  readonly sent: { topic: string; messages: readonly SummaryMessage[] }[];
}

export function recordingPublisher(): RecordingPublisher {
  const sent: RecordingPublisher['sent'] = [];
  return { sent, publish: async (topic, messages) => void sent.push({ topic, messages }) };
}
