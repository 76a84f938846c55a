/** Apache Iceberg's REST catalog server for one test file: a temp directory with its database and warehouse, and a client. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RestCatalogClient } from '../../lambda/adapters/rest-catalog';
import { startRestCatalog, type RunningRestCatalog } from '../../local/catalog/rest-catalog-server';
import { REPO_ROOT } from '../../local/runtime';

export interface TestCatalog {
  /** The temp directory (catalog/, warehouse/, and whatever the test puts there). */
  readonly root: string;
  readonly server: RunningRestCatalog;
  readonly catalog: RestCatalogClient;
}

export async function startTestCatalog(prefix: string): Promise<TestCatalog> {
  const root = mkdtempSync(join(tmpdir(), `${prefix}-`));
  const server = await startRestCatalog({ repoRoot: REPO_ROOT, metadataDir: join(root, 'catalog'), warehouseDir: join(root, 'warehouse') });
  return { root, server, catalog: new RestCatalogClient({ uri: server.url }) };
}

/** Stops the server and removes the directory (whatever part of the start succeeded). */
export async function stopTestCatalog(t: Partial<TestCatalog> | undefined): Promise<void> {
  await t?.server?.stop();
  if (t?.root) rmSync(t.root, { recursive: true, force: true });
}
