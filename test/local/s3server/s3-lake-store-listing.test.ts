/**
 * What the compactor's orphan sweep needs of the S3 store (LakeStoreListing), against a real
 * S3-compatible server (versitygw): listing a prefix over several pages, deleting more keys than
 * one DeleteObjects request takes, a key already gone, and the local directory store doing the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeStore, LakeStoreListing } from '../../../lambda/adapters/lake-store';
import { LakeStoreError } from '../../../lambda/adapters/lake-store';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { S3LakeStore } from '../../../lambda/adapters/s3-lake-store';
import { REPO_ROOT } from '../../../local/runtime';
import { startS3Server, type RunningS3Server } from '../../../local/s3server/versitygw';

jest.setTimeout(300_000);

describe('listing and deleting lake objects (the orphan sweep)', () => {
  let server: RunningS3Server;
  let root: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'streamlake-s3-listing-'));
    server = await startS3Server(REPO_ROOT, join(root, 's3'));
    await server.createBucket('lake');
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  const stores: [string, () => LakeStore & LakeStoreListing][] = [
    ['S3LakeStore on versitygw', () => new S3LakeStore({ bucket: 'lake', client: server.client() })],
    ['LocalLakeStore', () => new LocalLakeStore(join(root, 'local'))],
  ];

  it.each(stores)('%s: lists every object under a prefix (several pages), with size and time; deletes them in chunks; a missing key is no error', async (_name, make) => {
    const store = make();
    const keys = Array.from({ length: 1_005 }, (_, i) => `iceberg/t/data/d=1/f-${String(i).padStart(4, '0')}.parquet`);
    const started = Date.now() - 2_000;
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.put(k, Buffer.from('x'.repeat(7)))));
    await store.put('iceberg/t/metadata/m.avro', Buffer.from('m'));
    await store.put('iceberg/t2/data/other.parquet', Buffer.from('o'));

    const listed = await store.list('iceberg/t/');
    expect(listed.map((o) => o.key).sort()).toEqual([...keys, 'iceberg/t/metadata/m.avro'].sort());
    expect(listed.every((o) => o.lastModified >= started && o.lastModified <= Date.now() + 2_000)).toBe(true);
    expect(listed.find((o) => o.key === keys[0])?.size).toBe(7);
    expect((await store.list('iceberg/t/data/')).length).toBe(1_005);
    expect(await store.list('iceberg/none/')).toEqual([]);

    await store.delete([...keys, 'iceberg/t/data/never-there.parquet']);
    expect((await store.list('iceberg/t/')).map((o) => o.key)).toEqual(['iceberg/t/metadata/m.avro']);
    expect((await store.list('iceberg/')).map((o) => o.key).sort()).toEqual(['iceberg/t/metadata/m.avro', 'iceberg/t2/data/other.parquet']);
    expect(await store.get(keys[0])).toBeUndefined();
  });

  it('S3: an unknown bucket is a LakeStoreError for list and delete', async () => {
    const store = new S3LakeStore({ bucket: 'no-such-bucket', client: server.client() });
    await expect(store.list('x/')).rejects.toThrow(LakeStoreError);
    await expect(store.delete(['x/y'])).rejects.toThrow(LakeStoreError);
  });
});
