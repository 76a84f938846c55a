/** What the commands print: result tables on stdout, progress bars on stderr. */

/** The first line of an error's message: the CLI prints one line per failure. */
export function firstLine(err: unknown): string {
  return (err as Error).message.split('\n')[0];
}

/** A progress bar on stderr: redrawn in place on a terminal, every 25% otherwise (CI logs). */
export function progress(label: string, total: number): (n: number) => void {
  const tty = process.stderr.isTTY;
  let lastPct = -1;
  return (n) => {
    const pct = Math.floor((100 * n) / total);
    if (pct === lastPct) return;
    lastPct = pct;
    const width = 30;
    const bar = '█'.repeat(Math.round((width * n) / total)).padEnd(width, '░');
    const line = `${label.padEnd(12)} ${bar} ${String(pct).padStart(3)}% ${n}/${total}`;
    if (tty) process.stderr.write(`\r${line}${n >= total ? '\n' : ''}`);
    else if (n >= total || pct % 25 === 0) process.stderr.write(`${line}\n`);
  };
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString().replace('T', ' ').replace('.000Z', '');
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(2);
  if (Buffer.isBuffer(v)) return v.toString('utf8').slice(0, 40);
  return String(v);
}

/** Rows as an aligned text table with a header and a rule; `(no rows)` for none. */
export function table(rows: readonly Record<string, unknown>[]): string {
  if (rows.length === 0) return '(no rows)';
  const cols = Object.keys(rows[0]);
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i])).join('  ');
  return [line(cols), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
