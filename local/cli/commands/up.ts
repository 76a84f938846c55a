/** `streamlake up`: the broker and the processors, kept running until `down` or Ctrl-C. */
import { LOCAL_FAILURE_DESTINATIONS, LocalRuntime, type LocalFailureDestination } from '../../runtime';
import { choiceOf, int, LAKE_STORE_OPTIONS, lakeStoreOf, listOf, parseOptions, specsOf } from '../args';
import { clearUpState, writeUpState } from '../up-state';

export const usage = `usage: streamlake up [--pipelines a,b] [--avro a,b] [--registry-url URL] [--lake DIR]
                   [--batch-size N] [--batching-window-ms N] [--on-failure directory|kafka] [--compact-every MINUTES]
  --avro         pipelines whose values are Avro (as streamlake:avroPipelines deploys them); writer
                 schemas from .streamlake/schemas, then the Confluent-compatible --registry-url
  --on-failure   where batches that exhausted their retries go, as streamlake:onFailure in AWS:
                 directory (default, .streamlake/failed-batches/<pipeline>/) or kafka (topic <topic>.failed)
  --compact-every  runs the compactor over the tables every MINUTES (default 10; 0: never), as the
                 schedule does in AWS; 'streamlake compact' runs it once
  Starts a broker (KAFKA_BOOTSTRAP, else Docker, else the Kafka jars with Java) and the processors,
  then keeps running; 'streamlake down' or Ctrl-C stops them.`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    pipelines: { type: 'string' },
    avro: { type: 'string' },
    'registry-url': { type: 'string' },
    'batch-size': { type: 'string' },
    'batching-window-ms': { type: 'string' },
    'on-failure': { type: 'string' },
    'compact-every': { type: 'string' },
    ...LAKE_STORE_OPTIONS,
  });
  if (o.help) return void console.log(usage);
  const avroNames = listOf(o.avro);
  const specs = specsOf(o.pipelines, avroNames);
  const names = specs.map((s) => s.name);
  const lake = lakeStoreOf(o);
  const compactEvery = int('compact-every', o['compact-every'], 10, 0, 24 * 60);
  const rt = await LocalRuntime.start({
    specs,
    store: lake.store,
    lakeDir: lake.dir,
    batchSize: int('batch-size', o['batch-size'], 100, 1, 10_000),
    batchingWindowMs: int('batching-window-ms', o['batching-window-ms'], 500, 0, 300_000),
    keepBrokerData: true,
    confluentRegistryUrl: o['registry-url'],
    onFailure: choiceOf<LocalFailureDestination>('on-failure', o['on-failure'], LOCAL_FAILURE_DESTINATIONS, 'directory'),
    compactEveryMs: compactEvery > 0 ? compactEvery * 60_000 : undefined,
    catalogProfile: 'throughput',
    log: (l) => console.log(l),
  });
  writeUpState({ pid: process.pid, bootstrap: rt.broker.bootstrap, lake: rt.lakeDir });
  console.log(
    `streamlake up: broker ${rt.broker.bootstrap} (${rt.broker.kind}), processors: ${names.map((n) => (avroNames.includes(n) ? `${n} (Avro)` : n)).join(', ')}, lake: ${rt.store.describe()}`,
  );
  console.log(`publish with: npm run streamlake -- produce --pipeline ${names[0]} --count 1000${avroNames.includes(names[0]) ? ' --format avro' : ''}`);
  await new Promise<void>((done) => {
    const stop = () =>
      void rt.stop().finally(() => {
        clearUpState();
        done();
      });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
