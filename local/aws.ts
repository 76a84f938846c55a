/**
 * The CLI's AWS edges: MSK bootstrap brokers (SSM parameter written by the kafka stack, or
 * kafka:GetBootstrapBrokers) for `produce --msk`, and Athena queries against the deployed
 * workgroup for `query --athena`. Clients are parameters so tests can pass their own.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ConfigurationError, InfrastructureError, QueryError } from '../model/errors';

export const DEFAULT_BOOTSTRAP_PARAMETER = '/streamlake/kafka/bootstrap-brokers';

export interface MskBootstrapSource {
  readonly region: string;
  /** Cluster ARN: asks kafka:GetBootstrapBrokers. */
  readonly clusterArn?: string;
  /** SSM parameter holding the IAM bootstrap string. @default /streamlake/kafka/bootstrap-brokers */
  readonly ssmParameter?: string;
}

export async function mskBootstrap(source: MskBootstrapSource, clients: { ssm?: SSMClient; kafka?: KafkaClient } = {}): Promise<string> {
  if (source.clusterArn) {
    const kafka = clients.kafka ?? new KafkaClient({ region: source.region });
    const out = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: source.clusterArn }));
    if (!out.BootstrapBrokerStringSaslIam) throw new ConfigurationError(`cluster ${source.clusterArn} has no IAM bootstrap brokers (is IAM auth enabled?)`);
    return out.BootstrapBrokerStringSaslIam;
  }
  const name = source.ssmParameter ?? DEFAULT_BOOTSTRAP_PARAMETER;
  const ssm = clients.ssm ?? new SSMClient({ region: source.region });
  const out = await ssm.send(new GetParameterCommand({ Name: name }));
  if (!out.Parameter?.Value) throw new ConfigurationError(`SSM parameter ${name} is empty`);
  return out.Parameter.Value;
}

export interface AthenaQuery {
  readonly sql: string;
  readonly workGroup: string;
  readonly database: string;
  readonly region: string;
  /** @default 300_000 */
  readonly timeoutMs?: number;
}

/** Runs a query in the workgroup (its enforced output location and encryption apply) and returns the rows as strings. */
export async function athenaQuery(
  q: AthenaQuery,
  client: AthenaClient = new AthenaClient({ region: q.region }),
  sleep = (ms: number) => new Promise((r) => setTimeout(r, ms)),
): Promise<Record<string, string | null>[]> {
  const { QueryExecutionId } = await client.send(new StartQueryExecutionCommand({ QueryString: q.sql, WorkGroup: q.workGroup, QueryExecutionContext: { Database: q.database } }));
  const deadline = Date.now() + (q.timeoutMs ?? 300_000);
  for (;;) {
    const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
    const state = QueryExecution?.Status?.State;
    if (state === 'SUCCEEDED') break;
    if (state === 'FAILED' || state === 'CANCELLED') throw new QueryError(`Athena query ${state.toLowerCase()}: ${QueryExecution?.Status?.StateChangeReason ?? 'no reason given'}`);
    if (Date.now() > deadline) throw new InfrastructureError(`Athena query ${QueryExecutionId} still ${state} after ${(q.timeoutMs ?? 300_000) / 1000}s`);
    await sleep(500);
  }
  const rows: Record<string, string | null>[] = [];
  let header: string[] | undefined;
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId, NextToken }));
    for (const row of page.ResultSet?.Rows ?? []) {
      const values = (row.Data ?? []).map((d) => d.VarCharValue ?? null);
      if (!header) header = values.map((v, i) => v ?? `col${i}`);
      else rows.push(Object.fromEntries(header.map((h, i) => [h, values[i]])));
    }
    NextToken = page.NextToken;
  } while (NextToken);
  return rows;
}
