/** Strict event-time parsing: epoch millis or ISO-8601 (no zone = UTC). Pure; never throws. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DIGITS = /^-?\d{1,16}$/;

const d = (s: string, i: number): number => s.charCodeAt(i) - 48;
const DIGITS_WITHOUT_MILLIS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DIGITS_WITH_MILLIS = [...DIGITS_WITHOUT_MILLIS, 20, 21, 22];

/** Fast path for the canonical `YYYY-MM-DDTHH:MM:SS[.sss]Z` (what toISOString writes), or NaN. */
function parseCanonicalIso(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */ || s[4] !== '-' || s[7] !== '-' || s[10] !== 'T' || s[13] !== ':' || s[16] !== ':') return NaN;
  if (n === 24 && s[19] !== '.') return NaN;
  for (const i of n === 24 ? DIGITS_WITH_MILLIS : DIGITS_WITHOUT_MILLIS) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  const year = d(s, 0) * 1000 + d(s, 1) * 100 + d(s, 2) * 10 + d(s, 3);
  const month = d(s, 5) * 10 + d(s, 6);
  const day = d(s, 8) * 10 + d(s, 9);
  const hour = d(s, 11) * 10 + d(s, 12);
  const minute = d(s, 14) * 10 + d(s, 15);
  const second = d(s, 17) * 10 + d(s, 18);
  const millis = n === 24 ? d(s, 20) * 100 + d(s, 21) * 10 + d(s, 22) : 0;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return NaN;
  // arithmetic instead of Date.UTC + a Date to check the day: this runs once per record
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1];
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Epoch millis of an ISO-8601 date-time, or NaN. A time without zone is read as UTC. */
export function parseIsoTimestamp(text: string): number {
  const fast = parseCanonicalIso(text);
  if (!Number.isNaN(fast)) return fast;
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
    // fast path: 1–15 plain digits (every epoch-millis until the year 33658)
    const n = raw.length;
    if (n > 0 && n < 16) {
      let v = 0;
      for (let i = 0; i < n; i++) {
        const c = raw.charCodeAt(i) - 48;
        if (c < 0 || c > 9) {
          v = -1;
          break;
        }
        v = v * 10 + c;
      }
      if (v >= 0) return v;
    }
    const t = raw.trim();
    return DIGITS.test(t) ? Number(t) : NaN;
  }
  return NaN;
}
