import { compileFieldConverter } from '../../../lambda/core/fields';
import { Rejection } from '../../../lambda/core/quarantine';

const reasonOf = (v: unknown) => (v instanceof Rejection ? v.reason : v);

describe('compileFieldConverter', () => {
  it('converts strings and enforces maxLength and presence', () => {
    const c = compileFieldConverter({ name: 'url', type: 'string', maxLength: 5 });
    expect(c('abc')).toBe('abc');
    expect(c(42)).toBe('42');
    expect(reasonOf(c('abcdef'))).toBe('string-too-long');
    expect(reasonOf(c(''))).toBe('missing-field');
    expect(reasonOf(c(undefined))).toBe('missing-field');
    expect(reasonOf(c({ a: 1 }))).toBe('wrong-type');
    const detail = (c('abcdef') as Rejection).detail;
    expect(detail).toMatch(/field 'url' has 6 characters/);
  });

  it('maps missing optional values to null', () => {
    const c = compileFieldConverter({ name: 'city', type: 'string', optional: true });
    expect(c(undefined)).toBeNull();
    expect(c(null)).toBeNull();
    expect(c('')).toBeNull();
  });

  it('converts integers strictly', () => {
    const long = compileFieldConverter({ name: 'id', type: 'long', min: 0 });
    expect(long('123')).toBe(123);
    expect(long(' 7 ')).toBe(7);
    expect(long(9007199254740991)).toBe(9007199254740991);
    expect(reasonOf(long('1.5'))).toBe('invalid-number');
    expect(reasonOf(long(1.5))).toBe('invalid-number');
    expect(reasonOf(long('9007199254740993'))).toBe('invalid-number');
    expect(reasonOf(long('-1'))).toBe('value-out-of-range');
    expect(reasonOf(long(true))).toBe('wrong-type');
    const int = compileFieldConverter({ name: 'n', type: 'int' });
    expect(reasonOf(int('2147483648'))).toBe('invalid-number');
    expect(int('-2147483648')).toBe(-2147483648);
  });

  it('converts doubles and rejects non-finite values', () => {
    const c = compileFieldConverter({ name: 'amount', type: 'double', min: 0, max: 100 });
    expect(c('12.50')).toBe(12.5);
    expect(c(1e1)).toBe(10);
    expect(c('.5')).toBe(0.5);
    expect(reasonOf(c('twelve'))).toBe('invalid-number');
    expect(reasonOf(c('NaN'))).toBe('invalid-number');
    expect(reasonOf(c('1e999'))).toBe('invalid-number');
    expect(reasonOf(c(101))).toBe('value-out-of-range');
  });

  it('converts booleans', () => {
    const c = compileFieldConverter({ name: 'ok', type: 'boolean' });
    expect(c('TRUE')).toBe(true);
    expect(c(false)).toBe(false);
    expect(reasonOf(c('yes'))).toBe('invalid-boolean');
  });

  it('parses timestamps in the declared encoding only', () => {
    const millis = compileFieldConverter({ name: 't', type: 'timestamp' }, { encoding: 'epoch-millis' });
    expect(millis('1795348878158')).toBe(1795348878158);
    expect(reasonOf(millis('2026-11-22T10:00:00Z'))).toBe('invalid-timestamp');
    const iso = compileFieldConverter({ name: 't', type: 'timestamp' }, { encoding: 'iso-8601' });
    expect(iso('2026-11-22T10:00:00Z')).toBe(Date.UTC(2026, 10, 22, 10));
    expect(reasonOf(iso(1795348878158))).toBe('invalid-timestamp');
    const any = compileFieldConverter({ name: 't', type: 'timestamp' });
    expect(any(1795348878158)).toBe(1795348878158);
    expect(any('2026-11-22')).toBe(Date.UTC(2026, 10, 22));
  });
});
