/**
 * Event-time windows and mergeable partial aggregates. Each batch produces one partial state per
 * (window, keys); merging partials (sum of sums, sum of counts, min of mins …) gives the same
 * result whatever the batching. Pure.
 */
import { windowSlideSeconds, type AggregateSpec, type WindowSpec } from './spec';
import type { FieldValue } from './fields';

/** Window starts (epoch millis) of every window containing `t`, oldest first. */
export function windowStartsFor(t: number, sizeMs: number, slideMs: number): number[] {
  const last = Math.floor(t / slideMs) * slideMs;
  const starts: number[] = [];
  for (let s = last - sizeMs + slideMs; s <= last; s += slideMs) {
    if (t >= s && t < s + sizeMs) starts.push(s);
  }
  return starts;
}

/**
 * The mergeable state of one window's aggregates, flattened in the column order of
 * `aggregateStateColumns`: count → [n]; sum → [s]; min/max → [v|null]; avg → [sum, n].
 */
export type AggregateState = (number | null)[];

interface CompiledAggregate {
  readonly spec: AggregateSpec;
  /** Index of the aggregated value in the row, or -1 for count(*). */
  readonly valueIndex: number;
  /** First state slot. */
  readonly slot: number;
}

export interface CompiledWindow {
  readonly spec: WindowSpec;
  readonly sizeMs: number;
  readonly slideMs: number;
  readonly keyIndexes: readonly number[];
  readonly aggregates: readonly CompiledAggregate[];
  readonly stateWidth: number;
}

/** `fieldIndex` maps a field name to its position in the events row. */
export function compileWindow(w: WindowSpec, fieldIndex: (name: string) => number): CompiledWindow {
  let slot = 0;
  const aggregates = w.aggregates.map((a) => {
    const c: CompiledAggregate = { spec: a, valueIndex: a.field === undefined ? -1 : fieldIndex(a.field), slot };
    slot += a.fn === 'avg' ? 2 : 1;
    return c;
  });
  return {
    spec: w,
    sizeMs: w.sizeSeconds * 1000,
    slideMs: windowSlideSeconds(w) * 1000,
    keyIndexes: w.groupBy.map(fieldIndex),
    aggregates,
    stateWidth: slot,
  };
}

export function emptyState(w: CompiledWindow): AggregateState {
  const state: AggregateState = new Array(w.stateWidth);
  for (const a of w.aggregates) {
    switch (a.spec.fn) {
      case 'count':
      case 'sum':
        state[a.slot] = 0;
        break;
      case 'min':
      case 'max':
        state[a.slot] = null;
        break;
      case 'avg':
        state[a.slot] = 0;
        state[a.slot + 1] = 0;
        break;
    }
  }
  return state;
}

/** Folds one row into a state. */
export function accumulate(w: CompiledWindow, state: AggregateState, row: readonly FieldValue[]): void {
  for (const a of w.aggregates) {
    const v = a.valueIndex === -1 ? 1 : row[a.valueIndex];
    if (v === null) continue;
    const n = v as number;
    switch (a.spec.fn) {
      case 'count':
        (state[a.slot] as number) += 1;
        break;
      case 'sum':
        (state[a.slot] as number) += n;
        break;
      case 'min':
        if (state[a.slot] === null || n < (state[a.slot] as number)) state[a.slot] = n;
        break;
      case 'max':
        if (state[a.slot] === null || n > (state[a.slot] as number)) state[a.slot] = n;
        break;
      case 'avg':
        (state[a.slot] as number) += n;
        (state[a.slot + 1] as number) += 1;
        break;
    }
  }
}

/** Merges `other` into `into` (the same operation the Athena views do over partial rows). */
export function mergeState(w: CompiledWindow, into: AggregateState, other: readonly (number | null)[]): void {
  for (const a of w.aggregates) {
    const s = a.slot;
    switch (a.spec.fn) {
      case 'count':
      case 'sum':
        (into[s] as number) += other[s] as number;
        break;
      case 'min':
        if (other[s] !== null && (into[s] === null || (other[s] as number) < (into[s] as number))) into[s] = other[s];
        break;
      case 'max':
        if (other[s] !== null && (into[s] === null || (other[s] as number) > (into[s] as number))) into[s] = other[s];
        break;
      case 'avg':
        (into[s] as number) += other[s] as number;
        (into[s + 1] as number) += other[s + 1] as number;
        break;
    }
  }
}

/** Final aggregate values of a state, by aggregate name (avg = sum / count). */
export function finalize(w: CompiledWindow, state: readonly (number | null)[]): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const a of w.aggregates) {
    out[a.spec.name] = a.spec.fn === 'avg' ? ((state[a.slot + 1] as number) === 0 ? null : (state[a.slot] as number) / (state[a.slot + 1] as number)) : state[a.slot];
  }
  return out;
}

export interface WindowGroup {
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly keys: readonly FieldValue[];
  readonly state: AggregateState;
}

const KEY_SEPARATOR = '\u0001';
const NULL_KEY = '\u0002';

function groupKey(start: number, keys: readonly FieldValue[]): string {
  let k = String(start);
  for (const v of keys) k += KEY_SEPARATOR + (v === null ? NULL_KEY : typeof v === 'string' ? v : `${typeof v}:${v}`);
  return k;
}

/** Accumulates rows of one batch into per-(window, keys) partial states. */
export class WindowAggregator {
  private readonly groups = new Map<string, WindowGroup>();
  private maxTime = -Infinity;

  constructor(readonly window: CompiledWindow) {}

  add(row: readonly FieldValue[], eventTime: number): void {
    const w = this.window;
    if (eventTime > this.maxTime) this.maxTime = eventTime;
    const keys = w.keyIndexes.map((i) => row[i]);
    const last = Math.floor(eventTime / w.slideMs) * w.slideMs;
    for (let start = last - w.sizeMs + w.slideMs; start <= last; start += w.slideMs) {
      const id = groupKey(start, keys);
      let g = this.groups.get(id);
      if (!g) {
        g = { windowStart: start, windowEnd: start + w.sizeMs, keys, state: emptyState(w) };
        this.groups.set(id, g);
      }
      accumulate(w, g.state, row);
    }
  }

  /** Adds another aggregator's partial states (used to merge batches in tests and in `summary`). */
  merge(groups: Iterable<WindowGroup>): void {
    for (const g of groups) {
      const id = groupKey(g.windowStart, g.keys);
      const mine = this.groups.get(id);
      if (mine) mergeState(this.window, mine.state, g.state);
      else this.groups.set(id, { ...g, keys: [...g.keys], state: [...g.state] });
    }
  }

  groupsSorted(): WindowGroup[] {
    return [...this.groups.values()].sort((a, b) => a.windowStart - b.windowStart || compareKeys(a.keys, b.keys));
  }

  get size(): number {
    return this.groups.size;
  }

  get maxEventTime(): number {
    return this.maxTime;
  }
}

function compareKeys(a: readonly FieldValue[], b: readonly FieldValue[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] === null ? '' : String(a[i]);
    const y = b[i] === null ? '' : String(b[i]);
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
