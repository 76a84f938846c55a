/**
 * Creates a pipeline's Iceberg tables (model/lake-tables.ts) in a catalog when they do not exist:
 * the namespace first (the Glue Data Catalog does not create it implicitly), then each table with
 * its schema (field ids 1..N), `day()` partition spec and an explicit location under the lake
 * root, `<root>iceberg/<table>`. An existing table is left as it is: the processor evolves its
 * schema when the spec has gained an optional column (./iceberg-schema.ts `resolveSchema`).
 */
import type { Namespace, RestCatalogClient } from '../adapters/rest-catalog';
import { CatalogRequestError, CatalogUnavailableError } from '../adapters/rest-catalog';
import { icebergTables } from '../../model/lake-tables';
import type { PipelineSpec } from '../../model/spec';
import { ROW_GROUP_SIZE_PROPERTY } from './compaction';
import { createTableRequest, LAKE_NAMESPACE } from './iceberg-schema';

/**
 * Set on every table:
 * - each commit writes a new `*.metadata.json` listing all retained snapshots (MBs once a table
 *   commits every second), so the catalog deletes the files that fall out of the last
 *   `previous-versions-max` (Iceberg's default, 100) instead of keeping one per commit forever;
 * - the compactor writes Parquet row groups of about 8 MiB (Iceberg's default, 128 MiB, makes a
 *   compacted day one row group: readers cannot skip any of it, and Trino holds whole pages of it
 *   in memory). Any Iceberg client can change it per table (Spark's `ALTER TABLE … SET TBLPROPERTIES`, pyiceberg).
 */
export const LAKE_TABLE_PROPERTIES: Readonly<Record<string, string>> = {
  'write.metadata.delete-after-commit.enabled': 'true',
  'write.metadata.previous-versions-max': '100',
  [ROW_GROUP_SIZE_PROPERTY]: String(8 * 1024 * 1024),
};

/** Where a table of the lake lives: `<root>iceberg/<table>` (`root` ends with `/`). */
export function tableLocation(root: string, table: string): string {
  return `${root.endsWith('/') ? root : `${root}/`}iceberg/${table}`;
}

/**
 * Creates the pipeline's missing tables; returns the names of those it created. An existing table
 * gets the LAKE_TABLE_PROPERTIES it lacks (a table created by an earlier version), never one it
 * sets: a value someone chose stays.
 */
export async function ensureIcebergTables(catalog: RestCatalogClient, spec: PipelineSpec, root: string, namespace: Namespace = LAKE_NAMESPACE): Promise<string[]> {
  await catalog.ensureNamespace(namespace);
  const created: string[] = [];
  for (const t of icebergTables(spec)) {
    if (await catalog.tableExists(namespace, t.name)) {
      await addMissingProperties(catalog, namespace, t.name);
      continue;
    }
    try {
      await catalog.createTable(
        namespace,
        createTableRequest(t.name, t.schema, t.partitionColumn, {
          location: tableLocation(root, t.name),
          properties: { ...LAKE_TABLE_PROPERTIES, 'streamlake.pipeline': spec.name, 'streamlake.kind': t.kind, comment: t.description },
        }),
      );
      created.push(t.name);
    } catch (err) {
      // another process created it between the check and the create
      if (err instanceof CatalogRequestError && err.details.status === 409) continue;
      // …or lost the race inside the catalog, which some answer with a 500 instead of a 409
      if (err instanceof CatalogUnavailableError && (await catalog.tableExists(namespace, t.name).catch(() => false))) continue;
      throw err;
    }
  }
  return created;
}

async function addMissingProperties(catalog: RestCatalogClient, namespace: Namespace, table: string): Promise<void> {
  const { metadata } = await catalog.loadTable(namespace, table);
  const missing = Object.entries(LAKE_TABLE_PROPERTIES).filter(([k]) => metadata.properties?.[k] === undefined);
  if (missing.length === 0) return;
  // the catalog applies a property change on top of concurrent appends: only the table's identity is asserted
  await catalog.commitTable(namespace, table, {
    requirements: [{ type: 'assert-table-uuid', uuid: metadata['table-uuid'] }],
    updates: [{ action: 'set-properties', updates: Object.fromEntries(missing) }],
  });
}
