/**
 * Athena (Trino) SQL → DuckDB SQL, in one place. The catalog's views and named queries
 * (model/catalog.ts) stay the source of truth and are written in the subset both engines run
 * unchanged: quoted identifiers, `INTERVAL '600' SECOND`, window functions, `nullif`, `date_trunc`.
 * This module rewrites what users reach for in their own queries so that the local query gives
 * Athena's answer, or fails with a message naming the function where DuckDB cannot give it:
 * never a silently different value. Every rule is checked against a real Trino in
 * test/local/trino/athena-engine.test.ts. String literals, quoted identifiers and comments are
 * never touched.
 *
 * | Athena | DuckDB difference | here |
 * |---|---|---|
 * | `date_diff(unit, a, b)`: whole units elapsed | counts boundaries crossed | `date_sub` (whole units) |
 * | `7 / 2` = 3 (integer division), `x / 0` fails | 3.5; NULL | `SET integer_division`; `athena_divide` refuses /0 |
 * | `7.5 / 2` = 3.8 (decimal at the larger scale) | 3.75 | `athena_divide` refuses decimal ÷ non-double |
 * | `x % 0` fails | NULL | `athena_modulo` refuses %0 |
 * | `json_extract_scalar`: NULL on objects, arrays, invalid JSON; numbers as written (1.50) | object text; error; 1.5 | `athena_json_extract_scalar`: NULLs; refuses non-integer numbers |
 * | `from_utf8(varbinary)`: U+FFFD for invalid bytes | `decode` fails | `athena_from_utf8`: decodes valid UTF-8, refuses invalid |
 * | `length(varbinary)`: bytes | no such function | `athena_length` |
 * | `date_format` (MySQL specifiers; `%D %U %u %V %w %X` unsupported, unknown letters literal) | strftime | specifiers mapped one by one; unsupported ones refused |
 */

/** Rewrites one call given its argument texts; `undefined` leaves the call as written. */
type CallRewrite = (args: string[]) => string | undefined;

/** Trino's date_format specifiers → DuckDB strftime (Trino formats with Joda, MySQL letters). */
const DATE_FORMAT_SPECIFIERS: Readonly<Record<string, string>> = {
  a: '%a', // Sun
  b: '%b', // Jan
  c: '%-m', // month, no padding
  d: '%d',
  e: '%-d',
  f: '%f', // microseconds, 6 digits
  H: '%H',
  h: '%I',
  I: '%I',
  i: '%M', // minutes
  j: '%j',
  k: '%-H',
  l: '%-I',
  M: '%B', // January
  m: '%m',
  p: '%p',
  r: '%I:%M:%S %p',
  S: '%S',
  s: '%S',
  T: '%H:%M:%S',
  v: '%V', // ISO week (Joda weekOfWeekyear)
  W: '%A', // Sunday
  x: '%G', // ISO week-based year (Joda weekyear)
  Y: '%Y',
  y: '%y',
  '%': '%%',
};
/** Specifiers Athena refuses ("%U not supported in date format string"); the local query refuses them too. */
const DATE_FORMAT_UNSUPPORTED = new Set(['D', 'U', 'u', 'V', 'w', 'X']);

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** `'…'` Trino format literal → DuckDB strftime literal, or the name of an unsupported specifier. */
export function dateFormatToStrftime(literal: string): { readonly format: string } | { readonly unsupported: string } {
  const text = literal.slice(1, -1).replace(/''/g, "'");
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const s = text[i + 1];
    i += 1;
    if (s === undefined) out += '%%';
    else if (DATE_FORMAT_UNSUPPORTED.has(s)) return { unsupported: `%${s}` };
    // any other character after % stands for itself in Trino (%E → E, %- → -)
    else out += DATE_FORMAT_SPECIFIERS[s] ?? (s === '%' ? '%%' : s);
  }
  return { format: sqlString(out) };
}

/** An expression that fails with `message` when evaluated (DuckDB's `error`). */
const refuse = (message: string): string => `error(${sqlString(message)})`;

