/**
 * Poison records never block their partition: invalid UTF-8, a 1 MB value, deeply nested JSON
 * and CSV with embedded newlines and quotes are quarantined with a reason, and the records
 * behind them in the same partition are processed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedRecord } from '../../../lambda/traffic/generate';
import { LakeDb } from '../../../local/query/lake-db';
import { expectIndependentReadersAgree } from '../../support/independent-readers';
import { LocalRuntime } from '../../../local/runtime';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';

jest.setTimeout(180_000);

describe('poison records', () => {
  let stateDir: string;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'streamlake-poison-'));
  });
  afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

  it('are quarantined and do not block the partition', async () => {
    const rt = await LocalRuntime.start({ specs: [clickstream, sales], stateDir, batchSize: 10, batchingWindowMs: 50, maxAttempts: 2 });
    try {
      const t = Date.now() - 60_000;
      const good = (i: number) => Buffer.from(`${t + i},${i},www.amazon1.com,192.168.2.${i % 250}`);
      const clickValues = [
        good(1),
        Buffer.from([0xc3, 0x28, 0xa0, 0xa1]),
        Buffer.alloc(1_000_000, 0x61),
        Buffer.from(`${t},2,"www.amazon2.com/a\nb","192.168.2.""7"""`),
        Buffer.from(`${t},3,"unterminated,192.168.2.1`),
        good(4),
      ];
      const saleValues = [
        Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`),
        Buffer.from(`${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}`),
        Buffer.from(JSON.stringify({ payment_id: 1, customer_id: 2, amount: 3.5, payment_date: new Date(t).toISOString(), country: 'Japan' })),
      ];
      const producer = rt.kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'clickstream', messages: clickValues.map((value) => ({ value, partition: 0 })) });
      await producer.send({ topic: 'sales', messages: saleValues.map((value) => ({ value, partition: 0 })) });
      await producer.disconnect();
      await rt.waitForLagZero(60_000);
      for (const e of rt.emulators.values()) expect(e.stats.failedBatches).toBe(0);
      const db = await LakeDb.open(rt.lakeDir, [clickstream, sales]);
      try {
        // a quoted field may hold a line break and doubled quotes (RFC 4180): a valid record
        expect(await db.query(`SELECT eventid, url, ip FROM clickstream_events ORDER BY eventid`)).toEqual([
          { eventid: 1n, url: 'www.amazon1.com', ip: '192.168.2.1' },
          { eventid: 2n, url: 'www.amazon2.com/a\nb', ip: '192.168.2."7"' },
          { eventid: 4n, url: 'www.amazon1.com', ip: '192.168.2.4' },
        ]);
        expect(await db.query(`SELECT kafka_offset, reason FROM clickstream_quarantine ORDER BY kafka_offset`)).toEqual([
          { kafka_offset: 1n, reason: 'invalid-utf8' },
          { kafka_offset: 2n, reason: 'oversized-value' },
          { kafka_offset: 4n, reason: 'malformed-csv' },
        ]);
        const [{ n }] = await db.query(`SELECT octet_length(raw_value) AS n FROM clickstream_quarantine WHERE kafka_offset = 2`);
        expect(Number(n)).toBe(1_000_000);
        expect(await db.query(`SELECT kafka_offset, reason FROM sales_quarantine ORDER BY kafka_offset`)).toEqual([
          { kafka_offset: 0n, reason: 'invalid-json' },
          { kafka_offset: 1n, reason: 'missing-field' },
        ]);
        expect(await db.query(`SELECT region FROM sales_events`)).toEqual([{ region: 'Asia Pacific' }]);
      } finally {
        await db.close();
      }
      // Trino and pyiceberg: every record once, the poison ones in quarantine (which ones: above)
      const records = (values: readonly Buffer[], bad: readonly number[]): GeneratedRecord[] =>
        values.map((value, i) => ({ key: '', value, eventTime: t, ...(bad.includes(i) ? { malformed: 'oversized' as const } : {}) }));
      await expectIndependentReadersAgree(
        rt.lakeDir,
        [
          { spec: clickstream, records: records(clickValues, [1, 2, 4]) },
          { spec: sales, records: records(saleValues, [0, 1]) },
        ],
        { stateDir, windows: false },
      );
    } finally {
      await rt.stop();
    }
  });
});
