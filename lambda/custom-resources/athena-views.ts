/**
 * Custom resource: creates (CREATE OR REPLACE VIEW) the pipelines' views in the Glue database by
 * running Athena DDL in the workgroup; drops them on delete.
 */
import { AthenaClient, GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { viewDdl } from '../../model/catalog';
import { InfrastructureError, QueryError } from '../../model/errors';

interface Properties {
  readonly Database: string;
  readonly WorkGroup: string;
  readonly Views: readonly { readonly name: string; readonly sql: string }[];
}

const athena = new AthenaClient({});

// one DDL for Athena and the local Trino
export { viewDdl };

async function run(sql: string, p: Properties): Promise<void> {
  const { QueryExecutionId } = await athena.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: p.WorkGroup, QueryExecutionContext: { Database: p.Database } }));
  for (let i = 0; i < 120; i++) {
    const { QueryExecution } = await athena.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') return;
    if (state === 'FAILED' || state === 'CANCELLED') throw new QueryError(`Athena ${state}: ${QueryExecution?.Status?.StateChangeReason} — ${sql.slice(0, 200)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new InfrastructureError(`Athena query ${QueryExecutionId} did not finish in 2 minutes`);
}

export async function handler(event: CloudFormationCustomResourceEvent): Promise<{ PhysicalResourceId: string }> {
  const p = event.ResourceProperties as unknown as Properties;
  const physicalId = `streamlake-views-${p.Database}`;
  if (event.RequestType === 'Delete') {
    for (const v of p.Views) await run(`DROP VIEW IF EXISTS "${v.name}"`, p);
    return { PhysicalResourceId: physicalId };
  }
  for (const v of p.Views) await run(viewDdl(v.name, v.sql), p);
  if (event.RequestType === 'Update') {
    const old = (event.OldResourceProperties as unknown as Properties).Views.map((v) => v.name);
    for (const name of old.filter((n) => !p.Views.some((v) => v.name === n))) await run(`DROP VIEW IF EXISTS "${name}"`, p);
  }
  return { PhysicalResourceId: physicalId };
}
