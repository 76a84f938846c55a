/** What the topics custom resource must do to reach the desired topics. Pure. */
export interface TopicState {
  readonly name: string;
  readonly partitions: number;
}

export interface TopicPlan {
  readonly create: TopicState[];
  /** Topics whose partition count must grow to the given count. */
  readonly increase: TopicState[];
  readonly unchanged: string[];
  /** Kafka cannot reduce partitions: these keep their larger count (reported, not an error). */
  readonly keepLarger: TopicState[];
}

export function planTopics(desired: readonly TopicState[], existing: readonly TopicState[]): TopicPlan {
  const current = new Map(existing.map((t) => [t.name, t.partitions]));
  const plan: TopicPlan = { create: [], increase: [], unchanged: [], keepLarger: [] };
  for (const t of desired) {
    const have = current.get(t.name);
    if (have === undefined) plan.create.push(t);
    else if (have < t.partitions) plan.increase.push(t);
    else if (have > t.partitions) plan.keepLarger.push({ name: t.name, partitions: have });
    else plan.unchanged.push(t.name);
  }
  return plan;
}
