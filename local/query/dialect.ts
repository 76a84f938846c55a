/**
 * Athena (Trino) SQL → DuckDB SQL, in one place. The catalog's views and named queries
 * (model/catalog.ts) stay the source of truth and are written in the subset both engines
 * run unchanged: quoted identifiers, `INTERVAL '600' SECOND`, window functions, `nullif`,
 * `date_trunc`, `date_diff('unit', a, b)`. This module rewrites the Athena-only functions users
 * reach for in their own queries; string literals and quoted identifiers are never touched.
 */

/** Rewrites one call given its argument texts; `undefined` leaves the call as written. */
type CallRewrite = (args: string[]) => string | undefined;

/** Trino's date_format specifiers (MySQL's) that differ from DuckDB's strftime; the others are the same. */
const MYSQL_TO_STRFTIME: Readonly<Record<string, string>> = {
  i: '%M', // minutes
  s: '%S', // seconds
  M: '%B', // month name
  W: '%A', // weekday name
  T: '%H:%M:%S',
  r: '%I:%M:%S %p',
  h: '%I',
  e: '%-d',
  c: '%-m',
  k: '%-H',
  l: '%-I',
};

function mysqlToStrftime(format: string): string {
  return format.replace(/%([a-zA-Z%])/g, (m, c: string) => MYSQL_TO_STRFTIME[c] ?? m);
}

const REWRITES: Readonly<Record<string, CallRewrite>> = {
  date_format: ([t, fmt]) => (fmt && /^'[^']*'$/.test(fmt.trim()) ? `strftime(${t}, ${mysqlToStrftime(fmt.trim())})` : undefined),
  from_iso8601_timestamp: ([s]) => `CAST(${s} AS TIMESTAMPTZ)`,
  from_unixtime: ([s]) => `to_timestamp(${s})`,
  to_unixtime: ([t]) => `epoch(${t})`,
  approx_distinct: (args) => `approx_count_distinct(${args.join(', ')})`,
  cardinality: ([a]) => `len(${a})`,
  regexp_like: ([s, p]) => `regexp_matches(${s}, ${p})`,
  json_extract_scalar: ([j, p]) => `json_extract_string(${j}, ${p})`,
  // date_add('minute', 5, t) → (t + (5) * INTERVAL 1 MINUTE)
  date_add: ([unit, n, t]) => {
    const u = /^'(\w+)'$/.exec(unit?.trim() ?? '')?.[1];
    return u && n !== undefined && t !== undefined ? `(${t.trim()} + (${n.trim()}) * INTERVAL 1 ${u.toUpperCase()})` : undefined;
  },
};

interface Token {
  /** Text of the token: a quoted string or identifier, a word, or one other character. */
  readonly text: string;
  readonly kind: 'quoted' | 'word' | 'other';
}

function tokenize(sql: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      // a quoted literal or identifier; a doubled quote is an escaped quote
      let j = i + 1;
      for (;;) {
        if (j >= sql.length) break;
        if (sql[j] === c) {
          if (sql[j + 1] === c) j += 2;
          else break;
        } else j += 1;
      }
      out.push({ text: sql.slice(i, j + 1), kind: 'quoted' });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      out.push({ text: m, kind: 'word' });
      i += m.length;
    } else {
      out.push({ text: c, kind: 'other' });
      i += 1;
    }
  }
  return out;
}

/** Translates from token `start` until an unmatched `)` (or the end); returns the text and the index after it. */
function translateFrom(tokens: Token[], start: number, stopAtClose: boolean): { text: string; next: number } {
  let out = '';
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i];
    if (stopAtClose && t.text === ')' && t.kind === 'other') return { text: out, next: i };
    if (t.kind === 'other' && t.text === '(') {
      const inner = translateFrom(tokens, i + 1, true);
      out += `(${inner.text})`;
      i = inner.next + 1;
      continue;
    }
    const rewrite = t.kind === 'word' ? REWRITES[t.text.toLowerCase()] : undefined;
    let j = i + 1;
    while (rewrite && j < tokens.length && /^\s$/.test(tokens[j].text)) j += 1;
    if (rewrite && tokens[j]?.text === '(' && tokens[j].kind === 'other') {
      const inner = translateFrom(tokens, j + 1, true);
      const replaced = rewrite(splitArgs(inner.text));
      out += replaced ?? `${t.text}(${inner.text})`;
      i = inner.next + 1;
      continue;
    }
    out += t.text;
    i += 1;
  }
  return { text: out, next: i };
}

/** Splits a call's argument text at top-level commas. */
function splitArgs(text: string): string[] {
  if (text.trim() === '') return [];
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const t of tokenize(text)) {
    if (t.kind === 'other' && t.text === '(') depth += 1;
    if (t.kind === 'other' && t.text === ')') depth -= 1;
    if (t.kind === 'other' && t.text === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += t.text;
  }
  args.push(current.trim());
  return args;
}

export function athenaToDuckDb(sql: string): string {
  return translateFrom(tokenize(sql), 0, false).text;
}
