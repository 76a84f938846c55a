/**
 * Partition retention (the compactor's first step, `CompactionOptions.retentionDays`): day
 * partitions that ended more than N days ago are deleted through the table, as one Iceberg
 * `delete` snapshot, against Apache Iceberg's REST catalog run locally; the offsets stay
 * committed (a redelivered old batch adds nothing back), and pyiceberg reads what is left.
 */
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { expiredPartitionFiles, tablePolicy } from '../../../lambda/lake/compaction';
import { IcebergCompactor } from '../../../lambda/lake/compactor';
import type { DataFile } from '../../../lambda/lake/data-file';
import { committedOffsetsOf, refSnapshot } from '../../../lambda/lake/snapshot';
import { directoryLocation, storeTableFileListing, storeTableFiles } from '../../../lambda/lake/table-files';
import { generatorFor } from '../../../lambda/traffic/generate';
import { icebergTables } from '../../../model/lake-tables';
import { clickstream } from '../../../pipelines/clickstream';
import { testIcebergLake, type TestIcebergLake } from '../../support/iceberg-lake';
import { mskEvent } from '../../support/msk';
import { offsetsWithPyiceberg } from '../../support/pyiceberg';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';
import type { PartitionSpec } from '../../../lambda/adapters/rest-catalog';

jest.setTimeout(120_000);

const DAY_MS = 86_400_000;
// the catalog keeps snapshots in time order: the simulated clock is the real one
const NOW = Date.now();
const DAY_SPEC = { 'spec-id': 0, fields: [{ 'source-id': 1, 'field-id': 1000, name: 'recordtime_day', transform: 'day' }] } as PartitionSpec;
const fileOf = (day: number | null): { dataFile: DataFile } => ({ dataFile: { partition: [day] } as unknown as DataFile });

describe('expiredPartitionFiles (pure)', () => {
  const today = Math.floor(NOW / DAY_MS);
  it('takes the files of days that ended more than N days before today, none without a retention', () => {
    const files = [fileOf(today), fileOf(today - 7), fileOf(today - 8), fileOf(today - 30), fileOf(null)];
    expect(expiredPartitionFiles(files, DAY_SPEC, 7, NOW).map((f) => f.dataFile.partition[0])).toEqual([today - 8, today - 30]);
    expect(expiredPartitionFiles(files, DAY_SPEC, undefined, NOW)).toEqual([]);
  });

  it('reads the retention of each kind of table, and refuses one below a day', () => {
    const [events, quarantine, partials] = icebergTables(clickstream);
    const retentionDays = { events: 365, partials: 730 };
    expect(tablePolicy(clickstream, events, { retentionDays }).retentionDays).toBe(365);
    expect(tablePolicy(clickstream, partials, { retentionDays }).retentionDays).toBe(730);
    expect(tablePolicy(clickstream, quarantine, { retentionDays }).retentionDays).toBeUndefined();
    expect(() => tablePolicy(clickstream, events, { retentionDays: { events: 0 } })).toThrow(/retentionDays.events must be an integer of at least 1, got 0/);
  });
});

describe('partition retention against the REST catalog', () => {
  let catalog: TestCatalog;
  let lake: TestIcebergLake;
  beforeAll(async () => {
    catalog = await startTestCatalog('streamlake-retention');
    lake = await testIcebergLake(catalog, [clickstream]);
  }, 120_000);
  afterAll(() => stopTestCatalog(catalog));

  it('deletes the days past the retention as one delete snapshot; offsets stay committed; pyiceberg reads the rest', async () => {
    // 100 events on each of three days: 20, 10 and 2 days before NOW, one Kafka partition
    const days = [20, 10, 2];
    const records = days.flatMap((ago, d) =>
      generatorFor('clickstream', { seed: d, startTime: NOW - ago * DAY_MS, stepMillis: 1_000 })
        .batch(100)
        .map((g, i) => ({ topic: 'clickstream', partition: 0, offset: d * 100 + i, timestamp: NOW - ago * DAY_MS + i * 1_000 + 5, value: g.value })),
    );
    const handler = createProcessorHandler({ spec: clickstream, store: lake.store, lake: lake.writer(), now: () => NOW });
    for (let d = 0; d < days.length; d++) await handler(mskEvent(records.slice(d * 100, d * 100 + 100)));

    const store = new LocalLakeStore(lake.dir);
    const root = directoryLocation(lake.dir);
    const compactor = new IcebergCompactor({
      catalog: catalog.catalog,
      files: storeTableFiles(store, root),
      listing: storeTableFileListing(store, root),
      namespace: lake.namespace,
      now: () => NOW,
    });
    const reports = await compactor.maintain(clickstream, { retentionDays: { events: 7, quarantine: 7, partials: 15 }, quietMs: 0 });
    const byTable = new Map(reports.map((r) => [r.compaction.table, r]));
    // events and quarantine (by arrival day, here the same days): 20 and 10 days ago are past 7 days
    expect(byTable.get('clickstream_events')!.retention).toMatchObject({ filesDeleted: 2, recordsDeleted: 200 });
    // partials keep 15 days: only the day 20 days ago goes
    expect(byTable.get('clickstream_page_views_1m_partials')!.retention).toMatchObject({ filesDeleted: 1 });

    const metadata = (await catalog.catalog.loadTable(lake.namespace, 'clickstream_events')).metadata;
    const deletes = (metadata.snapshots ?? []).filter((s) => s.summary.operation === 'delete');
    expect(deletes).toHaveLength(1);
    expect(deletes[0].summary).toMatchObject({ 'deleted-data-files': '2', 'deleted-records': '200', 'added-data-files': '0' });
    expect(refSnapshot(metadata)!.summary['total-records']).toBe('100');
    // the records are still committed: the table will not take them again
    expect(committedOffsetsOf(metadata)).toEqual({ 'clickstream-0': [[0, 299]] });

    const rows = offsetsWithPyiceberg(catalog.server.url, lake.namespace, 'clickstream_events');
    expect(rows.rows).toBe(100);
    expect(rows.partitions['clickstream-0']).toMatchObject({ count: 100, max: 299 });

    // a redelivery of the oldest batch adds nothing back
    const again = await createProcessorHandler({ spec: clickstream, store: lake.store, lake: lake.writer(), now: () => NOW })(mskEvent(records.slice(0, 100)));
    expect(again.objects).toEqual([]);
    expect(offsetsWithPyiceberg(catalog.server.url, lake.namespace, 'clickstream_events').rows).toBe(100);

    // a second run: nothing past the retention any more
    const second = await compactor.maintain(clickstream, { retentionDays: { events: 7, quarantine: 7, partials: 15 }, quietMs: 0 });
    for (const r of second) expect(r.retention).toEqual({ table: r.compaction.table, filesDeleted: 0, recordsDeleted: 0 });
  });
});
