/**
 * The local Athena: DuckDB over a lake directory, the reference tables over their CSV, and the
 * same views and named queries as Athena.
 *
 * An Iceberg lake (a directory with a catalog, local/catalog/lake-catalog.ts) is read as Athena
 * reads its tables: each table is a view over exactly the data files of its current snapshot, as
 * its manifests list them (./iceberg-files.ts), with `timestamptz` columns as UTC timestamps; the
 * window views merge the partials. A per-batch lake is read as before: views over the Parquet
 * files (hive partitions as strings) and the dedup views.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { icebergViews, lakeTables, namedQueries, referenceTableName, views, type NamedQuery } from '../../model/catalog';
import type { RestCatalogClient } from '../../lambda/adapters/rest-catalog';
import { CatalogNotFoundError } from '../../lambda/adapters/rest-catalog';
import { icebergSchema, LAKE_NAMESPACE } from '../../lambda/lake/iceberg-schema';
import { icebergTables } from '../../model/lake-tables';
import { isIcebergLake, openLakeCatalog, type LakeCatalog } from '../catalog/lake-catalog';
import { REPO_ROOT } from '../runtime';
import { createIcebergView, icebergSnapshotSql } from './iceberg-files';
import { areaPrefix, referenceKey } from '../../model/layout';
import type { PipelineSpec } from '../../model/spec';
import type { ColumnType } from '../../model/tables';
import { athenaToDuckDb, DUCKDB_ATHENA_SETUP } from './dialect';
import { ConfigurationError } from '../../model/errors';

const DUCK_TYPE: Record<ColumnType, string> = { string: 'VARCHAR', int: 'INTEGER', long: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', binary: 'BLOB' };
const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

function hasParquet(dir: string): boolean {
  if (!existsSync(dir)) return false;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.parquet')) return true;
    if (e.isDirectory() && hasParquet(join(dir, e.name))) return true;
  }
  return false;
}

export interface LakeDbOptions {
  /** The catalog of an Iceberg lake; else the one running on the lake directory, or one started for as long as the LakeDb is open. */
  readonly catalog?: RestCatalogClient;
  /** Where the local catalog server is installed (needed only to start one). */
  readonly repoRoot?: string;
}

