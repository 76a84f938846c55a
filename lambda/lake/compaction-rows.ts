/**
 * The rows of a rewrite (pure): concatenated from the input files, sorted, and for window partials
 * merged so that each (window, keys) becomes one row.
 *
 * Merging does what the window view (model/catalog.ts `icebergViews`) does at read time, so the
 * view reads the same results before and after: counts and sums are summed, min of mins, max of
 * maxes, an avg's `_sum` and `_count` summed (SQL semantics: nulls ignored, null when all are
 * null). `max_event_time` is the max of the merged rows, so the view's watermark (max of
 * `max_event_time` − allowed lateness), hence every window's `is_final`, is unchanged;
 * `written_at` is the latest write. The batch columns keep what still holds: when every merged
 * partial came from one topic-partition, that partition with the first and last offset they span;
 * otherwise (a window fed by several partitions) the topic (or the topics, comma-separated) and
 * -1 for the partition and the offsets, which no longer name one batch.
 */
import type { ColumnValues } from '../core/parquet';
import { compareUtf8 } from '../core/parquet-bytes';
import { ConfigurationError, InternalError } from '../../model/errors';
import type { IcebergTableDef } from '../../model/lake-tables';
import type { PipelineSpec, WindowSpec } from '../../model/spec';
import { aggregateStateColumns, type TableSchema } from '../../model/tables';
import { sortColumnsOf } from './compaction';

export interface Rows {
  /** One array per column, in the table schema's order. */
  readonly columns: readonly ColumnValues[];
  readonly rows: number;
}

/** The rows of several files as one set (same columns). */
export function concatRows(parts: readonly Rows[], width: number): Rows {
  const columns: ColumnValues[] = Array.from({ length: width }, () => []);
  for (const p of parts) {
    if (p.columns.length !== width) throw new InternalError(`compaction: rows of ${p.columns.length} columns for a table of ${width}`);
    for (let c = 0; c < width; c++) for (const v of p.columns[c]) columns[c].push(v);
  }
  return { columns, rows: parts.reduce((n, p) => n + p.rows, 0) };
}

/** Nulls first; numbers by value; strings by UTF-8 bytes; false < true; bytes unsigned lexicographically. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  throw new InternalError(`compaction: cannot order ${typeof a} and ${typeof b}`);
}

/** The rows reordered by the columns `by` (indexes), ascending (nulls first) or descending (nulls last); ties keep their order. */
export function sortRows(r: Rows, by: readonly number[], direction: 'asc' | 'desc' = 'asc'): Rows {
  const sign = direction === 'desc' ? -1 : 1;
  const order = Array.from({ length: r.rows }, (_, i) => i);
  order.sort((x, y) => {
    for (const c of by) {
      const d = compareValues(r.columns[c][x], r.columns[c][y]);
      if (d !== 0) return sign * d;
    }
    return x - y;
  });
  return { columns: r.columns.map((col) => order.map((i) => col[i])), rows: r.rows };
}

/**
 * The rows in the order a rewrite writes them: by the table's sort columns (./compaction.ts
 * `sortColumnsOf`), newest first. Each row group then covers a narrow time range (its min/max let
 * readers skip the rest), and the first one holds the latest rows: a "latest N" query (ORDER BY
 * time DESC LIMIT N) finds its rows in it, and an engine that turns the top N into a scan filter
 * (DuckDB, when the ORDER BY is on the column itself) skips every other row group.
 */
export function sortForRewrite(def: IcebergTableDef, names: readonly string[], rows: Rows): Rows {
  const by = sortColumnsOf(def)
    .map((c) => names.indexOf(c))
    .filter((i) => i >= 0);
  return sortRows(rows, by, 'desc');
}

/** `parts` consecutive slices of about equal row counts (fewer when there are fewer rows). */
export function splitRows(r: Rows, parts: number): Rows[] {
  const n = Math.max(1, Math.min(parts, r.rows));
  const out: Rows[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * r.rows) / n);
    const to = Math.floor(((i + 1) * r.rows) / n);
    out.push({ columns: r.columns.map((c) => c.slice(from, to)), rows: to - from });
  }
  return out;
}

