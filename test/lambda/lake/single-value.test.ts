/**
 * Iceberg's binary single-value serialization of bounds: the values of the table spec's examples
 * (Appendix B's test values: 34, 2017-11-16, 2017-11-16T22:31:08Z, 'iceberg', 00 01 02 03) give
 * the bytes pyiceberg's `conversions.to_bytes` gives; truncated string and binary bounds stay
 * below and above every value they stand for.
 */
import fc from 'fast-check';
import { compareUtf8 } from '../../../lambda/core/parquet-bytes';
import { fromSingleValue, lowerBound, toSingleValue, TRUNCATE_LENGTH, upperBound } from '../../../lambda/lake/single-value';
import { LakeMetadataError } from '../../../lambda/lake/errors';

const hex = (b: Uint8Array | undefined) => (b === undefined ? undefined : Buffer.from(b).toString('hex'));

describe('single-value serialization', () => {
  it.each([
    ['int', 34, '22000000'],
    ['long', 34, '2200000000000000'],
    ['date', 17486, '4e440000'], // 2017-11-16
    ['timestamptz', 1_510_871_468_000_000n, '00c3262d215e0500'], // 2017-11-16T22:31:08Z in microseconds
    ['timestamptz', 1_510_871_468_000_001n, '01c3262d215e0500'],
    ['string', 'iceberg', '69636562657267'],
    ['binary', Uint8Array.of(0, 1, 2, 3), '00010203'],
    ['boolean', true, '01'],
    ['boolean', false, '00'],
    ['double', 14.2, '6666666666662c40'],
    ['double', -0, '0000000000000080'],
  ] as const)('%s %p → %s, and back', (type, value, bytes) => {
    expect(hex(toSingleValue(type, value))).toBe(bytes);
    const back = fromSingleValue(type, Buffer.from(bytes, 'hex'));
    expect(back).toEqual(['long', 'timestamptz'].includes(type) ? BigInt(value as number | bigint) : value);
  });

  it('writes longs beyond 2^53 exactly, and refuses what is not of the type', () => {
    expect(hex(toSingleValue('long', 2n ** 62n + 1n))).toBe('0100000000000040');
    expect(() => toSingleValue('int', 2 ** 31)).toThrow(LakeMetadataError);
    expect(() => toSingleValue('long', 1.5)).toThrow('a long value must be an integer, got 1.5');
    expect(() => toSingleValue('string', 5)).toThrow(LakeMetadataError);
    expect(() => fromSingleValue('long', Uint8Array.of(1, 2))).toThrow('a long value takes 8 bytes, got 2');
  });
});

describe('bounds', () => {
  it('truncate strings to 16 code points: the lower bound is the prefix, the upper the prefix with its last code point incremented', () => {
    const long = 'www.amazon12345.com/some/page';
    expect(Buffer.from(lowerBound('string', long)).toString()).toBe('www.amazon12345.');
    expect(Buffer.from(upperBound('string', long)!).toString()).toBe('www.amazon12345/');
    expect(Buffer.from(upperBound('string', 'short')!).toString()).toBe('short');
    // a code point above U+FFFF counts once; U+10FFFF cannot be incremented: carry to the one before
    const astral = `${'😀'.repeat(15)}\u{10FFFF}xyz`;
    expect(Buffer.from(lowerBound('string', astral)).toString()).toBe(`${'😀'.repeat(15)}\u{10FFFF}`);
    expect(Buffer.from(upperBound('string', astral)!).toString()).toBe(`${'😀'.repeat(14)}😁`);
    // incrementing past U+D7FF skips the surrogates
    expect(Buffer.from(upperBound('string', `${'a'.repeat(15)}\uD7FFz`)!).toString()).toBe(`${'a'.repeat(15)}\uE000`);
    expect(upperBound('string', '\u{10FFFF}'.repeat(17))).toBeUndefined();
  });

  it('truncate binaries to 16 bytes, carrying past 0xff bytes', () => {
    const bytes = Uint8Array.from([...Array(15).fill(7), 0xff, 9]);
    expect(hex(lowerBound('binary', bytes))).toBe('07'.repeat(15) + 'ff');
    expect(hex(upperBound('binary', bytes))).toBe('07'.repeat(14) + '08');
    expect(upperBound('binary', new Uint8Array(20).fill(0xff))).toBeUndefined();
    expect(hex(upperBound('binary', Uint8Array.of(1, 2)))).toBe('0102');
  });

  it('give -0.0 as a lower and +0.0 as an upper bound of zero (the spec orders -0.0 first)', () => {
    expect(hex(lowerBound('double', 0))).toBe('0000000000000080');
    expect(hex(upperBound('double', -0))).toBe('0000000000000000');
    expect(hex(lowerBound('double', 1.5))).toBe(hex(toSingleValue('double', 1.5)));
  });

  it('stay at or below (lower) and at or above (upper) any string, in UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const utf8 = Buffer.from(s, 'utf8');
        const lower = lowerBound('string', s);
        expect(Buffer.compare(lower, utf8)).toBeLessThanOrEqual(0);
        expect(Array.from(Buffer.from(lower).toString())).toHaveLength(Math.min(Array.from(Buffer.from(utf8).toString()).length, TRUNCATE_LENGTH));
        const upper = upperBound('string', s);
        if (upper !== undefined) expect(Buffer.compare(upper, utf8)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe('compareUtf8', () => {
  it('orders strings as their UTF-8 bytes do (JavaScript < does not, between U+E000–U+FFFF and astral code points)', () => {
    expect('\uFFFD' < '😀').toBe(false); // UTF-16 code units: 0xFFFD > 0xD83D
    expect(compareUtf8('\uFFFD', '😀')).toBeLessThan(0);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 1000 },
    );
  });
});
