import fc from 'fast-check';
import { parseEpochMillis, parseIsoTimestamp } from '../../../lambda/core/timestamps';

describe('parseIsoTimestamp', () => {
  it.each([
    ['2026-11-22T10:15:30Z', Date.UTC(2026, 10, 22, 10, 15, 30)],
    ['2026-11-22T10:15:30.123Z', Date.UTC(2026, 10, 22, 10, 15, 30, 123)],
    ['2026-11-22 10:15:30', Date.UTC(2026, 10, 22, 10, 15, 30)],
    ['2026-11-22T10:15', Date.UTC(2026, 10, 22, 10, 15)],
    ['2026-11-22', Date.UTC(2026, 10, 22)],
    ['2026-11-22T12:15:30+02:00', Date.UTC(2026, 10, 22, 10, 15, 30)],
    ['2026-11-22T05:15:30-0500', Date.UTC(2026, 10, 22, 10, 15, 30)],
    ['2026-11-22T10:15:30.123456789Z', Date.UTC(2026, 10, 22, 10, 15, 30, 123)],
  ])('%s', (text, expected) => {
    expect(parseIsoTimestamp(text)).toBe(expected);
  });

  it('reads every canonical instant (toISOString) as Date does, and rejects impossible days like Date.UTC would roll over', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString();
        expect(parseIsoTimestamp(iso)).toBe(d.getTime());
        expect(parseIsoTimestamp(iso.replace(/\.\d{3}Z$/, 'Z'))).toBe(d.getTime() - d.getUTCMilliseconds());
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 28, max: 31 }), (y, m, day) => {
        const text = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00Z`;
        const rolled = new Date(Date.UTC(y, m - 1, day));
        rolled.setUTCFullYear(y);
        const exists = rolled.getUTCDate() === day;
        expect(Number.isNaN(parseIsoTimestamp(text))).toBe(!exists);
      }),
      { numRuns: 2_000 },
    );
  });

  it.each([
    'yesterday',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2100-02-29T00:00:00.000Z',
    '2026-13-01',
    '2026-11-22T24:00:00Z',
    '1795348878158',
    '2026-11-22T10:15:30+25:00',
    '',
  ])('rejects %j', (text) => {
    expect(parseIsoTimestamp(text)).toBeNaN();
  });
});

describe('parseEpochMillis', () => {
  it('reads numbers and digit strings', () => {
    expect(parseEpochMillis(1795348878158)).toBe(1795348878158);
    expect(parseEpochMillis(' 1795348878158 ')).toBe(1795348878158);
  });
  it.each([1.5, '12a', '', Number.MAX_VALUE, '12345678901234567890', null, {}])('rejects %j', (raw) => {
    expect(parseEpochMillis(raw)).toBeNaN();
  });
});
