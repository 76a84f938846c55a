/**
 * Where things live in the lake bucket besides the Iceberg tables (`iceberg/<table>/`,
 * lambda/lake/ensure-tables.ts): the reference data, one folder per Glue table; and the day
 * partition (Iceberg's `day()`) of an instant.
 */
import type { ReferenceSpec } from './spec';

/** The prefix of the reference data, the one area outside the tables. */
export const REFERENCE_ROOT = 'reference/';

export const DAY_MS = 86_400_000;

/** Iceberg's `day()` of an instant: days since 1970-01-01 UTC (negative before, rounding down). */
export function dayOf(epochMillis: number): number {
  return Math.floor(epochMillis / DAY_MS);
}

/** Where a reference data set lives: `reference/<name>/<file>`, one folder per Glue table. */
export function referenceKey(ref: ReferenceSpec): string {
  return `${REFERENCE_ROOT}${ref.name}/${ref.file}`;
}
export function referencePrefix(ref: ReferenceSpec): string {
  return `${REFERENCE_ROOT}${ref.name}/`;
}
