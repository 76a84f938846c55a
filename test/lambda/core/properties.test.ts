/**
 * Property tests of the processing core:
 * - any split of a stream into batches gives the same window results as the whole stream at once;
 * - parsing never throws, whatever the bytes;
 * - every input record is accounted for exactly once (events + quarantine = input).
 */
import fc from 'fast-check';
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { generatorFor } from '../../../lambda/traffic/generate';
import { compilePipeline, processBatch, processValue, type KafkaRecord, type PlannedObject } from '../../../lambda/core/processor';
import { QUARANTINE_REASONS, Rejection } from '../../../lambda/core/quarantine';
import { WindowAggregator, finalize } from '../../../lambda/core/window';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { referenceCsv } from '../../support/fixtures';

const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
const pipelines = { clickstream: compilePipeline(clickstream, new Map()), sales: compilePipeline(sales, refs) };
const START = Date.UTC(2026, 10, 22, 10);
const KAFKA_TS = Date.UTC(2026, 10, 22, 23);

function recordsOf(name: 'clickstream' | 'sales', seed: number, count: number, malformedRatio: number): KafkaRecord[] {
  const gen = generatorFor(name, { seed, startTime: START, stepMillis: 20_000, malformedRatio, disorderMillis: 600_000 });
  return gen.batch(count).map((r, i) => ({ topic: name, partition: 0, offset: i, timestamp: KAFKA_TS, key: Buffer.from(r.key), value: r.value }));
}

/** Cuts `records` into consecutive batches at the given (sorted, deduplicated) cut points. */
function split<T>(records: readonly T[], cuts: readonly number[]): T[][] {
  const points = [...new Set(cuts.map((c) => c % (records.length + 1)))].sort((a, b) => a - b);
  const out: T[][] = [];
  let from = 0;
  for (const p of [...points, records.length]) {
    if (p > from) out.push(records.slice(from, p));
    from = Math.max(from, p);
  }
  return out;
}

function rowsOf(o: PlannedObject): Record<string, unknown>[] {
  return Array.from({ length: o.rows }, (_, r) => Object.fromEntries(o.schema.columns.map((c, i) => [c.name, o.columns[i][r]])));
}

/** Merges partial rows the way the Athena view does: group by window and keys, sum states. */
function mergePartialRows(rows: Record<string, unknown>[], keys: string[], aggs: string[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const r of rows) {
    const id = JSON.stringify([r.window_start, ...keys.map((k) => r[k])]);
    const acc = out.get(id) ?? Object.fromEntries(aggs.map((a) => [a, 0]));
    for (const a of aggs) acc[a] += r[a] as number;
    out.set(id, acc);
  }
  return out;
}

describe.each(['clickstream', 'sales'] as const)('%s', (name) => {
  const p = pipelines[name];
  const window = p.windows[0];
  const keys = [...window.compiled.spec.groupBy];
  const aggs = window.compiled.spec.aggregates.map((a) => a.name);

  it('gives the same window results for any split into batches', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (seed, count, cuts) => {
        const records = recordsOf(name, seed, count, 0.05);
        // independent computation: aggregate the whole stream at once
        const whole = new WindowAggregator(window.compiled);
        for (const r of records) {
          const row = processValue(p, r.value, r.timestamp);
          if (!(row instanceof Rejection)) whole.add(row, row[p.eventTimeIndex] as number);
        }
        const expected = new Map(whole.groupsSorted().map((g) => [JSON.stringify([g.windowStart, ...g.keys]), finalize(window.compiled, g.state) as Record<string, number>]));
        const partials = split(records, cuts).flatMap((batch, i) =>
          processBatch(p, { topic: name, partition: 0, records: batch }, START + i)
            .objects.filter((o) => o.kind === 'aggregates')
            .flatMap(rowsOf),
        );
        const merged = mergePartialRows(partials, keys, aggs);
        expect([...merged.keys()].sort()).toEqual([...expected.keys()].sort());
        for (const [id, values] of expected) {
          for (const a of aggs) expect(merged.get(id)![a]).toBeCloseTo(values[a], 6);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('accounts for every record exactly once: events + quarantine = input', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 400 }), fc.double({ min: 0, max: 1, noNaN: true }), (seed, count, ratio) => {
        const records = recordsOf(name, seed, count, ratio);
        const out = processBatch(p, { topic: name, partition: 0, records }, START);
        expect(out.events + out.quarantined).toBe(count);
        const offsets = out.objects
          .filter((o) => o.kind !== 'aggregates')
          .flatMap(rowsOf)
          .map((r) => r.kafka_offset as number)
          .sort((a, b) => a - b);
        expect(offsets).toEqual(records.map((r) => r.offset));
      }),
      { numRuns: 60 },
    );
  });

  it('never throws on arbitrary bytes and only uses documented reasons', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
          fc.json().map((s) => Buffer.from(s)),
        ),
        (bytes) => {
          const r = processValue(p, Buffer.from(bytes), KAFKA_TS);
          if (r instanceof Rejection) expect(Object.keys(QUARANTINE_REASONS)).toContain(r.reason);
          else expect(r).toHaveLength(p.fieldCount);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('never throws on mutated valid records', () => {
    const valid = recordsOf(name, 3, 50, 0).map((r) => r.value!);
    fc.assert(
      fc.property(fc.nat({ max: valid.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), (i, edits) => {
        const bytes = Buffer.from(valid[i]);
        for (const [pos, byte] of edits) bytes[pos % bytes.length] = byte;
        const r = processValue(p, bytes, KAFKA_TS);
        expect(r instanceof Rejection || Array.isArray(r)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
