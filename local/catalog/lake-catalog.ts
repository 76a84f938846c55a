/**
 * The catalog of a local lake directory: Apache Iceberg's REST catalog server keeps its database
 * in `<lake>/catalog/` (beside the tables, so the lake and its catalog are removed together), and
 * the tables live at `<lake>/iceberg/<table>` (lambda/lake/ensure-tables.ts), as in the bucket.
 * `openLakeCatalog` uses the server already running on that directory (`up`, a test's runtime)
 * or starts one for as long as the caller needs it.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RestCatalogClient } from '../../lambda/adapters/rest-catalog';
import type { LakeStore } from '../../lambda/adapters/lake-store';
import { LocalLakeStore } from '../../lambda/adapters/local-lake-store';
import { IcebergCompactor } from '../../lambda/lake/compactor';
import { IcebergLakeWriter } from '../../lambda/lake/lake-writer';
import { directoryLocation, storeTableFileListing, storeTableFiles } from '../../lambda/lake/table-files';
import { runningCatalogUrl, startRestCatalog } from './rest-catalog-server';

export const catalogDirOf = (lakeDir: string): string => join(resolve(lakeDir), 'catalog');

/** The lake directory as the location its tables are created under (`file:/…/`). */
export const lakeRootLocation = (lakeDir: string): string => directoryLocation(resolve(lakeDir));

/** Whether the directory holds an Iceberg lake (a catalog database). */
export function isIcebergLake(lakeDir: string): boolean {
  return existsSync(join(catalogDirOf(lakeDir), 'catalog.db'));
}

export interface LakeCatalog {
  readonly client: RestCatalogClient;
  readonly url: string;
  /** True when this call started the server (then `close` stops it). */
  readonly started: boolean;
  close(): Promise<void>;
}

export async function openLakeCatalog(lakeDir: string, o: { readonly repoRoot: string; readonly log?: (line: string) => void }): Promise<LakeCatalog> {
  const metadataDir = catalogDirOf(lakeDir);
  const running = runningCatalogUrl(metadataDir);
  if (running) return { client: new RestCatalogClient({ uri: running }), url: running, started: false, close: async () => undefined };
  const server = await startRestCatalog({ repoRoot: o.repoRoot, metadataDir, warehouseDir: join(resolve(lakeDir), 'iceberg'), log: o.log });
  return { client: new RestCatalogClient({ uri: server.url }), url: server.url, started: true, close: () => server.stop() };
}

/** A processor's lake writer over the lake directory's tables; `store` writes the files (the directory itself, or an S3-compatible server keeping the bucket there). */
export function lakeWriterFor(lakeDir: string, store: LakeStore, catalog: RestCatalogClient): IcebergLakeWriter {
  return new IcebergLakeWriter({ catalog, files: storeTableFiles(store, lakeRootLocation(lakeDir)) });
}

/** The compactor of the lake directory's tables: files read, written, listed and deleted in the directory itself. */
export function compactorFor(lakeDir: string, catalog: RestCatalogClient, o: { readonly now?: () => number; readonly log?: (line: string) => void } = {}): IcebergCompactor {
  const store = new LocalLakeStore(resolve(lakeDir));
  const root = lakeRootLocation(lakeDir);
  return new IcebergCompactor({ catalog, files: storeTableFiles(store, root), listing: storeTableFileListing(store, root), now: o.now, log: o.log });
}
