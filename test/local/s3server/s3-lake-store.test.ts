import { recordingPublisher } from '../../support/publisher';
/**
 * The S3 sink against a real S3-compatible server (versitygw, plain files on disk): put, get,
 * overwrite, missing keys, outage → LakeStoreError; and the processor writing its tables' files
 * through it (the bucket is a directory the local catalog and readers also see).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LakeStoreError } from '../../../lambda/adapters/lake-store';
import { S3LakeStore } from '../../../lambda/adapters/s3-lake-store';
import { createProcessorHandler } from '../../../lambda/handlers/processor';
import { ensureIcebergTables } from '../../../lambda/lake/ensure-tables';
import { IcebergLakeWriter } from '../../../lambda/lake/lake-writer';
import { directoryLocation, storeTableFiles } from '../../../lambda/lake/table-files';
import { LakeDb } from '../../../local/query/lake-db';
import { startTestCatalog, stopTestCatalog, type TestCatalog } from '../../support/rest-catalog';
import { REPO_ROOT, seedReferenceData } from '../../../local/runtime';
import { startS3Server, type RunningS3Server } from '../../../local/s3server/versitygw';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { loadEvent } from '../../support/fixtures';

jest.setTimeout(300_000);

describe('S3LakeStore on versitygw', () => {
  let server: RunningS3Server;
  let root: string;
  let catalog: TestCatalog;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-s3-'));
    server = await startS3Server(REPO_ROOT, root);
    await server.createBucket('lake');
    catalog = await startTestCatalog('streamlake-s3-catalog');
  });
  afterAll(async () => {
    await server?.stop();
    await stopTestCatalog(catalog);
    rmSync(root, { recursive: true, force: true });
  });

  /** The tables of `specs` at the bucket's directory, and a writer whose files go through `s`. */
  const lakeThrough = async (s: S3LakeStore, namespace: string, specs = [clickstream, sales]) => {
    const location = directoryLocation(join(root, 'lake'));
    for (const spec of specs) await ensureIcebergTables(catalog.catalog, spec, location, namespace);
    return new IcebergLakeWriter({ catalog: catalog.catalog, files: storeTableFiles(s, location), namespace });
  };

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

  it("lets the processor write its tables' files through S3 and commit them; DuckDB reads the committed tables", async () => {
    const s = store();
    await seedReferenceData(s, [sales]);
    const lake = await lakeThrough(s, 'through_s3');
    await createProcessorHandler({ spec: clickstream, store: s, lake })(loadEvent('msk-clickstream'));
    const report = await createProcessorHandler({ spec: sales, store: s, lake, summaryPublisher: recordingPublisher() })(loadEvent('msk-sales'));
    // the data files are objects of the bucket
    expect(report.objects.length).toBeGreaterThan(0);
    for (const o of report.objects) expect(await s.get(o.replace(/^file:\/*.*?\/lake\//, ''))).toBeDefined();
    const db = await LakeDb.open(join(root, 'lake'), [clickstream, sales], { catalog: catalog.catalog, namespace: 'through_s3' });
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
    const lake = await lakeThrough(s, 'server_down', [clickstream]);
    await expect(createProcessorHandler({ spec: clickstream, store: s, lake })(loadEvent('msk-clickstream'))).rejects.toThrow(LakeStoreError);
    rmSync(otherRoot, { recursive: true, force: true });
  });
});
