/**
 * A fast path for JSON values of the shape producers write: one flat object whose keys are the
 * spec's fields and whose values are strings without escapes, numbers, booleans or null. It reads
 * the field values straight from the text — no object, no key strings — and gives up (returns
 * false) on anything else, so the caller falls back to JSON.parse. Whatever it accepts, it reads
 * exactly as JSON.parse would (property-tested). Pure; never throws.
 */

/** Fills `out` (schema order; undefined for an absent field) and returns true, or returns false. */
export type FlatJsonReader = (text: string, out: unknown[]) => boolean;

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN = 123;
const CLOSE = 125;
const MINUS = 45;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

// exact powers of ten as doubles (10^22 is the largest)
const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k);

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

export function compileFlatJsonReader(names: readonly string[]): FlatJsonReader {
  const quoted = names.map((n) => `"${n}"`);
  // a name JSON would escape can never match literally: such keys always take the slow path
  const matchable = names.map((n) => ![...n].some((c) => c === '"' || c === '\\' || c.charCodeAt(0) < 0x20));
  const seen = new Uint8Array(names.length);
  let guess = 0;

  /** Index of the field whose quoted name starts at `i`, or -1. Producers keep one key order: try the one after the previous key first. */
  const keyAt = (text: string, i: number): number => {
    if (guess < names.length && matchable[guess] && text.startsWith(quoted[guess], i)) return guess;
    for (let k = 0; k < names.length; k++) if (matchable[k] && text.startsWith(quoted[k], i)) return k;
    return -1;
  };

  let end = 0; // end of the value just read (a closure variable: avoids a result object)

  /** Reads a JSON number starting at `i`; sets `end`; NaN when the grammar is not met. */
  const readNumber = (text: string, i: number): number => {
    const start = i;
    let negative = false;
    if (text.charCodeAt(i) === MINUS) {
      negative = true;
      i++;
    }
    let c = text.charCodeAt(i);
    if (c < ZERO || c > NINE) return NaN;
    let mantissa = 0;
    let digits = 0;
    if (c === ZERO) {
      i++;
      digits = 1;
    } else {
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = text.charCodeAt(++i);
      }
    }
    let fraction = 0;
    c = text.charCodeAt(i);
    if (c === DOT) {
      c = text.charCodeAt(++i);
      if (c < ZERO || c > NINE) return NaN;
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        fraction++;
        c = text.charCodeAt(++i);
      }
    }
    const exponent = c === 101 || c === 69; // e E
    if (exponent) {
      c = text.charCodeAt(++i);
      if (c === 43 || c === MINUS) c = text.charCodeAt(++i);
      if (c < ZERO || c > NINE) return NaN;
      while (c >= ZERO && c <= NINE) c = text.charCodeAt(++i);
    }
    end = i;
    // Exact for up to 15 significant digits: an integer below 2^53 divided by an exact power
    // of ten is correctly rounded, as JSON.parse's conversion is. Otherwise let it convert.
    if (exponent || digits > 15) return Number(text.slice(start, i));
    const magnitude = fraction === 0 ? mantissa : mantissa / POW10[fraction];
    return negative ? -magnitude : magnitude;
  };

  return (text, out) => {
    const n = text.length;
    seen.fill(0);
    for (let k = 0; k < out.length; k++) out[k] = undefined;
    let i = 0;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) !== OPEN) return false;
    i++;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === CLOSE) {
      i++;
    } else {
      for (;;) {
        if (text.charCodeAt(i) !== QUOTE) return false;
        const k = keyAt(text, i);
        if (k === -1 || seen[k] === 1) return false; // unknown or repeated key: JSON.parse decides
        seen[k] = 1;
        guess = k + 1;
        i += quoted[k].length;
        while (isSpace(text.charCodeAt(i))) i++;
        if (text.charCodeAt(i) !== COLON) return false;
        i++;
        while (isSpace(text.charCodeAt(i))) i++;
        const c = text.charCodeAt(i);
        if (c === QUOTE) {
          let j = i + 1;
          let d = text.charCodeAt(j);
          while (d !== QUOTE) {
            if (d === BACKSLASH || d < 32 || j >= n) return false; // escapes, control characters, unterminated
            d = text.charCodeAt(++j);
          }
          out[k] = text.slice(i + 1, j);
          i = j + 1;
        } else if (c === MINUS || (c >= ZERO && c <= NINE)) {
          const v = readNumber(text, i);
          if (Number.isNaN(v)) return false;
          out[k] = v;
          i = end;
        } else if (text.startsWith('true', i)) {
          out[k] = true;
          i += 4;
        } else if (text.startsWith('false', i)) {
          out[k] = false;
          i += 5;
        } else if (text.startsWith('null', i)) {
          out[k] = null;
          i += 4;
        } else return false; // objects, arrays, anything else
        while (isSpace(text.charCodeAt(i))) i++;
        const sep = text.charCodeAt(i);
        i++;
        if (sep === CLOSE) break;
        if (sep !== COMMA) return false;
        while (isSpace(text.charCodeAt(i))) i++;
      }
    }
    while (isSpace(text.charCodeAt(i))) i++;
    return i === n;
  };
}
