/**
 * The check every fault test ends with: readers no one here wrote — Trino's Iceberg connector
 * (Athena engine v3's upstream) and pyiceberg — read the lake's tables through its REST catalog
 * and agree with what was produced: every record once, in events or quarantine (malformed ones in
 * quarantine), each Kafka partition's offsets 0..n−1 with none missing, and the window views equal
 * to an independent computation. The lake's catalog is the running one, or one started here.
 */
import type { GeneratedRecord } from '../../lambda/traffic/generate';
import { openLakeCatalog } from '../../local/catalog/lake-catalog';
import { REPO_ROOT } from '../../local/runtime';
import { TrinoIcebergLake } from '../../local/trino/iceberg-lake';
import type { PipelineSpec } from '../../model/spec';
import { expectedPageViews, expectedSalesWindows } from '../local/expected';
import { offsetsWithPyiceberg } from './pyiceberg';

export interface ProducedRecords {
  readonly spec: PipelineSpec;
  readonly records: readonly GeneratedRecord[];
}

export async function expectIndependentReadersAgree(
  lakeDir: string,
  produced: readonly ProducedRecords[],
  o: { readonly stateDir: string; /** @default true */ readonly windows?: boolean },
): Promise<void> {
  const catalog = await openLakeCatalog(lakeDir, { repoRoot: REPO_ROOT });
  let trino: TrinoIcebergLake | undefined;
  try {
    trino = await TrinoIcebergLake.open({ lakeDir, specs: produced.map((p) => p.spec), stateDir: o.stateDir });
    for (const { spec, records } of produced) {
      const [t] = await trino.rows(
        `SELECT (SELECT count(*) FROM "${spec.name}_events") AS events, (SELECT count(*) FROM "${spec.name}_quarantine") AS quarantined,
                (SELECT count(*) FROM (SELECT kafka_topic, kafka_partition, kafka_offset FROM "${spec.name}_events"
                  UNION SELECT kafka_topic, kafka_partition, kafka_offset FROM "${spec.name}_quarantine")) AS distinct_offsets`,
      );
      expect({ pipeline: spec.name, reader: 'trino', events: Number(t.events), quarantined: Number(t.quarantined), distinct: Number(t.distinct_offsets) }).toEqual({
        pipeline: spec.name,
        reader: 'trino',
        events: records.filter((r) => !r.malformed).length,
        quarantined: records.filter((r) => r.malformed).length,
        distinct: records.length,
      });

      const events = offsetsWithPyiceberg(catalog.url, 'streamlake', `${spec.name}_events`);
      const quarantine = offsetsWithPyiceberg(catalog.url, 'streamlake', `${spec.name}_quarantine`);
      expect({ pipeline: spec.name, reader: 'pyiceberg', rows: events.rows + quarantine.rows, distinct: events.distinct + quarantine.distinct }).toEqual({
        pipeline: spec.name,
        reader: 'pyiceberg',
        rows: records.length,
        distinct: records.length,
      });
      // per partition: offsets 0..max, each once across the two tables (no gap, no duplicate)
      for (const key of new Set([...Object.keys(events.partitions), ...Object.keys(quarantine.partitions)])) {
        const count = (events.partitions[key]?.count ?? 0) + (quarantine.partitions[key]?.count ?? 0);
        const max = Math.max(events.partitions[key]?.max ?? -1, quarantine.partitions[key]?.max ?? -1);
        expect({ key, count }).toEqual({ key, count: max + 1 });
      }

      if (o.windows === false) continue;
      if (spec.name === 'clickstream') {
        const views = await trino.rows(`SELECT window_start, url, page_views FROM clickstream_page_views_1m`);
        expect(new Map(views.map((r) => [`${(r.window_start as Date).toISOString()}|${String(r.url)}`, Number(r.page_views)]))).toEqual(expectedPageViews(records));
      }
      if (spec.name === 'sales') {
        const rows = await trino.rows(`SELECT window_start, region, orders FROM sales_region_10m`);
        const expected = expectedSalesWindows(records);
        expect(new Map(rows.map((r) => [`${(r.window_start as Date).toISOString()}|${String(r.region)}`, Number(r.orders)]))).toEqual(
          new Map([...expected].map(([k, v]) => [k, v.orders])),
        );
      }
    }
  } finally {
    await trino?.close();
    await catalog.close();
  }
}
