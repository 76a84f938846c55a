/**
 * The Lambda wiring of an Iceberg processor: the tables made by the tables
 * custom resource handler, then the Lambda handler committing a batch through a REAL Apache
 * Iceberg REST catalog (run locally) with the lake in a directory, a fake signer standing in for
 * SigV4; and, without a catalog, that the default signer SigV4-signs for `glue` with the function's
 * credentials from the default provider chain.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { LocalLakeStore } from '../../../lambda/adapters/local-lake-store';
import { refSnapshotId, RestCatalogClient } from '../../../lambda/adapters/rest-catalog';
import { icebergTablesHandler } from '../../../lambda/custom-resources/iceberg-tables';
import { icebergLakeWriter, lambdaProcessorHandler } from '../../../lambda/handlers/lambda-processor';
import { directoryLocation } from '../../../lambda/lake/table-files';
import type { RunningRestCatalog } from '../../../local/catalog/rest-catalog-server';
import { readProcessorEnvironment, type IcebergLakeEnvironment, type ProcessorEnvironment } from '../../../model/environment';
import { mskEvent } from '../../support/msk';
import { startTestCatalog, stopTestCatalog } from '../../support/rest-catalog';

jest.setTimeout(60_000);

describe('an Iceberg processor in Lambda', () => {
  let root: string;
  let server: RunningRestCatalog;
  beforeAll(async () => {
    ({ root, server } = await startTestCatalog('streamlake-lambda-iceberg'));
  }, 120_000);
  afterAll(() => stopTestCatalog({ root, server }));

  it('commits a batch to the tables the tables custom resource created, once, signing every catalog request', async () => {
    const lakeDir = join(root, 'lake');
    const lakeRoot = directoryLocation(lakeDir);
    const signedUrls: string[] = [];
    const sign = (r: { url: string }) => {
      signedUrls.push(r.url);
      return r as never;
    };
    await icebergTablesHandler({ sign, log: () => undefined })({
      RequestType: 'Create',
      ResourceProperties: {
        ServiceToken: 'x',
        CatalogUri: server.url,
        Warehouse: '123456789012',
        Region: 'eu-west-1',
        Namespace: 'streamlake_test',
        LakeRoot: lakeRoot,
        Pipelines: [{ name: 'clickstream' }],
      },
    } as unknown as CloudFormationCustomResourceEvent);

    const env: ProcessorEnvironment = readProcessorEnvironment({
      STREAMLAKE_PIPELINE: 'clickstream',
      LAKE_BUCKET: 'unused',
      ICEBERG_CATALOG_URI: server.url,
      ICEBERG_WAREHOUSE: '123456789012',
      ICEBERG_REGION: 'eu-west-1',
      ICEBERG_NAMESPACE: 'streamlake_test',
      LAKE_ROOT: lakeRoot,
    });
    const quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const handler = lambdaProcessorHandler(env, undefined, { store: new LocalLakeStore(lakeDir), iceberg: { sign } });
      const records = [0, 1, 2].map((offset) => ({
        topic: 'clickstream',
        partition: 0,
        offset,
        value: `${Date.UTC(2026, 10, 22, 11, 59, offset)},${offset + 1},www.amazon1.com,192.168.2.1`,
      }));
      const first = await handler(mskEvent([...records, { topic: 'clickstream', partition: 0, offset: 3, value: 'not,a,valid' }]));
      expect(first).toMatchObject({ recordsIn: 4, events: 3, quarantined: 1 });
      expect(first!.commits!.map((c) => c.table).sort()).toEqual(['clickstream_events', 'clickstream_page_views_1m_partials', 'clickstream_quarantine']);
      // the same batch again (a retry): nothing is committed twice
      const retry = await handler(mskEvent(records));
      expect(retry!.skippedRecords).toBeGreaterThanOrEqual(3);
    } finally {
      quiet.mockRestore();
    }
    const catalog = new RestCatalogClient({ uri: server.url });
    const { metadata } = await catalog.loadTable('streamlake_test', 'clickstream_events');
    expect(refSnapshotId(metadata)).toBeDefined();
    expect(metadata.snapshots?.filter((s) => (s.summary['added-records'] ?? '0') !== '0').map((s) => s.summary['added-records'])).toEqual(['3']);
    expect(signedUrls.length).toBeGreaterThan(3);
    expect(signedUrls.every((u) => u.startsWith(server.url))).toBe(true);
  });
});

describe('the default catalog signer', () => {
  it('SigV4-signs for the service glue in the lake’s region with the default credential chain, and sends the account id as warehouse', async () => {
    const saved = { ...process.env };
    const seen: { url: string; headers: Record<string, string> }[] = [];
    try {
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
      const lake: IcebergLakeEnvironment = {
        catalogUri: 'https://glue.eu-west-1.amazonaws.com/iceberg',
        warehouse: '123456789012',
        region: 'eu-west-1',
        namespace: 'streamlake',
        lakeRoot: 's3://lake/',
      };
      const fetchStub = (async (url: string, init: RequestInit) => {
        seen.push({ url, headers: init.headers as Record<string, string> });
        return new Response(JSON.stringify({ defaults: {}, overrides: { prefix: 'catalogs/123456789012' } }), { status: 200 });
      }) as unknown as typeof fetch;
      const writer = icebergLakeWriter(lake, new LocalLakeStore(mkdtempSync(join(tmpdir(), 'streamlake-signer-'))), { fetch: fetchStub });
      // any catalog call: the config is asked first, signed
      await writer.committed('sales_events').catch(() => undefined);
    } finally {
      process.env = saved;
    }
    expect(seen[0].url).toBe('https://glue.eu-west-1.amazonaws.com/iceberg/v1/config?warehouse=123456789012');
    expect(seen[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/glue\/aws4_request, SignedHeaders=/);
    expect(seen[0].headers['x-amz-security-token']).toBe('token');
    // then the table, under the prefix the catalog's config gives
    expect(seen[1]?.url).toBe('https://glue.eu-west-1.amazonaws.com/iceberg/v1/catalogs/123456789012/namespaces/streamlake/tables/sales_events');
  });
});