const REWRITES: Readonly<Record<string, CallRewrite>> = {
  date_format: ([t, fmt]) => {
    if (!fmt || !/^'(?:[^']|'')*'$/.test(fmt.trim())) return undefined;
    const r = dateFormatToStrftime(fmt.trim());
    if ('unsupported' in r) return refuse(`date_format: ${r.unsupported} is not supported by Athena (Trino), so the local query refuses it too`);
    return `strftime(${t}, ${r.format})`;
  },
  from_iso8601_timestamp: ([s]) => `CAST(${s} AS TIMESTAMPTZ)`,
  from_unixtime: ([s]) => `to_timestamp(${s})`,
  to_unixtime: ([t]) => `epoch(${t})`,
  approx_distinct: (args) => `approx_count_distinct(${args.join(', ')})`,
  cardinality: ([a]) => `len(${a})`,
  regexp_like: ([s, p]) => `regexp_matches(${s}, ${p})`,
  json_extract_scalar: ([j, p]) => (j !== undefined && p !== undefined ? `athena_json_extract_scalar(${j}, ${p})` : undefined),
  // Trino counts whole units elapsed (10:00:59 → 10:01:00 is 0 minutes); DuckDB's date_sub does too, date_diff counts boundaries
  date_diff: (args) => (args.length === 3 ? `date_sub(${args.join(', ')})` : undefined),
  from_utf8: ([b]) => (b !== undefined ? `athena_from_utf8(${b})` : undefined),
  length: (args) => (args.length === 1 ? `athena_length(${args[0]})` : undefined),
  // date_add('minute', 5, t) → (t + (5) * INTERVAL 1 MINUTE)
  date_add: ([unit, n, t]) => {
    const u = /^'(\w+)'$/.exec(unit?.trim() ?? '')?.[1];
    return u && n !== undefined && t !== undefined ? `(${t.trim()} + (${n.trim()}) * INTERVAL 1 ${u.toUpperCase()})` : undefined;
  },
};

const DOUBLE_TYPES = `typeof(a) IN ('DOUBLE', 'FLOAT') OR typeof(b) IN ('DOUBLE', 'FLOAT')`;

/**
 * Macros the translated SQL calls, and the settings it assumes: run once per DuckDB connection
 * (LakeDb does). `integer_division` makes `/` on two integers Athena's truncating division.
 */
export const DUCKDB_ATHENA_SETUP: readonly string[] = [
  'SET integer_division = true',
  `CREATE OR REPLACE MACRO athena_divisor(a, b, op) AS CASE
     WHEN b = 0 AND (${DOUBLE_TYPES}) THEN ${refuse('division by zero: Athena returns Infinity or NaN for a double and DuckDB NULL, so the local query refuses')}
     WHEN b = 0 THEN ${refuse('Division by zero (Athena fails too)')}
     WHEN op = '/' AND (typeof(a) LIKE 'DECIMAL%' OR typeof(b) LIKE 'DECIMAL%') AND NOT (${DOUBLE_TYPES}) THEN ${refuse(
       'division of a decimal: Athena divides decimals at the larger scale of the two (7.5 / 2 = 3.8, 1 / 3.0 = 0.3) and DuckDB cannot; make one side a double, e.g. CAST(x AS double) / y',
     )}
     ELSE b END`,
  `CREATE OR REPLACE MACRO athena_divide(a, b) AS a / athena_divisor(a, b, '/')`,
  `CREATE OR REPLACE MACRO athena_modulo(a, b) AS a % athena_divisor(a, b, '%')`,
  `CREATE OR REPLACE MACRO athena_json_extract_scalar(j, p) AS CASE
     WHEN j IS NULL OR p IS NULL OR NOT json_valid(j) THEN NULL
     WHEN json_type(j, p) IN ('OBJECT', 'ARRAY') THEN NULL
     WHEN json_type(j, p) = 'DOUBLE' THEN ${refuse(
       'json_extract_scalar: the value is a JSON number with a fraction or an exponent; Athena returns it as written (1.50 stays 1.50) and DuckDB cannot; use CAST(json_extract(json, path) AS double) for its value',
     )}
     ELSE json_extract_string(j, p) END`,
  `CREATE OR REPLACE MACRO athena_from_utf8(b) AS CASE
     WHEN b IS NULL THEN NULL
     ELSE coalesce(try(decode(b)), ${refuse('from_utf8: the bytes are not valid UTF-8; Athena replaces each invalid sequence with U+FFFD and DuckDB cannot; look at them with to_hex(...)')})
     END`,
  `CREATE OR REPLACE MACRO athena_length(x) AS CASE
     WHEN x IS NULL THEN NULL
     WHEN typeof(x) = 'BLOB' THEN octet_length(CAST(x AS BLOB))
     WHEN typeof(x) = 'VARCHAR' THEN length(CAST(x AS VARCHAR))
     ELSE ${refuse("length: Athena's length takes a varchar or a varbinary")} END`,
];

