/**
 * `query --engine trino`: one named query or SQL statement on a local Trino over the local lake's
 * Iceberg tables, with the deployed window views and named queries (see ./iceberg-lake.ts).
 * Starts Trino, runs the statement, stops it.
 */
import { join } from 'node:path';
import { DEFAULT_STATE_DIR } from '../runtime';
import type { TrinoColumn } from './client';
import { TrinoIcebergLake } from './iceberg-lake';
import { PIPELINES } from '../../pipelines';
import type { JavaInstall } from './java';
import { ConfigurationError } from '../../model/errors';

export interface TrinoQueryOptions {
  /** A deployed named query, e.g. `sales-top-countries` (exactly one of `named` and `sql`). */
  readonly named?: string;
  /** Athena SQL, run as it is. */
  readonly sql?: string;
  /** The local lake directory. @default .streamlake/lake */
  readonly lakeDir?: string;
  /** Where Trino's files and log go (<stateDir>/trino-server/<port>/). @default .streamlake */
  readonly stateDir?: string;
  /** Progress lines (download, start, log file). */
  readonly log?: (line: string) => void;
}

export interface TrinoQueryResult {
  /** The statement that ran. */
  readonly sql: string;
  readonly columns: readonly TrinoColumn[];
  /** Values as the DuckDB lake returns them: BigInt, Date (UTC), Uint8Array, number, string, boolean, null. */
  readonly rows: readonly (readonly unknown[])[];
  readonly trino: { readonly version: string; readonly java: JavaInstall; readonly startMs: number; readonly logFile: string };
}

/**
 * Runs one named query or SQL statement on the local Trino. An unknown named query throws an
 * Error listing the known ones; a statement Trino refuses throws a TrinoQueryError carrying the
 * statement and Trino's message; a missing Java or Maven throws a one-line PrerequisiteError.
 */
export async function queryWithTrino(options: TrinoQueryOptions): Promise<TrinoQueryResult> {
  if ((options.named === undefined) === (options.sql === undefined)) throw new ConfigurationError('give exactly one of a named query and SQL');
  const lakeDir = options.lakeDir ?? join(DEFAULT_STATE_DIR, 'lake');
  // the tables are read through the lake's catalog with Trino's Iceberg connector, as Athena reads them
  const open = (): Promise<TrinoIcebergLake> =>
    TrinoIcebergLake.open({ lakeDir, specs: Object.values(PIPELINES), stateDir: options.stateDir ?? DEFAULT_STATE_DIR, log: options.log });
  const lake = await open();
  try {
    let sql = options.sql;
    if (options.named !== undefined) {
      const known = lake.namedQueries();
      const q = known.find((n) => n.name === options.named);
      if (!q) throw new ConfigurationError(`unknown named query '${options.named}' (known: ${known.map((n) => n.name).join(', ')})`);
      sql = q.sql;
    }
    const result = await lake.query(sql!);
    const t = lake.trino;
    return { sql: sql!, columns: result.columns, rows: result.rows, trino: { version: t.version, java: t.java, startMs: t.startMs, logFile: t.logFile } };
  } finally {
    await lake.close();
  }
}
