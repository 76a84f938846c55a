/** CSV values: one line per value, columns as the spec's `value.columns` name them. */
import { parseCsvLine } from '../csv';
import { reject } from '../quarantine';
import type { CsvFormat, FieldSpec } from '../../../model/spec';
import type { TextValueDecoder } from './value-decoder';

export function csvValueDecoder(schema: readonly FieldSpec[], format: CsvFormat): TextValueDecoder {
  const delimiter = format.delimiter ?? ',';
  const width = format.columns.length;
  // position in the CSV line of each schema field, or -1 (optional field not in the CSV)
  const positions = schema.map((f) => format.columns.indexOf(f.name));
  const identity = positions.every((p, i) => p === i);
  return {
    input: 'text',
    decode: (text) => {
      const line = parseCsvLine(text, delimiter);
      if (!line.ok) return reject('malformed-csv', line.problem);
      if (line.fields.length !== width) return reject('wrong-column-count', `expected ${width} columns, got ${line.fields.length}`);
      // columns in schema order (both shipped specs): the split line is already the raw row
      if (identity) return line.fields;
      return positions.map((p) => (p === -1 ? undefined : line.fields[p]));
    },
  };
}
