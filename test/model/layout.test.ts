import { aggregatesArea, batchObjectName, eventsArea, locationTemplate, objectKey, quarantineArea, referenceKey, timePartition } from '../../model/layout';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

/** Fills a Glue projection template the way Athena does. */
const fill = (template: string, values: Record<string, string>) => template.replace(/\$\{(\w+)\}/g, (_, k: string) => values[k]);

describe('lake layout', () => {
  it('partitions by UTC date and hour', () => {
    expect(timePartition(Date.UTC(2026, 10, 22, 7, 59, 59, 999))).toEqual({ dt: '2026-11-22', hr: '07', id: '2026-11-22/07', day: Date.UTC(2026, 10, 22) / 86_400_000 });
    // Iceberg's day() of an instant before 1970 is negative and rounds down
    expect(timePartition(Date.UTC(1969, 11, 31, 23)).day).toBe(-1);
  });

  it('names objects by topic, partition and zero-padded first offset', () => {
    expect(batchObjectName('clickstream', 1, 42)).toBe('clickstream-1-00000000000000000042.parquet');
    expect(batchObjectName('t', 0, 9) < batchObjectName('t', 0, 10)).toBe(true);
  });

  it('writes where the projection template says Athena reads', () => {
    const bucket = 's3://lake-bucket';
    const cases: { area: ReturnType<typeof eventsArea>; values: Record<string, string> }[] = [
      { area: eventsArea(clickstream), values: { dt: '2026-11-22', hr: '07' } },
      { area: aggregatesArea(sales, sales.windows![0]), values: { dt: '2026-11-22' } },
      { area: quarantineArea(sales), values: { dt: '2026-01-02' } },
    ];
    for (const { area, values } of cases) {
      const key = objectKey(area, values, 'topic', 3, 100);
      const location = fill(locationTemplate(bucket, area), values);
      expect(`${bucket}/${key}`).toBe(location + batchObjectName('topic', 3, 100));
    }
    expect(locationTemplate(bucket + '/', eventsArea(clickstream))).toBe('s3://lake-bucket/events/clickstream/dt=${dt}/hr=${hr}/');
  });

  it('keeps reference data in one folder per table', () => {
    expect(referenceKey(sales.references![0])).toBe('reference/country_region/country_region.csv');
  });
});
