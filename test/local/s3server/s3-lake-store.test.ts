import { recordingPublisher } from '../../support/publisher';
/**
 * The S3 sink against a real S3-compatible server (versitygw, plain files on disk): put, get,
 * overwrite, missing keys, outage → LakeStoreError; and the processor writing its lake through it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeStoreError } from '../../../lambda/adapters/lake-store';
import { S3LakeStore } from '../../../lambda/adapters/s3-lake-store';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { LakeDb } from '../../../local/query/lake-db';
import { REPO_ROOT, seedReferenceData } from '../../../local/runtime';
import { startS3Server, type RunningS3Server } from '../../../local/s3server/versitygw';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { loadEvent } from '../../support/fixtures';

jest.setTimeout(300_000);

describe('S3LakeStore on versitygw', () => {
  let server: RunningS3Server;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-s3-'));
    server = await startS3Server(REPO_ROOT, root);
    await server.createBucket('lake');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const store = () => new S3LakeStore({ bucket: 'lake', client: server.client() });

  it('puts, gets, overwrites, and answers undefined for a missing key', async () => {
    const s = store();
    await s.put('events/x/dt=2026-11-22/a.parquet', Buffer.from('one'));
    expect(Buffer.from((await s.get('events/x/dt=2026-11-22/a.parquet'))!).toString()).toBe('one');
    await s.put('events/x/dt=2026-11-22/a.parquet', Buffer.from('two'));
    expect(Buffer.from((await s.get('events/x/dt=2026-11-22/a.parquet'))!).toString()).toBe('two');
    expect(await s.get('events/x/missing.parquet')).toBeUndefined();
    expect(s.describe()).toBe('s3://lake');
  });

  it('throws a LakeStoreError for an unknown bucket', async () => {
    const s = new S3LakeStore({ bucket: 'no-such-bucket', client: server.client() });
    await expect(s.put('k', Buffer.from('x'))).rejects.toThrow(LakeStoreError);
  });

  it('lets the processor write the lake through S3; the files are the same layout DuckDB reads', async () => {
    const s = store();
    await seedReferenceData(s, [sales]);
    await createProcessorHandler({ spec: clickstream, store: s })(loadEvent('msk-clickstream'));
    await createProcessorHandler({ spec: sales, store: s, summaryPublisher: recordingPublisher() })(loadEvent('msk-sales'));
    const db = await LakeDb.open(join(root, 'lake'), [clickstream, sales]);
    expect(await db.query('SELECT count(*) AS n FROM clickstream_events')).toEqual([{ n: 3n }]);
    expect(await db.query('SELECT region FROM sales_events ORDER BY payment_id')).toEqual([{ region: 'Europe' }, { region: 'Unassigned' }, { region: 'Asia Pacific' }]);
    await db.close();
  });

  it('listens on loopback only and stores objects as plain files', async () => {
    expect(server.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await store().put('reference/x/file.csv', Buffer.from('a,b\n'));
    expect(readFileSync(join(root, 'lake', 'reference', 'x', 'file.csv'), 'utf8')).toBe('a,b\n');
  });

  it('throws a LakeStoreError when the server is down, so the batch is retried', async () => {
    const otherRoot = mkdtempSync(join(tmpdir(), 'streamlake-s3-down-'));
    const other = await startS3Server(REPO_ROOT, otherRoot);
    await other.createBucket('lake');
    const s = new S3LakeStore({ bucket: 'lake', client: other.client() });
    await other.stop();
    const stopped = await fetch(other.endpoint).then(
      () => 'answering',
      () => 'refused',
    );
    expect(stopped).toBe('refused');
    await expect(s.put('k', Buffer.from('x'))).rejects.toThrow(LakeStoreError);
    await expect(createProcessorHandler({ spec: clickstream, store: s })(loadEvent('msk-clickstream'))).rejects.toThrow(LakeStoreError);
    rmSync(otherRoot, { recursive: true, force: true });
  });
});
