/** The CLI as a user meets it: the demo end to end, one-line errors for bad arguments. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../local/runtime';

jest.setTimeout(240_000);

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(REPO_ROOT, 'local', 'cli', 'main.ts'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 200_000,
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr
      .split('\n')
      .filter((l) => l.trim() && !/NodeVersionSupportWarning|AWS SDK|node >=22|a\.co|continue receiving|trace-warnings|security updates|versions published|^$/.test(l)),
  };
}

describe('streamlake CLI', () => {
  it('demo: starts a broker, processes sample traffic, prints the reference results and stops', () => {
    const lake = mkdtempSync(join(tmpdir(), 'streamlake-demo-'));
    try {
      const r = cli(['demo', '--count', '3000', '--lake', lake]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('The latest 10 clickstream events');
      expect(r.stdout).toContain('Page views per URL per minute');
      expect(r.stdout).toContain('Sales and orders per region per 10-minute window');
      expect(r.stdout).toMatch(/clickstream\s+\d+\s+\d+\s+3000/);
      const [, events, quarantined] = /clickstream\s+(\d+)\s+(\d+)\s+3000/.exec(r.stdout)!;
      expect(Number(events) + Number(quarantined)).toBe(3000);
      expect(r.stdout).toContain(`Iceberg tables: ${lake}/iceberg/<table>`);
      expect(existsSync(join(lake, 'catalog', 'catalog.db'))).toBe(true);
      expect(r.stdout).toMatch(/Summary topic sales.summary: \d+ window totals merged from the per-batch updates — equal to the lake view/);
      expect(r.stdout).toContain('done');
      // the same named query on the demo's lake: DuckDB (the quick local Athena) and Trino (Athena's engine) print the same table
      const duck = cli(['query', '--named', 'sales-top-countries', '--lake', lake]);
      const trino = cli(['query', '--engine', 'trino', '--named', 'sales-top-countries', '--lake', lake]);
      expect(duck.code).toBe(0);
      expect(trino.code).toBe(0);
      expect(duck.stdout).toMatch(/country\s+sales\s+orders/);
      expect(trino.stdout).toBe(duck.stdout);
    } finally {
      rmSync(lake, { recursive: true, force: true });
    }
  });

  it('demo --avro: sales values as Avro in both wire formats, every record accounted for', () => {
    const lake = mkdtempSync(join(tmpdir(), 'streamlake-demo-avro-'));
    try {
      const r = cli(['demo', '--avro', '--count', '2000', '--lake', lake]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/sales values: Avro, 1000 in the Glue Schema Registry wire format \(zlib\) and 1000 in the Confluent one/);
      const [, events, quarantined] = /sales\s+(\d+)\s+(\d+)\s+2000/.exec(r.stdout)!;
      expect(Number(events) + Number(quarantined)).toBe(2000);
      expect(Number(events)).toBeGreaterThan(1900);
      expect(r.stdout).toMatch(/equal to the lake view/);
    } finally {
      rmSync(lake, { recursive: true, force: true });
    }
  });

  it.each([
    [['produce', '--pipeline', 'tweets'], /^streamlake produce: unknown pipeline 'tweets' \(known: clickstream, sales\)$/],
    [['produce', '--pipeline', 'sales', '--rate=-5'], /^streamlake produce: --rate must be a number ≥ 0/],
    [['produce', '--pipeline', 'sales', '--bootstrap', '127.0.0.1:1'], /^streamlake produce: broker 127\.0\.0\.1:1 is unreachable/],
    [['produce', '--pipeline', 'sales', '--bootstrap', 'nonsense'], /^streamlake produce: broker nonsense is unreachable/],
    [['produce', '--pipeline', 'sales', '--wire', 'confluent'], /^streamlake produce: --wire, --zlib and --writer-schema go with --format avro$/],
    [['produce', '--pipeline', 'sales', '--format', 'xml'], /^streamlake produce: --format must be json \(the pipeline's own\) or avro, got 'xml'$/],
    [['produce', '--pipeline', 'sales', '--format', 'avro', '--wire', 'confluent', '--zlib'], /^streamlake produce: --zlib exists in the Glue wire format only/],
    [['produce', '--pipeline', 'sales', '--format', 'avro', '--writer-schema', 'missing.avsc'], /^streamlake produce: --writer-schema missing.avsc: ENOENT/],
    [
      ['produce', '--pipeline', 'sales', '--format', 'avro', '--msk', '--region', 'eu-west-1', '--wire', 'confluent'],
      /^streamlake produce: --msk --wire confluent needs --registry-url/,
    ],
    [['up', '--pipelines', 'clickstream', '--avro', 'sales'], /^streamlake up: --avro sales: not one of the pipelines started \(clickstream\)$/],
    [['frobnicate'], /^streamlake frobnicate: unknown command 'frobnicate'/],
    [['query', '--named', 'nope', '--lake', tmpdir()], /^streamlake query: unknown named query 'nope'/],
    [['replay', '--file', 'x.csv'], /^streamlake replay: --topic is required$/],
    [['demo', '--count', 'many'], /^streamlake demo: --count must be an integer/],
    [['produce', '--pipeline', 'sales', '--msk'], /^streamlake produce: --msk needs --region \(or AWS_REGION\)$/],
    [['query', '--athena', '--named', 'sales-region-10m'], /^streamlake query: --athena needs --region \(or AWS_REGION\)$/],
    [['query', '--athena', '--region', 'eu-west-1', '--named', 'nope'], /^streamlake query: unknown named query 'nope'/],
  ])('%j fails with one line and exit code 2', (args, message) => {
    const r = cli(args, { KAFKA_BOOTSTRAP: '', AWS_REGION: '' });
    expect(r.code).toBe(2);
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).toMatch(message);
  });

  it('prints help for every command', () => {
    for (const c of ['demo', 'up', 'produce', 'replay', 'replay-failed', 'summary', 'query', 'status', 'compact', 'down']) {
      const r = cli([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`usage: streamlake ${c}`));
    }
    expect(cli(['--help']).stdout).toContain('commands:');
  });

  it('query --list and --sql run on a lake directory', () => {
    const r = cli(['query', '--list', '--lake', tmpdir()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sales-region-10m');
    const s = cli(['query', '--sql', 'SELECT count(*) AS n FROM sales_events', '--lake', join(tmpdir(), 'streamlake-none')]);
    expect(s.stdout).toMatch(/n\s*\n-+\s*\n0/);
    const e = cli(['query', '--engine', 'presto', '--named', 'sales-top-countries']);
    expect(e.code).toBe(2);
    expect(e.stderr.join('\n')).toContain("--engine must be duckdb or trino, got 'presto'");
    const u = cli(['query', '--engine', 'trino', '--named', 'no-such-query']);
    expect(u.code).toBe(2);
    expect(u.stderr.join('\n')).toMatch(/unknown named query 'no-such-query' \(known: .*sales-top-countries/);
  });
});
