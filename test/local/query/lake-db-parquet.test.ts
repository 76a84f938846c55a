/**
 * LakeDb over Parquet files written directly with hyparquet-writer (no processor): column types
 * as in Glue, hive partitions as strings, files of an older schema, dedup of a retried record.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { lakeTables, tableNames } from '../../../model/catalog';
import { eventsArea, objectKey } from '../../../model/layout';
import { encodeParquet } from '../../../lambda/core/parquet';
import { eventsSchema, type ColumnType } from '../../../model/tables';
import { LakeDb } from '../../../local/query/lake-db';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';

const DUCK: Record<ColumnType, string> = { string: 'VARCHAR', int: 'INTEGER', long: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', binary: 'BLOB' };
const PHYSICAL: Record<string, 'STRING' | 'INT32' | 'INT64' | 'TIMESTAMP'> = { string: 'STRING', int: 'INT32', long: 'INT64', timestamp: 'TIMESTAMP' };
const T0 = Date.UTC(2026, 10, 22, 7, 30);

function click(offset: number, writtenAt: number, url = `www.amazon${offset}.com`): unknown[] {
  return [T0 + offset * 1000, offset, url, '192.168.2.1', 'amazon', 'clickstream', 0, offset, T0, null, writtenAt];
}

function writeClicks(dir: string, firstOffset: number, rows: unknown[][], hr = '07'): void {
  const schema = eventsSchema(clickstream);
  const columns = schema.columns.map((_, i) => rows.map((r) => r[i]));
  const key = objectKey(eventsArea(clickstream), { dt: '2026-11-22', hr }, 'clickstream', 0, firstOffset);
  mkdirSync(join(dir, key, '..'), { recursive: true });
  writeFileSync(join(dir, key), encodeParquet(schema, columns, rows.length));
}

describe('LakeDb over hyparquet-writer files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-parquet-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function describeView(db: LakeDb, name: string): Promise<Record<string, string>> {
    const rows = await db.query(`DESCRIBE SELECT * FROM "${name}"`);
    return Object.fromEntries(rows.map((r) => [r.column_name as string, r.column_type as string]));
  }

  it('types every lake table as its TableSchema says, empty or not, with partitions as VARCHAR', async () => {
    writeClicks(dir, 0, [click(0, T0)]);
    const db = await LakeDb.open(dir, [clickstream, sales]);
    for (const spec of [clickstream, sales]) {
      for (const t of lakeTables(spec)) {
        const expected = Object.fromEntries([...t.schema.columns.map((c) => [c.name, DUCK[c.type]]), ...t.schema.partitionKeys.map((k) => [k, 'VARCHAR'])]);
        expect(await describeView(db, t.name)).toEqual(expected);
      }
    }
    const [row] = await db.query(`SELECT dt, hr, recordtime, eventid, kafka_partition FROM clickstream_events_raw`);
    expect(row).toEqual({ dt: '2026-11-22', hr: '07', recordtime: new Date(T0), eventid: 0n, kafka_partition: 0 });
    await db.close();
  });

  it('reads files of an older schema (a column missing) next to current ones', async () => {
    writeClicks(dir, 0, [click(0, T0)]);
    // an older file without the nullable kafka_key column and in another hour
    const schema = eventsSchema(clickstream);
    const old = click(1, T0);
    const columnData = schema.columns
      .map((c, i) => ({ c, v: old[i] }))
      .filter(({ c }) => c.name !== 'kafka_key')
      .map(({ c, v }) => ({ name: c.name, data: [c.type === 'long' ? BigInt(v as number) : v], type: PHYSICAL[c.type] }));
    const key = objectKey(eventsArea(clickstream), { dt: '2026-11-22', hr: '08' }, 'clickstream', 0, 1);
    mkdirSync(join(dir, key, '..'), { recursive: true });
    writeFileSync(join(dir, key), new Uint8Array(parquetWriteBuffer({ columnData })));
    const db = await LakeDb.open(dir, [clickstream]);
    const rows = await db.query(`SELECT kafka_offset, kafka_key, hr FROM clickstream_events ORDER BY kafka_offset`);
    expect(rows).toEqual([
      { kafka_offset: 0n, kafka_key: null, hr: '07' },
      { kafka_offset: 1n, kafka_key: null, hr: '08' },
    ]);
    await db.close();
  });

  it('keeps one row per Kafka record when a retried batch wrote it twice, the latest write', async () => {
    // attempt 1 wrote offsets 0-2 under first offset 0; a later batch at first offset 2 rewrote offset 2
    writeClicks(dir, 0, [click(0, T0), click(1, T0), click(2, T0, 'old')]);
    writeClicks(dir, 2, [click(2, T0 + 5000, 'new'), click(3, T0 + 5000)]);
    const db = await LakeDb.open(dir, [clickstream]);
    const names = tableNames(clickstream);
    expect(await db.query(`SELECT count(*) AS n FROM "${names.eventsRaw}"`)).toEqual([{ n: 5n }]);
    const rows = await db.query(`SELECT kafka_offset, url FROM "${names.events}" ORDER BY kafka_offset`);
    expect(rows.map((r) => [Number(r.kafka_offset), r.url])).toEqual([
      [0, 'www.amazon0.com'],
      [1, 'www.amazon1.com'],
      [2, 'new'],
      [3, 'www.amazon3.com'],
    ]);
    await db.close();
  });

  it('sees files that arrive after it opened once refreshed', async () => {
    const db = await LakeDb.open(dir, [clickstream]);
    expect(await db.query(`SELECT count(*) AS n FROM clickstream_events`)).toEqual([{ n: 0n }]);
    writeClicks(dir, 0, [click(0, T0)]);
    await db.refresh();
    expect(await db.query(`SELECT count(*) AS n FROM clickstream_events`)).toEqual([{ n: 1n }]);
    await db.close();
  });
});
