import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { LakeStoreError, type LakeStore, type LakeStoreListing, type ListedObject } from './lake-store';

/** The lake as a local directory with exactly the bucket's layout (for the local runtime and tests). */
export class LocalLakeStore implements LakeStore, LakeStoreListing {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new LakeStoreError(`object key escapes the lake directory: ${key}`);
    return path;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    try {
      await mkdir(dirname(path), { recursive: true });
      // write then rename: a reader never sees half a Parquet file, and an overwrite is atomic
      const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, path);
    } catch (err) {
      throw new LakeStoreError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new LakeStoreError(`cannot read ${key}: ${(err as Error).message}`, { cause: err });
    }
  }

  describe(): string {
    return this.root;
  }

  /** Files under the directory of `prefix` whose key starts with it (keys with `/` separators). */
  async list(prefix: string): Promise<ListedObject[]> {
    const dir = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const start = dir === '' ? this.root : this.pathOf(dir);
    let names: string[];
    try {
      names = await readdir(start, { recursive: true, encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new LakeStoreError(`cannot list ${start}: ${(err as Error).message}`, { cause: err });
    }
    const out: ListedObject[] = [];
    for (const name of names) {
      const path = join(start, name);
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix)) continue;
      try {
        const s = await stat(path);
        if (s.isFile()) out.push({ key, size: s.size, lastModified: s.mtimeMs });
      } catch (err) {
        // deleted while listing: not there
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new LakeStoreError(`cannot stat ${path}: ${(err as Error).message}`, { cause: err });
      }
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await unlink(this.pathOf(key));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new LakeStoreError(`cannot delete ${key}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}
