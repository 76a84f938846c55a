/** `streamlake query`: SQL or a named query on the local lake (DuckDB, or Trino: Athena's engine), or in the deployed Athena. */
import { namedQueries } from '../../../model/catalog';
import { PIPELINE_NAMES, pipelineByName } from '../../../pipelines';
import { athenaQuery } from '../../aws';
import { LakeDb } from '../../query/lake-db';
import { queryWithTrino } from '../../trino/query';
import { DEFAULT_LAKE_DIR, UsageError, lakeDirOf, parseOptions } from '../args';
import { firstLine, table } from '../output';
import { readUpState } from '../up-state';

export const usage = `usage: streamlake query (--named NAME | --sql "SELECT …") [--lake DIR] [--list] [--engine duckdb|trino]
                      [--athena --region R [--workgroup streamlake] [--database streamlake]]
  --list         list the named queries
  --engine       the engine on the local lake: duckdb (default, quick) or trino (Athena engine v3's
                 upstream, from Maven Central; started for the query, ~20-40 s, stopped after it)
  --athena       run in the deployed Athena workgroup instead of the local lake`;

export async function run(args: string[]): Promise<void> {
  const o = parseOptions(args, {
    named: { type: 'string' },
    sql: { type: 'string' },
    lake: { type: 'string' },
    list: { type: 'boolean' },
    athena: { type: 'boolean' },
    region: { type: 'string' },
    workgroup: { type: 'string' },
    database: { type: 'string' },
    engine: { type: 'string' },
  });
  if (o.help) return void console.log(usage);
  const engine = o.engine ?? 'duckdb';
  if (engine !== 'duckdb' && engine !== 'trino') throw new UsageError(`--engine must be duckdb or trino, got '${engine}'`);
  if (o.athena && o.engine !== undefined) throw new UsageError('--engine chooses the local engine; --athena runs in the deployed Athena');
  if (o.athena) {
    // the deployed workgroup and Glue database: same SQL, same named queries, Athena engine v3
    const region = o.region ?? process.env.AWS_REGION;
    if (!region) throw new UsageError('--athena needs --region (or AWS_REGION)');
    const all = PIPELINE_NAMES.flatMap((n) => namedQueries(pipelineByName(n)));
    const sql = o.sql ?? (o.named !== undefined ? all.find((q) => q.name === o.named)?.sql : undefined);
    if (!sql)
      throw new UsageError(
        o.named !== undefined ? `unknown named query '${o.named}' (known: ${all.map((q) => q.name).join(', ')})` : 'query --athena needs --named NAME or --sql "…"',
      );
    const rows = await athenaQuery({ sql, region, workGroup: o.workgroup ?? 'streamlake', database: o.database ?? 'streamlake' });
    return void console.log(table(rows));
  }
  // default: the lake of the running 'up'
  const lake = lakeDirOf(o, () => readUpState()?.lake ?? DEFAULT_LAKE_DIR);
  if (engine === 'trino' && !o.list) {
    if ((o.named === undefined) === (o.sql === undefined)) throw new UsageError('query --engine trino needs --named NAME or --sql "…"');
    const known = PIPELINE_NAMES.flatMap((n) => namedQueries(pipelineByName(n)));
    if (o.named !== undefined && !known.some((q) => q.name === o.named)) throw new UsageError(`unknown named query '${o.named}' (known: ${known.map((q) => q.name).join(', ')})`);
    const result = await queryWithTrino({ named: o.named, sql: o.sql, lakeDir: lake, log: (l) => console.error(l) });
    const rows = result.rows.map((r) => Object.fromEntries(result.columns.map((c, i) => [c.name, r[i]])));
    return void console.log(table(rows));
  }
  const db = await LakeDb.open(lake, PIPELINE_NAMES.map(pipelineByName));
  try {
    if (o.list) return void console.log(table(db.namedQueries().map((q) => ({ name: q.name, description: q.description }))));
    if (o.named !== undefined) return void console.log(table(await db.named(o.named).catch((e: Error) => Promise.reject(new UsageError(e.message)))));
    if (o.sql !== undefined) return void console.log(table(await db.query(o.sql).catch((e: Error) => Promise.reject(new UsageError(`SQL error: ${firstLine(e)}`)))));
    throw new UsageError('query needs --named NAME, --sql "…" or --list');
  } finally {
    await db.close();
  }
}
