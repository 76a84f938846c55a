/**
 * The README's configuration table, generated from lib/config.ts (CONFIG_OPTIONS).
 *
 *   npx tsx scripts/config-table.ts           print the table
 *   npx tsx scripts/config-table.ts --write   replace it in README.md, between the config-table markers
 *   npx tsx scripts/config-table.ts --check   exit 1 when README.md's table differs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_TABLE_COMMAND, configTable, readmeConfigTable, withConfigTable } from '../lib/config-docs';

const README = join(__dirname, '..', 'README.md');
const mode = process.argv[2];
const table = configTable();

if (mode === undefined) {
  console.log(table);
} else if (mode === '--write') {
  const readme = readFileSync(README, 'utf8');
  const updated = withConfigTable(readme, table);
  if (updated !== readme) writeFileSync(README, updated);
  console.log(updated === readme ? 'README.md: configuration table already up to date' : 'README.md: configuration table updated');
} else if (mode === '--check') {
  if (readmeConfigTable(readFileSync(README, 'utf8')) !== table) {
    console.error(`README.md: the configuration table differs from lib/config.ts: run ${CONFIG_TABLE_COMMAND}`);
    process.exit(1);
  }
} else {
  console.error('usage: npx tsx scripts/config-table.ts [--write | --check]');
  process.exit(2);
}
