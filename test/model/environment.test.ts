import { ENV, icebergLakeOf, icebergLakeVariables, processorEnvironment, readGeneratorEnvironment, readProcessorEnvironment, requireVariable } from '../../model/environment';
import { ConfigurationError } from '../../model/errors';

describe('the CDK ↔ Lambda environment contract', () => {
  it('reads back what a construct writes', () => {
    const env = { pipeline: 'sales', lakeBucket: 'lake', failureBucket: 'failed', valueFormat: 'avro', glueRegistryName: 'streamlake', kafkaBootstrapServers: 'b-1:9098' };
    const vars = processorEnvironment(env);
    expect(vars).toEqual({
      STREAMLAKE_PIPELINE: 'sales',
      LAKE_BUCKET: 'lake',
      FAILURE_BUCKET: 'failed',
      VALUE_FORMAT: 'avro',
      GLUE_REGISTRY_NAME: 'streamlake',
      KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098',
    });
    expect(readProcessorEnvironment(vars)).toEqual(env);
  });

  it('leaves out what a pipeline does not need', () => {
    expect(Object.keys(processorEnvironment({ pipeline: 'clickstream', lakeBucket: 'lake' }))).toEqual([ENV.pipeline, ENV.lakeBucket]);
  });

  it('names a missing variable, as a configuration error', () => {
    expect(() => readProcessorEnvironment({ LAKE_BUCKET: 'lake' })).toThrow(/environment variable STREAMLAKE_PIPELINE is not set/);
    expect(() => readProcessorEnvironment({ STREAMLAKE_PIPELINE: 'sales', LAKE_BUCKET: '' })).toThrow(ConfigurationError);
    const env = readProcessorEnvironment({ STREAMLAKE_PIPELINE: 'sales', LAKE_BUCKET: 'lake' });
    expect(() => requireVariable(env, 'glueRegistryName', 'the pipeline has Avro values')).toThrow(
      'environment variable GLUE_REGISTRY_NAME is not set: the pipeline has Avro values',
    );
  });

  it('parses the generator environment and refuses schema ids that are not a JSON object', () => {
    const vars = { KAFKA_BOOTSTRAP_SERVERS: 'b-1:9098', AWS_REGION: 'eu-west-1', AVRO_SCHEMA_VERSION_IDS: '{"sales":"id"}' };
    expect(readGeneratorEnvironment(vars)).toEqual({ kafkaBootstrapServers: 'b-1:9098', region: 'eu-west-1', avroSchemaVersionIds: { sales: 'id' } });
    expect(readGeneratorEnvironment({ ...vars, AVRO_SCHEMA_VERSION_IDS: undefined }).avroSchemaVersionIds).toEqual({});
    expect(() => readGeneratorEnvironment({ ...vars, AVRO_SCHEMA_VERSION_IDS: '[1]' })).toThrow(/AVRO_SCHEMA_VERSION_IDS must be a JSON object/);
    expect(() => readGeneratorEnvironment({ ...vars, AVRO_SCHEMA_VERSION_IDS: '{' })).toThrow(/AVRO_SCHEMA_VERSION_IDS is not JSON/);
    expect(() => readGeneratorEnvironment({ AWS_REGION: 'eu-west-1' })).toThrow(/KAFKA_BOOTSTRAP_SERVERS is not set/);
  });
});

describe('the Iceberg lake variables', () => {
  const lake = { catalogUri: 'https://glue.eu-west-1.amazonaws.com/iceberg', warehouse: '123456789012', region: 'eu-west-1', namespace: 'streamlake', lakeRoot: 's3://lake/' };
  const base = { pipeline: 'sales', lakeBucket: 'lake' };

  it('reads back what a construct writes, typed', () => {
    const vars = processorEnvironment({ ...base, ...icebergLakeVariables(lake) });
    expect(vars).toEqual({
      STREAMLAKE_PIPELINE: 'sales',
      LAKE_BUCKET: 'lake',
      ICEBERG_CATALOG_URI: 'https://glue.eu-west-1.amazonaws.com/iceberg',
      ICEBERG_WAREHOUSE: '123456789012',
      ICEBERG_REGION: 'eu-west-1',
      ICEBERG_NAMESPACE: 'streamlake',
      LAKE_ROOT: 's3://lake/',
    });
    expect(icebergLakeOf(readProcessorEnvironment(vars))).toEqual(lake);
  });

  it('names a missing variable and a lake root that is not a location', () => {
    const vars = processorEnvironment({ ...base, ...icebergLakeVariables(lake) });
    for (const name of ['ICEBERG_CATALOG_URI', 'ICEBERG_WAREHOUSE', 'ICEBERG_REGION', 'ICEBERG_NAMESPACE', 'LAKE_ROOT']) {
      expect(() => icebergLakeOf(readProcessorEnvironment({ ...vars, [name]: undefined }))).toThrow(
        `environment variable ${name} is not set: the processor commits to the pipeline's Iceberg tables`,
      );
    }
    expect(() => icebergLakeOf(readProcessorEnvironment({ ...vars, LAKE_ROOT: 's3://lake' }))).toThrow(ConfigurationError);
    expect(() => icebergLakeOf(readProcessorEnvironment({ ...vars, LAKE_ROOT: 'lake/' }))).toThrow("LAKE_ROOT must be a location ending with '/'");
  });
});
