/** JSON values: one object per value, a property per schema field. */
import { compileFlatJsonReader } from '../flat-json';
import { reject } from '../quarantine';
import type { FieldSpec } from '../../../model/spec';
import type { TextValueDecoder } from './value-decoder';

export function jsonValueDecoder(schema: readonly FieldSpec[]): TextValueDecoder {
  const names = schema.map((f) => f.name);
  // one scratch row reused for every record: processValue copies the converted values out
  const scratch: unknown[] = new Array(names.length);
  const readFlat = compileFlatJsonReader(names);
  return {
    input: 'text',
    decode: (text) => {
      if (readFlat(text, scratch)) return scratch;
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (err) {
        return reject('invalid-json', `not JSON: ${(err as Error).message}`.slice(0, 200));
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
        return reject('invalid-json', `expected a JSON object, got ${Array.isArray(obj) ? 'an array' : typeof obj}`);
      const o = obj as Record<string, unknown>;
      for (let i = 0; i < names.length; i++) scratch[i] = Object.hasOwn(o, names[i]) ? o[names[i]] : undefined;
      return scratch;
    },
  };
}
