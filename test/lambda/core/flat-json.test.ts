/**
 * The flat-JSON fast path must never disagree with JSON.parse: whatever it accepts, it reads
 * exactly as JSON.parse + own-property lookup does; everything else it declines.
 */
import fc from 'fast-check';
import { compileFlatJsonReader } from '../../../lambda/core/flat-json';

const NAMES = ['payment_id', 'amount', 'payment_date', 'city', 'flag', 'a'];

/** The reference: JSON.parse, then each field as an own property. */
function viaJsonParse(text: string): unknown[] | 'invalid' | 'not-flat' {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return 'invalid';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'not-flat';
  return NAMES.map((n) => (Object.hasOwn(o as object, n) ? (o as Record<string, unknown>)[n] : undefined));
}

/** Asserts the fast path either declines or agrees with JSON.parse (Object.is: -0 and 0 differ). */
function agrees(text: string): boolean {
  const read = compileFlatJsonReader(NAMES);
  const out: unknown[] = new Array(NAMES.length);
  if (!read(text, out)) return false;
  const expected = viaJsonParse(text);
  if (!Array.isArray(expected)) throw new Error(`accepted ${JSON.stringify(text)}, which JSON.parse reads as ${expected}`);
  expected.forEach((v, i) => {
    if (!Object.is(out[i], v)) throw new Error(`field ${NAMES[i]} of ${JSON.stringify(text)}: ${String(out[i])} !== ${String(v)}`);
  });
  return true;
}

const scalar = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e21, 1e-7, 123456789012345, 1234567890123456, 9007199254740992, 0.1, 335.2, -125.71),
  fc.boolean(),
  fc.constant(null),
);
const flatObject = fc.dictionary(
  fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...NAMES) }, { weight: 1, arbitrary: fc.string({ maxLength: 6 }) }),
  fc.oneof({ weight: 12, arbitrary: scalar }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
  { maxKeys: 6 },
);

describe('compileFlatJsonReader', () => {
  it('reads what producers write, exactly as JSON.parse does', () => {
    const texts = [
      '{"payment_id":1,"amount":335.2,"payment_date":"2026-11-22T00:00:00.055Z","city":"Madison"}',
      '{"payment_id": -7, "amount": 1.5e3, "city": "Zürich 😀", "flag": true, "a": null}',
      '{ "a" : false }',
      '{}',
      '{"amount":-0}',
      '{"amount":0.30000000000000004,"payment_id":12345678901234567890}',
    ];
    for (const t of texts) expect(agrees(t)).toBe(true);
  });

  it.each([
    ['escapes', '{"city":"a\\"b"}'],
    ['nested values', '{"city":{"x":1}}'],
    ['unknown keys', '{"other":1}'],
    ['repeated keys', '{"a":1,"a":2}'],
    ['a trailing comma', '{"a":1,}'],
    ['leading zeros', '{"a":01}'],
    ['a lone minus', '{"a":-}'],
    ['a bare dot', '{"a":1.}'],
    ['control characters', '{"city":"a\nb"}'],
    ['text after the object', '{"a":1} x'],
    ['an unterminated string', '{"city":"abc'],
    ['an array', '[1,2]'],
    ['an escaped key', '{"\\u0061":1}'],
  ])('declines %s (JSON.parse decides)', (_, text) => {
    expect(agrees(text)).toBe(false);
  });

  it('never disagrees with JSON.parse on generated objects in any formatting', () => {
    let accepted = 0;
    fc.assert(
      fc.property(flatObject, fc.constantFrom(undefined, 0, 1, 2, '\t'), (o, indent) => {
        if (agrees(JSON.stringify(o, null, indent))) accepted += 1;
      }),
      { numRuns: 3_000 },
    );
    // the property is only worth something if the fast path takes most of them
    expect(accepted).toBeGreaterThan(1_000);
  });

  it('never disagrees with JSON.parse on arbitrary and corrupted text', () => {
    const corrupted = fc.tuple(flatObject, fc.nat(), fc.string({ unit: 'binary', maxLength: 3 }), fc.nat({ max: 3 })).map(([o, at, insert, drop]) => {
      const t = JSON.stringify(o);
      const k = t.length === 0 ? 0 : at % t.length;
      return t.slice(0, k) + insert + t.slice(k + drop);
    });
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), corrupted), (text) => {
        agrees(text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('takes the fast path for the shipped sales values', () => {
    const read = compileFlatJsonReader(['payment_id', 'customer_id', 'amount', 'payment_date', 'city', 'district', 'country']);
    const out: unknown[] = [];
    expect(
      read('{"payment_id":1,"customer_id":8672,"amount":335.2,"payment_date":"2026-11-22T00:00:00.055Z","country":"United Kingdom","city":"Madison","district":"West"}', out),
    ).toBe(true);
    expect(out).toEqual([1, 8672, 335.2, '2026-11-22T00:00:00.055Z', 'Madison', 'West', 'United Kingdom']);
  });
});
