/** `streamlake query`: SQL or a named query on the local lake (DuckDB), or in the deployed Athena. */
import { namedQueries } from '../../../model/catalog';
import { PIPELINE_NAMES, pipelineByName } from '../../../pipelines';
import { athenaQuery } from '../../aws';
import { LakeDb } from '../../query/lake-db';
import { DEFAULT_LAKE_DIR, UsageError, lakeDirOf, parseOptions } from '../args';
import { firstLine, table } from '../output';
import { readUpState } from '../up-state';

export const usage = `usage: streamlake query (--named NAME | --sql "SELECT …") [--lake DIR] [--list]
                      [--athena --region R [--workgroup streamlake] [--database streamlake]]
  --list         list the named queries
  --athena       run in the deployed Athena workgroup instead of DuckDB on the local lake`;

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
  });
  if (o.help) return void console.log(usage);
  if (o.athena) {
    // the deployed workgroup and Glue database: same SQL, same named queries, Athena engine v3
    const region = o.region ?? process.env.AWS_REGION;
    if (!region) throw new UsageError('--athena needs --region (or AWS_REGION)');
    const all = PIPELINE_NAMES.flatMap((n) => namedQueries(pipelineByName(n)));
    const sql = o.sql ?? (o.named !== undefined ? all.find((q) => q.name === o.named)?.sql : undefined);
    if (!sql) throw new UsageError(o.named !== undefined ? `unknown named query '${o.named}' (known: ${all.map((q) => q.name).join(', ')})` : 'query --athena needs --named NAME or --sql "…"');
    const rows = await athenaQuery({ sql, region, workGroup: o.workgroup ?? 'streamlake', database: o.database ?? 'streamlake' });
    return void console.log(table(rows));
  }
  // default: the lake of the running 'up'
  const lake = lakeDirOf(o, () => readUpState()?.lake ?? DEFAULT_LAKE_DIR);
  const db = await LakeDb.open(lake, PIPELINE_NAMES.map(pipelineByName));
  try {
    if (o.list) return void console.log(table(db.namedQueries().map((q) => ({ name: q.name, description: q.description }))));
    if (o.named !== undefined) return void console.log(table(await db.named(o.named).catch((e: Error) => Promise.reject(new UsageError(e.message)))));
    if (o.sql !== undefined) return void console.log(table(await db.query(o.sql).catch((e: Error) => Promise.reject(new UsageError(`SQL error: ${firstLine(e)}`)))));
    throw new UsageError('query needs --named NAME, --sql "…" or --list');
  } finally {
    db.close();
  }
}
