/** Strict event-time parsing: epoch millis or ISO-8601 (no zone = UTC). Pure; never throws. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DIGITS = /^-?\d{1,16}$/;

/** Epoch millis of an ISO-8601 date-time, or NaN. A time without zone is read as UTC. */
export function parseIsoTimestamp(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac, zone] = m;
  const year = +y, month = +mo, day = +d, hour = +h, minute = +mi, second = +s;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let t = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Date.UTC rolls 31 February over into March: reject instead
  if (new Date(t).getUTCDate() !== day) return NaN;
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const offset = (+digits.slice(0, 2) * 60 + (digits.length > 2 ? +digits.slice(2, 4) : 0)) * 60_000;
    if (+digits.slice(0, 2) > 23 || (digits.length > 2 && +digits.slice(2, 4) > 59)) return NaN;
    t -= sign * offset;
  }
  return t;
}

/** Epoch millis from a number or a string of digits, or NaN. */
export function parseEpochMillis(raw: unknown): number {
  if (typeof raw === 'number') return Number.isSafeInteger(raw) ? raw : NaN;
  if (typeof raw === 'string') {
    const t = raw.trim();
    return DIGITS.test(t) ? Number(t) : NaN;
  }
  return NaN;
}
