/**
 * The local Athena (DuckDB) reading an Iceberg table as Athena does: the current snapshot's data
 * files, as its manifests list them (manifest list → manifests → live entries, with
 * lambda/lake/manifest.ts's readers), not a glob over the table's directory, which also holds
 * files of uncommitted or failed writes and of expired snapshots.
 *
 * lake-db.ts reads a pipeline's Iceberg tables this way; only `file:` locations (the local lake)
 * are read.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { IcebergType, TableMetadata } from '../../lambda/adapters/rest-catalog';
import { currentSchema } from '../../lambda/lake/iceberg-schema';
import { liveEntries, readManifestList } from '../../lambda/lake/manifest';
import { refSnapshot } from '../../lambda/lake/snapshot';
import { QueryError } from '../../model/errors';

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;
const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Reads a metadata file (manifest list, manifest) by its location. */
export type ReadLocation = (location: string) => Uint8Array;

/** A `file:` URI (or a plain absolute path) as a local path; other schemes are refused. */
export function localPath(location: string): string {
  if (location.startsWith('/')) return location;
  if (location.startsWith('file:')) return fileURLToPath(location);
  throw new QueryError(`iceberg: ${location}: only file: locations are read locally`);
}

const readLocal: ReadLocation = (location) => readFileSync(localPath(location));

/**
 * The local paths of the live data files of the table's current (`main`) snapshot, sorted; none
 * for a table with no snapshot. A table with delete files is refused (DuckDB would return rows
 * they delete).
 */
export function currentDataFiles(metadata: TableMetadata, read: ReadLocation = readLocal): string[] {
  const snapshot = refSnapshot(metadata);
  if (!snapshot) return [];
  const paths: string[] = [];
  for (const manifest of readManifestList(read(snapshot['manifest-list'])).manifests) {
    if (manifest.content !== 0)
      throw new QueryError(
        `iceberg: table ${metadata['table-uuid']}: snapshot ${snapshot['snapshot-id']} has delete files (${manifest.manifestPath}), which DuckDB does not apply`,
      );
    for (const entry of liveEntries(manifest, read(manifest.manifestPath))) {
      if (entry.dataFile.content !== 0) throw new QueryError(`iceberg: table ${metadata['table-uuid']}: ${entry.dataFile.filePath} is a delete file, which DuckDB does not apply`);
      paths.push(localPath(entry.dataFile.filePath));
    }
  }
  return paths.sort();
}

const DUCK_PRIMITIVE: Readonly<Record<string, string>> = {
  boolean: 'BOOLEAN',
  int: 'INTEGER',
  long: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  time: 'TIME',
  timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  timestamp_ns: 'TIMESTAMP_NS',
  timestamptz_ns: 'TIMESTAMPTZ',
  string: 'VARCHAR',
  uuid: 'UUID',
  binary: 'BLOB',
};

/** The DuckDB type of an Iceberg primitive type (nested types are not in streamlake's tables). */
export function duckDbType(type: IcebergType): string {
  if (typeof type !== 'string') throw new QueryError(`iceberg: a ${type.type} column is not read locally`);
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  if (/^fixed\[\d+\]$/.test(type)) return 'BLOB';
  const duck = DUCK_PRIMITIVE[type];
  if (!duck) throw new QueryError(`iceberg: type ${type} is not read locally`);
  return duck;
}

export interface SnapshotSqlOptions {
  /**
   * Read `timestamptz` columns as TIMESTAMP (their UTC wall-clock time) rather than TIMESTAMPTZ:
   * what the local Athena's SQL expects, whatever the session's time zone. @default false
   */
  readonly instantsAsUtcTimestamps?: boolean;
}

/**
 * The SELECT of the table's current snapshot: its current schema's columns, typed, over exactly
 * `files` (by column name; a column older files lack reads as NULL), or an empty relation with
 * those columns when there are no files.
 */
export function icebergSnapshotSql(metadata: TableMetadata, files: readonly string[], options: SnapshotSqlOptions = {}): string {
  const fields = currentSchema(metadata).fields;
  const utc = options.instantsAsUtcTimestamps === true;
  const asUtc = (type: IcebergType): boolean => utc && (type === 'timestamptz' || type === 'timestamptz_ns');
  if (files.length === 0) return `SELECT ${fields.map((f) => `CAST(NULL AS ${asUtc(f.type) ? 'TIMESTAMP' : duckDbType(f.type)}) AS ${q(f.name)}`).join(', ')} WHERE false`;
  const columns = fields.map((f) =>
    // epoch_us is the instant whatever the session's time zone; make_timestamp gives its UTC wall-clock time
    asUtc(f.type) ? `make_timestamp(epoch_us(CAST(${q(f.name)} AS TIMESTAMPTZ))) AS ${q(f.name)}` : `CAST(${q(f.name)} AS ${duckDbType(f.type)}) AS ${q(f.name)}`,
  );
  return `SELECT ${columns.join(', ')} FROM read_parquet([${files.map(lit).join(', ')}], union_by_name = true)`;
}

/** Creates (or replaces) the DuckDB view `name` over the table's current snapshot; returns the files it reads. */
export async function createIcebergView(
  connection: DuckDBConnection,
  name: string,
  metadata: TableMetadata,
  read: ReadLocation = readLocal,
  options: SnapshotSqlOptions = {},
): Promise<string[]> {
  const files = currentDataFiles(metadata, read);
  await connection.run(`CREATE OR REPLACE VIEW ${q(name)} AS ${icebergSnapshotSql(metadata, files, options)}`);
  return files;
}
