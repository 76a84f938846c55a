import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_KEYS } from '../../lib/config';
import { CONFIG_TABLE_COMMAND, CONFIG_TABLE_END, CONFIG_TABLE_START, configTable, readmeConfigTable, withConfigTable } from '../../lib/config-docs';

const README = join(__dirname, '..', '..', 'README.md');

describe('configTable', () => {
  it('is the table README.md shows', () => {
    const shown = readmeConfigTable(readFileSync(README, 'utf8'));
    // a plain string comparison would say what differs but not what to do about it
    const verdict =
      shown === undefined
        ? `README.md lacks the ${CONFIG_TABLE_START} / ${CONFIG_TABLE_END} markers`
        : shown === configTable()
          ? 'up to date'
          : `README.md's configuration table differs from lib/config.ts: run ${CONFIG_TABLE_COMMAND}`;
    expect(verdict).toBe('up to date');
  });

  it('has a header and one row per key, with default, allowed values and meaning', () => {
    const lines = configTable().split('\n');
    expect(lines).toHaveLength(2 + CONFIG_KEYS.length);
    expect(lines[0]).toBe('| key | default | allowed | meaning |');
    expect(lines).toContain('| `streamlake:batchSize` | `1000` | 1–10000 | event source mapping batch size |');
    // `|` inside a cell is escaped, mode keys say their mode
    expect(lines).toContain('| `streamlake:kafkaVersion` | `3.8.x` | `3.6.0` \\| `3.7.x` \\| `3.8.x` \\| `3.9.x` | provisioned: Kafka version |');
    expect(lines).toContain('| `streamlake:alarmEmail` | — | an e-mail address | e-mail subscribed to the alarm topic |');
  });

  it('replaces only what is between the markers, and is idempotent', () => {
    const readme = `# x\n\nbefore\n${CONFIG_TABLE_START}\n| old |\n${CONFIG_TABLE_END}\nafter\n`;
    const updated = withConfigTable(readme, '| new |');
    expect(updated).toBe(`# x\n\nbefore\n${CONFIG_TABLE_START}\n| new |\n${CONFIG_TABLE_END}\nafter\n`);
    expect(withConfigTable(updated, '| new |')).toBe(updated);
    expect(readmeConfigTable(updated)).toBe('| new |');
    expect(() => withConfigTable('# no markers\n')).toThrow(/no <!-- config-table:start -->/);
  });
});
