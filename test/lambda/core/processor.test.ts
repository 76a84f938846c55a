import { loadReferenceTable } from '../../../lambda/core/enrich';
import { compilePipeline, decodeMskEvent, MalformedEventError, processBatch, processValue, type PlannedObject } from '../../../lambda/core/processor';
import { QUARANTINE_REASONS, Rejection } from '../../../lambda/core/quarantine';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { loadEvent, referenceCsv } from '../../support/fixtures';

const salesRefs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
const click = compilePipeline(clickstream, new Map());
const sale = compilePipeline(sales, salesRefs);
const WRITTEN_AT = Date.UTC(2026, 10, 22, 12, 30);

/** Rows of a planned object as objects keyed by column name. */
function rowsOf(o: PlannedObject): Record<string, unknown>[] {
  return Array.from({ length: o.rows }, (_, r) => Object.fromEntries(o.schema.columns.map((c, i) => [c.name, o.columns[i][r]])));
}

describe('decodeMskEvent', () => {
  it('splits the documented event shape into per-partition batches with decoded bytes', () => {
    const batches = decodeMskEvent(loadEvent('msk-clickstream'));
    expect(batches.map((b) => [b.topic, b.partition, b.records.map((r) => r.offset)])).toEqual([
      ['clickstream', 0, [15, 16, 17]],
      ['clickstream', 1, [3, 4]],
    ]);
    expect(batches[0].records[0].key?.toString()).toBe('192.168.2.7');
    expect(batches[0].records[0].value?.toString()).toBe('1795348800000,1,www.amazon3.com,192.168.2.7');
    expect(batches[1].records[0].key).toBeNull();
    expect(batches[1].records[1].value).toBeNull();
  });

  it('throws a MalformedEventError on something that is not an MSK event', () => {
    expect(() => decodeMskEvent({} as never)).toThrow(MalformedEventError);
    expect(() => decodeMskEvent({ eventSource: 'aws:kafka', records: { 't-0': [{ topic: 't' }] } } as never)).toThrow(/lacks topic, partition or offset/);
  });
});

describe('processBatch: clickstream', () => {
  const [p0, p1] = decodeMskEvent(loadEvent('msk-clickstream'));
  const out0 = processBatch(click, p0, WRITTEN_AT);
  const out1 = processBatch(click, p1, WRITTEN_AT);

  it('accounts for every record', () => {
    expect([out0.recordsIn, out0.events, out0.quarantined]).toEqual([3, 2, 1]);
    expect([out1.recordsIn, out1.events, out1.quarantined]).toEqual([2, 1, 1]);
    expect(out0.reasons).toEqual({ 'wrong-column-count': 1 });
    expect(out1.reasons).toEqual({ 'empty-value': 1 });
  });

  it('plans typed, enriched events with Kafka coordinates for the event-day partition of the events table', () => {
    const events = out0.objects.filter((o) => o.kind === 'events');
    expect(events.map((o) => [o.table, o.day])).toEqual([['clickstream_events', Date.UTC(2026, 10, 22) / 86_400_000]]);
    expect(rowsOf(events[0])).toEqual([
      {
        recordtime: 1795348800000,
        eventid: 1,
        url: 'www.amazon3.com',
        ip: '192.168.2.7',
        domain: 'amazon3.com',
        kafka_topic: 'clickstream',
        kafka_partition: 0,
        kafka_offset: 15,
        kafka_timestamp: 1795348800123,
        kafka_key: '192.168.2.7',
        written_at: WRITTEN_AT,
      },
      {
        recordtime: 1795348801000,
        eventid: 2,
        url: 'https://www.amazon4.com/cart',
        ip: '192.168.2.9',
        domain: 'amazon4.com',
        kafka_topic: 'clickstream',
        kafka_partition: 0,
        kafka_offset: 16,
        kafka_timestamp: 1795348801123,
        kafka_key: '192.168.2.9',
        written_at: WRITTEN_AT,
      },
    ]);
  });

  it('quarantines with reason, detail, raw bytes and coordinates', () => {
    const q = out0.objects.filter((o) => o.kind === 'quarantine');
    expect(q.map((o) => [o.table, o.day])).toEqual([['clickstream_quarantine', Date.UTC(2026, 10, 22) / 86_400_000]]);
    const [row] = rowsOf(q[0]);
    expect(row).toMatchObject({ reason: 'wrong-column-count', detail: 'expected 4 columns, got 3', kafka_topic: 'clickstream', kafka_partition: 0, kafka_offset: 17 });
    expect((row.raw_value as Buffer).toString()).toBe('1795348802000,3,www.amazon4.com');
    expect((row.raw_key as Buffer).toString()).toBe('192.168.2.9');
  });

  it('writes per-minute partial page views with the offset range they cover', () => {
    const aggs = out0.objects.filter((o) => o.kind === 'aggregates');
    expect(aggs.map((o) => [o.table, o.day])).toEqual([['clickstream_page_views_1m_partials', Date.UTC(2026, 10, 22) / 86_400_000]]);
    expect(rowsOf(aggs[0])).toEqual([
      {
        window_start: 1795348800000,
        window_end: 1795348860000,
        url: 'https://www.amazon4.com/cart',
        page_views: 1,
        kafka_topic: 'clickstream',
        kafka_partition: 0,
        first_offset: 15,
        last_offset: 17,
        max_event_time: 1795348801000,
        written_at: WRITTEN_AT,
      },
      {
        window_start: 1795348800000,
        window_end: 1795348860000,
        url: 'www.amazon3.com',
        page_views: 1,
        kafka_topic: 'clickstream',
        kafka_partition: 0,
        first_offset: 15,
        last_offset: 17,
        max_event_time: 1795348801000,
        written_at: WRITTEN_AT,
      },
    ]);
  });
});

