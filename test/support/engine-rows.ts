/**
 * Comparing answers of Athena's engine (the local Trino) and the local Athena (DuckDB): values in
 * one canonical form, doubles within 1e-9 relative, rows in order or as multisets.
 */
import type { LakeDb } from '../../local/query/lake-db';
import type { TrinoResult } from '../../local/trino/client';

/** One value in a form both engines' results compare in: integers whatever their width, doubles to 12 significant digits. */
export function canonical(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : Number.isFinite(v) ? `~${Number(v.toPrecision(12))}` : String(v);
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString('hex')}`;
  return JSON.stringify(v);
}

/** Doubles may differ in their last bits (summation order): equal within 1e-9 relative. */
export function sameValue(a: unknown, b: unknown): boolean {
  // a Trino date is its text, a DuckDB DATE a Date at midnight UTC
  if (typeof a === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(a) && b instanceof Date) return b.toISOString() === `${a}T00:00:00.000Z`;
  // either side may be the one whose sum happens to land on an integer
  if (typeof a === 'number' && typeof b === 'number' && (!Number.isInteger(a) || !Number.isInteger(b))) return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return canonical(a) === canonical(b);
}

/** Runs `fn` over `items`, `concurrency` at a time (Trino answers several queries at once). */
export async function inParallel<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return out;
}

export interface Rows {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
}
export const fromTrino = (r: TrinoResult): Rows => ({ columns: r.columns.map((c) => c.name), rows: r.rows });
export async function fromDuck(db: LakeDb, sql: string): Promise<Rows> {
  const objects = await db.query(sql);
  return { columns: objects.length ? Object.keys(objects[0]) : [], rows: objects.map((o) => Object.values(o)) };
}

/** Rows equal in order (or as multisets when `ordered` is false); the message names the query and the first difference. */
export function expectSameRows(what: string, trinoRows: Rows, duckRows: Rows, ordered: boolean, compareNames = true): void {
  const sort = (rows: readonly (readonly unknown[])[]) => (ordered ? [...rows] : [...rows].sort((a, b) => (a.map(canonical).join('|') < b.map(canonical).join('|') ? -1 : 1)));
  const t = sort(trinoRows.rows);
  const d = sort(duckRows.rows);
  if (compareNames && duckRows.rows.length) expect({ what, columns: trinoRows.columns }).toEqual({ what, columns: duckRows.columns });
  expect({ what, rows: t.length }).toEqual({ what, rows: d.length });
  for (let i = 0; i < t.length; i++) {
    const same = t[i].length === d[i].length && t[i].every((v, j) => sameValue(v, d[i][j]));
    if (!same) expect({ what, row: i, trino: t[i].map(canonical) }).toEqual({ what, row: i, trino: d[i].map(canonical) });
  }
}
