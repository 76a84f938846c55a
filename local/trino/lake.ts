/**
 * Athena's engine on the local lake: a local Trino whose Hive catalog holds the deployed Glue
 * tables (written into its file metastore from the synthesized template: same columns, types,
 * partition keys, SerDe and parameters, partition projection included; only the bucket's `s3://`
 * locations point at the local lake), the views created by the same DDL the views custom resource
 * runs in Athena, and the deployed named queries. The DuckDB lake (`local/query/lake-db.ts`) is
 * the quick local Athena; this one is the reference it is checked against.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { viewDdl } from '../../model/catalog';
import { REPO_ROOT } from '../runtime';
import type { TrinoClient, TrinoResult } from './client';
import { lakeDefinitions, type GlueColumn, type GlueTable, type LakeDefinitions } from './definitions';
import { startTrino, TRINO_CATALOG, TRINO_LAKE_ROOT, type RunningTrino } from './server';
import { ConfigurationError, InternalError } from '../../model/errors';

export interface TrinoLakeOptions {
  readonly lakeDir: string;
  /** @default the deployed catalog of `context` (`lakeDefinitions({ context })`) */
  readonly definitions?: LakeDefinitions;
  /** CDK context of the deployment to synthesize when no definitions are given. @default {} (every shipped pipeline) */
  readonly context?: Record<string, unknown>;
  /** A running server to use (left running by close()); else one is started, and stopped by close(). */
  readonly trino?: RunningTrino;
  readonly repoRoot?: string;
  readonly stateDir?: string;
  readonly java?: string;
  readonly log?: (line: string) => void;
  /** The clock for the projection start of empty tables. @default Date.now */
  readonly now?: () => number;
}

/** The file metastore's JSON of one column (`io.trino.plugin.hive.metastore.file.Column`). */
const metastoreColumn = (c: GlueColumn) => ({ name: c.Name, type: c.Type, ...(c.Comment ? { comment: c.Comment } : {}), properties: {} });

/** The table's folder in the lake directory, from its (local) location. */
function lakeFolder(lakeDir: string, localLocation: string): string {
  return join(lakeDir, localLocation.slice(TRINO_LAKE_ROOT.length));
}

/**
 * Where the `dt` projection starts locally. Athena lists every projected day from the range's
 * start (2000-01-01: ~230,000 dt/hr partitions for an events table, about a minute per query on
 * Trino here); the days before the earliest `dt=` folder hold nothing, so starting there instead
 * lists the same rows. A table with no folder yet starts today. The range's end (`NOW+nDAYS`) is
 * left to Trino, so what the projection hides ahead of now is exactly what Athena hides.
 */
export function localProjectionRange(range: string, folder: string, today: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})\s*,\s*(.+)$/.exec(range.trim());
  if (!m) return range;
  const dates = existsSync(folder)
    ? readdirSync(folder)
        .map((e) => /^dt=(\d{4}-\d{2}-\d{2})$/.exec(e)?.[1])
        .filter((d): d is string => d !== undefined)
        .sort()
    : [];
  const earliest = dates[0] ?? today;
  const start = earliest > m[1] ? earliest : m[1];
  return `${start},${m[2]}`;
}

/**
 * The file metastore's files for the definitions: `.<schema>.trinoSchema` and
 * `<schema>/<table>/.trinoSchema`, keyed by their path under the metastore folder.
 */
export function metastoreFiles(definitions: LakeDefinitions, o: { readonly lakeDir: string; readonly writerVersion: string; readonly today: string }): Map<string, unknown> {
  const toLocal = (s: string, what: string): string => {
    if (!s.startsWith(definitions.bucketUri)) throw new InternalError(`${what} '${s}' is not in the lake bucket ${definitions.bucketUri}`);
    return TRINO_LAKE_ROOT + s.slice(definitions.bucketUri.length);
  };
  const files = new Map<string, unknown>();
  files.set(`.${definitions.database}.trinoSchema`, { writerVersion: o.writerVersion, ownerName: 'streamlake', ownerType: 'USER', parameters: {} });
  for (const t of definitions.tables) files.set(`${definitions.database}/${t.Name}/.trinoSchema`, tableMetadata(t, toLocal, o));
  return files;
}

