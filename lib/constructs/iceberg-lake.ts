/**
 * The Iceberg lake in AWS: the pipelines' Apache Iceberg tables
 * live in the Glue Data Catalog and are created and committed through Glue's Iceberg REST endpoint.
 *
 * What the endpoint is and needs, from the AWS Glue developer guide ("Connecting to the Data
 * Catalog using AWS Glue Iceberg REST endpoint" and "AWS Glue REST APIs for Apache Iceberg
 * specifications"):
 * - URI `https://glue.<region>.amazonaws.com/iceberg`, warehouse = the account id (the catalog id),
 *   requests SigV4-signed with the signing name `glue`; paths `/iceberg/v1/catalogs/{catalog}/…`.
 * - One IAM action per REST operation: GetConfig → `glue:GetCatalog`; LoadNamespaceMetadata →
 *   `glue:GetDatabase`; CreateNamespace → `glue:CreateDatabase`; CreateTable → `glue:CreateTable`;
 *   LoadTable and TableExists → `glue:GetTable`; UpdateTable (the commit) → `glue:UpdateTable`.
 *   As for every Glue table action, the policy names the catalog, the database and the table ARNs.
 * - A namespace is a Glue database (one level): the namespace is the stack's database name.
 * - Glue assigns no table location: the client sends one (`<root>iceberg/<table>`).
 * - Lake Formation: with the account's default (IAM access control, `IAMAllowedPrincipals` on new
 *   databases) these IAM grants are the whole story; a database under Lake Formation permissions
 *   needs the matching grants (CREATE_TABLE, ALTER/INSERT, DESCRIBE) as well.
 *
 * Inferred, not verified against a deployment: the catalog (Glue) writes each new
 * `metadata/<n>-<uuid>.metadata.json` itself from the commit's updates (our client builds no
 * metadata JSON; it writes data files, manifests and manifest lists), and it does so with the
 * caller's credentials (forward access sessions), so the caller needs s3:PutObject/GetObject
 * under the table's location and the bucket key's kms:GenerateDataKey/Decrypt. Both the tables
 * custom resource and the processors get exactly that, per table.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { IcebergLakeEnvironment } from '../../model/environment';
import type { LakeStorage } from './lake-storage';

/** Where the Iceberg tables' files live in the lake bucket (`<root>iceberg/<table>`, lambda/lake/ensure-tables.ts). */
export const ICEBERG_PREFIX = 'iceberg/';

/** The key prefix of one table's files (data, manifests, metadata). */
export const icebergTablePrefix = (table: string): string => `${ICEBERG_PREFIX}${table}/`;

/** The Glue actions the Iceberg REST endpoint checks, by what the caller does. */
export const GLUE_ICEBERG_ACTIONS = {
  /** GetConfig. */
  config: ['glue:GetCatalog'],
  /** CreateNamespace (answered 409 for the stack's database) and LoadNamespaceMetadata. */
  namespace: ['glue:CreateDatabase', 'glue:GetDatabase'],
  /** TableExists, CreateTable, and LoadTable and UpdateTable to add the properties an existing table lacks. */
  createTables: ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable'],
  /** LoadTable and UpdateTable (the commit). */
  commit: ['glue:GetTable', 'glue:UpdateTable'],
} as const;

/** The catalog a stack's Iceberg lake is reached through, as deploy-time tokens. */
export function icebergLakeOfStack(scope: Construct, databaseName: string, storage: LakeStorage): IcebergLakeEnvironment {
  const stack = Stack.of(scope);
  return {
    catalogUri: `https://glue.${stack.region}.${Aws.URL_SUFFIX}/iceberg`,
    warehouse: stack.account,
    region: stack.region,
    namespace: databaseName,
    lakeRoot: `s3://${storage.bucket.bucketName}/`,
  };
}

/** The ARNs a Glue table action is checked on: the catalog, the database and each table. */
export function glueTableArns(scope: Construct, databaseName: string, tables: readonly string[]): { catalog: string; database: string; tables: string[] } {
  const stack = Stack.of(scope);
  const arn = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
  return { catalog: arn('catalog'), database: arn('database', databaseName), tables: tables.map((t) => arn('table', `${databaseName}/${t}`)) };
}

/**
 * Grants what a caller of the endpoint needs on `tables`: GetCatalog on the catalog, `glueActions`
 * on the catalog, database and table ARNs, and s3:PutObject/GetObject with the KMS actions under
 * `iceberg/<table>/<within>` for each table.
 */
export function grantIcebergTables(
  scope: Construct,
  grantee: iam.IGrantable,
  o: {
    readonly storage: LakeStorage;
    readonly databaseName: string;
    readonly tables: readonly string[];
    readonly glueActions: readonly string[];
    readonly databaseActions?: readonly string[];
    /** Below each table's prefix, e.g. `metadata/` (the tables resource writes only the first metadata file). @default everything */
    readonly within?: string;
  },
): void {
  const arns = glueTableArns(scope, o.databaseName, o.tables);
  const add = (s: iam.PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(s);
  add(new iam.PolicyStatement({ actions: [...GLUE_ICEBERG_ACTIONS.config], resources: [arns.catalog] }));
  if (o.databaseActions?.length) add(new iam.PolicyStatement({ actions: [...o.databaseActions], resources: [arns.catalog, arns.database] }));
  add(new iam.PolicyStatement({ actions: [...o.glueActions], resources: [arns.catalog, arns.database, ...arns.tables] }));
  const prefixes = o.tables.map((t) => `${icebergTablePrefix(t)}${o.within ?? ''}`);
  o.storage.grantWrite(grantee, prefixes);
  o.storage.grantRead(grantee, prefixes);
}
