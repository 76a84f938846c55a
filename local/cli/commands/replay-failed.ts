/** `streamlake replay-failed`: re-drives the batches that exhausted their retries through the processor. */
import { resolve } from 'node:path';
import { KafkaSummaryPublisher } from '../../../lambda/adapters/summary-publisher';
import { buildProcessor } from '../../../lambda/handlers/processor';
import { publishesSummaries, requirementsOf } from '../../../model/requirements';
import { consumerGroupOf, failureTopicOf, type PipelineSpec } from '../../../model/spec';
import { replayFailedBatches, replayFailedBatchesFromKafka, type ReplayResult } from '../../replay-failed';
import { DEFAULT_STATE_DIR, failedBatchesDirOf, REPO_ROOT } from '../../runtime';
import { lakeWriterFor, openLakeCatalog } from '../../catalog/lake-catalog';
import { localSchemaRegistry } from '../../schemas';
import { CommandFailedError, LAKE_STORE_OPTIONS, UsageError, bootstrapFor, choiceOf, lakeStoreOf, localKafka, parseOptions, specOf } from '../args';

export const usage = `usage: streamlake replay-failed --pipeline NAME [--avro [--registry-url URL]] [--from directory|kafka] [--dir DIR | --topic T]
                              [--bootstrap H:P] [--lake DIR]
  Replays each on-failure record through the processor, from either kind of on-failure destination:
  --from directory (default): the JSON records in --dir (default .streamlake/failed-batches/<pipeline>/,
                   or a copy of the S3 failed-batches bucket); replayed records move to <dir>/replayed/
  --from kafka:    the messages of the on-failure topic --topic (default <topic>.failed, as
                   streamlake:onFailure=kafka and 'up --on-failure kafka' write them); replayed ones are
                   committed by the group streamlake-<pipeline>-replay-failed, so each is replayed once
  The tables skip the offsets they hold: nothing twice.`;

/** The consumer group whose offsets on the on-failure topic say what was replayed already. */
export const replayGroupOf = (spec: PipelineSpec): string => `${consumerGroupOf(spec)}-replay-failed`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    pipeline: { type: 'string' },
    avro: { type: 'boolean' },
    'registry-url': { type: 'string' },
    from: { type: 'string' },
    dir: { type: 'string' },
    topic: { type: 'string' },
    bootstrap: { type: 'string' },
    ...LAKE_STORE_OPTIONS,
  });
  if (o.help) return void console.log(usage);
  const spec = specOf(o.pipeline, o.avro === true);
  const from = choiceOf('from', o.from, ['directory', 'kafka'] as const, 'directory');
  if (from === 'kafka' && o.dir !== undefined) throw new UsageError('--dir reads a folder of records: it goes with --from directory, not --from kafka');
  if (from === 'directory' && o.topic !== undefined) throw new UsageError('--topic reads an on-failure topic: it goes with --from kafka');
  const lake = lakeStoreOf(o);
  const { store } = lake;
  // the replayed batches commit through the lake's catalog (the running `up`'s, or one started for the replay)
  const catalog = await openLakeCatalog(lake.dir, { repoRoot: REPO_ROOT });
  const dir = resolve(o.dir ?? failedBatchesDirOf(DEFAULT_STATE_DIR, spec));
  const topic = o.topic ?? failureTopicOf(spec);
  // a pipeline that publishes window updates republishes them for the replayed batches; the on-failure topic is on the broker too
  const bootstrap = publishesSummaries(requirementsOf(spec)) || from === 'kafka' ? await bootstrapFor(o.bootstrap) : undefined;
  let summaryPublisher: KafkaSummaryPublisher | undefined;
  const handler = buildProcessor(spec, {
    store,
    lake: lakeWriterFor(lake.dir, store, catalog.client),
    schemaRegistry: () => localSchemaRegistry(DEFAULT_STATE_DIR, o['registry-url']),
    summaryPublisher: () => (summaryPublisher = new KafkaSummaryPublisher(localKafka(bootstrap!, 'streamlake-replay-failed'))),
  });
  const log = (l: string) => console.log(l);
  const replay: Promise<ReplayResult> =
    from === 'kafka'
      ? replayFailedBatchesFromKafka({ kafka: localKafka(bootstrap!, 'streamlake-replay-failed'), topic, groupId: replayGroupOf(spec) }, handler, log)
      : replayFailedBatches(dir, handler, log);
  const result = await replay.finally(async () => {
    await summaryPublisher?.close();
    await catalog.close();
  });
  console.log(`replay-failed ${spec.name}: ${result.replayed.length} batches replayed, ${result.failed.length} still failing (${from === 'kafka' ? `kafka://${topic}` : dir})`);
  if (result.failed.length > 0) throw new CommandFailedError(`${result.failed.length} batches still fail; first: ${result.failed[0].error}`);
}