interface Token {
  /** Text of the token: a quoted string or identifier, a comment, a word, or one other character. */
  readonly text: string;
  readonly kind: 'quoted' | 'comment' | 'word' | 'space' | 'other';
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
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const j = end === -1 ? sql.length : end;
      out.push({ text: sql.slice(i, j), kind: 'comment' });
      i = j;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const j = end === -1 ? sql.length : end + 2;
      out.push({ text: sql.slice(i, j), kind: 'comment' });
      i = j;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(sql.slice(i))![0];
      out.push({ text: m, kind: 'word' });
      i += m.length;
    } else {
      out.push({ text: c, kind: /\s/.test(c) ? 'space' : 'other' });
      i += 1;
    }
  }
  return out;
}

/** A translated token, or a call or parenthesized group translated as one operand. */
interface Piece {
  readonly text: string;
  readonly kind: Token['kind'] | 'term';
}

/** Words that end an operand: clauses, logical and comparison keywords, CASE's parts. */
const BOUNDARY_WORDS = new Set(
  (
    'select from where and or not on as by having when then else case end in is like ilike between join union all distinct limit offset order group with ' +
    'using intersect except asc desc nulls values rows range preceding following escape left right inner outer cross full natural lateral unnest tablesample ' +
    'window partition returning set into'
  ).split(' '),
);

const isWord = (p: Piece | undefined, w: string) => p?.kind === 'word' && p.text.toLowerCase() === w;

/** A piece that can be part of an operand of `*`, `/`, `%`. */
function operandPart(p: Piece): boolean {
  if (p.kind === 'quoted' || p.kind === 'term') return true;
  if (p.kind === 'word') return !BOUNDARY_WORDS.has(p.text.toLowerCase());
  return p.kind === 'other' && /^[0-9.:[\]]$/.test(p.text);
}

/** Index of the CASE matching the END at `end`, scanning backwards. */
function caseOf(pieces: readonly Piece[], end: number): number | undefined {
  let depth = 0;
  for (let j = end; j >= 0; j--) {
    if (isWord(pieces[j], 'end')) depth += 1;
    else if (isWord(pieces[j], 'case') && --depth === 0) return j;
  }
  return undefined;
}

/** Index of the END matching the CASE at `start`, scanning forwards. */
function endOf(pieces: readonly Piece[], start: number): number | undefined {
  let depth = 0;
  for (let j = start; j < pieces.length; j++) {
    if (isWord(pieces[j], 'case')) depth += 1;
    else if (isWord(pieces[j], 'end') && --depth === 0) return j;
  }
  return undefined;
}

/** First piece of the left operand of the operator at `op` (a multiplicative chain: `*`, `/`, `%` are left-associative). */
function leftOperandStart(pieces: readonly Piece[], op: number): number | undefined {
  let start: number | undefined;
  let j = op - 1;
  while (j >= 0) {
    const p = pieces[j];
    if (p.kind === 'space' || p.kind === 'comment') j -= 1;
    else if (isWord(p, 'end')) {
      const c = caseOf(pieces, j);
      if (c === undefined) return undefined;
      start = c;
      j = c - 1;
    } else if (operandPart(p) || (p.kind === 'other' && (p.text === '*' || p.text === '/' || p.text === '%') && start !== undefined)) {
      start = j;
      j -= 1;
    } else break;
  }
  return start;
}

const LITERAL_PREFIXES = new Set(['date', 'time', 'timestamp', 'interval', 'decimal', 'real', 'double']);

/** Last piece of the right operand of the operator at `op`: one (signed) primary with its contiguous parts. */
function rightOperandEnd(pieces: readonly Piece[], op: number): number | undefined {
  let j = op + 1;
  const skip = () => {
    while (pieces[j] && (pieces[j].kind === 'space' || pieces[j].kind === 'comment')) j += 1;
  };
  skip();
  while (pieces[j]?.kind === 'other' && (pieces[j].text === '-' || pieces[j].text === '+')) {
    j += 1;
    skip();
  }
  const first = pieces[j];
  if (!first) return undefined;
  if (isWord(first, 'case')) return endOf(pieces, j);
  if (!operandPart(first)) return undefined;
  let end = j;
  // a typed literal: DATE '…', INTERVAL '1' DAY
  if (first.kind === 'word' && LITERAL_PREFIXES.has(first.text.toLowerCase())) {
    let k = j + 1;
    while (pieces[k]?.kind === 'space') k += 1;
    if (pieces[k]?.kind === 'quoted') {
      end = k;
      if (isWord(first, 'interval')) {
        let u = k + 1;
        while (pieces[u]?.kind === 'space') u += 1;
        if (pieces[u]?.kind === 'word' && !BOUNDARY_WORDS.has(pieces[u].text.toLowerCase())) end = u;
      }
    }
  }
  // contiguous parts: 1.5e3, "t"."c", x::double, f(x)[1]
  while (pieces[end + 1] && operandPart(pieces[end + 1])) end += 1;
  // a window or filter clause of an aggregate: sum(x) OVER (…)
  let k = end + 1;
  while (pieces[k]?.kind === 'space') k += 1;
  if (pieces[k]?.kind === 'term' && /^(over|filter)\b/i.test(pieces[k].text)) end = k;
  return end;
}

