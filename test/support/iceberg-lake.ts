/**
 * A lake of Iceberg tables for one test: a temporary directory (reference data seeded) whose
 * pipelines' tables are created in a namespace of their own on a running test catalog
 * (./rest-catalog.ts), a writer per "container", and the local Athena over exactly those tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LakeStore } from '../../lambda/adapters/lake-store';
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { ensureIcebergTables } from '../../lambda/lake/ensure-tables';
import { IcebergLakeWriter } from '../../lambda/lake/lake-writer';
import { directoryLocation, storeTableFiles } from '../../lambda/lake/table-files';
import { currentDataFiles } from '../../local/query/iceberg-files';
import { LakeDb } from '../../local/query/lake-db';
import type { PipelineSpec } from '../../model/spec';
import { seedReferences } from './lake';
import type { TestCatalog } from './rest-catalog';

export interface TestIcebergLake {
  readonly dir: string;
  /** The lake directory as a store (reference data, table files). */
  readonly store: LocalLakeStore;
  readonly namespace: string;
  /** A fresh writer (an empty cache, as a new container has), its files written through `store` unless another is given. */
  writer(store?: LakeStore): IcebergLakeWriter;
  /** `read_parquet([...])` of exactly the data files the table's current snapshot lists (DuckDB SQL; `(SELECT … WHERE false)` when none). */
  source(table: string): Promise<string>;
  /** The local Athena over the tables' current snapshots (close it after use). */
  db(): Promise<LakeDb>;
  remove(): void;
}

let lakes = 0;

export async function testIcebergLake(t: TestCatalog, specs: readonly PipelineSpec[]): Promise<TestIcebergLake> {
  const namespace = `lake${++lakes}`;
  const dir = mkdtempSync(join(t.root, `${namespace}-`));
  const store = new LocalLakeStore(dir);
  await seedReferences(store, specs);
  for (const spec of specs) await ensureIcebergTables(t.catalog, spec, directoryLocation(dir), namespace);
  return {
    dir,
    store,
    namespace,
    writer: (files: LakeStore = store) => new IcebergLakeWriter({ catalog: t.catalog, files: storeTableFiles(files, directoryLocation(dir)), namespace }),
    source: async (table) => {
      const files = currentDataFiles((await t.catalog.loadTable(namespace, table)).metadata);
      return files.length === 0 ? '(SELECT 1 AS nothing WHERE false)' : `read_parquet([${files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ')}], hive_partitioning = false)`;
    },
    db: () => LakeDb.open(dir, specs, { catalog: t.catalog, namespace }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
