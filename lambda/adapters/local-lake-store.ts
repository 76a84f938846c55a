import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { LakeStoreError, type LakeStore } from './lake-store';

/** The lake as a local directory with exactly the bucket's layout (for the local runtime and tests). */
export class LocalLakeStore implements LakeStore {
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
}