/** Rewrites `a / b` and `a % b` at one level into the macros that give Athena's answer or refuse. */
function rewriteOperators(pieces: Piece[]): Piece[] {
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i];
    if (p.kind !== 'other' || (p.text !== '/' && p.text !== '%')) continue;
    const l = leftOperandStart(pieces, i);
    const r = rightOperandEnd(pieces, i);
    if (l === undefined || r === undefined) continue;
    const text = (from: number, to: number) =>
      pieces
        .slice(from, to)
        .map((x) => x.text)
        .join('')
        .trim();
    const fn = p.text === '/' ? 'athena_divide' : 'athena_modulo';
    pieces.splice(l, r + 1 - l, { kind: 'term', text: `${fn}(${text(l, i)}, ${text(i + 1, r + 1)})` });
    i = l;
  }
  return pieces;
}

/** Translates from token `start` until an unmatched `)` (or the end); returns the text and the index of that `)`. */
function translateFrom(tokens: readonly Token[], start: number, stopAtClose: boolean): { text: string; next: number } {
  const pieces: Piece[] = [];
  let i = start;
  while (i < tokens.length) {
    const t = tokens[i];
    if (stopAtClose && t.kind === 'other' && t.text === ')') break;
    if (t.kind === 'other' && t.text === '(') {
      const inner = translateFrom(tokens, i + 1, true);
      i = inner.next + 1;
      // a call: the word before the group (spaces allowed) that is not a keyword
      let w = pieces.length - 1;
      while (w >= 0 && pieces[w].kind === 'space') w -= 1;
      const word = pieces[w];
      if (word?.kind === 'word' && (!BOUNDARY_WORDS.has(word.text.toLowerCase()) || /^(over|filter)$/i.test(word.text))) {
        const rewrite = REWRITES[word.text.toLowerCase()];
        const replaced = rewrite?.(splitArgs(inner.text));
        const text =
          replaced ??
          `${pieces
            .slice(w)
            .map((x) => x.text)
            .join('')}(${inner.text})`;
        pieces.splice(w, pieces.length - w, { kind: 'term', text });
      } else pieces.push({ kind: 'term', text: `(${inner.text})` });
      continue;
    }
    pieces.push(t);
    i += 1;
  }
  return {
    text: rewriteOperators(pieces)
      .map((p) => p.text)
      .join(''),
    next: i,
  };
}

/** Splits a call's argument text at top-level commas. */
function splitArgs(text: string): string[] {
  if (text.trim() === '') return [];
  const args: string[] = [];
  let depth = 0;
  let current = '';
  for (const t of tokenize(text)) {
    if (t.kind === 'other' && (t.text === '(' || t.text === '[')) depth += 1;
    if (t.kind === 'other' && (t.text === ')' || t.text === ']')) depth -= 1;
    if (t.kind === 'other' && t.text === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += t.text;
  }
  args.push(current.trim());
  return args;
}

/** Trino's varbinary literal `X'c3a9'` is DuckDB's `from_hex('c3a9')`. */
function binaryLiterals(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    const previous = out[out.length - 1];
    if (t.kind === 'word' && /^x$/i.test(t.text) && next?.kind === 'quoted' && next.text.startsWith("'") && !(previous?.kind === 'other' && previous.text === '.')) {
      out.push({ kind: 'word', text: 'from_hex' }, { kind: 'other', text: '(' }, { kind: 'quoted', text: next.text.replace(/\s+/g, '') }, { kind: 'other', text: ')' });
      i += 1;
    } else out.push(t);
  }
  return out;
}

export function athenaToDuckDb(sql: string): string {
  return translateFrom(binaryLiterals(tokenize(sql)), 0, false).text;
}
