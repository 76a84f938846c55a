/**
 * The lake's catalog exactly as the CDK app deploys it: the Glue database and tables
 * (`AWS::Glue::Table`: columns, types, partition keys, SerDe, parameters with partition
 * projection), the views the views custom resource creates through Athena, and the named queries
 * (`AWS::Athena::NamedQuery`), all read from the synthesized lake stack template. No copy is
 * written by hand: the local Trino gets what Athena gets, with the bucket's `s3://` locations
 * pointed at the local lake directory.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { buildStreamlake } from '../../lib/app';
import { parseConfig } from '../../lib/config';
import { LakeCatalog } from '../../lib/constructs/lake-catalog';
import { LakeStorage } from '../../lib/constructs/lake-storage';
import type { PipelineSpec } from '../../model/spec';
import { InternalError } from '../../model/errors';

export interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
  readonly Comment?: string;
}

/** A Glue TableInput as the template holds it, its tokens resolved (locations as `s3://<bucket>/…`). */
export interface GlueTable {
  readonly Name: string;
  readonly Description?: string;
  readonly TableType: string;
  readonly Parameters: Readonly<Record<string, string>>;
  readonly PartitionKeys?: readonly GlueColumn[];
  readonly StorageDescriptor: {
    readonly Location: string;
    readonly InputFormat: string;
    readonly OutputFormat: string;
    readonly SerdeInfo: { readonly SerializationLibrary: string; readonly Parameters?: Readonly<Record<string, string>> };
    readonly Columns: readonly GlueColumn[];
  };
}

export interface LakeDefinitions {
  /** The Glue database (the Trino schema). */
  readonly database: string;
  /** The `s3://…/` prefix of the lake bucket in the locations, i.e. the bucket as a token. */
  readonly bucketUri: string;
  readonly tables: readonly GlueTable[];
  /** The views, as the views custom resource receives them. */
  readonly views: readonly { readonly name: string; readonly sql: string }[];
  readonly namedQueries: readonly { readonly name: string; readonly description: string; readonly sql: string }[];
}

interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}
export interface CfnTemplate {
  readonly Resources: Readonly<Record<string, CfnResource>>;
}

/** The bucket in resolved locations: `s3://{{Ref:<logical id>}}/…`. */
const BUCKET_REF = /^s3:\/\/\{\{Ref:([A-Za-z0-9]+)\}\}\//;

/** Resolves the intrinsic functions the catalog uses (Ref, Fn::Join); refs become `{{Ref:<id>}}`. */
export function resolveTokens(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveTokens);
  if (value === null || typeof value !== 'object') return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === 'Ref') return `{{Ref:${String(o.Ref)}}}`;
  if (keys.length === 1 && keys[0] === 'Fn::Join') {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts
      .map((p) => {
        const r = resolveTokens(p);
        if (typeof r !== 'string') throw new InternalError(`cannot resolve ${JSON.stringify(p)} in a Fn::Join of the lake template`);
        return r;
      })
      .join(sep);
  }
  if (keys.length === 1 && keys[0].startsWith('Fn::')) return `{{${keys[0]}:${JSON.stringify(o[keys[0]])}}}`;
  return Object.fromEntries(keys.map((k) => [k, resolveTokens(o[k])]));
}

/** Reads the catalog definitions out of a synthesized lake stack template. */
export function lakeDefinitionsOf(template: CfnTemplate): LakeDefinitions {
  const resources = Object.values(template.Resources);
  const of = (type: string) => resources.filter((r) => r.Type === type).map((r) => resolveTokens(r.Properties ?? {}) as Record<string, unknown>);
  const databases = of('AWS::Glue::Database').map((p) => (p.DatabaseInput as { Name: string }).Name);
  if (databases.length !== 1) throw new InternalError(`the lake template has ${databases.length} Glue databases, expected 1`);
  const tables = of('AWS::Glue::Table').map((p) => p.TableInput as GlueTable);
  const buckets = new Set(tables.map((t) => BUCKET_REF.exec(t.StorageDescriptor.Location)?.[1]));
  if (buckets.size !== 1 || buckets.has(undefined))
    throw new InternalError(`the lake tables' locations are not all in one bucket: ${tables.map((t) => t.StorageDescriptor.Location).join(', ')}`);
  const viewResources = of('Custom::StreamlakeAthenaViews');
  if (viewResources.length !== 1) throw new InternalError(`the lake template has ${viewResources.length} views custom resources, expected 1`);
  return {
    database: databases[0],
    bucketUri: `s3://{{Ref:${[...buckets][0]}}}/`,
    tables,
    views: (viewResources[0].Views as { name: string; sql: string }[]).map((v) => ({ name: v.name, sql: v.sql })),
    namedQueries: of('AWS::Athena::NamedQuery').map((p) => ({ name: String(p.Name), description: String(p.Description ?? ''), sql: String(p.QueryString) })),
  };
}

const APP_CONTEXT = {
  '@aws-cdk/core:defaultCrossStackReferences': 'strong',
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
  // no asset bundling: only the catalog is read
  'aws:cdk:bundling-stacks': [],
};

/**
 * Synthesizes the lake stack's template: the whole app for a configuration (CDK context keys as
 * in cdk.json, e.g. `streamlake:pipelines`), or a lake stack alone for given pipeline specs (a
 * test's variant of a shipped spec).
 */
export function synthLakeTemplate(source: { readonly context?: Record<string, unknown> } | { readonly pipelines: readonly PipelineSpec[] } = {}): CfnTemplate {
  const app = new App({ context: APP_CONTEXT });
  let stack: Stack;
  if ('pipelines' in source) {
    stack = new Stack(app, 'streamlake-lake');
    const config = parseConfig({});
    const storage = new LakeStorage(stack, 'Storage', { pipelines: source.pipelines, retention: config.retention, removalPolicy: RemovalPolicy.DESTROY });
    new LakeCatalog(stack, 'Catalog', {
      databaseName: config.prefix.replace(/-/g, '_'),
      workGroupName: config.prefix,
      storage,
      pipelines: source.pipelines,
      bytesScannedCutoffPerQuery: config.athenaBytesScannedCutoff,
      removalPolicy: RemovalPolicy.DESTROY,
    });
  } else {
    stack = buildStreamlake(app, parseConfig(source.context ?? {}), { nag: false }).lake;
  }
  return app.synth().getStackArtifact(stack.artifactId).template as CfnTemplate;
}

/** The deployed catalog of a configuration (default: every shipped pipeline), or of given specs. */
export function lakeDefinitions(source: Parameters<typeof synthLakeTemplate>[0] = {}): LakeDefinitions {
  return lakeDefinitionsOf(synthLakeTemplate(source));
}
