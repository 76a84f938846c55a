/** RFC 4180 CSV parsing for one record value and for reference files. Pure and total: never throws. */
import { ConfigurationError } from '../../model/errors';

export type CsvLineResult = { readonly ok: true; readonly fields: string[] } | { readonly ok: false; readonly problem: string };

/**
 * Parses one CSV line (a Kafka value holds exactly one). Quoted fields may contain the delimiter,
 * doubled quotes and line breaks; an unquoted line break or an unbalanced quote is an error.
 */
export function parseCsvLine(text: string, delimiter = ','): CsvLineResult {
  // Fast path: no quotes and no line breaks (the common case for machine-written CSV).
  if (text.indexOf('"') === -1) {
    if (text.indexOf('\n') !== -1 || text.indexOf('\r') !== -1) {
      const trimmed = text.replace(/\r?\n$/, '');
      if (trimmed.indexOf('\n') !== -1 || trimmed.indexOf('\r') !== -1) return { ok: false, problem: 'line break outside quotes: a value must hold one CSV line' };
      return { ok: true, fields: trimmed.split(delimiter) };
    }
    return { ok: true, fields: text.split(delimiter) };
  }
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q === -1) return { ok: false, problem: 'unterminated quoted field' };
        value += text.slice(i, q);
        if (text[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i === n || (text[i] === '\n' && i === n - 1) || (text[i] === '\r' && text[i + 1] === '\n' && i === n - 2)) return { ok: true, fields };
      if (text[i] !== delimiter) return { ok: false, problem: `unexpected character after closing quote at position ${i}` };
      i += 1;
    } else {
      let j = i;
      while (j < n && text[j] !== delimiter && text[j] !== '"' && text[j] !== '\n' && text[j] !== '\r') j += 1;
      if (j < n && text[j] === '"') return { ok: false, problem: `quote inside an unquoted field at position ${j}` };
      fields.push(text.slice(i, j));
      if (j === n) return { ok: true, fields };
      if (text[j] === '\n' || text[j] === '\r') {
        const rest = text.slice(j);
        if (rest === '\n' || rest === '\r\n') return { ok: true, fields };
        return { ok: false, problem: 'line break outside quotes: a value must hold one CSV line' };
      }
      i = j + 1;
    }
  }
}

/** Parses a whole CSV file with a header row into records keyed by column name. */
export function parseCsvFile(text: string, delimiter = ','): { header: string[]; rows: Record<string, string>[] } {
  const lines = splitCsvRecords(text.replace(/^\uFEFF/, ''));
  if (lines.length === 0) return { header: [], rows: [] };
  const head = parseCsvLine(lines[0], delimiter);
  if (!head.ok) throw new ConfigurationError(`CSV header: ${head.problem}`);
  const header = head.fields.map((h) => h.trim());
  const rows = lines.slice(1).map((line, i) => {
    const parsed = parseCsvLine(line, delimiter);
    if (!parsed.ok) throw new ConfigurationError(`CSV line ${i + 2}: ${parsed.problem}`);
    if (parsed.fields.length !== header.length) throw new ConfigurationError(`CSV line ${i + 2}: ${parsed.fields.length} columns, header has ${header.length}`);
    return Object.fromEntries(header.map((h, k) => [h, parsed.fields[k]]));
  });
  return { header, rows };
}

/** Splits file text into records, keeping line breaks that sit inside quotes; drops blank lines. */
function splitCsvRecords(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === '\n' && !inQuotes) {
      const line = text.slice(start, text[i - 1] === '\r' ? i - 1 : i);
      if (line.length > 0) out.push(line);
      start = i + 1;
    }
  }
  const last = text.slice(start).replace(/\r$/, '');
  if (last.length > 0) out.push(last);
  return out;
}