describe('processBatch: sales', () => {
  const [batch] = decodeMskEvent(loadEvent('msk-sales'));
  const out = processBatch(sale, batch, WRITTEN_AT);

  it('joins the region, defaulting to Unassigned, and quarantines the bad records', () => {
    expect([out.recordsIn, out.events, out.quarantined]).toEqual([6, 3, 3]);
    expect(out.reasons).toEqual({ 'invalid-number': 1, 'invalid-utf8': 1, 'invalid-json': 1 });
    const events = out.objects.filter((o) => o.kind === 'events').flatMap(rowsOf);
    expect(events.map((e) => [e.payment_id, e.amount, e.payment_date, e.city, e.country, e.region])).toEqual([
      [1, 19.99, Date.UTC(2026, 10, 22, 8, 0), 'Lyon', 'France', 'Europe'],
      [2, 5, Date.UTC(2026, 10, 22, 8, 5), null, 'Atlantis', 'Unassigned'],
      [6, 7.5, Date.UTC(2026, 10, 22, 8, 7), null, 'japan', 'Asia Pacific'],
    ]);
  });

  it('aggregates sales and orders per region over 10-minute windows sliding by 5', () => {
    const partials = out.objects.filter((o) => o.kind === 'aggregates').flatMap(rowsOf);
    const t = (h: number, m: number) => Date.UTC(2026, 10, 22, h, m);
    expect(partials.map((r) => [r.window_start, r.window_end, r.region, r.sales, r.orders])).toEqual([
      [t(7, 55), t(8, 5), 'Europe', 19.99, 1],
      [t(8, 0), t(8, 10), 'Asia Pacific', 7.5, 1],
      [t(8, 0), t(8, 10), 'Europe', 19.99, 1],
      [t(8, 0), t(8, 10), 'Unassigned', 5, 1],
      [t(8, 5), t(8, 15), 'Asia Pacific', 7.5, 1],
      [t(8, 5), t(8, 15), 'Unassigned', 5, 1],
    ]);
  });
});

describe('processValue: every kind of bad input becomes a documented rejection', () => {
  const kafkaTs = Date.UTC(2026, 10, 22, 12);
  const reason = (p: typeof click, v: Buffer | string | null) => {
    const r = processValue(p, typeof v === 'string' ? Buffer.from(v) : v, kafkaTs);
    return r instanceof Rejection ? r.reason : 'ok';
  };
  it.each([
    [null, 'empty-value'],
    [Buffer.alloc(70_000, 0x61), 'oversized-value'],
    [Buffer.from([0xff, 0xfe]), 'invalid-utf8'],
    ['1795348800000,1,"www.amazon3.com,192.168.2.1', 'malformed-csv'],
    ['1795348800000,1,www.amazon3.com,192.168.2.1\n1795348800000,2,x,y', 'malformed-csv'],
    ['1795348800000,1,www.amazon3.com,192.168.2.1,extra', 'wrong-column-count'],
    ['1795348800000,,www.amazon3.com,192.168.2.1', 'missing-field'],
    ['1795348800000,abc,www.amazon3.com,192.168.2.1', 'invalid-number'],
    ['1795348800000,-1,www.amazon3.com,192.168.2.1', 'value-out-of-range'],
    ['2026-11-22T12:00:00Z,1,www.amazon3.com,192.168.2.1', 'invalid-timestamp'],
    ['946684799999,1,www.amazon3.com,192.168.2.1', 'timestamp-out-of-range'],
    ['99999999999999,1,www.amazon3.com,192.168.2.1', 'timestamp-out-of-range'],
    [`1795348800000,1,${'u'.repeat(3000)},192.168.2.1`, 'string-too-long'],
    ['1795348800000,1,"www.amazon3.com","192.168.2.1"', 'ok'],
  ])('clickstream %#', (value, expected) => {
    expect(reason(click, value)).toBe(expected);
  });

  it.each([
    ['{"payment_id":1', 'invalid-json'],
    ['"just a string"', 'invalid-json'],
    ['null', 'invalid-json'],
    ['{"payment_id":1,"customer_id":2,"amount":3,"payment_date":"2026-11-22T10:00:00Z"}', 'missing-field'],
    ['{"payment_id":1,"customer_id":2,"amount":{"v":3},"payment_date":"2026-11-22T10:00:00Z","country":"France"}', 'wrong-type'],
    ['{"payment_id":1,"customer_id":2,"amount":3,"payment_date":"2026-11-22T10:00:00Z","country":"France","extra":[1]}', 'ok'],
    [`${'['.repeat(30_000)}${']'.repeat(30_000)}`, 'invalid-json'],
    [`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`, 'missing-field'],
  ])('sales %#', (value, expected) => {
    expect(reason(sale, value)).toBe(expected);
  });

  it('only produces documented reasons', () => {
    const values = ['', 'x', '{}', '[]', '1,2', '{"amount":"1"}'];
    for (const v of values) {
      for (const p of [click, sale]) {
        const r = processValue(p, Buffer.from(v), kafkaTs);
        if (r instanceof Rejection) expect(Object.keys(QUARANTINE_REASONS)).toContain(r.reason);
      }
    }
  });
});
