import type { SummaryPublisher } from '../../../lambda/adapters/summary-publisher';
import type { PipelineSpec } from '../../../model/spec';
import type { SummaryMessage } from '../../../lambda/core/summary';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { sales } from '../../../pipelines/sales';
import { loadEvent } from '../../support/fixtures';
import { testIcebergLake } from '../../support/iceberg-lake';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';

const withSummary: PipelineSpec = { ...sales, windows: [{ ...sales.windows![0], summaryTopic: 'sales.summary' }] };

jest.setTimeout(60_000);

describe('processor handler with a summary topic', () => {
  let catalog: TestCatalog;
  beforeAll(async () => {
    catalog = await startTestCatalog('streamlake-summary-processor');
  }, 120_000);
  afterAll(() => stopTestCatalog(catalog));

  it('publishes the batch window updates after committing to the tables, and fails the batch when publishing fails', async () => {
    const lake = await testIcebergLake(catalog, [withSummary]);
    const sent: { topic: string; messages: readonly SummaryMessage[] }[] = [];
    let failing = true;
    const publisher: SummaryPublisher = {
      publish: async (topic, messages) => {
        if (failing) throw new Error('broker unavailable');
        sent.push({ topic, messages });
      },
    };
    const handler = createProcessorHandler({ spec: withSummary, store: lake.store, lake: lake.writer(), summaryPublisher: publisher });
    await expect(handler(loadEvent('msk-sales'))).rejects.toThrow('broker unavailable');
    failing = false;
    // the retry: the tables hold the batch already (nothing committed twice), the updates are published
    const report = await handler(loadEvent('msk-sales'));
    expect(report).toMatchObject({ summaryMessages: 6, skippedRecords: 18, objects: [] });
    expect(sent).toHaveLength(1);
    expect(sent[0].topic).toBe('sales.summary');
    expect(sent[0].messages.map((m) => JSON.parse(m.value).keys.region)).toEqual(['Europe', 'Asia Pacific', 'Europe', 'Unassigned', 'Asia Pacific', 'Unassigned']);
    lake.remove();
  });

  it('refuses to start without a publisher', async () => {
    const lake = await testIcebergLake(catalog, [withSummary]);
    expect(() => createProcessorHandler({ spec: withSummary, store: lake.store, lake: lake.writer() })).toThrow(/needs a summaryPublisher/);
    lake.remove();
  });
});
