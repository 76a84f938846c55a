/**
 * Throughput of the whole processor handler committing to the lake's Iceberg tables: decode →
 * … → Parquet, the data files written to a local directory, and one commit per table and
 * invocation through Apache Iceberg's REST catalog (run locally, as `up` runs it), in batches
 * as the event source mapping delivers them. The reference, measured in the same process on the
 * same events: the processor path without store or catalog (./processor-bench.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLakeStore } from '../lambda/adapters/local-lake-store';
import { RestCatalogClient } from '../lambda/adapters/rest-catalog';
import type { MskEvent } from '../lambda/core/msk-event';
import { createProcessorHandler } from '../lambda/handlers/processor';
import { ensureIcebergTables } from '../lambda/lake/ensure-tables';
import { IcebergLakeWriter } from '../lambda/lake/lake-writer';
import { directoryLocation, storeTableFiles } from '../lambda/lake/table-files';
import type { GeneratedRecord } from '../lambda/traffic/generate';
import { startRestCatalog } from '../local/catalog/rest-catalog-server';
import { REPO_ROOT, seedReferenceData } from '../local/runtime';
import type { PipelineSpec } from '../model/spec';
import { BENCH_START, runProcessor, toMskEvents } from './processor-bench';

export interface CommitRun {
  readonly batchSize: number;
  readonly records: number;
  /** Records per second of the handler, commits included (one invocation at a time). */
  readonly recordsPerSec: number;
  /** The same events through the processor path alone (no files, no catalog), in the same process. */
  readonly coreRecordsPerSec: number;
  /** Snapshots committed (one per table and invocation). */
  readonly commits: number;
  /** Mean time of one invocation, ms. */
  readonly msPerInvocation: number;
}

export async function runCommits(spec: PipelineSpec, sample: readonly GeneratedRecord[], batchSize: number): Promise<CommitRun> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlake-commit-bench-'));
  const server = await startRestCatalog({ repoRoot: REPO_ROOT, metadataDir: join(dir, 'catalog'), warehouseDir: join(dir, 'lake', 'iceberg') });
  try {
    const catalog = new RestCatalogClient({ uri: server.url });
    const store = new LocalLakeStore(join(dir, 'lake'));
    const root = directoryLocation(join(dir, 'lake'));
    await seedReferenceData(store, [spec]);
    await ensureIcebergTables(catalog, spec, root);
    const handler = createProcessorHandler({
      spec,
      store,
      lake: new IcebergLakeWriter({ catalog, files: storeTableFiles(store, root) }),
      summaryPublisher: { publish: async () => undefined },
      now: () => BENCH_START,
    });
    const texts = toMskEvents(spec, sample, batchSize).map((e) => JSON.stringify(e));
    // the processor path alone first, on the same events (warms the JIT for both)
    const core = runProcessor(spec, texts, sample.length, batchSize, 2);
    let nanos = 0n;
    let commits = 0;
    for (const text of texts) {
      const event = JSON.parse(text) as MskEvent;
      const t0 = process.hrtime.bigint();
      const report = await handler(event);
      nanos += process.hrtime.bigint() - t0;
      commits += report.commits.length;
    }
    const seconds = Number(nanos) / 1e9;
    return {
      batchSize,
      records: sample.length,
      recordsPerSec: sample.length / seconds,
      coreRecordsPerSec: core.recordsPerSec,
      commits,
      msPerInvocation: (seconds * 1000) / texts.length,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
