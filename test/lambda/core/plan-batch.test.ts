import { loadReferenceTable } from '../../../lambda/core/enrich';
import { compilePipeline, decodeMskEvent, processBatch, type PlannedObject } from '../../../lambda/core/processor';
import type { PipelineSpec } from '../../../model/spec';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { referenceCsv } from '../../support/fixtures';
import { mskEvent } from '../../support/msk';

const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
const WRITTEN_AT = Date.UTC(2026, 10, 22, 12, 30);
const T = Date.UTC(2026, 10, 22, 12);
const rowsOf = (o: PlannedObject): Record<string, unknown>[] =>
  Array.from({ length: o.rows }, (_, r) => Object.fromEntries(o.schema.columns.map((c, i) => [c.name, o.columns[i][r]])));

describe('processBatch: window partials', () => {
  // two keys and every kind of aggregate state (avg takes two columns): each value must land in the column named for it
  const spec: PipelineSpec = {
    ...sales,
    windows: [
      {
        name: 'by_country',
        kind: 'tumbling',
        sizeSeconds: 600,
        groupBy: ['country', 'region'],
        aggregates: [
          { name: 'mean', fn: 'avg', field: 'amount' },
          { name: 'low', fn: 'min', field: 'amount' },
          { name: 'orders', fn: 'count' },
        ],
      },
    ],
  };
  const p = compilePipeline(spec, refs);
  const value = (id: number, amount: number, country: string) => JSON.stringify({ payment_id: id, customer_id: 1, amount, payment_date: '2026-11-22T10:01:00Z', country });
  const [batch] = decodeMskEvent(
    mskEvent([
      { topic: 'sales', partition: 3, offset: 10, value: value(1, 4, 'France') },
      { topic: 'sales', partition: 3, offset: 11, value: value(2, 2, 'France') },
      { topic: 'sales', partition: 3, offset: 12, value: value(3, 7, 'Japan') },
    ]),
  );
  const out = processBatch(p, batch, WRITTEN_AT);

  it('writes keys, state and batch coordinates in the columns the partials schema names', () => {
    const [partials] = out.objects.filter((o) => o.kind === 'aggregates');
    const batchColumns = { kafka_topic: 'sales', kafka_partition: 3, first_offset: 10, last_offset: 12, max_event_time: Date.UTC(2026, 10, 22, 10, 1), written_at: WRITTEN_AT };
    const window = { window_start: Date.UTC(2026, 10, 22, 10), window_end: Date.UTC(2026, 10, 22, 10, 10) };
    expect(rowsOf(partials)).toEqual([
      { ...window, country: 'France', region: 'Europe', mean_sum: 6, mean_count: 2, low: 2, orders: 2, ...batchColumns },
      { ...window, country: 'Japan', region: 'Asia Pacific', mean_sum: 7, mean_count: 1, low: 7, orders: 1, ...batchColumns },
    ]);
  });
});

describe('processBatch: the reused decode buffer', () => {
  // the text path decodes every value into one buffer of 64 KiB to start with: a larger value grows it
  const p = compilePipeline({ ...clickstream, maxValueBytes: 200_000 }, new Map());

  it('decodes values larger than its initial size whole, and shorter ones after them without leftovers', () => {
    const long = `${T},1,${'u'.repeat(1000)},${'x'.repeat(100_000)}`;
    const [batch] = decodeMskEvent(
      mskEvent([
        { topic: 'clickstream', partition: 0, offset: 1, timestamp: T, value: long },
        { topic: 'clickstream', partition: 0, offset: 2, timestamp: T, value: `${T},2,www.amazon1.com,1.2.3.4` },
      ]),
    );
    const out = processBatch(p, batch, T);
    // the long value is one well-formed line with a too-long ip: its rejection proves it was read whole
    expect(out.reasons).toEqual({ 'string-too-long': 1 });
    const [quarantined] = rowsOf(out.objects.find((o) => o.kind === 'quarantine')!);
    expect(quarantined.detail).toBe("field 'ip' has 100000 characters, more than maxLength 45");
    expect(Buffer.from(quarantined.raw_value as Uint8Array).toString()).toBe(long);
    const [event] = rowsOf(out.objects.find((o) => o.kind === 'events')!);
    expect([event.eventid, event.url, event.ip]).toEqual([2, 'www.amazon1.com', '1.2.3.4']);
  });
});
