/**
 * The CLI's AWS edges with stand-in clients (no AWS account here): which calls they make and how
 * they turn the answers into bootstrap strings and rows.
 */
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { athenaQuery, mskBootstrap } from '../../local/aws';

type Command = { constructor: { name: string }; input: Record<string, unknown> };
const client = <T>(answer: (c: Command) => unknown, calls: Command[] = []) => ({ send: async (c: Command) => (calls.push(c), answer(c)) }) as unknown as T;

describe('mskBootstrap', () => {
  it('reads the kafka stack SSM parameter by default', async () => {
    const calls: Command[] = [];
    const ssm = client<SSMClient>(() => ({ Parameter: { Value: 'b-1.x:9098,b-2.x:9098' } }), calls);
    await expect(mskBootstrap({ region: 'eu-west-1' }, { ssm })).resolves.toBe('b-1.x:9098,b-2.x:9098');
    expect(calls[0]).toBeInstanceOf(GetParameterCommand);
    expect(calls[0].input).toEqual({ Name: '/streamlake/kafka/bootstrap-brokers' });
  });

  it('asks kafka:GetBootstrapBrokers for a cluster ARN and requires IAM brokers', async () => {
    const calls: Command[] = [];
    const kafka = client<KafkaClient>(() => ({ BootstrapBrokerStringSaslIam: 'b-1.y:9098' }), calls);
    await expect(mskBootstrap({ region: 'eu-west-1', clusterArn: 'arn:aws:kafka:eu-west-1:1:cluster/a/b' }, { kafka })).resolves.toBe('b-1.y:9098');
    expect(calls[0]).toBeInstanceOf(GetBootstrapBrokersCommand);
    const noIam = client<KafkaClient>(() => ({ BootstrapBrokerStringTls: 'b-1.y:9094' }));
    await expect(mskBootstrap({ region: 'eu-west-1', clusterArn: 'arn:x' }, { kafka: noIam })).rejects.toThrow(/no IAM bootstrap brokers/);
  });
});

describe('athenaQuery', () => {
  it('runs in the workgroup, waits for success and pages through the results', async () => {
    const calls: Command[] = [];
    let polls = 0;
    const athena = client<AthenaClient>((c) => {
      if (c instanceof StartQueryExecutionCommand) return { QueryExecutionId: 'q1' };
      if (c instanceof GetQueryExecutionCommand) return { QueryExecution: { Status: { State: ++polls < 2 ? 'RUNNING' : 'SUCCEEDED' } } };
      if (c instanceof GetQueryResultsCommand) {
        return c.input.NextToken
          ? { ResultSet: { Rows: [{ Data: [{ VarCharValue: 'Europe' }, { VarCharValue: '7' }] }] } }
          : { ResultSet: { Rows: [{ Data: [{ VarCharValue: 'region' }, { VarCharValue: 'orders' }] }, { Data: [{ VarCharValue: 'Africa' }, {}] }] }, NextToken: 't2' };
      }
      throw new Error(`unexpected ${c.constructor.name}`);
    }, calls);
    const rows = await athenaQuery({ sql: 'SELECT 1', workGroup: 'streamlake', database: 'streamlake', region: 'eu-west-1' }, athena, async () => undefined);
    expect(rows).toEqual([
      { region: 'Africa', orders: null },
      { region: 'Europe', orders: '7' },
    ]);
    expect(calls[0].input).toEqual({ QueryString: 'SELECT 1', WorkGroup: 'streamlake', QueryExecutionContext: { Database: 'streamlake' } });
  });

  it('reports a failed query with its reason', async () => {
    const athena = client<AthenaClient>((c) =>
      c instanceof StartQueryExecutionCommand
        ? { QueryExecutionId: 'q2' }
        : { QueryExecution: { Status: { State: 'FAILED', StateChangeReason: 'Bytes scanned limit was exceeded' } } },
    );
    await expect(athenaQuery({ sql: 'SELECT 1', workGroup: 'w', database: 'd', region: 'r' }, athena, async () => undefined)).rejects.toThrow(
      'Athena query failed: Bytes scanned limit was exceeded',
    );
  });
});
