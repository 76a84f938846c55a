/** A small DuckDB wrapper for tests: an independent Parquet reader and SQL engine. */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

export class TestDuckDb {
  private constructor(private readonly connection: DuckDBConnection) {}

  static async open(): Promise<TestDuckDb> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    return new TestDuckDb(await instance.connect());
  }

  /** Rows as JS values: TIMESTAMP → Date, BIGINT → bigint, BLOB → Buffer. */
  async rows(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  /** Column name → DuckDB type of a query's result. */
  async types(sql: string): Promise<Record<string, string>> {
    const rows = await this.rows(`DESCRIBE ${sql}`);
    return Object.fromEntries(rows.map((r) => [r.column_name as string, r.column_type as string]));
  }

  close(): void {
    this.connection.closeSync();
  }
}

/** `read_parquet` over every file of a lake area, with hive partition columns as strings. */
export function readArea(lakeDir: string, prefix: string): string {
  return `read_parquet('${lakeDir}/${prefix}**/*.parquet', hive_partitioning = true, hive_types_autocast = false)`;
}
