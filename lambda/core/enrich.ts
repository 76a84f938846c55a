/**
 * Enrichment: reference lookups (stream-static joins) and derived fields. Compiled once per
 * spec; each step reads earlier values of the row and returns the new field's value. Pure.
 */
import { parseCsvFile } from './csv';
import type { DerivedFunction, Enrichment, PipelineSpec, ReferenceSpec } from '../../model/spec';
import type { FieldValue } from './fields';
import { ConfigurationError, InternalError } from '../../model/errors';

/** A loaded reference data set: normalized key → row. */
export type ReferenceTable = ReadonlyMap<string, Readonly<Record<string, string>>>;

export const normalizeLookupKey = (key: string): string => key.trim().toLowerCase();

/** Parses a reference CSV (with header) into a lookup table; malformed reference data throws at cold start. */
export function loadReferenceTable(ref: ReferenceSpec, csvText: string): ReferenceTable {
  const { header, rows } = parseCsvFile(csvText);
  for (const c of ref.columns) {
    if (!header.includes(c)) throw new ConfigurationError(`reference '${ref.name}' (${ref.file}): column '${c}' missing from header [${header.join(', ')}]`);
  }
  const table = new Map<string, Record<string, string>>();
  for (const row of rows) table.set(normalizeLookupKey(row[ref.keyColumn]), row);
  return table;
}

/** The domain of a URL: host name, lower case, without scheme, port, path or a leading `www.`. */
export function urlDomain(url: string): string | null {
  let s = url.trim();
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(s);
  if (scheme) s = s.slice(scheme[0].length);
  const end = s.search(/[/?#]/);
  if (end !== -1) s = s.slice(0, end);
  const at = s.lastIndexOf('@');
  if (at !== -1) s = s.slice(at + 1);
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    s = close === -1 ? s : s.slice(0, close + 1);
  } else {
    const colon = s.indexOf(':');
    if (colon !== -1) s = s.slice(0, colon);
  }
  s = s.toLowerCase();
  if (s.startsWith('www.')) s = s.slice(4);
  return s.length > 0 ? s : null;
}

const DERIVED: Record<DerivedFunction, (s: string) => string | null> = {
  'url-domain': urlDomain,
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
};

/** One compiled enrichment: reads the `from` value, returns the output value. */
export type EnrichStep = (from: FieldValue) => FieldValue;

export function compileEnrichment(e: Enrichment, references: ReadonlyMap<string, ReferenceTable>): EnrichStep {
  if (e.kind === 'lookup') {
    const table = references.get(e.reference);
    if (!table) throw new InternalError(`enrichment '${e.name}': reference data '${e.reference}' was not loaded`);
    const column = e.valueColumn;
    const fallback = e.default;
    // memoize per distinct key: lookups repeat heavily (few countries, many events)
    const cache = new Map<FieldValue, FieldValue>();
    return (from) => {
      const hit = cache.get(from);
      if (hit !== undefined) return hit;
      const row = from === null ? undefined : table.get(normalizeLookupKey(String(from)));
      const value = row?.[column] ?? fallback;
      if (cache.size < 100_000) cache.set(from, value);
      return value;
    };
  }
  const fn = DERIVED[e.fn];
  const cache = new Map<FieldValue, FieldValue>();
  return (from) => {
    if (from === null) return null;
    const hit = cache.get(from);
    if (hit !== undefined) return hit;
    const value = fn(String(from));
    if (cache.size < 100_000) cache.set(from, value);
    return value;
  };
}

export function referencesOf(spec: PipelineSpec): readonly ReferenceSpec[] {
  return spec.references ?? [];
}
