import { Aws, CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { icebergViews, namedQueries, referenceTableName } from '../../model/catalog';
import { referencePrefix } from '../../model/layout';
import { icebergTables, partialsTableName } from '../../model/lake-tables';
import type { PipelineSpec } from '../../model/spec';
import type { IcebergTablesProperties } from '../../lambda/custom-resources/iceberg-tables';
import { LAKE_TABLE_PROPERTIES } from '../../lambda/lake/ensure-tables';
import { GLUE_ICEBERG_ACTIONS, grantIcebergTables, icebergLakeOfStack, icebergTablePrefix } from './iceberg-lake';
import { ATHENA_RESULTS_PREFIX, type LakeStorage } from './lake-storage';
import { StreamlakeFunction } from './node-function';

export interface LakeCatalogProps {
  readonly databaseName: string;
  readonly workGroupName: string;
  readonly storage: LakeStorage;
  readonly pipelines: readonly PipelineSpec[];
  readonly bytesScannedCutoffPerQuery: number;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Glue database and tables generated from the pipeline specs, the views, and the Athena workgroup
 * (engine v3, enforced, KMS-encrypted results, bytes-scanned cutoff) with named queries.
 *
 * The pipelines' lake tables are Apache Iceberg tables, created through Glue's Iceberg REST
 * endpoint by a custom resource (lambda/custom-resources/iceberg-tables.ts, retained on delete);
 * the window views are plain merges of the partials (each offset is committed once, so there is
 * nothing to drop at read time). Reference data are Hive CSV tables.
 */
export class LakeCatalog extends Construct {
  public readonly database: glue.CfnDatabase;
  public readonly workGroup: athena.CfnWorkGroup;
  public readonly tables: glue.CfnTable[] = [];
  /** The Iceberg tables custom resource. */
  public readonly icebergTables: CustomResource;
  public readonly databaseName: string;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    this.databaseName = props.databaseName;
    const bucket = props.storage.bucket;
    const bucketUri = `s3://${bucket.bucketName}`;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: props.databaseName, description: 'streamlake data lake: events, window partials, quarantine, reference data' },
    });

    for (const spec of props.pipelines) {
      for (const ref of spec.references ?? []) {
        const table = new glue.CfnTable(this, `Table-${referenceTableName(ref)}`, {
          catalogId: Aws.ACCOUNT_ID,
          databaseName: props.databaseName,
          tableInput: {
            name: referenceTableName(ref),
            description: `reference data ${ref.name} (${ref.file})`,
            tableType: 'EXTERNAL_TABLE',
            parameters: { classification: 'csv', 'skip.header.line.count': '1', EXTERNAL: 'TRUE' },
            storageDescriptor: {
              location: `${bucketUri}/${referencePrefix(ref)}`,
              inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
              outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
              serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.serde2.OpenCSVSerde', parameters: { separatorChar: ',', quoteChar: '"' } },
              columns: ref.columns.map((c) => ({ name: c, type: 'string' })),
            },
          },
        });
        table.addResourceDependency(this.database);
        this.tables.push(table);
      }
    }

    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: 'streamlake: query the data lake',
      recursiveDeleteOption: props.removalPolicy === RemovalPolicy.DESTROY,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        resultConfiguration: {
          outputLocation: `${bucketUri}/${ATHENA_RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.storage.key.keyArn },
        },
      },
    });

    for (const spec of props.pipelines) {
      for (const q of namedQueries(spec)) {
        const named = new athena.CfnNamedQuery(this, `Query-${q.name}`, {
          name: q.name,
          description: q.description,
          database: props.databaseName,
          workGroup: this.workGroup.ref,
          queryString: q.sql,
        });
        named.addResourceDependency(this.database);
      }
    }

    this.icebergTables = this.createIcebergTables(props);
    this.createViews(props);
  }

  /** The custom resource that creates the pipelines' Iceberg tables through Glue's Iceberg REST endpoint. */
  private createIcebergTables(props: LakeCatalogProps): CustomResource {
    const fn = new StreamlakeFunction(this, 'IcebergTablesHandler', {
      entry: 'lambda/custom-resources/iceberg-tables.ts',
      description: "streamlake: creates the pipelines' Iceberg tables in the Glue Data Catalog (Iceberg REST)",
      timeout: Duration.minutes(5),
      removalPolicy: props.removalPolicy,
    });
    const tables = props.pipelines.flatMap((spec) => icebergTables(spec).map((t) => t.name));
    // Glue writes each table's first metadata file under its location (see ./iceberg-lake.ts)
    grantIcebergTables(this, fn, {
      storage: props.storage,
      databaseName: props.databaseName,
      tables,
      glueActions: GLUE_ICEBERG_ACTIONS.createTables,
      databaseActions: GLUE_ICEBERG_ACTIONS.namespace,
      within: 'metadata/',
    });
    const provider = new cr.Provider(this, 'IcebergTablesProvider', { onEventHandler: fn });
    const lake = icebergLakeOfStack(this, props.databaseName, props.storage);
    const properties: IcebergTablesProperties = {
      CatalogUri: lake.catalogUri,
      Warehouse: lake.warehouse,
      Region: lake.region,
      Namespace: lake.namespace,
      LakeRoot: lake.lakeRoot,
      Pipelines: props.pipelines.map((spec) => ({ name: spec.name, valueFormat: spec.value.kind })),
      Tables: tables,
      TableProperties: LAKE_TABLE_PROPERTIES,
    };
    const resource = new CustomResource(this, 'IcebergTables', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StreamlakeIcebergTables',
      properties: { ...properties },
      // the tables hold the lake's data: the handler does nothing on Delete, and CloudFormation keeps the resource's record too
      removalPolicy: RemovalPolicy.RETAIN,
    });
    resource.node.addDependency(this.database);
    return resource;
  }

  private createViews(props: LakeCatalogProps): void {
    const fn = new StreamlakeFunction(this, 'ViewsHandler', {
      entry: 'lambda/custom-resources/athena-views.ts',
      description: 'streamlake: creates the Athena views of the pipelines',
      timeout: Duration.minutes(10),
      removalPolicy: props.removalPolicy,
    });
    const stack = Stack.of(this);
    const glueArn = (resource: string) => stack.formatArn({ service: 'glue', resource, resourceName: undefined });
    const wgArn = stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workGroupName });
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution'], resources: [wgArn] }));
    // Athena DDL on views reads and writes the Glue catalog (Athena user guide, "Fine-grained access to databases and tables")
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:CreateTable', 'glue:UpdateTable', 'glue:DeleteTable'],
        resources: [glueArn('catalog'), `${glueArn('database')}/${props.databaseName}`, `${glueArn('table')}/${props.databaseName}/*`],
      }),
    );
    const bucket = props.storage.bucket;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation', 's3:ListBucket'], resources: [bucket.bucketArn] }));
    props.storage.grantWrite(fn, [ATHENA_RESULTS_PREFIX]);
    // Athena analyzes a view's query when it creates it: over Iceberg tables, that reads their metadata (with the caller's credentials)
    const partials = props.pipelines.flatMap((spec) => (spec.windows ?? []).map((w) => `${icebergTablePrefix(partialsTableName(spec, w))}metadata/`));
    props.storage.grantRead(fn, [ATHENA_RESULTS_PREFIX, ...partials]);
    const provider = new cr.Provider(this, 'ViewsProvider', { onEventHandler: fn });
    const resource = new CustomResource(this, 'Views', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StreamlakeAthenaViews',
      properties: {
        Database: props.databaseName,
        WorkGroup: this.workGroup.ref,
        // the window views only: the events and quarantine tables are read as they are
        Views: props.pipelines.flatMap((spec) => icebergViews(spec).map((v) => ({ name: v.name, sql: v.sql }))),
      },
    });
    for (const t of this.tables) resource.node.addDependency(t);
    resource.node.addDependency(this.icebergTables);
  }
}
