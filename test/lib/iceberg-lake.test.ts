/**
 * The Iceberg lake of the app: the tables custom resource, the processors' environment and IAM,
 * the views; and the removed streamlake:lakeFormat key named with what to do.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, parseConfig } from '../../lib/config';
import { icebergViews, namedQueries, referenceTableName } from '../../model/catalog';
import { icebergTables } from '../../model/lake-tables';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';
import { buildApp, ctx, policyStatements } from './support';

const iceberg = buildApp();

/** A resource as text, tokens resolved to their CloudFormation shape (`{"Fn::Join":…}`, `{"Ref":…}`). */
const text = (v: unknown): string => JSON.stringify(v);

/** The statements of the role policy whose logical id starts with `prefix`. */
function statementsOf(t: Template, prefix: string): { Action: string[]; Resource: unknown[] }[] {
  const policies = Object.entries(t.findResources('AWS::IAM::Policy')).filter(([id]) => id.startsWith(prefix));
  expect(policies).toHaveLength(1);
  return (policies[0][1].Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]).map((s) => ({
    Action: ([] as string[]).concat(s.Action),
    Resource: ([] as unknown[]).concat(s.Resource),
  }));
}

const tableNamesOf = (...specs: (typeof sales)[]) => specs.flatMap((s) => icebergTables(s).map((t) => t.name));
const glueTableArn = (db: string, table: string) => new RegExp(`:table/${db}/${table}"`);

describe('streamlake:lakeFormat', () => {
  it.each(['iceberg', 'per-batch'])("is refused as removed, whatever its value ('%s'), saying what to do", (value) => {
    expect(() => parseConfig(ctx({ lakeFormat: value }))).toThrow(ConfigError);
    expect(() => parseConfig(ctx({ lakeFormat: value }))).toThrow(/config 'streamlake:lakeFormat': removed: the lake is always Apache Iceberg tables now .*delete the key/);
  });
});

