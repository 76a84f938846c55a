/**
 * Field validation: turns a raw value (a CSV string or a JSON value) into the field's typed value,
 * or a Rejection naming the field. Converters are compiled once per spec. Pure; never throws.
 */
import { DEFAULT_MAX_STRING_LENGTH, type FieldSpec } from '../../model/spec';
import { Rejection, reject } from './quarantine';
import { parseEpochMillis, parseIsoTimestamp } from './timestamps';

/** A typed field value: strings, numbers (int/long/double/timestamp millis), booleans, or null. */
export type FieldValue = string | number | boolean | null;

export type FieldConverter = (raw: unknown) => FieldValue | Rejection;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT32_MIN = -2_147_483_648;
const INTERNED_PER_FIELD = 20_000;
const INTERNED_MAX_LENGTH = 100;
const INT32_MAX = 2_147_483_647;

function describe(raw: unknown): string {
  const s =
    typeof raw === 'string'
      ? JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw)
      : typeof raw === 'object'
        ? Array.isArray(raw)
          ? 'an array'
          : 'an object'
        : String(raw);
  return s;
}

export interface TimestampOptions {
  readonly encoding: 'epoch-millis' | 'iso-8601' | 'any';
}

export function compileFieldConverter(field: FieldSpec, timestamp: TimestampOptions = { encoding: 'any' }): FieldConverter {
  const name = field.name;
  const optional = field.optional === true;
  const maxLength = field.maxLength ?? DEFAULT_MAX_STRING_LENGTH;
  const min = field.min;
  const max = field.max;

  const missing = (): FieldValue | Rejection => (optional ? null : reject('missing-field', `required field '${name}' is missing or empty`));
  const inRange = (n: number, raw: unknown): number | Rejection => {
    if ((min !== undefined && n < min) || (max !== undefined && n > max)) {
      return reject('value-out-of-range', `field '${name}' = ${describe(raw)} is outside [${min ?? '-inf'}, ${max ?? '+inf'}]`);
    }
    return n;
  };

  switch (field.type) {
    case 'string': {
      // Repeated values (cities, countries, URLs) share one string instance: the batch's columns
      // then hold a few long-lived strings instead of one per row, which the young-generation GC
      // would otherwise copy while the batch is being built.
      const interned = new Map<string, string>();
      return (raw) => {
        if (raw === undefined || raw === null || raw === '') return missing();
        if (typeof raw !== 'string') {
          if (typeof raw === 'number' || typeof raw === 'boolean') raw = String(raw);
          else return reject('wrong-type', `field '${name}' must be a string, got ${describe(raw)}`);
        }
        const s = raw as string;
        if (s.length > maxLength) return reject('string-too-long', `field '${name}' has ${s.length} characters, more than maxLength ${maxLength}`);
        const shared = interned.get(s);
        if (shared !== undefined) return shared;
        if (interned.size < INTERNED_PER_FIELD && s.length <= INTERNED_MAX_LENGTH) interned.set(s, s);
        return s;
      };
    }
    case 'int':
    case 'long':
      return (raw) => {
        if (raw === undefined || raw === null || raw === '') return missing();
        let n: number;
        if (typeof raw === 'number') n = raw;
        else if (typeof raw === 'string' && INTEGER.test(raw.trim())) n = Number(raw.trim());
        else return reject(typeof raw === 'string' ? 'invalid-number' : 'wrong-type', `field '${name}' must be an integer, got ${describe(raw)}`);
        if (!Number.isSafeInteger(n)) return reject('invalid-number', `field '${name}' = ${describe(raw)} is not an integer within ±2^53`);
        if (field.type === 'int' && (n < INT32_MIN || n > INT32_MAX)) return reject('invalid-number', `field '${name}' = ${describe(raw)} does not fit a 32-bit int`);
        return inRange(n, raw);
      };
    case 'double':
      return (raw) => {
        if (raw === undefined || raw === null || raw === '') return missing();
        let n: number;
        if (typeof raw === 'number') n = raw;
        else if (typeof raw === 'string' && DECIMAL.test(raw.trim())) n = Number(raw.trim());
        else return reject(typeof raw === 'string' ? 'invalid-number' : 'wrong-type', `field '${name}' must be a number, got ${describe(raw)}`);
        if (!Number.isFinite(n)) return reject('invalid-number', `field '${name}' = ${describe(raw)} is not finite`);
        return inRange(n, raw);
      };
    case 'boolean':
      return (raw) => {
        if (raw === undefined || raw === null || raw === '') return missing();
        if (typeof raw === 'boolean') return raw;
        if (typeof raw === 'string') {
          const t = raw.trim().toLowerCase();
          if (t === 'true') return true;
          if (t === 'false') return false;
        }
        return reject('invalid-boolean', `field '${name}' must be true or false, got ${describe(raw)}`);
      };
    case 'timestamp':
      return (raw) => {
        if (raw === undefined || raw === null || raw === '') return missing();
        let t: number;
        if (timestamp.encoding === 'epoch-millis') t = parseEpochMillis(raw);
        else if (timestamp.encoding === 'iso-8601') t = typeof raw === 'string' ? parseIsoTimestamp(raw) : NaN;
        else t = typeof raw === 'number' || (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) ? parseEpochMillis(raw) : typeof raw === 'string' ? parseIsoTimestamp(raw) : NaN;
        if (Number.isNaN(t)) {
          const expected = timestamp.encoding === 'any' ? 'epoch millis or ISO-8601' : timestamp.encoding;
          return reject('invalid-timestamp', `field '${name}' must be ${expected}, got ${describe(raw)}`);
        }
        return t;
      };
  }
}
