/**
 * The local Athena: DuckDB over a lake directory, the reference tables over their CSV, and the
 * same views and named queries as Athena.
 *
 * The lake's Iceberg tables (a directory with a catalog, local/catalog/lake-catalog.ts) are read
 * as Athena reads them: each table is a view over exactly the data files of its current snapshot,
 * as its manifests list them (./iceberg-files.ts), with `timestamptz` columns as UTC timestamps;
 * the window views merge the partials. A directory no processor has written yet reads as empty
 * tables.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { icebergViews, namedQueries, referenceTableName, type NamedQuery } from '../../model/catalog';
import type { RestCatalogClient } from '../../lambda/adapters/rest-catalog';
import { CatalogNotFoundError } from '../../lambda/adapters/rest-catalog';
import { icebergSchema, LAKE_NAMESPACE } from '../../lambda/lake/iceberg-schema';
import { icebergTables } from '../../model/lake-tables';
import { isIcebergLake, openLakeCatalog, type LakeCatalog } from '../catalog/lake-catalog';
import { REPO_ROOT } from '../runtime';
import { createIcebergView, icebergSnapshotSql } from './iceberg-files';
import { referenceKey } from '../../model/layout';
import type { PipelineSpec } from '../../model/spec';
import { athenaToDuckDb, DUCKDB_ATHENA_SETUP } from './dialect';
import { ConfigurationError } from '../../model/errors';

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface LakeDbOptions {
  /** The lake's catalog; else the one running on the lake directory, or one started for as long as the LakeDb is open. */
  readonly catalog?: RestCatalogClient;
  /** Where the local catalog server is installed (needed only to start one). */
  readonly repoRoot?: string;
  /** The namespace of the tables. @default streamlake */
  readonly namespace?: string;
}

export class LakeDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly lakeDir: string,
    readonly specs: readonly PipelineSpec[],
    /** The lake's catalog (absent: a directory no processor has written, read as empty tables). */
    private readonly catalog?: RestCatalogClient,
    private readonly ownCatalog?: LakeCatalog,
    private readonly namespace: string = LAKE_NAMESPACE,
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
      const db = new LakeDb(instance, connection, lakeDir, specs, catalog, own, options.namespace);
      await db.refresh();
      return db;
    } catch (err) {
      await own?.close();
      throw err;
    }
  }

  /** The data files each table's view reads, by table name: what its current snapshot lists. */
  readonly files = new Map<string, readonly string[]>();

  /** (Re)creates every table view: call after new commits. */
  async refresh(): Promise<void> {
    for (const spec of this.specs) {
      for (const t of icebergTables(spec)) {
        let files: string[] | undefined;
        try {
          if (this.catalog) {
            const { metadata } = await this.catalog.loadTable(this.namespace, t.name);
            files = await createIcebergView(this.connection, t.name, metadata, undefined, { instantsAsUtcTimestamps: true });
          }
        } catch (err) {
          if (!(err instanceof CatalogNotFoundError)) throw err;
        }
        if (!files) {
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
