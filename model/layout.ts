/**
 * The lake layout: where every area lives and how object keys are built. The processor's
 * writers and the Glue partition-projection templates both come from `partitionPrefix`, so the
 * keys written and the locations Athena reads cannot drift apart.
 */
import type { PipelineSpec, ReferenceSpec, WindowSpec } from './spec';

export type LakeArea =
  | { readonly kind: 'events'; readonly pipeline: string }
  | { readonly kind: 'aggregates'; readonly pipeline: string; readonly window: string }
  | { readonly kind: 'quarantine'; readonly pipeline: string };

export const eventsArea = (spec: PipelineSpec): LakeArea => ({ kind: 'events', pipeline: spec.name });
export const aggregatesArea = (spec: PipelineSpec, w: WindowSpec): LakeArea => ({ kind: 'aggregates', pipeline: spec.name, window: w.name });
export const quarantineArea = (spec: PipelineSpec): LakeArea => ({ kind: 'quarantine', pipeline: spec.name });

/** Top-level prefixes, one per area: lifecycle rules and IAM grants are scoped to these. */
export const AREA_ROOTS = { events: 'events/', aggregates: 'aggregates/', quarantine: 'quarantine/', reference: 'reference/' } as const;

/** `events/<pipeline>/`, `aggregates/<pipeline>/<window>/`, `quarantine/<pipeline>/`. */
export function areaPrefix(area: LakeArea): string {
  switch (area.kind) {
    case 'events':
      return `${AREA_ROOTS.events}${area.pipeline}/`;
    case 'aggregates':
      return `${AREA_ROOTS.aggregates}${area.pipeline}/${area.window}/`;
    case 'quarantine':
      return `${AREA_ROOTS.quarantine}${area.pipeline}/`;
  }
}

/** Hive partition keys of an area, in path order. */
export function partitionKeysOf(area: LakeArea): readonly string[] {
  return area.kind === 'events' ? ['dt', 'hr'] : ['dt'];
}

/**
 * The prefix of one partition. Values are literal (`2026-11-22`, `07`) when writing and
 * projection placeholders (`${dt}`, `${hr}`) for Glue's `storage.location.template`.
 */
export function partitionPrefix(area: LakeArea, values: Readonly<Record<string, string>>): string {
  return (
    areaPrefix(area) +
    partitionKeysOf(area)
      .map((k) => `${k}=${values[k]}/`)
      .join('')
  );
}

export const HOUR_MS = 3_600_000;
const partitionCache = new Map<number, TimePartition>();

export interface TimePartition {
  readonly dt: string;
  readonly hr: string;
  /** `dt/hr`, a ready-made map key. */
  readonly id: string;
  /** Days since 1970-01-01 (UTC): Iceberg's `day()` of the instant. */
  readonly day: number;
}

/** Partition values of an instant: UTC date and hour (memoized per hour: called once per record). */
export function timePartition(epochMillis: number): TimePartition {
  const hour = Math.floor(epochMillis / HOUR_MS);
  let p = partitionCache.get(hour);
  if (!p) {
    const iso = new Date(hour * HOUR_MS).toISOString();
    p = { dt: iso.slice(0, 10), hr: iso.slice(11, 13), id: `${iso.slice(0, 10)}/${iso.slice(11, 13)}`, day: Math.floor(hour / 24) };
    if (partitionCache.size > 10_000) partitionCache.clear();
    partitionCache.set(hour, p);
  }
  return p;
}

/**
 * Object name of one batch's output in one partition: derived from the batch's topic, partition
 * and first offset (zero-padded so names sort by offset), so a retried batch overwrites the
 * object its failed attempt wrote instead of adding a second copy.
 */
export function batchObjectName(topic: string, partition: number, firstOffset: bigint | number): string {
  return `${topic}-${partition}-${String(firstOffset).padStart(20, '0')}.parquet`;
}

export function objectKey(area: LakeArea, values: Readonly<Record<string, string>>, topic: string, partition: number, firstOffset: bigint | number): string {
  return partitionPrefix(area, values) + batchObjectName(topic, partition, firstOffset);
}

/** Partition-projection location template for Glue, e.g. `s3://b/events/clickstream/dt=${dt}/hr=${hr}/`. */
export function locationTemplate(bucketUri: string, area: LakeArea): string {
  const placeholders = Object.fromEntries(partitionKeysOf(area).map((k) => [k, '${' + k + '}']));
  return `${bucketUri.replace(/\/+$/, '')}/${partitionPrefix(area, placeholders)}`;
}

/** Where a reference data set lives: `reference/<name>/<file>`, one folder per Glue table. */
export function referenceKey(ref: ReferenceSpec): string {
  return `${AREA_ROOTS.reference}${ref.name}/${ref.file}`;
}
export function referencePrefix(ref: ReferenceSpec): string {
  return `${AREA_ROOTS.reference}${ref.name}/`;
}
