/**
 * The Iceberg variant of the app (streamlake:lakeFormat=iceberg): the tables custom resource, the
 * processors' environment and IAM, the views; and the default (per-batch) left as it was.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { ConfigError, DEFAULT_CONFIG, parseConfig } from '../../lib/config';
import { icebergViews, namedQueries, referenceTableName, views } from '../../model/catalog';
import { icebergTables } from '../../model/lake-tables';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';
import { buildApp, ctx, policyStatements } from './support';

const iceberg = buildApp(ctx({ lakeFormat: 'iceberg' }));
const perBatch = buildApp();

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
  it("defaults to per-batch, reads 'iceberg', and names the key when the value is wrong", () => {
    expect(DEFAULT_CONFIG.lakeFormat).toBe('per-batch');
    expect(parseConfig(ctx({ lakeFormat: 'iceberg' })).lakeFormat).toBe('iceberg');
    expect(() => parseConfig(ctx({ lakeFormat: 'delta' }))).toThrow(ConfigError);
    expect(() => parseConfig(ctx({ lakeFormat: 'delta' }))).toThrow("config 'streamlake:lakeFormat': must be one of per-batch | iceberg, got 'delta'");
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
    // the per-batch variant keeps its Hive tables
    expect(Object.keys(perBatch.templates.lake.findResources('AWS::Glue::Table')).length).toBeGreaterThan(1);
  });

  it('creates the window views as plain merges of the Iceberg partials, after the tables', () => {
    const [[, resource]] = Object.entries(t.findResources('Custom::StreamlakeAthenaViews'));
    expect(resource.Properties.Views).toEqual([...icebergViews(clickstream), ...icebergViews(sales)].map((v) => ({ name: v.name, sql: v.sql })));
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CatalogIcebergTables/)]));
    // per-batch: the dedup views
    const [[, old]] = Object.entries(perBatch.templates.lake.findResources('Custom::StreamlakeAthenaViews'));
    expect(old.Properties.Views).toEqual([...views(clickstream), ...views(sales)].map((v) => ({ name: v.name, sql: v.sql })));
  });

  it('keeps the named queries (they name tables and views that exist in both layouts)', () => {
    const names = (x: Template) => Object.values(x.findResources('AWS::Athena::NamedQuery')).map((q) => q.Properties.Name);
    expect(names(t)).toEqual([...namedQueries(clickstream), ...namedQueries(sales)].map((q) => q.name));
    expect(names(t)).toEqual(names(perBatch.templates.lake));
  });

  it('grants the tables handler only the endpoint’s Glue actions on the catalog, the database and each table, and S3 under iceberg/<table>/metadata/', () => {
    const statements = statementsOf(t, 'CatalogIcebergTablesHandlerServiceRoleDefaultPolicy');
    const glue = statements.filter((s) => s.Action.some((a) => a.startsWith('glue:')));
    expect(glue.map((s) => s.Action)).toEqual([['glue:GetCatalog'], ['glue:CreateDatabase', 'glue:GetDatabase'], ['glue:GetTable', 'glue:CreateTable']]);
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
    expect(vars.LAKE_FORMAT).toBe('iceberg');
    expect(text(vars.ICEBERG_CATALOG_URI)).toBe(text({ 'Fn::Join': ['', ['https://glue.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, '/iceberg']] }));
    expect(vars.ICEBERG_WAREHOUSE).toEqual({ Ref: 'AWS::AccountId' });
    expect(vars.ICEBERG_REGION).toEqual({ Ref: 'AWS::Region' });
    expect(vars.ICEBERG_NAMESPACE).toBe('streamlake');
    expect(text(vars.LAKE_ROOT)).toMatch(/^\{"Fn::Join":\["",\["s3:\/\/",\{"Fn::ImportValue":"streamlake-lake:ExportsOutputRefStorageBucket[A-Za-z0-9]+"\},"\/"\]\]\}$/);
    // the per-batch processors are told nothing of it
    const old = Object.values(perBatch.templates.processing.findResources('AWS::Lambda::Function')).find(
      (f) => f.Properties.Environment?.Variables?.STREAMLAKE_PIPELINE === 'sales',
    )!;
    expect(Object.keys(old.Properties.Environment.Variables).filter((k) => /^(LAKE_FORMAT|ICEBERG_|LAKE_ROOT)/.test(k))).toEqual([]);
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
        // the views handler's CREATE OR REPLACE VIEW is the one table/<db>/* grant, as in the per-batch app
        if (s.Action.includes('glue:DeleteTable')) continue;
        expect(text(s.Resource)).not.toMatch(/table\/[a-z0-9_]+\/\*/);
      }
    }
  });
});
