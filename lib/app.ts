import { Aspects, App, RemovalPolicy, Tags } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { withAvroValues } from '../model/spec';
import { pipelineByName } from '../pipelines';
import type { StreamlakeConfig } from './config';
import { applySuppressions } from './nag-suppressions';
import { KafkaStack } from './stacks/kafka-stack';
import { LakeStack } from './stacks/lake-stack';
import { NetworkStack } from './stacks/network-stack';
import { ProcessingStack } from './stacks/processing-stack';
import type { StreamlakeStacks } from './stacks';

export type { StreamlakeStacks } from './stacks';

/** Composes the four stacks of a configuration into `app`. Env-agnostic: no account or region lookups. */
export function buildStreamlake(app: App, config: StreamlakeConfig, options: { nag?: boolean } = {}): StreamlakeStacks {
  // a pipeline deployed with Avro values is its shipped spec with the value format swapped
  const pipelines = config.pipelines.map((name) => (config.avroPipelines.includes(name) ? withAvroValues(pipelineByName(name)) : pipelineByName(name)));
  const removalPolicy = config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
  const p = config.prefix;
  const network = new NetworkStack(app, `${p}-network`, { config, description: 'streamlake: VPC, endpoints, security groups' });
  const kafka = new KafkaStack(app, `${p}-kafka`, { config, network: network.network, pipelines, removalPolicy, description: 'streamlake: MSK cluster, topics, SSM parameters' });
  const lake = new LakeStack(app, `${p}-lake`, { config, pipelines, removalPolicy, description: 'streamlake: S3 lake, Glue catalog, Athena' });
  const processing = new ProcessingStack(app, `${p}-processing`, {
    config,
    pipelines,
    network: network.network,
    cluster: kafka.cluster,
    storage: lake.storage,
    databaseName: lake.catalog.databaseName,
    removalPolicy,
    description: 'streamlake: processors, event source mappings, generator, dashboard, alarms',
  });
  Tags.of(app).add('project', 'streamlake');
  const stacks = { network, kafka, lake, processing };
  applySuppressions(stacks);
  if (options.nag !== false) {
    Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
    Aspects.of(app).add(new ServerlessChecks({ verbose: true }));
  }
  return stacks;
}
