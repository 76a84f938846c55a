import fc from 'fast-check';
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { generatorFor } from '../../../lambda/traffic/generate';
import { compilePipeline, processBatch, processValue, type KafkaRecord } from '../../../lambda/core/processor';
import { Rejection } from '../../../lambda/core/quarantine';
import type { PipelineSpec } from '../../../model/spec';
import { mergeSummaryUpdates, type SummaryUpdate } from '../../../lambda/core/summary';
import { finalize, WindowAggregator } from '../../../lambda/core/window';
import { sales } from '../../../pipelines/sales';
import { referenceCsv } from '../../support/fixtures';

const withSummary: PipelineSpec = { ...sales, windows: [{ ...sales.windows![0], summaryTopic: 'sales.summary' }] };
const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
const p = compilePipeline(withSummary, refs);
const window = p.windows[0].compiled;
const START = Date.UTC(2026, 10, 22, 10);

function records(seed: number, count: number): KafkaRecord[] {
  return generatorFor('sales', { seed, startTime: START, stepMillis: 30_000, malformedRatio: 0.05 })
    .batch(count)
    .map((r, i) => ({ topic: 'sales', partition: 1, offset: i, timestamp: START + 86_400_000, key: null, value: r.value }));
}

const updatesOf = (batch: KafkaRecord[], writtenAt: number): SummaryUpdate[] =>
  processBatch(p, { topic: 'sales', partition: 1, records: batch }, writtenAt).summaries.flatMap((s) => s.messages.map((m) => JSON.parse(m.value) as SummaryUpdate));

describe('summary topic updates', () => {
  it('publishes one deterministic update per (window, keys) per batch, keyed by window start', () => {
    const batch = records(1, 40);
    const a = processBatch(p, { topic: 'sales', partition: 1, records: batch }, 1).summaries;
    const b = processBatch(p, { topic: 'sales', partition: 1, records: batch }, 2).summaries;
    expect(a).toEqual(b);
    expect(a[0].topic).toBe('sales.summary');
    const [first] = a[0].messages;
    const update = JSON.parse(first.value) as SummaryUpdate;
    expect(first.key).toBe(update.window_start);
    expect(update).toMatchObject({ pipeline: 'sales', window: 'region_10m', source: { topic: 'sales', partition: 1, first_offset: 0, last_offset: 39 } });
    expect(Object.keys(update.keys)).toEqual(['region']);
    expect(Object.keys(update.partial)).toEqual(['sales', 'orders']);
  });

  it('merges to the whole-stream totals, whatever the batching and retries with other boundaries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 2, max: 150 }), fc.array(fc.nat(), { maxLength: 8 }), fc.nat(), (seed, count, cuts, crashAt) => {
        const input = records(seed, count);
        const whole = new WindowAggregator(window);
        for (const r of input) {
          const row = processValue(p, r.value, r.timestamp);
          if (!(row instanceof Rejection)) whole.add(row, row[p.eventTimeIndex] as number);
        }
        const expected = whole.groupsSorted().map((g) => ({ window_start: new Date(g.windowStart).toISOString(), keys: { region: g.keys[0] }, values: finalize(window, g.state) }));

        const points = [...new Set(cuts.map((c) => c % count))].filter((c) => c > 0).sort((x, y) => x - y);
        const bounds = [0, ...points, count];
        const updates: SummaryUpdate[] = [];
        bounds.slice(0, -1).forEach((from, i) => {
          const batch = input.slice(from, bounds[i + 1]);
          // a crashed first attempt of this batch covering more records, then the real attempt
          if (i === crashAt % bounds.length) updates.push(...updatesOf(input.slice(from, Math.min(count, bounds[i + 1] + 7)), 0));
          updates.push(...updatesOf(batch, 1));
          // a duplicate delivery of the same batch (retried send)
          if (i === 0) updates.push(...updatesOf(batch, 2));
        });
        const merged = mergeSummaryUpdates(window, updates).map((t) => ({ window_start: t.window_start, keys: t.keys, values: t.values }));
        expect(merged.map((m) => [m.window_start, m.keys.region, m.values.orders])).toEqual(expected.map((e) => [e.window_start, e.keys.region, e.values.orders]));
        merged.forEach((m, i) => expect(m.values.sales).toBeCloseTo(expected[i].values.sales as number, 6));
      }),
      { numRuns: 80 },
    );
  });
});
