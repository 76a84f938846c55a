/**
 * An independent computation of the pipelines' results straight from the produced records
 * (plain parsing and arithmetic, none of the processor's code), for end-to-end comparisons.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedRecord } from '../../lambda/traffic/generate';

const regions = new Map(
  readFileSync(join(__dirname, '../../pipelines/reference/country_region.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map(([c, r]) => [c.toLowerCase(), r]),
);

export function expectedPageViews(records: readonly GeneratedRecord[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records.filter((x) => !x.malformed)) {
    const [time, , url] = r.value.toString().split(',');
    const start = Math.floor(Number(time) / 60_000) * 60_000;
    const id = `${new Date(start).toISOString()}|${url}`;
    out.set(id, (out.get(id) ?? 0) + 1);
  }
  return out;
}

export function expectedSalesWindows(records: readonly GeneratedRecord[]): Map<string, { sales: number; orders: number }> {
  const out = new Map<string, { sales: number; orders: number }>();
  for (const r of records.filter((x) => !x.malformed)) {
    const e = JSON.parse(r.value.toString()) as { amount: number; payment_date: string; country: string };
    const t = Date.parse(e.payment_date);
    const region = regions.get(e.country.toLowerCase()) ?? 'Unassigned';
    const slide = 300_000;
    const last = Math.floor(t / slide) * slide;
    for (const start of [last - slide, last]) {
      const id = `${new Date(start).toISOString()}|${region}`;
      const acc = out.get(id) ?? { sales: 0, orders: 0 };
      acc.sales += e.amount;
      acc.orders += 1;
      out.set(id, acc);
    }
  }
  return out;
}
