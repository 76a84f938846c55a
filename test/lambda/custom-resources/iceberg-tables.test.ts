/**
 * The Iceberg tables custom resource handler against a REAL Apache Iceberg REST catalog (Apache
 * Iceberg's own server, run locally): the same protocol Glue's Iceberg REST endpoint speaks. A fake
 * signer stands in for SigV4 and records what it signs; the warehouse is sent as Glue's is.
 */
import { join } from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { RestCatalogClient, type CatalogHttpRequest } from '../../../lambda/adapters/rest-catalog';
import { icebergTablesHandler, type IcebergTablesProperties } from '../../../lambda/custom-resources/iceberg-tables';
import { icebergSchema } from '../../../lambda/lake/iceberg-schema';
import { directoryLocation } from '../../../lambda/lake/table-files';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';
import { icebergTables } from '../../../model/lake-tables';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';

jest.setTimeout(60_000);

function cfnEvent(type: 'Create' | 'Update' | 'Delete', props: IcebergTablesProperties, old?: IcebergTablesProperties): CloudFormationCustomResourceEvent {
  const base = {
    ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    ResponseURL: 'https://example.invalid/response',
    StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/streamlake-lake/1',
    RequestId: 'r1',
    LogicalResourceId: 'CatalogIcebergTables',
    ResourceType: 'Custom::StreamlakeIcebergTables',
    ResourceProperties: { ServiceToken: 'x', ...props },
  };
  if (type === 'Create') return { ...base, RequestType: 'Create' } as CloudFormationCustomResourceEvent;
  return {
    ...base,
    RequestType: type,
    PhysicalResourceId: `streamlake-iceberg-tables-${props.Namespace}`,
    OldResourceProperties: { ...(old ?? props) },
  } as CloudFormationCustomResourceEvent;
}

describe('the Iceberg tables custom resource against a real Iceberg REST catalog', () => {
  let root: string;
  let server: RunningRestCatalog;
  let catalog: RestCatalogClient;
  const signed: CatalogHttpRequest[] = [];
  const logs: string[] = [];
  const handler = icebergTablesHandler({
    sign: (r) => {
      signed.push(r);
      return { ...r, headers: { ...r.headers, authorization: 'AWS4-HMAC-SHA256 Credential=TEST/20260101/eu-west-1/glue/aws4_request, SignedHeaders=host, Signature=0' } };
    },
    log: (l) => logs.push(l),
  });

  beforeAll(async () => {
    ({ root, server, catalog } = await startTestCatalog('streamlake-iceberg-tables-cr'));
  }, 120_000);
  afterAll(async () => {
    await stopTestCatalog({ root, server });
  });

  const props = (namespace: string, pipelines: IcebergTablesProperties['Pipelines']): IcebergTablesProperties => ({
    CatalogUri: server.url,
    Warehouse: '123456789012',
    Region: 'eu-west-1',
    Namespace: namespace,
    LakeRoot: directoryLocation(join(root, 'lake')),
    Pipelines: pipelines,
  });

  it('Create makes each table with its schema, day() partition spec and location <root>iceberg/<table>; every request signed', async () => {
    const p = props('glue_db', [{ name: 'clickstream', valueFormat: 'csv' }]);
    const result = await handler(cfnEvent('Create', p));
    const defs = icebergTables(clickstream);
    expect(result).toEqual({ PhysicalResourceId: 'streamlake-iceberg-tables-glue_db', Data: { Created: defs.map((t) => t.name).join(',') } });
    for (const t of defs) {
      const { metadata } = await catalog.loadTable('glue_db', t.name);
      expect(metadata.location.replace(/^file:\/+/, 'file:/')).toBe(`${p.LakeRoot}iceberg/${t.name}`);
      expect(metadata['format-version']).toBe(2);
      expect(metadata.schemas.at(-1)!.fields).toEqual(icebergSchema(t.schema).fields);
      const source = icebergSchema(t.schema).fields.find((f) => f.name === t.partitionColumn)!;
      expect(metadata['partition-specs'].at(-1)!.fields).toEqual([{ 'source-id': source.id, 'field-id': 1000, name: `${t.partitionColumn}_day`, transform: 'day' }]);
      expect(metadata.properties).toMatchObject({ 'streamlake.pipeline': 'clickstream', 'streamlake.kind': t.kind });
    }
    expect(signed.length).toBeGreaterThan(0);
    // the warehouse goes to GET /v1/config, as Glue needs it (the account id)
    expect(signed.find((r) => r.url.includes('/v1/config'))?.url).toContain('warehouse=123456789012');
    expect(JSON.parse(logs.at(-1)!)).toMatchObject({ message: 'iceberg tables ensured', requestType: 'Create', namespace: 'glue_db' });
  });

  it('a second Update creates only what is new (a new pipeline and its window), leaves existing tables as they were', async () => {
    const before = props('glue_db', [{ name: 'clickstream', valueFormat: 'csv' }]);
    const uuids = await Promise.all(icebergTables(clickstream).map(async (t) => (await catalog.loadTable('glue_db', t.name)).metadata['table-uuid']));
    const after = props('glue_db', [
      { name: 'clickstream', valueFormat: 'csv' },
      { name: 'sales', valueFormat: 'avro' },
    ]);
    const result = await handler(cfnEvent('Update', after, before));
    expect(result.Data?.Created).toBe(
      icebergTables(sales)
        .map((t) => t.name)
        .join(','),
    );
    expect(result.Data?.Created).toBe('sales_events,sales_quarantine,sales_region_10m_partials');
    expect(await Promise.all(icebergTables(clickstream).map(async (t) => (await catalog.loadTable('glue_db', t.name)).metadata['table-uuid']))).toEqual(uuids);
    // unchanged properties: nothing to create
    expect((await handler(cfnEvent('Update', after, after))).Data?.Created).toBe('');
  });

  it('Delete retains the tables (and their data)', async () => {
    const p = props('glue_db', [{ name: 'sales' }]);
    const before = signed.length;
    expect(await handler(cfnEvent('Delete', p))).toEqual({ PhysicalResourceId: 'streamlake-iceberg-tables-glue_db' });
    expect(signed.length).toBe(before);
    expect(await catalog.tableExists('glue_db', 'sales_events')).toBe(true);
  });

  it('refuses a missing property or an unknown value format by name', async () => {
    await expect(handler(cfnEvent('Create', { ...props('x', []), LakeRoot: '' }))).rejects.toThrow('iceberg tables: property LakeRoot is not set');
    await expect(handler(cfnEvent('Create', props('x', [{ name: 'sales', valueFormat: 'protobuf' }])))).rejects.toThrow("pipeline sales cannot have value format 'protobuf'");
  });
});
