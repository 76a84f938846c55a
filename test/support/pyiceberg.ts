/**
 * pyiceberg (the Python Iceberg implementation, with pyarrow) as an Iceberg reader and writer no
 * one here wrote, talking to a REST catalog as any engine would. It lives in its own virtual
 * environment under .streamlake/ (ignored), created from PyPI on first use.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/runtime';

const VENV = join(REPO_ROOT, '.streamlake', 'venv-pyiceberg');
const PYTHON = join(VENV, 'bin', 'python');
export const PYICEBERG_VERSION = '0.12.*';

/** The venv's python with pyiceberg, pyarrow and pyiceberg-core (the transforms a partitioned append needs), installed once. */
export function ensurePyiceberg(): string {
  if (!existsSync(PYTHON)) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe' });
  try {
    execFileSync(PYTHON, ['-c', 'import pyiceberg.catalog.rest, pyarrow, pyiceberg_core'], { stdio: 'pipe' });
  } catch {
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', `pyiceberg[pyarrow,pyiceberg-core]==${PYICEBERG_VERSION}`], { stdio: 'pipe', timeout: 900_000 });
  }
  return PYTHON;
}

const PRELUDE = `
import json, sys
from pyiceberg.catalog import load_catalog
uri, namespace, name = sys.argv[1:4]
catalog = load_catalog('streamlake', type='rest', uri=uri)
`;

function run<T>(script: string, args: readonly string[]): T {
  const python = ensurePyiceberg();
  return JSON.parse(execFileSync(python, ['-c', PRELUDE + script, ...args], { maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] }).toString()) as T;
}

export interface PyicebergTable {
  readonly formatVersion: number;
  readonly location: string;
  readonly metadataLocation: string;
  readonly tableUuid: string;
  /** The current schema's top-level fields; `type` as pyiceberg prints it (`long`, `timestamptz`, `decimal(12, 2)`, `list<string>`). */
  readonly schema: readonly { readonly id: number; readonly name: string; readonly type: string; readonly required: boolean }[];
  readonly spec: readonly { readonly sourceId: number; readonly fieldId: number; readonly name: string; readonly transform: string }[];
  readonly properties: Readonly<Record<string, string>>;
  /** As a decimal string (a 64-bit id). */
  readonly currentSnapshotId: string | null;
}

/** Loads the table through the REST catalog at `uri` with pyiceberg and reports what it sees. */
export function describeWithPyiceberg(uri: string, namespace: string, table: string): PyicebergTable {
  return run<PyicebergTable>(
    `
t = catalog.load_table((namespace, name))
md = t.metadata
print(json.dumps({
    'formatVersion': md.format_version,
    'location': md.location,
    'metadataLocation': t.metadata_location,
    'tableUuid': str(md.table_uuid),
    'schema': [{'id': f.field_id, 'name': f.name, 'type': str(f.field_type), 'required': f.required} for f in t.schema().fields],
    'spec': [{'sourceId': f.source_id, 'fieldId': f.field_id, 'name': f.name, 'transform': str(f.transform)} for f in t.spec().fields],
    'properties': dict(md.properties),
    'currentSnapshotId': None if md.current_snapshot_id is None else str(md.current_snapshot_id),
}))
`,
    [uri, namespace, table],
  );
}

export interface PyicebergAppend {
  /** As a decimal string (a 64-bit id). */
  readonly snapshotId: string;
  readonly manifestList: string;
  readonly summary: Readonly<Record<string, string>>;
  /** What a scan of the table reads back after the append. */
  readonly rowsRead: number;
  readonly dataFiles: readonly string[];
}

/**
 * Appends `rows` (timestamps as epoch microseconds) to the table as one snapshot with pyiceberg's
 * own writer (Parquet data files, manifests, manifest list) and commit, `properties` in the
 * snapshot summary; then scans the table.
 */
export function appendWithPyiceberg(
  uri: string,
  namespace: string,
  table: string,
  rows: readonly Record<string, unknown>[],
  properties: Readonly<Record<string, string>> = {},
): PyicebergAppend {
  return run<PyicebergAppend>(
    `
import pyarrow as pa
rows, properties = json.loads(sys.argv[4]), json.loads(sys.argv[5])
t = catalog.load_table((namespace, name))
t.append(pa.Table.from_pylist(rows, schema=t.schema().as_arrow()), snapshot_properties=properties)
t = catalog.load_table((namespace, name))
s = t.current_snapshot()
print(json.dumps({
    'snapshotId': str(s.snapshot_id),
    'manifestList': s.manifest_list,
    'summary': {'operation': s.summary.operation.value, **s.summary.additional_properties},
    'rowsRead': t.scan().to_arrow().num_rows,
    'dataFiles': sorted(task.file.file_path for task in t.scan().plan_files()),
}))
`,
    [uri, namespace, table, JSON.stringify(rows), JSON.stringify(properties)],
  );
}

export interface PyicebergOffsets {
  readonly rows: number;
  /** Distinct (kafka_topic, kafka_partition, kafka_offset) among the rows. */
  readonly distinct: number;
  /** `<topic>-<partition>` → the offsets' count, min and max. */
  readonly partitions: Readonly<Record<string, { readonly count: number; readonly min: number; readonly max: number }>>;
  /** The current snapshot's `streamlake.committed`. */
  readonly committed: string | null;
}

/** Scans a table with Kafka coordinate columns through the REST catalog with pyiceberg: its rows and the offsets they hold. */
export function offsetsWithPyiceberg(uri: string, namespace: string, table: string): PyicebergOffsets {
  return run<PyicebergOffsets>(
    `
t = catalog.load_table((namespace, name))
data = t.scan(selected_fields=('kafka_topic', 'kafka_partition', 'kafka_offset')).to_arrow().to_pylist()
keys = {(r['kafka_topic'], r['kafka_partition'], r['kafka_offset']) for r in data}
parts = {}
for (topic, partition, offset) in keys:
    p = parts.setdefault(f'{topic}-{partition}', {'count': 0, 'min': offset, 'max': offset})
    p['count'] += 1
    p['min'] = min(p['min'], offset)
    p['max'] = max(p['max'], offset)
s = t.current_snapshot()
print(json.dumps({'rows': len(data), 'distinct': len(keys), 'partitions': parts,
                  'committed': None if s is None else s.summary.additional_properties.get('streamlake.committed')}))
`,
    [uri, namespace, table],
  );
}

/** The current snapshot's `streamlake.committed` as pyiceberg reads it ('{}' for a table with no snapshot). */
export function committedWithPyiceberg(uri: string, namespace: string, table: string): string {
  return (
    run<{ committed: string | null }>(
      `
s = catalog.load_table((namespace, name)).current_snapshot()
print(json.dumps({'committed': None if s is None else s.summary.additional_properties.get('streamlake.committed')}))
`,
      [uri, namespace, table],
    ).committed ?? '{}'
  );
}
