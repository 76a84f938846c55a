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

  it.each(['yesterday', '2026-02-30T00:00:00Z', '2026-13-01', '2026-11-22T24:00:00Z', '1795348878158', '2026-11-22T10:15:30+25:00', ''])('rejects %j', (text) => {
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
