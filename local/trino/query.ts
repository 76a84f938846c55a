/**
 * `query --engine trino`: one named query or SQL statement on a local Trino over the local lake,
 * with the deployed tables, views and named queries (see ./lake.ts). Starts Trino (or uses a
 * running one), runs the statement, stops what it started.
 */
import { join } from 'node:path';
import { DEFAULT_STATE_DIR } from '../runtime';
import type { TrinoColumn } from './client';
import { lakeDefinitions, type LakeDefinitions } from './definitions';
import { TrinoLake } from './lake';
import { TrinoIcebergLake } from './iceberg-lake';
import { isIcebergLake } from '../catalog/lake-catalog';
import { PIPELINES } from '../../pipelines';
import type { JavaInstall } from './java';
import type { RunningTrino } from './server';
import { ConfigurationError } from '../../model/errors';

export interface TrinoQueryOptions {
  /** A deployed named query, e.g. `sales-top-countries` (exactly one of `named` and `sql`). */
  readonly named?: string;
  /** Athena SQL, run as it is. */
  readonly sql?: string;
  /** The local lake directory. @default .streamlake/lake */
  readonly lakeDir?: string;
  /** CDK context of the deployment whose catalog to create (`streamlake:pipelines` …). @default every shipped pipeline */
  readonly context?: Record<string, unknown>;
  /** Where Trino's files and log go (<stateDir>/trino-server/<port>/). @default .streamlake */
  readonly stateDir?: string;
  /** A server to use instead of starting one (left running). */
  readonly trino?: RunningTrino;
  /** The catalog, when the caller has it already. @default synthesized from `context` */
  readonly definitions?: LakeDefinitions;
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

/** The deployed named queries (name, description, SQL) of a configuration. */
export function trinoNamedQueries(context: Record<string, unknown> = {}): readonly { readonly name: string; readonly description: string; readonly sql: string }[] {
  return lakeDefinitions({ context }).namedQueries;
}

/**
 * Runs one named query or SQL statement on the local Trino. An unknown named query throws an
 * Error listing the known ones; a statement Trino refuses throws a TrinoQueryError carrying the
 * statement and Trino's message; a missing Java or Maven throws a one-line PrerequisiteError.
 */
export async function queryWithTrino(options: TrinoQueryOptions): Promise<TrinoQueryResult> {
  if ((options.named === undefined) === (options.sql === undefined)) throw new ConfigurationError('give exactly one of a named query and SQL');
  const lakeDir = options.lakeDir ?? join(DEFAULT_STATE_DIR, 'lake');
  // an Iceberg lake is read through its catalog with Trino's Iceberg connector, as Athena reads it
  const open = (): Promise<TrinoLake | TrinoIcebergLake> =>
    isIcebergLake(lakeDir)
      ? TrinoIcebergLake.open({ lakeDir, specs: Object.values(PIPELINES), stateDir: options.stateDir ?? DEFAULT_STATE_DIR, log: options.log })
      : TrinoLake.open({
          lakeDir,
          stateDir: options.stateDir ?? DEFAULT_STATE_DIR,
          context: options.context ?? {},
          definitions: options.definitions,
          trino: options.trino,
          log: options.log,
        });
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
