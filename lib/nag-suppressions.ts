import type { StreamlakeStacks } from './app';

/** Every cdk-nag suppression of the app, each narrow and with its reason. Filled from the findings. */
export function applySuppressions(stacks: StreamlakeStacks): void {
  void stacks;
}
