/**
 * Window results published back to Kafka. A batch only knows partial results, so each batch
 * publishes one update per (window, keys): the partial aggregate state and the source offset
 * range it covers. Updates are deterministic (no wall-clock fields), so a retried batch produces
 * the same key and value and the idempotent producer plus `mergeSummaryUpdates` make the totals
 * exact.
 *
 * How a consumer merges updates (what `mergeSummaryUpdates` does, in topic order):
 * 1. An update identifies its batch attempt by (source topic, source partition, first offset,
 *    last offset). A retry starts at the same first offset (the committed offset), so per first
 *    offset only the latest attempt in topic order counts; its update for a (window, keys)
 *    replaces earlier copies.
 * 2. An attempt that another attempt starts inside of was superseded by a retry with fewer
 *    records, so its updates are dropped.
 * 3. The total of a (window, keys) is the merge of the surviving updates' states: sum of counts
 *    and sums, min of mins, max of maxes, avg = Σsum / Σcount.
 */
import type { FieldValue } from './fields';
import type { PipelineSpec, WindowSpec } from '../../model/spec';
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

export function summaryMessages(spec: PipelineSpec, window: CompiledWindow, groups: readonly WindowGroup[], source: SummaryUpdate['source']): SummaryMessage[] {
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
  type Attempt = { topic: string; partition: number; first: number; last: number; seq: number };
  const startId = (u: SummaryUpdate) => `${u.source.topic}\u0001${u.source.partition}\u0001${u.source.first_offset}`;
  // latest attempt per (topic, partition, first offset), in topic order
  const latestAttempt = new Map<string, Attempt>();
  updates.forEach((u, seq) => {
    const id = startId(u);
    const prev = latestAttempt.get(id);
    // an update of the same attempt (same last offset) is a redelivery: identical content
    if (!prev || prev.last !== u.source.last_offset)
      latestAttempt.set(id, { topic: u.source.topic, partition: u.source.partition, first: u.source.first_offset, last: u.source.last_offset, seq });
  });
  const attempts = [...latestAttempt.values()];
  const superseded = (a: Attempt) => attempts.some((b) => b !== a && b.topic === a.topic && b.partition === a.partition && b.first > a.first && b.first <= a.last);
  const live = new Set(attempts.filter((a) => !superseded(a)).map((a) => `${a.topic}\u0001${a.partition}\u0001${a.first}\u0001${a.last}`));
  // per live attempt, the latest update of each (window, keys)
  const latest = new Map<string, SummaryUpdate>();
  for (const u of updates) {
    const attempt = `${u.source.topic}\u0001${u.source.partition}\u0001${u.source.first_offset}\u0001${u.source.last_offset}`;
    if (live.has(attempt)) latest.set(`${attempt}\u0002${u.window_start}\u0002${JSON.stringify(u.keys)}`, u);
  }
  const totals = new Map<string, { u: SummaryUpdate; state: (number | null)[] }>();
  for (const update of latest.values()) {
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
