/** `streamlake demo`: everything in one go — broker, processors, sample traffic, results, stop. */
import { rmSync } from 'node:fs';
import { produce } from '../../produce';
import { LakeDb } from '../../query/lake-db';
import { DEFAULT_STATE_DIR, LocalRuntime } from '../../runtime';
import { localAvroEncoder, schemaDirOf } from '../../schemas';
import { readSummaryTotals } from '../../summary';
import { int, lakeDirOf, parseOptions, specsOf } from '../args';
import { progress, table } from '../output';

export const usage = `usage: streamlake demo [--count N] [--lake DIR] [--avro]
  --count N      events per pipeline (default 20000)
  --lake DIR     lake directory (default .streamlake/lake)
  --avro         sales values as Avro: half in the Glue Schema Registry wire format (zlib), half in
                 the Confluent one, schemas in the local registry directory (.streamlake/schemas)`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, { count: { type: 'string' }, lake: { type: 'string' }, avro: { type: 'boolean' } });
  if (o.help) return void console.log(usage);
  const count = int('count', o.count, 20_000, 1, 1_000_000);
  const lakeDir = lakeDirOf(o);
  rmSync(lakeDir, { recursive: true, force: true });
  const shipped = specsOf(undefined);
  const avro = o.avro === true;
  const specs = specsOf(undefined, avro ? ['sales'] : []);
  const started = Date.now();
  const say = (s: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${s}`);
  say('starting a Kafka broker…');
  const rt = await LocalRuntime.start({ specs, lakeDir, batchSize: 1000, batchingWindowMs: 500, log: (l) => say(l) });
  try {
    say(`broker ready at ${rt.broker.bootstrap} (${rt.broker.kind}); topics: ${specs.map((s) => `${s.topic.name} (${s.topic.partitions} partitions)`).join(', ')}`);
    say(`processors running behind the event-source-mapping emulator (batch size 1000, window 500 ms)`);
    for (const spec of shipped) {
      if (avro && spec.name === 'sales') {
        // both wire formats on one topic: the processor tells them apart by the first byte
        const half = Math.ceil(count / 2);
        const glue = await localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire: 'glue', zlib: true });
        const confluent = await localAvroEncoder(DEFAULT_STATE_DIR, spec, { wire: 'confluent' });
        await produce(rt.kafka, spec, { count: half, rate: Infinity, seed: 7, malformedRatio: 0.01, encodeValue: glue, onProgress: progress('sales/glue', half) });
        await produce(rt.kafka, spec, {
          count: count - half,
          rate: Infinity,
          seed: 8,
          malformedRatio: 0.01,
          encodeValue: confluent,
          onProgress: progress('sales/conf', count - half),
        });
        say(`sales values: Avro, ${half} in the Glue Schema Registry wire format (zlib) and ${count - half} in the Confluent one; schemas in ${schemaDirOf(DEFAULT_STATE_DIR)}`);
      } else {
        await produce(rt.kafka, spec, { count, rate: Infinity, seed: 7, malformedRatio: 0.01, onProgress: progress(spec.name, count) });
      }
    }
    say('waiting until every event is processed (consumer lag 0)…');
    await rt.waitForLagZero(120_000);
    say(`processed: ${[...rt.emulators.entries()].map(([n, e]) => `${n} ${e.stats.records} records in ${e.stats.batches} batches`).join('; ')}`);
    const db = await LakeDb.open(rt.lakeDir, specs);
    try {
      console.log('\nThe latest 10 clickstream events (named query clickstream-latest-events):');
      console.log(table((await db.named('clickstream-latest-events')).map(({ kafka_key: _k, written_at: _w, ...r }) => r)));
      console.log('\nPage views per URL per minute (clickstream-page-views-1m, latest first):');
      console.log(table((await db.named('clickstream-page-views-1m')).slice(0, 12)));
      console.log('\nSales and orders per region per 10-minute window sliding by 5 (sales-region-10m):');
      console.log(table((await db.named('sales-region-10m')).slice(0, 16)));
      const counts = await db.query(
        `SELECT 'clickstream' AS pipeline, (SELECT count(*) FROM clickstream_events) AS events, (SELECT count(*) FROM clickstream_quarantine) AS quarantined
         UNION ALL SELECT 'sales', (SELECT count(*) FROM sales_events), (SELECT count(*) FROM sales_quarantine)`,
      );
      const salesSpec = specs.find((x) => x.name === 'sales')!;
      const totals = await readSummaryTotals(rt.kafka, salesSpec, salesSpec.windows![0]);
      const view = await db.query('SELECT window_start, region, orders FROM sales_region_10m');
      const agree =
        totals.length === view.length &&
        view.every((r) => totals.some((t) => t.window_start === (r.window_start as Date).toISOString() && t.keys.region === r.region && t.values.orders === Number(r.orders)));
      console.log(
        `\nSummary topic ${salesSpec.windows![0].summaryTopic}: ${totals.length} window totals merged from the per-batch updates — ${agree ? 'equal to' : 'DIFFERENT FROM'} the lake view`,
      );
      console.log('\nEvery record accounted for:');
      console.log(table(counts.map((r) => ({ ...r, produced: count }))));
    } finally {
      await db.close();
    }
    console.log(`\nIceberg tables: ${rt.lakeDir}/iceberg/<table> (data/ and metadata/), catalog database in ${rt.lakeDir}/catalog`);
    console.log(`Query them:    npm run streamlake -- query --list   |   npm run streamlake -- query --sql "SELECT * FROM sales_events LIMIT 5" --lake ${rt.lakeDir}`);
  } finally {
    say('stopping…');
    await rt.stop();
    say('done');
  }
}
