/**
 * Athena (Trino) SQL → DuckDB SQL. The catalog's SQL is written in the common subset (quoted
 * identifiers, `INTERVAL '600' SECOND`, window functions, `nullif`), which DuckDB runs as is;
 * this one place translates the Athena-only functions users reach for in their own queries.
 */
const FUNCTION_RENAMES: readonly [RegExp, string][] = [
  [/\bdate_format\s*\(/gi, 'strftime('],
  [/\bfrom_iso8601_timestamp\s*\(/gi, 'CAST('],
  [/\bapprox_distinct\s*\(/gi, 'approx_count_distinct('],
  [/\bcardinality\s*\(/gi, 'len('],
];

export function athenaToDuckDb(sql: string): string {
  let out = sql;
  for (const [pattern, replacement] of FUNCTION_RENAMES) out = out.replace(pattern, replacement);
  // Trino's date_format uses MySQL-style %i for minutes, DuckDB's strftime uses %M
  out = out.replace(/strftime\(([^,]+),\s*'([^']*)'\)/g, (_m, expr: string, fmt: string) => `strftime(${expr}, '${fmt.replace(/%i/g, '%M').replace(/%s/g, '%S')}')`);
  return out;
}
