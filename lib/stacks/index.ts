/** The four stacks of one streamlake app, as `buildStreamlake` composes them. */
import type { KafkaStack } from './kafka-stack';
import type { LakeStack } from './lake-stack';
import type { NetworkStack } from './network-stack';
import type { ProcessingStack } from './processing-stack';

export interface StreamlakeStacks {
  readonly network: NetworkStack;
  readonly kafka: KafkaStack;
  readonly lake: LakeStack;
  readonly processing: ProcessingStack;
}
