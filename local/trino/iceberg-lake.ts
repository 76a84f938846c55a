/**
 * Athena's engine on a local Iceberg lake: a local Trino whose Iceberg connector reads the lake's
 * tables through its REST catalog (the running `up`'s, or one started for as long as this is open),
 * as Athena engine v3 reads them through Glue; the window views are created by the same DDL the
 * views custom resource runs, and the named queries run as they are. The DuckDB lake
 * (`local/query/lake-db.ts`) is the quick local Athena; this one is the reference.
 */
import { icebergViews, namedQueries, viewDdl, type NamedQuery } from '../../model/catalog';
import { ConfigurationError } from '../../model/errors';
import type { PipelineSpec } from '../../model/spec';
import { LAKE_NAMESPACE } from '../../lambda/lake/iceberg-schema';
import { eventsTableName } from '../../model/lake-tables';
import { openLakeCatalog, type LakeCatalog } from '../catalog/lake-catalog';
import { REPO_ROOT } from '../runtime';
import type { TrinoClient, TrinoResult } from './client';
import { startTrino, TRINO_ICEBERG_CATALOG, type RunningTrino } from './server';

export interface TrinoIcebergLakeOptions {
  readonly lakeDir: string;
  readonly specs: readonly PipelineSpec[];
  readonly repoRoot?: string;
  readonly stateDir?: string;
  readonly java?: string;
  /** Trino's JVM heap (a query may use 30% of it). @default the server's, 1G */
  readonly heap?: string;
  readonly log?: (line: string) => void;
}

export class TrinoIcebergLake {
  readonly client: TrinoClient;

  private constructor(
    readonly trino: RunningTrino,
    private readonly catalog: LakeCatalog,
    readonly specs: readonly PipelineSpec[],
  ) {
    this.client = trino.client({ catalog: TRINO_ICEBERG_CATALOG, schema: LAKE_NAMESPACE });
  }

  static async open(o: TrinoIcebergLakeOptions): Promise<TrinoIcebergLake> {
    const repoRoot = o.repoRoot ?? REPO_ROOT;
    const catalog = await openLakeCatalog(o.lakeDir, { repoRoot, log: o.log });
    let trino: RunningTrino | undefined;
    try {
      // the pipelines this lake has tables of (a lake written by `up --pipelines sales` has no clickstream)
      const specs: PipelineSpec[] = [];
      for (const spec of o.specs) if (await catalog.client.tableExists(LAKE_NAMESPACE, eventsTableName(spec))) specs.push(spec);
      trino = await startTrino({ repoRoot, stateDir: o.stateDir, lakeDir: o.lakeDir, java: o.java, heap: o.heap, log: o.log, iceberg: { restCatalogUri: catalog.url } });
      const lake = new TrinoIcebergLake(trino, catalog, specs);
      await lake.refresh();
      return lake;
    } catch (err) {
      await trino?.stop();
      await catalog.close();
      throw err;
    }
  }

  /** (Re)creates the window views (stored in the catalog, as Athena keeps views in Glue). */
  async refresh(): Promise<void> {
    for (const spec of this.specs) for (const v of icebergViews(spec)) await this.client.query(viewDdl(v.name, v.sql));
  }

  namedQueries(): NamedQuery[] {
    return this.specs.flatMap(namedQueries);
  }

  /** Runs Athena SQL as it is (no translation); a failure carries the statement and Trino's error. */
  async query(sql: string): Promise<TrinoResult> {
    return this.client.query(sql);
  }

  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.client.rows(sql);
  }

  async named(name: string): Promise<TrinoResult> {
    const q = this.namedQueries().find((n) => n.name === name);
    if (!q)
      throw new ConfigurationError(
        `unknown named query '${name}' (known: ${this.namedQueries()
          .map((n) => n.name)
          .join(', ')})`,
      );
    return this.query(q.sql);
  }

  async close(): Promise<void> {
    await this.trino.stop();
    await this.catalog.close();
  }
}
