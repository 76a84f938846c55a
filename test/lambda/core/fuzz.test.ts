/**
 * Fuzzing the parsers and the whole processor with well over 100,000 generated and mutated
 * records per pipeline: no exception escapes, every record is accounted for exactly once, and
 * every quarantine reason is one of the documented set.
 */
import fc from 'fast-check';
import { parseCsvLine } from '../../../lambda/core/csv';
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { generatorFor } from '../../../lambda/traffic/generate';
import { compilePipeline, processBatch, type KafkaRecord } from '../../../lambda/core/processor';
import { QUARANTINE_REASONS } from '../../../lambda/core/quarantine';
import { parseIsoTimestamp } from '../../../lambda/core/timestamps';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { referenceCsv } from '../../support/fixtures';

const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
const pipelines = { clickstream: compilePipeline(clickstream, new Map()), sales: compilePipeline(sales, refs) };
const KAFKA_TS = Date.UTC(2026, 10, 22, 12);
const DOCUMENTED = new Set(Object.keys(QUARANTINE_REASONS));

/** Byte-level mutations of a valid value: flip, insert, delete, duplicate, truncate, splice quotes/newlines. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 8 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('special' as const),
    at: fc.nat(),
    text: fc.constantFrom('"', '\n', '\r\n', ',', '{', '}', '[', '\\', '\u0000', '"",""', 'null', '1e999', '-', '\uFFFD', '\uD800'),
  }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(value: Buffer, edits: readonly Mutation[]): Buffer {
  let b = Buffer.from(value);
  for (const e of edits) {
    const at = b.length === 0 ? 0 : e.at % (b.length + 1);
    switch (e.kind) {
      case 'set':
        if (b.length > 0) b[at % b.length] = e.byte;
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), e.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + e.length)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'special':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(e.text), b.subarray(at)]);
        break;
    }
  }
  return b;
}

const BATCHES = 250;
const BATCH_SIZE = 500;

describe.each(['clickstream', 'sales'] as const)('fuzzing %s', (name) => {
  const p = pipelines[name];
  const valid = generatorFor(name, { seed: 11, startTime: KAFKA_TS - 3_600_000, malformedRatio: 0.2 })
    .batch(2_000)
    .map((r) => r.value);

  it(`processes ${BATCHES * BATCH_SIZE} generated and mutated records without an exception, accounting for each`, () => {
    let total = 0;
    const reasons = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            { weight: 6, arbitrary: fc.tuple(fc.nat({ max: valid.length - 1 }), fc.array(mutation, { maxLength: 4 })).map(([i, edits]) => mutate(valid[i], edits)) },
            { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)) },
            { weight: 1, arbitrary: fc.json({ maxDepth: 4 }).map((j) => Buffer.from(j)) },
          ),
          { minLength: BATCH_SIZE, maxLength: BATCH_SIZE },
        ),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (values, firstOffset) => {
          const records: KafkaRecord[] = values.map((value, i) => ({ topic: name, partition: 0, offset: firstOffset + i, timestamp: KAFKA_TS, key: null, value }));
          const out = processBatch(p, { topic: name, partition: 0, records }, KAFKA_TS);
          expect(out.events + out.quarantined).toBe(records.length);
          const rows = out.objects.filter((o) => o.kind !== 'aggregates').reduce((n, o) => n + o.rows, 0);
          expect(rows).toBe(records.length);
          for (const o of out.objects.filter((x) => x.kind === 'quarantine')) for (const r of o.columns[0] as string[]) reasons.add(r);
          total += records.length;
        },
      ),
      { numRuns: BATCHES, seed: 20261122 },
    );
    expect(total).toBe(BATCHES * BATCH_SIZE);
    for (const r of reasons) expect(DOCUMENTED).toContain(r);
    expect(reasons.size).toBeGreaterThan(4);
    // the processor's last-resort guard must never have been needed
    expect(reasons).not.toContain('internal-error');
  });
});

describe('fuzzing the stand-alone parsers', () => {
  it('parseCsvLine and parseIsoTimestamp never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.constantFrom(',', ';', '\t', '|'), (text, delimiter) => {
        const r = parseCsvLine(text, delimiter);
        expect(typeof r.ok).toBe('boolean');
        expect(typeof parseIsoTimestamp(text)).toBe('number');
      }),
      { numRuns: 20_000 },
    );
  });
});
