/**
 * Apache Arrow's Parquet reader (pyarrow, the C++ implementation) as a third independent reader
 * of the files our writer produces. It lives in its own virtual environment under .streamlake/
 * (ignored), created from PyPI on first use.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../local/runtime';

const VENV = join(REPO_ROOT, '.streamlake', 'venv-pyarrow');
const PYTHON = join(VENV, 'bin', 'python');
export const PYARROW_VERSION = '21.*';

export function ensurePyarrow(): string {
  if (!existsSync(PYTHON)) execFileSync('python3', ['-m', 'venv', VENV], { stdio: 'pipe' });
  try {
    execFileSync(PYTHON, ['-c', 'import pyarrow'], { stdio: 'pipe' });
  } catch {
    execFileSync(join(VENV, 'bin', 'pip'), ['install', '--quiet', `pyarrow==${PYARROW_VERSION}`], { stdio: 'pipe' });
  }
  return PYTHON;
}

export interface ArrowRead {
  /** Column name → Arrow type, e.g. `int64`, `timestamp[ms, tz=UTC]`, `string`. */
  readonly schema: Record<string, string>;
  /** Rows with timestamps as epoch millis and binary values as base64. */
  readonly rows: Record<string, unknown>[];
  /** Column → its chunk statistics as pyarrow reports them. */
  readonly stats: Record<string, { nulls: number | null; min: unknown; max: unknown }>;
}

const SCRIPT = `
import base64, json, sys
import pyarrow as pa, pyarrow.parquet as pq
out = {}
for path in sys.argv[1:]:
    table = pq.read_table(path)
    schema = {f.name: str(f.type) for f in table.schema}
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type):
            table = table.set_column(i, f.name, table.column(i).cast(pa.int64()))
    rows = [{k: ({'base64': base64.b64encode(v).decode()} if isinstance(v, bytes) else v) for k, v in r.items()} for r in table.to_pylist()]
    stats = {}
    meta = pq.ParquetFile(path).metadata
    for g in range(meta.num_row_groups):
        for c in range(meta.num_columns):
            col = meta.row_group(g).column(c)
            s = col.statistics
            stats[col.path_in_schema] = {
                'nulls': s.null_count if s is not None and s.has_null_count else None,
                'min': (s.min.timestamp() * 1000 if hasattr(s.min, 'timestamp') else s.min) if s is not None and s.has_min_max else None,
                'max': (s.max.timestamp() * 1000 if hasattr(s.max, 'timestamp') else s.max) if s is not None and s.has_min_max else None,
            }
    out[path] = {'schema': schema, 'rows': rows, 'stats': stats}
print(json.dumps(out))
`;

/** Reads Parquet files with pyarrow. */
export function readWithPyarrow(files: readonly string[]): Record<string, ArrowRead> {
  const python = ensurePyarrow();
  return JSON.parse(execFileSync(python, ['-c', SCRIPT, ...files], { maxBuffer: 256 << 20 }).toString()) as Record<string, ArrowRead>;
}
