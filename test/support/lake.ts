/** A temporary local lake directory seeded with the pipelines' reference data. */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { referenceKey } from '../../model/layout';
import type { PipelineSpec } from '../../model/spec';

export async function seedReferences(store: LocalLakeStore, specs: readonly PipelineSpec[]): Promise<void> {
  for (const spec of specs) {
    for (const ref of spec.references ?? []) {
      await store.put(referenceKey(ref), await readFile(join(__dirname, '..', '..', 'pipelines', 'reference', ref.file)));
    }
  }
}

export async function tempLake(specs: readonly PipelineSpec[]): Promise<{ dir: string; store: LocalLakeStore; remove: () => void }> {
  const dir = mkdtempSync(join(tmpdir(), 'streamlake-lake-'));
  const store = new LocalLakeStore(dir);
  await seedReferences(store, specs);
  return { dir, store, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
