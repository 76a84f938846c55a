/**
 * Window results published back to Kafka. A batch only knows partial results, so each batch
 * publishes one update per (window, keys): the partial aggregate state and the source offset
 * range it covers. Updates are deterministic (no wall-clock fields), so a retried batch produces
 * the same key and value and the idempotent producer plus `mergeSummaryUpdates` make the totals
 * exact.
 *
 * How a consumer merges updates (what `mergeSummaryUpdates` does, in topic order):
 * 1. An update identifies its batch by (source topic, source partition, first offset, last offset).
 * 2. A later update whose batch overlaps an earlier batch of the same source partition with
 *    different boundaries supersedes every update of that earlier batch (a retry after a crash
 *    re-read the same offsets with other boundaries). An update of the same batch replaces its
 *    earlier copy for the same (window, keys).
 * 3. The total of a (window, keys) is the merge of the surviving updates' states: sum of counts
 *    and sums, min of mins, max of maxes, avg = Σsum / Σcount.
 */
import type { FieldValue } from './fields';
import type { PipelineSpec, WindowSpec } from './spec';
import { finalize, mergeState, emptyState, type CompiledWindow, type WindowGroup } from './window';

export interface SummaryUpdate {
  readonly pipeline: string;
  readonly window: string;
  readonly window_start: string;
  readonly window_end: string;
  /** Group-by keys by name. */
  readonly keys: Readonly<Record<string, FieldValue>>;
  /** Mergeable state in `aggregateStateColumns` order. */
  readonly state: readonly (number | null)[];
  /** Final values of this partial alone, for readers that only display (e.g. `sales`, `orders`). */
  readonly partial: Readonly<Record<string, number | null>>;
  readonly source: { readonly topic: string; readonly partition: number; readonly first_offset: number; readonly last_offset: number };
}

export interface SummaryMessage {
  /** Window start (ISO-8601): all updates of a window land in one partition, in order. */
  readonly key: string;
  readonly value: string;
}

export function summaryMessages(
  spec: PipelineSpec,
  window: CompiledWindow,
  groups: readonly WindowGroup[],
  source: SummaryUpdate['source'],
): SummaryMessage[] {
  const w: WindowSpec = window.spec;
  return groups.map((g) => {
    const update: SummaryUpdate = {
      pipeline: spec.name,
      window: w.name,
      window_start: new Date(g.windowStart).toISOString(),
      window_end: new Date(g.windowEnd).toISOString(),
      keys: Object.fromEntries(w.groupBy.map((k, i) => [k, g.keys[i]])),
      state: g.state,
      partial: finalize(window, g.state),
      source,
    };
    return { key: update.window_start, value: JSON.stringify(update) };
  });
}

export interface WindowTotal {
  readonly window_start: string;
  readonly window_end: string;
  readonly keys: Readonly<Record<string, FieldValue>>;
  readonly values: Readonly<Record<string, number | null>>;
}

/** Merges updates read in topic order into current totals per (window, keys). */
export function mergeSummaryUpdates(window: CompiledWindow, updates: readonly SummaryUpdate[]): WindowTotal[] {
  type Batch = { topic: string; partition: number; first: number; last: number; seq: number };
  const batchId = (u: SummaryUpdate) => `${u.source.topic}\u0001${u.source.partition}\u0001${u.source.first_offset}\u0001${u.source.last_offset}`;
  const batches = new Map<string, Batch>();
  const latest = new Map<string, { update: SummaryUpdate; batch: string }>();
  updates.forEach((u, seq) => {
    const id = batchId(u);
    if (!batches.has(id)) {
      batches.set(id, { topic: u.source.topic, partition: u.source.partition, first: u.source.first_offset, last: u.source.last_offset, seq });
    }
    latest.set(`${id}\u0002${u.window_start}\u0002${JSON.stringify(u.keys)}`, { update: u, batch: id });
  });
  const superseded = new Set<string>();
  const list = [...batches.entries()];
  for (const [idA, a] of list) {
    for (const [idB, b] of list) {
      if (idA !== idB && a.topic === b.topic && a.partition === b.partition && b.seq > a.seq && b.first <= a.last && b.last >= a.first) superseded.add(idA);
    }
  }
  const totals = new Map<string, { u: SummaryUpdate; state: (number | null)[] }>();
  for (const { update, batch } of latest.values()) {
    if (superseded.has(batch)) continue;
    const id = `${update.window_start}\u0002${JSON.stringify(update.keys)}`;
    let t = totals.get(id);
    if (!t) {
      t = { u: update, state: emptyState(window) };
      totals.set(id, t);
    }
    mergeState(window, t.state, update.state);
  }
  return [...totals.values()]
    .map(({ u, state }) => ({ window_start: u.window_start, window_end: u.window_end, keys: u.keys, values: finalize(window, state) }))
    .sort((a, b) => (a.window_start < b.window_start ? -1 : a.window_start > b.window_start ? 1 : JSON.stringify(a.keys) < JSON.stringify(b.keys) ? -1 : 1));
}
