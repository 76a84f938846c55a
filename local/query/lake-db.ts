/**
 * The local Athena: DuckDB over a lake directory with the Glue tables as views over the Parquet
 * files (hive partitions as strings), the reference tables over their CSV, and the same views
 * and named queries as Athena.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { lakeTables, namedQueries, referenceTableName, views, type NamedQuery } from '../../model/catalog';
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

export class LakeDb {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    readonly lakeDir: string,
    readonly specs: readonly PipelineSpec[],
  ) {}

  static async open(lakeDir: string, specs: readonly PipelineSpec[]): Promise<LakeDb> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
    const connection = await instance.connect();
    // the settings and macros the translated Athena SQL relies on (integer division, refusals)
    for (const statement of DUCKDB_ATHENA_SETUP) await connection.run(statement);
    const db = new LakeDb(instance, connection, lakeDir, specs);
    await db.refresh();
    return db;
  }

  /** (Re)creates every table view: call after new files arrive in an area that was empty. */
  async refresh(): Promise<void> {
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
      for (const ref of spec.references ?? []) {
        const file = join(this.lakeDir, referenceKey(ref));
        const source = existsSync(file)
          ? `SELECT ${ref.columns.map((c) => `CAST(${q(c)} AS VARCHAR) AS ${q(c)}`).join(', ')} FROM read_csv(${lit(file)}, header = true, all_varchar = true)`
          : `SELECT ${ref.columns.map((c) => `CAST(NULL AS VARCHAR) AS ${q(c)}`).join(', ')} WHERE false`;
        await this.connection.run(`CREATE OR REPLACE VIEW ${q(referenceTableName(ref))} AS ${source}`);
      }
      for (const v of views(spec)) await this.connection.run(`CREATE OR REPLACE VIEW ${q(v.name)} AS ${athenaToDuckDb(v.sql)}`);
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

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