export class LakeDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly lakeDir: string,
    readonly specs: readonly PipelineSpec[],
    /** The Iceberg catalog (absent: a per-batch lake). */
    private readonly catalog?: RestCatalogClient,
    private readonly ownCatalog?: LakeCatalog,
  ) {}

  static async open(lakeDir: string, specs: readonly PipelineSpec[], options: LakeDbOptions = {}): Promise<LakeDb> {
    let own: LakeCatalog | undefined;
    let catalog = options.catalog;
    if (!catalog && isIcebergLake(lakeDir)) {
      own = await openLakeCatalog(lakeDir, { repoRoot: options.repoRoot ?? REPO_ROOT });
      catalog = own.client;
    }
    try {
      const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
      const connection = await instance.connect();
      // the settings and macros the translated Athena SQL relies on (integer division, refusals)
      for (const statement of DUCKDB_ATHENA_SETUP) await connection.run(statement);
      const db = new LakeDb(instance, connection, lakeDir, specs, catalog, own);
      await db.refresh();
      return db;
    } catch (err) {
      await own?.close();
      throw err;
    }
  }

  /** Whether the lake is read as Iceberg tables. */
  get iceberg(): boolean {
    return this.catalog !== undefined;
  }

  /** (Re)creates every table view: call after new commits (Iceberg) or new files in an area that was empty (per-batch). */
  async refresh(): Promise<void> {
    if (this.catalog) return this.refreshIceberg(this.catalog);
    for (const spec of this.specs) {
      for (const t of lakeTables(spec)) {
        const dir = join(this.lakeDir, areaPrefix(t.area));
        const cols = t.schema.columns.map((c) => `CAST(${q(c.name)} AS ${DUCK_TYPE[c.type]}) AS ${q(c.name)}`);
        const parts = t.schema.partitionKeys.map((k) => `CAST(${q(k)} AS VARCHAR) AS ${q(k)}`);
        const source = hasParquet(dir)
          ? `SELECT ${[...cols, ...parts].join(', ')} FROM read_parquet(${lit(join(dir, '**', '*.parquet'))}, hive_partitioning = true, hive_types_autocast = false, union_by_name = true)`
          : `SELECT ${[...t.schema.columns.map((c) => `CAST(NULL AS ${DUCK_TYPE[c.type]}) AS ${q(c.name)}`), ...t.schema.partitionKeys.map((k) => `CAST(NULL AS VARCHAR) AS ${q(k)}`)].join(', ')} WHERE false`;
        await this.connection.run(`CREATE OR REPLACE VIEW ${q(t.name)} AS ${source}`);
      }
      await this.referenceViews(spec);
      for (const v of views(spec)) await this.connection.run(`CREATE OR REPLACE VIEW ${q(v.name)} AS ${athenaToDuckDb(v.sql)}`);
    }
  }

  /** The data files each table's view reads (Iceberg lakes), by table name: what its current snapshot lists. */
  readonly files = new Map<string, readonly string[]>();

  private async refreshIceberg(catalog: RestCatalogClient): Promise<void> {
    for (const spec of this.specs) {
      for (const t of icebergTables(spec)) {
        let files: string[];
        try {
          const { metadata } = await catalog.loadTable(LAKE_NAMESPACE, t.name);
          files = await createIcebergView(this.connection, t.name, metadata, undefined, { instantsAsUtcTimestamps: true });
        } catch (err) {
          if (!(err instanceof CatalogNotFoundError)) throw err;
          // not created yet (no processor has started): an empty table with the spec's columns
          const schema = icebergSchema(t.schema);
          const empty = {
            'format-version': 2,
            'table-uuid': '',
            location: '',
            'last-updated-ms': 0,
            'last-column-id': 0,
            schemas: [schema],
            'current-schema-id': 0,
            'partition-specs': [],
            'default-spec-id': 0,
            'last-partition-id': 0,
          };
          await this.connection.run(`CREATE OR REPLACE VIEW ${q(t.name)} AS ${icebergSnapshotSql(empty, [], { instantsAsUtcTimestamps: true })}`);
          files = [];
        }
        this.files.set(t.name, files);
      }
      await this.referenceViews(spec);
      for (const v of icebergViews(spec)) await this.connection.run(`CREATE OR REPLACE VIEW ${q(v.name)} AS ${athenaToDuckDb(v.sql)}`);
    }
  }

  private async referenceViews(spec: PipelineSpec): Promise<void> {
    {
      for (const ref of spec.references ?? []) {
        const file = join(this.lakeDir, referenceKey(ref));
        const source = existsSync(file)
          ? `SELECT ${ref.columns.map((c) => `CAST(${q(c)} AS VARCHAR) AS ${q(c)}`).join(', ')} FROM read_csv(${lit(file)}, header = true, all_varchar = true)`
          : `SELECT ${ref.columns.map((c) => `CAST(NULL AS VARCHAR) AS ${q(c)}`).join(', ')} WHERE false`;
        await this.connection.run(`CREATE OR REPLACE VIEW ${q(referenceTableName(ref))} AS ${source}`);
      }
    }
  }

  namedQueries(): NamedQuery[] {
    return this.specs.flatMap(namedQueries);
  }

  /** Runs Athena SQL (translated) and returns rows as JS values. */
  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(athenaToDuckDb(sql));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  async named(name: string): Promise<Record<string, unknown>[]> {
    const nq = this.namedQueries().find((n) => n.name === name);
    if (!nq)
      throw new ConfigurationError(
        `unknown named query '${name}' (known: ${this.namedQueries()
          .map((n) => n.name)
          .join(', ')})`,
      );
    return this.query(nq.sql);
  }

  /** Closes DuckDB, and stops the catalog server `open` started, if it did. */
  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
    await this.ownCatalog?.close();
  }
}
