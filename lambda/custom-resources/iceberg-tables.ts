/**
 * Custom resource: creates the pipelines' Apache Iceberg tables (model/lake-tables.ts) in the Glue
 * Data Catalog through Glue's Iceberg REST endpoint, with `ensureIcebergTables`, the code the local
 * runtime runs against Apache Iceberg's own REST catalog: one protocol, one table definition.
 *
 * - Create and Update: creates the namespace's missing tables (new pipelines, new windows) with
 *   their schema, `day()` partition spec and explicit location `<LakeRoot>iceberg/<table>` (Glue's
 *   endpoint assigns no location itself: a createTable without one is refused with 400
 *   "Location information cannot be null while creating an iceberg table", see
 *   duckdb/duckdb-iceberg#1128, risingwavelabs/risingwave#27091, apache/iceberg#11921). An
 *   existing table is left as it is (the processor evolves its schema).
 * - Delete: nothing. Tables and their data are retained; drop them deliberately.
 *
 * The namespace is the Glue database (one level), created by the stack before this runs; the
 * create-namespace call of `ensureIcebergTables` then answers 409 (taken as "exists").
 * Requests are SigV4-signed for the service `glue` with the function's role credentials
 * (warehouse = the account id = the catalog id: AWS Glue developer guide, "Connecting to the Data
 * Catalog using AWS Glue Iceberg REST endpoint").
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { ConfigurationError } from '../../model/errors';
import { withAvroValues, type PipelineSpec } from '../../model/spec';
import { pipelineByName } from '../../pipelines';
import { RestCatalogClient, type RequestSigner } from '../adapters/rest-catalog';
import { sigV4Signer } from '../adapters/sigv4';
import { ensureIcebergTables } from '../lake/ensure-tables';

/** The resource's properties, as the construct (lib/constructs/lake-catalog.ts) sets them (CloudFormation passes strings). */
export interface IcebergTablesProperties {
  /** `https://glue.<region>.amazonaws.com/iceberg`. */
  readonly CatalogUri: string;
  /** The account id (Glue's catalog id). */
  readonly Warehouse: string;
  /** The region requests are signed for. */
  readonly Region: string;
  /** The Glue database. */
  readonly Namespace: string;
  /** `s3://<lake bucket>/`. */
  readonly LakeRoot: string;
  /** The deployed pipelines, with `avro` where they are deployed with Avro values. */
  readonly Pipelines: readonly { readonly name: string; readonly valueFormat?: string }[];
  /** The tables the specs define (informational: a new table changes the properties, so CloudFormation sends an Update). */
  readonly Tables?: readonly string[];
  /** The properties every table gets (informational: a new one changes the properties, so CloudFormation sends an Update, which adds it to the existing tables). */
  readonly TableProperties?: Readonly<Record<string, string>>;
}

export interface IcebergTablesHandlerOptions {
  /** @default SigV4 for `glue` in the resource's Region, default credential chain */
  readonly sign?: RequestSigner;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  readonly log?: (line: string) => void;
}

export interface IcebergTablesResult {
  readonly PhysicalResourceId: string;
  readonly Data?: { readonly Created: string };
}

function specOf(p: IcebergTablesProperties['Pipelines'][number]): PipelineSpec {
  const shipped = pipelineByName(p.name);
  if (p.valueFormat === undefined || p.valueFormat === '' || p.valueFormat === shipped.value.kind) return shipped;
  if (p.valueFormat === 'avro') return withAvroValues(shipped);
  throw new ConfigurationError(`iceberg tables: pipeline ${p.name} cannot have value format '${p.valueFormat}' (${shipped.value.kind} or avro)`);
}

/** The handler, with the catalog's transport replaceable (tests run it against a local catalog). */
export function icebergTablesHandler(options: IcebergTablesHandlerOptions = {}): (event: CloudFormationCustomResourceEvent) => Promise<IcebergTablesResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  return async (event) => {
    const p = event.ResourceProperties as unknown as IcebergTablesProperties;
    const physicalId = `streamlake-iceberg-tables-${p.Namespace}`;
    // retained: the tables hold the lake's data
    if (event.RequestType === 'Delete') return { PhysicalResourceId: physicalId };
    for (const key of ['CatalogUri', 'Warehouse', 'Region', 'Namespace', 'LakeRoot'] as const) {
      if (!p[key]) throw new ConfigurationError(`iceberg tables: property ${key} is not set (the CDK app sets it)`);
    }
    const catalog = new RestCatalogClient({
      uri: p.CatalogUri,
      warehouse: p.Warehouse,
      sign: options.sign ?? sigV4Signer({ region: p.Region, service: 'glue' }),
      fetch: options.fetch,
    });
    const created: string[] = [];
    for (const pipeline of p.Pipelines) created.push(...(await ensureIcebergTables(catalog, specOf(pipeline), p.LakeRoot, p.Namespace)));
    log(JSON.stringify({ message: 'iceberg tables ensured', requestType: event.RequestType, namespace: p.Namespace, created }));
    return { PhysicalResourceId: physicalId, Data: { Created: created.join(',') } };
  };
}

export const handler = icebergTablesHandler();