/** How a partials column merges. */
export type MergeRole = 'key' | 'sum' | 'min' | 'max' | 'topic' | 'partition' | 'first-offset' | 'last-offset';

const BATCH_ROLES: Readonly<Record<string, MergeRole>> = {
  kafka_topic: 'topic',
  kafka_partition: 'partition',
  first_offset: 'first-offset',
  last_offset: 'last-offset',
  max_event_time: 'max',
  written_at: 'max',
};

/** The merge role of each column of a partials table; a ConfigurationError names any column the window spec does not explain. */
export function partialsRoles(spec: PipelineSpec, w: WindowSpec, table: TableSchema): MergeRole[] {
  const roles = new Map<string, MergeRole>([
    ['window_start', 'key'],
    ['window_end', 'key'],
  ]);
  for (const k of w.groupBy) roles.set(k, 'key');
  for (const a of w.aggregates) {
    const role: MergeRole = a.fn === 'min' ? 'min' : a.fn === 'max' ? 'max' : 'sum';
    for (const c of aggregateStateColumns(spec, a)) roles.set(c.name, role);
  }
  for (const [name, role] of Object.entries(BATCH_ROLES)) roles.set(name, role);
  const unknown = table.columns.filter((c) => !roles.has(c.name)).map((c) => c.name);
  if (unknown.length > 0) {
    throw new ConfigurationError(
      `compaction: window '${w.name}' of pipeline '${spec.name}' does not say how to merge the partials column(s) ${unknown.join(', ')} (an aggregate removed from the spec?)`,
    );
  }
  return table.columns.map((c) => roles.get(c.name)!);
}

const keyPart = (v: unknown): string =>
  v === null || v === undefined ? '\u0002' : v instanceof Uint8Array ? `b:${Buffer.from(v).toString('base64')}` : `${typeof v}:${String(v)}`;

/** Rows with equal key columns merged into one (see the module comment), in the order their keys first appear. */
export function mergePartials(r: Rows, roles: readonly MergeRole[]): Rows {
  const keyColumns = roles.flatMap((role, c) => (role === 'key' ? [c] : []));
  const groups = new Map<string, number[]>();
  for (let i = 0; i < r.rows; i++) {
    let id = '';
    for (const c of keyColumns) id += `${keyPart(r.columns[c][i])}\u0001`;
    const g = groups.get(id);
    if (g) g.push(i);
    else groups.set(id, [i]);
  }
  const columns: ColumnValues[] = roles.map(() => []);
  const col = (role: MergeRole) => roles.indexOf(role);
  const [topic, partition] = [col('topic'), col('partition')];
  for (const members of groups.values()) {
    const topics = topic < 0 ? [] : [...new Set(members.map((i) => r.columns[topic][i] as string))].sort(compareUtf8);
    const sources = new Set(members.map((i) => `${topic < 0 ? '' : String(r.columns[topic][i])}\u0001${partition < 0 ? '' : String(r.columns[partition][i])}`));
    const oneSource = sources.size === 1;
    roles.forEach((role, c) => {
      const values = members.map((i) => r.columns[c][i]);
      const present = values.filter((v) => v !== null && v !== undefined) as number[];
      let merged: unknown;
      switch (role) {
        case 'key':
          merged = values[0];
          break;
        case 'sum':
          merged = present.length === 0 ? null : present.reduce((s, v) => s + v, 0);
          break;
        case 'min':
          merged = present.length === 0 ? null : present.reduce((m, v) => (v < m ? v : m));
          break;
        case 'max':
          merged = present.length === 0 ? null : present.reduce((m, v) => (v > m ? v : m));
          break;
        case 'topic':
          merged = topics.join(',');
          break;
        case 'partition':
          merged = oneSource ? values[0] : -1;
          break;
        case 'first-offset':
          merged = oneSource ? Math.min(...present) : -1;
          break;
        case 'last-offset':
          merged = oneSource ? Math.max(...present) : -1;
          break;
      }
      columns[c].push(merged);
    });
  }
  return { columns, rows: groups.size };
}
