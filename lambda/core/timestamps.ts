/** Strict event-time parsing: epoch millis or ISO-8601 (no zone = UTC). Pure; never throws. */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DIGITS = /^-?\d{1,16}$/;

/** The digit at `i`, or -1 when it is not one. */
const digit = (s: string, i: number): number => {
  const v = s.charCodeAt(i) - 48;
  return v >= 0 && v <= 9 ? v : -1;
};
const two = (s: string, i: number): number => {
  const a = digit(s, i);
  const b = digit(s, i + 1);
  return a < 0 || b < 0 ? -1 : a * 10 + b;
};

// Events of a batch share a date: the last date parsed, as `YYYY-MM-DD` and days since the epoch.
let lastDate = '';
let lastDays = 0;

/** Days since the epoch of the valid `YYYY-MM-DD` at the start of `s`, or NaN. */
function datePart(s: string): number {
  if (lastDate.length === 10 && s.startsWith(lastDate)) return lastDays;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return NaN;
  const hi = two(s, 0);
  const lo = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return NaN;
  const year = hi * 100 + lo;
  if (day > daysInMonth(year, month)) return NaN;
  lastDays = daysFromCivil(year, month, day);
  lastDate = s.slice(0, 10);
  return lastDays;
}

/** Fast path for the canonical `YYYY-MM-DDTHH:MM:SS[.sss]Z` (what toISOString writes), or NaN. */
function parseCanonicalIso(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */ || s.charCodeAt(10) !== 84 /* T */ || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return NaN;
  let millis = 0;
  if (n === 24) {
    const m = two(s, 20);
    const last = digit(s, 22);
    if (s.charCodeAt(19) !== 46 /* . */ || m < 0 || last < 0) return NaN;
    millis = m * 10 + last;
  }
  // arithmetic instead of Date.UTC + a Date to check the day: this runs once per record
  const days = datePart(s);
  return days * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + millis;
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
  const year = +y,
    month = +mo,
    day = +d,
    hour = +h,
    minute = +mi,
    second = +s;
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
