import type { SummaryPublisher } from '../../../lambda/adapters/summary-publisher';
import type { PipelineSpec } from '../../../model/spec';
import type { SummaryMessage } from '../../../lambda/core/summary';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { sales } from '../../../pipelines/sales';
import { loadEvent } from '../../support/fixtures';
import { tempLake } from '../../support/lake';

const withSummary: PipelineSpec = { ...sales, windows: [{ ...sales.windows![0], summaryTopic: 'sales.summary' }] };

describe('processor handler with a summary topic', () => {
  it('publishes the batch window updates after writing the lake, and fails the batch when publishing fails', async () => {
    const lake = await tempLake([sales]);
    const sent: { topic: string; messages: readonly SummaryMessage[] }[] = [];
    let failing = true;
    const publisher: SummaryPublisher = {
      publish: async (topic, messages) => {
        if (failing) throw new Error('broker unavailable');
        sent.push({ topic, messages });
      },
    };
    const handler = createProcessorHandler({ spec: withSummary, store: lake.store, summaryPublisher: publisher });
    await expect(handler(loadEvent('msk-sales'))).rejects.toThrow('broker unavailable');
    failing = false;
    const report = await handler(loadEvent('msk-sales'));
    expect(report.summaryMessages).toBe(6);
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('sales.summary');
    expect(sent[0].messages.map((m) => JSON.parse(m.value).keys.region)).toEqual(['Europe', 'Asia Pacific', 'Europe', 'Unassigned', 'Asia Pacific', 'Unassigned']);
    lake.remove();
  });

  it('refuses to start without a publisher', async () => {
    const lake = await tempLake([sales]);
    expect(() => createProcessorHandler({ spec: withSummary, store: lake.store })).toThrow(/needs a summaryPublisher/);
    lake.remove();
  });
});
