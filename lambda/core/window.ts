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

/** A string identity of a key tuple: nulls, strings and other types never collide. */
function keyId(keys: readonly FieldValue[]): string {
  if (keys.length === 1) {
    const v = keys[0];
    return v === null ? NULL_KEY : typeof v === 'string' ? v : `${typeof v}:${v}`;
  }
  let k = '';
  for (const v of keys) k += KEY_SEPARATOR + (v === null ? NULL_KEY : typeof v === 'string' ? v : `${typeof v}:${v}`);
  return k;
}

/** Accumulates rows of one batch into per-(window, keys) partial states. */
export class WindowAggregator {
  /** window start → key identity → group: the key identity is built once per row, not per window. */
  private readonly groups = new Map<number, Map<string, WindowGroup>>();
  private count = 0;
  private maxTime = -Infinity;

  constructor(readonly window: CompiledWindow) {}

  private group(start: number, id: string, keys: readonly FieldValue[]): WindowGroup {
    let byKey = this.groups.get(start);
    if (!byKey) {
      byKey = new Map();
      this.groups.set(start, byKey);
    }
    let g = byKey.get(id);
    if (!g) {
      g = { windowStart: start, windowEnd: start + this.window.sizeMs, keys, state: emptyState(this.window) };
      byKey.set(id, g);
      this.count += 1;
    }
    return g;
  }

  add(row: readonly FieldValue[], eventTime: number): void {
    const w = this.window;
    if (eventTime > this.maxTime) this.maxTime = eventTime;
    const ki = w.keyIndexes;
    const keys = ki.length === 1 ? [row[ki[0]]] : ki.map((i) => row[i]);
    const id = keyId(keys);
    const last = Math.floor(eventTime / w.slideMs) * w.slideMs;
    for (let start = last - w.sizeMs + w.slideMs; start <= last; start += w.slideMs) {
      accumulate(w, this.group(start, id, keys).state, row);
    }
  }

  /** Adds another aggregator's partial states (used to merge batches in tests and in `summary`). */
  merge(groups: Iterable<WindowGroup>): void {
    for (const g of groups) {
      const mine = this.group(g.windowStart, keyId(g.keys), [...g.keys]);
      mergeState(this.window, mine.state, g.state);
    }
  }

  groupsSorted(): WindowGroup[] {
    const all: WindowGroup[] = [];
    for (const byKey of this.groups.values()) for (const g of byKey.values()) all.push(g);
    return all.sort((a, b) => a.windowStart - b.windowStart || compareKeys(a.keys, b.keys));
  }

  get size(): number {
    return this.count;
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
