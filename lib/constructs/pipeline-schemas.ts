import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { avroSchemaOf } from '../../lambda/core/avro';
import { avroSchemaNameOf, type PipelineSpec } from '../../model/spec';
import { ConfigurationError } from '../../model/errors';

export interface PipelineSchemasProps {
  /** Glue Schema Registry name (the stack prefix). */
  readonly registryName: string;
  /** Every deployed pipeline; a schema is created for those with Avro values. */
  readonly pipelines: readonly PipelineSpec[];
}

/** One Avro pipeline's schema in the registry. */
export interface PipelineSchema {
  readonly registryName: string;
  readonly schemaName: string;
  readonly registryArn: string;
  readonly schemaArn: string;
  /** The version created from the spec (what the demo generator writes with). */
  readonly initialVersionId: string;
}

/**
 * AWS Glue Schema Registry for the Avro pipelines: one registry, and per pipeline one schema whose
 * first version is the reader schema derived from the spec. Compatibility FORWARD_ALL: every new
 * version a producer registers must be readable with every earlier one, and the processor reads
 * with the spec's (earliest) version.
 */
export class PipelineSchemas extends Construct {
  public readonly registry?: glue.CfnRegistry;
  private readonly schemas = new Map<string, PipelineSchema>();

  constructor(scope: Construct, id: string, props: PipelineSchemasProps) {
    super(scope, id);
    const avro = props.pipelines.filter((p) => p.value.kind === 'avro');
    if (avro.length === 0) return;
    const registry = new glue.CfnRegistry(this, 'Registry', { name: props.registryName, description: 'streamlake: Avro schemas of the pipelines deployed with Avro values' });
    this.registry = registry;
    for (const spec of avro) {
      const schemaName = avroSchemaNameOf(spec);
      const schema = new glue.CfnSchema(this, `Schema-${spec.name}`, {
        name: schemaName,
        registry: { arn: registry.attrArn },
        dataFormat: 'AVRO',
        compatibility: 'FORWARD_ALL',
        schemaDefinition: JSON.stringify(avroSchemaOf(spec)),
        description: `values of the ${spec.name} pipeline (topic ${spec.topic.name}); first version from its pipeline spec`,
      });
      this.schemas.set(spec.name, {
        registryName: props.registryName,
        schemaName,
        registryArn: registry.attrArn,
        schemaArn: schema.attrArn,
        initialVersionId: schema.attrInitialSchemaVersionId,
      });
    }
  }

  /** The schema of an Avro pipeline; throws for a pipeline without Avro values. */
  schemaOf(spec: PipelineSpec): PipelineSchema {
    const s = this.schemas.get(spec.name);
    if (!s) throw new ConfigurationError(`pipeline '${spec.name}' has no Avro schema (is it in streamlake:avroPipelines?)`);
    return s;
  }

  /**
   * Lets a consumer resolve schema version ids of the pipeline's schema: ListSchemaVersions, then
   * GetSchemaVersion by registry, schema and number, both authorized on the registry and schema
   * ARNs (a GetSchemaVersion by bare version id would need `Resource: *`).
   */
  grantRead(grantee: iam.IGrantable, spec: PipelineSpec): void {
    const s = this.schemaOf(spec);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['glue:GetSchemaVersion', 'glue:ListSchemaVersions'], resources: [s.registryArn, s.schemaArn] }),
    );
  }
}
