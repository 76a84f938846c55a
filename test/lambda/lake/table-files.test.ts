import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LakeStore } from '../../../lambda/adapters/lake-store';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { canonicalLocation, directoryLocation, storeTableFiles } from '../../../lambda/lake/table-files';
import { ConfigurationError } from '../../../model/errors';

describe('table files over a LakeStore', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-table-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a directory as a file: location with one trailing slash', () => {
    expect(directoryLocation('/tmp/lake')).toBe('file:/tmp/lake/');
    expect(directoryLocation('/tmp/lake//')).toBe('file:/tmp/lake/');
  });

  it('spells file: locations one way, as Iceberg Java writes them, and leaves others alone', () => {
    expect(['file:///tmp/x/a', 'file://localhost/tmp/x/a', 'file:/tmp/x/a'].map(canonicalLocation)).toEqual(['file:/tmp/x/a', 'file:/tmp/x/a', 'file:/tmp/x/a']);
    expect(canonicalLocation('s3://bucket/iceberg/t/data/a.parquet')).toBe('s3://bucket/iceberg/t/data/a.parquet');
  });

  it('reads and writes a local lake by location, whichever spelling of file: the metadata uses', async () => {
    const files = storeTableFiles(new LocalLakeStore(dir), directoryLocation(dir));
    expect(files.root).toBe(`file:${dir}/`);
    await files.put(`file://${dir}/iceberg/t/data/a.parquet`, Buffer.from('one'));
    expect(readFileSync(join(dir, 'iceberg/t/data/a.parquet'), 'utf8')).toBe('one');
    expect(Buffer.from((await files.get(`file://localhost${dir}/iceberg/t/data/a.parquet`))!).toString()).toBe('one');
    expect(Buffer.from((await files.get(`file:${dir}/iceberg/t/data/a.parquet`))!).toString()).toBe('one');
    expect(await files.get(`file:${dir}/iceberg/t/data/missing.parquet`)).toBeUndefined();
  });

  it('keys an s3:// lake from the bucket root', async () => {
    const put: string[] = [];
    const store: LakeStore = { put: async (key) => void put.push(key), get: async () => undefined, describe: () => 's3://bucket' };
    const files = storeTableFiles(store, 's3://bucket');
    expect(files.root).toBe('s3://bucket/');
    await files.put('s3://bucket/iceberg/t/metadata/snap-1.avro', new Uint8Array(1));
    expect(put).toEqual(['iceberg/t/metadata/snap-1.avro']);
  });

  it('refuses a location outside the lake, or the lake root itself, with a ConfigurationError', async () => {
    const files = storeTableFiles(new LocalLakeStore(dir), directoryLocation(dir));
    await expect(files.put('file:/elsewhere/iceberg/t/data/a.parquet', new Uint8Array(1))).rejects.toThrow(ConfigurationError);
    await expect(files.get(`file:${dir}-other/a.parquet`)).rejects.toThrow(/is outside the lake this processor writes/);
    await expect(files.get(`file:${dir}/`)).rejects.toThrow(ConfigurationError);
    await expect(files.get(`s3://bucket/iceberg/t/data/a.parquet`)).rejects.toThrow(ConfigurationError);
  });
});