describe('the Iceberg lake stack', () => {
  const t = iceberg.templates.lake;

  it('creates the tables with a custom resource over Glue’s Iceberg REST endpoint, retained on delete, after the database', () => {
    const resources = t.findResources('Custom::StreamlakeIcebergTables');
    const [[, resource]] = Object.entries(resources);
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CatalogDatabase/)]));
    const p = resource.Properties;
    expect(text(p.CatalogUri)).toBe(text({ 'Fn::Join': ['', ['https://glue.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/iceberg']] }));
    expect(p.Warehouse).toEqual({ Ref: 'AWS::AccountId' });
    expect(p.Region).toEqual({ Ref: 'AWS::Region' });
    // the namespace is the stack's Glue database
    expect(p.Namespace).toBe('streamlake');
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: p.Namespace } });
    expect(p.LakeRoot).toEqual({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^StorageBucket[0-9A-F]{8}$/) }, '/']] });
    expect(p.Pipelines).toEqual([
      { name: 'clickstream', valueFormat: 'csv' },
      { name: 'sales', valueFormat: 'json' },
    ]);
    expect(p.Tables).toEqual(tableNamesOf(clickstream, sales));
  });

  it('has no Hive table for the pipelines’ lake tables (no partition projection), only the reference tables', () => {
    const tables = Object.values(t.findResources('AWS::Glue::Table')).map((r) => r.Properties.TableInput);
    expect(tables.map((x) => x.Name)).toEqual([clickstream, sales].flatMap((spec) => (spec.references ?? []).map((r) => referenceTableName(r))));
    expect(tables).toHaveLength(1);
    for (const x of tables) expect(Object.keys(x.Parameters).filter((k) => k.startsWith('projection.'))).toEqual([]);
  });

  it('creates the window views as plain merges of the Iceberg partials, after the tables', () => {
    const [[, resource]] = Object.entries(t.findResources('Custom::StreamlakeAthenaViews'));
    expect(resource.Properties.Views).toEqual([...icebergViews(clickstream), ...icebergViews(sales)].map((v) => ({ name: v.name, sql: v.sql })));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CatalogIcebergTables/)]));
    // no view of the lake tables themselves: they are read as they are
    for (const v of resource.Properties.Views as { sql: string }[]) expect(v.sql).not.toMatch(/row_number|attempt/i);
  });

  it('keeps the named queries, by name and text', () => {
    const queries = (x: Template) => Object.values(x.findResources('AWS::Athena::NamedQuery')).map((q) => ({ name: q.Properties.Name, sql: q.Properties.QueryString }));
    expect(queries(t)).toEqual([...namedQueries(clickstream), ...namedQueries(sales)].map((q) => ({ name: q.name, sql: q.sql })));
  });

  it('grants the tables handler only the endpoint’s Glue actions on the catalog, the database and each table, and S3 under iceberg/<table>/metadata/', () => {
    const statements = statementsOf(t, 'CatalogIcebergTablesHandlerServiceRoleDefaultPolicy');
    const glue = statements.filter((s) => s.Action.some((a) => a.startsWith('glue:')));
    expect(glue.map((s) => s.Action)).toEqual([['glue:GetCatalog'], ['glue:CreateDatabase', 'glue:GetDatabase'], ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable']]);
    expect(text(glue[0].Resource)).toMatch(/:catalog"\]\]\}\]$/);
    expect(glue[1].Resource).toHaveLength(2);
    expect(text(glue[1].Resource)).toMatch(/:database\/streamlake"/);
    const tables = tableNamesOf(clickstream, sales);
    expect(glue[2].Resource).toHaveLength(2 + tables.length);
    for (const name of tables) expect(text(glue[2].Resource)).toMatch(glueTableArn('streamlake', name));
    const s3 = statements.filter((s) => s.Action.some((a) => a.startsWith('s3:')));
    expect(s3.map((s) => s.Action)).toEqual([['s3:PutObject'], ['s3:GetObject']]);
    for (const s of s3) expect(s.Resource.map((r) => text(r).replace(/^.*"(\/iceberg\/[^"]+)".*$/, '$1'))).toEqual(tables.map((n) => `/iceberg/${n}/metadata/*`));
    for (const s of statements) for (const a of s.Action) expect(a).not.toMatch(/\*/);
  });

  it('lets the views handler read the partials’ Iceberg metadata (Athena analyzes the view), nothing else of the tables', () => {
    const reads = statementsOf(t, 'CatalogViewsHandlerServiceRoleDefaultPolicy').find((s) => s.Action.includes('s3:GetObject'))!;
    expect(reads.Resource.map((r) => text(r).replace(/^.*"(\/[^"]+)".*$/, '$1'))).toEqual([
      '/athena-results/*',
      '/iceberg/clickstream_page_views_1m_partials/metadata/*',
      '/iceberg/sales_region_10m_partials/metadata/*',
    ]);
  });
});

describe('the Iceberg processors', () => {
  const t = iceberg.templates.processing;
  const fn = (pipeline: string) => Object.values(t.findResources('AWS::Lambda::Function')).find((f) => f.Properties.Environment?.Variables?.STREAMLAKE_PIPELINE === pipeline)!;

  it('are told the catalog, warehouse, region, namespace and lake root', () => {
    const vars = fn('sales').Properties.Environment.Variables;
    expect(vars.LAKE_FORMAT).toBeUndefined();
    expect(text(vars.ICEBERG_CATALOG_URI)).toBe(text({ 'Fn::Join': ['', ['https://glue.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/iceberg']] }));
    expect(vars.ICEBERG_WAREHOUSE).toEqual({ Ref: 'AWS::AccountId' });
    expect(vars.ICEBERG_REGION).toEqual({ Ref: 'AWS::Region' });
    expect(vars.ICEBERG_NAMESPACE).toBe('streamlake');
    expect(text(vars.LAKE_ROOT)).toMatch(/^\{"Fn::Join":\["",\["s3:\/\/",\{"Fn::ImportValue":"streamlake-lake:ExportsOutputRefStorageBucket[A-Za-z0-9]+"\},"\/"\]\]\}$/);
  });

  it.each([
    ['clickstream', clickstream, sales],
    ['sales', sales, clickstream],
  ])('%s: loads and commits its own tables only (glue:GetTable, glue:UpdateTable), files under iceberg/<its table>/, no per-batch prefixes', (name, own, other) => {
    const logicalId = Object.entries(t.findResources('AWS::Lambda::Function')).find(([, f]) => f.Properties.Environment?.Variables?.STREAMLAKE_PIPELINE === name)![0];
    const statements = statementsOf(t, logicalId.replace(/Function[0-9A-F]{8}$/, 'FunctionServiceRoleDefaultPolicy'));
    const glue = statements.filter((s) => s.Action.some((a) => a.startsWith('glue:')));
    expect(glue.map((s) => s.Action)).toEqual([['glue:GetCatalog'], ['glue:GetTable', 'glue:UpdateTable']]);
    const mine = tableNamesOf(own);
    expect(glue[1].Resource).toHaveLength(2 + mine.length);
    for (const table of mine) expect(text(glue[1].Resource)).toMatch(glueTableArn('streamlake', table));
    for (const table of tableNamesOf(other)) expect(text(glue[1].Resource)).not.toContain(`/${table}"`);
    const put = statements.find((s) => s.Action.includes('s3:PutObject') && text(s.Resource).includes('/iceberg/'))!;
    const get = statements.find((s) => s.Action.includes('s3:GetObject') && text(s.Resource).includes('/iceberg/'))!;
    for (const s of [put, get]) expect(s.Resource.map((r) => text(r).replace(/^.*"(\/iceberg\/[^"]+)".*$/, '$1'))).toEqual(mine.map((n) => `/iceberg/${n}/*`));
    expect(text(statements)).not.toMatch(/"\/(events|aggregates|quarantine)\//);
    expect(statements.find((s) => s.Action.includes('kms:Decrypt'))).toBeDefined();
    expect(statements.find((s) => s.Action.includes('kms:GenerateDataKey'))).toBeDefined();
    for (const s of statements) for (const a of s.Action) expect(a === '*' || a.endsWith(':*')).toBe(false);
  });

  it('grants no Glue table action on a wildcard anywhere in the app', () => {
    for (const tpl of Object.values(iceberg.templates)) {
      for (const s of policyStatements(tpl)) {
        if (!s.Action.some((a) => /^glue:(GetTable|CreateTable|UpdateTable)$/.test(a))) continue;
        // the views handler's CREATE OR REPLACE VIEW is the one table/<db>/* grant
        if (s.Action.includes('glue:DeleteTable')) continue;
        expect(text(s.Resource)).not.toMatch(/table\/[a-z0-9_]+\/\*/);
      }
    }
  });
});
