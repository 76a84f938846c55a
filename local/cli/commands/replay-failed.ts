/** `streamlake replay-failed`: re-drives the batches that exhausted their retries through the processor. */
import { join, resolve } from 'node:path';
import { KafkaSummaryPublisher } from '../../../lambda/adapters/summary-publisher';
import { buildProcessor } from '../../../lambda/handlers/processor';
import { publishesSummaries, requirementsOf } from '../../../model/requirements';
import { replayFailedBatches } from '../../replay-failed';
import { DEFAULT_STATE_DIR, REPO_ROOT } from '../../runtime';
import { lakeWriterFor, openLakeCatalog } from '../../catalog/lake-catalog';
import { localSchemaRegistry } from '../../schemas';
import { CommandFailedError, LAKE_STORE_OPTIONS, bootstrapFor, lakeStoreOf, localKafka, parseOptions, specOf } from '../args';

export const usage = `usage: streamlake replay-failed --pipeline NAME [--avro [--registry-url URL]] [--dir DIR] [--lake DIR]
  Replays each on-failure record (default .streamlake/failed-batches/<pipeline>/) through the processor;
  replayed records move to <dir>/replayed/. The tables skip the offsets they hold: nothing twice.`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    pipeline: { type: 'string' },
    avro: { type: 'boolean' },
    'registry-url': { type: 'string' },
    dir: { type: 'string' },
    bootstrap: { type: 'string' },
    ...LAKE_STORE_OPTIONS,
  });
  if (o.help) return void console.log(usage);
  const spec = specOf(o.pipeline, o.avro === true);
  const lake = lakeStoreOf(o);
  const { store } = lake;
  // the replayed batches commit through the lake's catalog (the running `up`'s, or one started for the replay)
  const catalog = await openLakeCatalog(lake.dir, { repoRoot: REPO_ROOT });
  const dir = resolve(o.dir ?? join(DEFAULT_STATE_DIR, 'failed-batches', spec.name));
  // a pipeline that publishes window updates republishes them for the replayed batches
  const bootstrap = publishesSummaries(requirementsOf(spec)) ? await bootstrapFor(o.bootstrap) : undefined;
  let summaryPublisher: KafkaSummaryPublisher | undefined;
  const handler = buildProcessor(spec, {
    store,
    lake: lakeWriterFor(lake.dir, store, catalog.client),
    schemaRegistry: () => localSchemaRegistry(DEFAULT_STATE_DIR, o['registry-url']),
    summaryPublisher: () => (summaryPublisher = new KafkaSummaryPublisher(localKafka(bootstrap!, 'streamlake-replay-failed'))),
  });
  const result = await replayFailedBatches(dir, handler, (l) => console.log(l)).finally(async () => {
    await summaryPublisher?.close();
    await catalog.close();
  });
  console.log(`replay-failed ${spec.name}: ${result.replayed.length} batches replayed, ${result.failed.length} still failing (${dir})`);
  if (result.failed.length > 0) throw new CommandFailedError(`${result.failed.length} batches still fail; first: ${result.failed[0].error}`);
}
