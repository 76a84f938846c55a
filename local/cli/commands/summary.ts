/** `streamlake summary`: current window totals, materialized from a pipeline's summary topic. */
import { readSummaryTotals } from '../../summary';
import { UsageError, bootstrapFor, localKafka, parseOptions, specOf } from '../args';
import { table } from '../output';

export const usage = `usage: streamlake summary --pipeline NAME [--bootstrap HOST:PORT]
  Reads the pipeline's summary topic from the start and merges the per-batch window updates
  (latest attempt per first offset; an attempt another starts inside is superseded).`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, { pipeline: { type: 'string' }, bootstrap: { type: 'string' } });
  if (o.help) return void console.log(usage);
  const spec = specOf(o.pipeline);
  const windows = (spec.windows ?? []).filter((w) => w.summaryTopic);
  if (windows.length === 0) throw new UsageError(`pipeline '${spec.name}' publishes no summary topic`);
  const bootstrap = await bootstrapFor(o.bootstrap);
  const kafka = localKafka(bootstrap, 'streamlake-summary');
  for (const w of windows) {
    const totals = await readSummaryTotals(kafka, spec, w);
    console.log(`${w.summaryTopic}: current totals of ${spec.name} ${w.name}, merged from the per-batch updates`);
    console.log(
      table(totals.sort((a, b) => (a.window_start < b.window_start ? 1 : -1)).map((t) => ({ window_start: t.window_start, window_end: t.window_end, ...t.keys, ...t.values }))),
    );
  }
}
