/**
 * Event-time windows and mergeable partial aggregates. Each batch produces one partial state per
 * (window, keys); merging partials (sum of sums, sum of counts, min of mins …) gives the same
 * result whatever the batching. Pure.
 */
import { windowSlideSeconds, type AggregateSpec, type WindowSpec } from '../../model/spec';
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

const valueId = (v: FieldValue): string => (v === null ? NULL_KEY : typeof v === 'string' ? v : `${typeof v}:${v}`);

/** A string identity of a key tuple: nulls, strings and other types never collide. */
function keyId(keys: readonly FieldValue[]): string {
  if (keys.length === 1) return valueId(keys[0]);
  let k = '';
  for (const v of keys) k += KEY_SEPARATOR + valueId(v);
  return k;
}

/** keyId of the group-by values of a row, without building the tuple. */
function rowKeyId(row: readonly FieldValue[], keyIndexes: readonly number[]): string {
  if (keyIndexes.length === 1) return valueId(row[keyIndexes[0]]);
  let k = '';
  for (const i of keyIndexes) k += KEY_SEPARATOR + valueId(row[i]);
  return k;
}

/** Accumulates rows of one batch into per-(window, keys) partial states. */
export class WindowAggregator {
  /** window start → key identity → group: the key identity is built once per row, not per window. */
  private readonly groups = new Map<number, Map<string, WindowGroup>>();
  private count = 0;
  private maxTime = -Infinity;
  // rows come in near time order: the windows of the previous row are usually this row's
  private cachedLast = NaN;
  private cachedStarts: { readonly start: number; readonly byKey: Map<string, WindowGroup> }[] = [];

  constructor(readonly window: CompiledWindow) {}

  private byKeyOf(start: number): Map<string, WindowGroup> {
    let byKey = this.groups.get(start);
    if (!byKey) {
      byKey = new Map();
      this.groups.set(start, byKey);
    }
    return byKey;
  }

  private group(start: number, id: string, keys: readonly FieldValue[], byKey = this.byKeyOf(start)): WindowGroup {
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
    const last = Math.floor(eventTime / w.slideMs) * w.slideMs;
    if (last !== this.cachedLast) {
      this.cachedStarts = [];
      for (let start = last - w.sizeMs + w.slideMs; start <= last; start += w.slideMs) this.cachedStarts.push({ start, byKey: this.byKeyOf(start) });
      this.cachedLast = last;
    }
    const ki = w.keyIndexes;
    const id = rowKeyId(row, ki);
    for (const { start, byKey } of this.cachedStarts) {
      let g = byKey.get(id);
      if (g === undefined)
        g = this.group(
          start,
          id,
          ki.map((i) => row[i]),
          byKey,
        );
      accumulate(w, g.state, row);
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
