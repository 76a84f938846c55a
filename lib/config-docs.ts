/**
 * The README's configuration table, generated from `CONFIG_OPTIONS` so the docs cannot drift
 * from the parser: `npx tsx scripts/config-table.ts --write` puts it between the markers.
 */
import { CONFIG_KEYS, CONFIG_OPTIONS, type ConfigOption } from './config';
import { ConfigurationError } from '../model/errors';

export const CONFIG_TABLE_START = '<!-- config-table:start -->';
export const CONFIG_TABLE_END = '<!-- config-table:end -->';
/** What to run when the README's table is out of date. */
export const CONFIG_TABLE_COMMAND = 'npx tsx scripts/config-table.ts --write';

/** One markdown row per context key, under a header row. */
export function configTable(): string {
  const rows = CONFIG_KEYS.map((key) => {
    const o: ConfigOption<unknown> = CONFIG_OPTIONS[key];
    return row([`\`streamlake:${key}\``, o.docDefault ?? shownDefault(o.default), o.allowed, o.kafkaMode ? `${o.kafkaMode}: ${o.doc}` : o.doc]);
  });
  return [row(['key', 'default', 'allowed', 'meaning']), '|---|---|---|---|', ...rows].join('\n');
}

/** The table between the markers of a README, or undefined when a marker is missing. */
export function readmeConfigTable(readme: string): string | undefined {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme.slice(start + CONFIG_TABLE_START.length, end).trim();
}

/** The README with the table between its markers replaced by `table`. */
export function withConfigTable(readme: string, table: string = configTable()): string {
  const start = readme.indexOf(CONFIG_TABLE_START);
  const end = readme.indexOf(CONFIG_TABLE_END);
  if (start < 0 || end < start) throw new ConfigurationError(`README.md has no ${CONFIG_TABLE_START} … ${CONFIG_TABLE_END} markers around the configuration table`);
  return `${readme.slice(0, start + CONFIG_TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}

// a `|` inside a cell, even in a code span, must be escaped in a GFM table
const row = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

function shownDefault(value: unknown): string {
  if (value === '') return '—';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}