function tableMetadata(
  t: GlueTable,
  toLocal: (s: string, what: string) => string,
  o: { readonly lakeDir: string; readonly writerVersion: string; readonly today: string },
): unknown {
  const location = toLocal(t.StorageDescriptor.Location, `table ${t.Name}: location`);
  const parameters: Record<string, string> = {};
  for (const [k, v] of Object.entries(t.Parameters ?? {})) parameters[k] = String(v).startsWith('s3://') ? toLocal(String(v), `table ${t.Name}: parameter ${k}`) : String(v);
  if (parameters['projection.dt.range']) parameters['projection.dt.range'] = localProjectionRange(parameters['projection.dt.range'], lakeFolder(o.lakeDir, location), o.today);
  return {
    writerVersion: o.writerVersion,
    owner: 'streamlake',
    tableType: t.TableType,
    dataColumns: t.StorageDescriptor.Columns.map(metastoreColumn),
    partitionColumns: (t.PartitionKeys ?? []).map(metastoreColumn),
    parameters,
    // the SerDe and formats as Glue holds them: Trino picks its reader from these, as Athena does
    originalStorageFormat: {
      serde: t.StorageDescriptor.SerdeInfo.SerializationLibrary,
      inputFormat: t.StorageDescriptor.InputFormat,
      outputFormat: t.StorageDescriptor.OutputFormat,
    },
    serdeParameters: { ...(t.StorageDescriptor.SerdeInfo.Parameters ?? {}) },
    externalLocation: location,
    columnStatistics: {},
  };
}

export class TrinoLake {
  readonly client: TrinoClient;

  private constructor(
    readonly trino: RunningTrino,
    private readonly ownsTrino: boolean,
    readonly definitions: LakeDefinitions,
    readonly lakeDir: string,
    private readonly now: () => number,
  ) {
    this.client = trino.client({ catalog: TRINO_CATALOG, schema: definitions.database });
  }

  /** Starts (or reuses) a Trino over `lakeDir` and creates the deployed tables and views in it. */
  static async open(options: TrinoLakeOptions): Promise<TrinoLake> {
    let definitions = options.definitions;
    const synth = () => void (definitions ??= lakeDefinitions({ context: options.context ?? {} }));
    const repoRoot = options.repoRoot ?? REPO_ROOT;
    // the catalog is synthesized while the JVM boots
    const trino =
      options.trino ?? (await startTrino({ repoRoot, stateDir: options.stateDir, lakeDir: options.lakeDir, java: options.java, log: options.log, whileStarting: synth }));
    synth();
    const lake = new TrinoLake(trino, options.trino === undefined, definitions!, resolve(options.lakeDir), options.now ?? Date.now);
    try {
      lake.pointAtLake();
      await lake.refresh();
    } catch (err) {
      await lake.close();
      throw err;
    }
    return lake;
  }

  /** Points the server's `local:///lake/` at this lake (a server reused for another lake). */
  private pointAtLake(): void {
    const link = join(this.trino.fsRoot, 'lake');
    const next = `${link}.next`;
    rmSync(next, { force: true });
    mkdirSync(this.lakeDir, { recursive: true });
    symlinkSync(this.lakeDir, next);
    renameSync(next, link);
  }

  /** (Re)creates the tables and views: call after partitions appear before the earliest one seen. */
  async refresh(): Promise<void> {
    const root = join(this.trino.fsRoot, 'metastore');
    rmSync(join(root, this.definitions.database), { recursive: true, force: true });
    const files = metastoreFiles(this.definitions, { lakeDir: this.lakeDir, writerVersion: this.trino.version, today: new Date(this.now()).toISOString().slice(0, 10) });
    for (const [path, json] of files) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), JSON.stringify(json, null, 2));
    }
    for (const v of this.definitions.views) await this.client.query(viewDdl(v.name, v.sql));
  }

  namedQueries(): LakeDefinitions['namedQueries'] {
    return this.definitions.namedQueries;
  }

  /** Runs Athena SQL as it is (no translation); a failure carries the statement and Trino's error. */
  async query(sql: string): Promise<TrinoResult> {
    return this.client.query(sql);
  }

  async rows(sql: string): Promise<Record<string, unknown>[]> {
    return this.client.rows(sql);
  }

  async named(name: string): Promise<TrinoResult> {
    const q = this.definitions.namedQueries.find((n) => n.name === name);
    if (!q) throw new ConfigurationError(`unknown named query '${name}' (known: ${this.definitions.namedQueries.map((n) => n.name).join(', ')})`);
    return this.query(q.sql);
  }

  async close(): Promise<void> {
    if (this.ownsTrino) await this.trino.stop();
  }
}
