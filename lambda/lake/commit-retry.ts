/**
 * How the Iceberg writers retry a commit the catalog did not take (a conflict, an unknown outcome):
 * the options shared by the processors' lake writer (./lake-writer.ts) and the compactor
 * (./compactor.ts), and the backoff between attempts (exponential, full jitter).
 */

export interface CommitRetryOptions {
  /**
   * Attempts per table before giving up with a retriable error: the lake writer counts its commits,
   * the compactor also its loads while the catalog is unreachable. @default 10
   */
  readonly commitAttempts?: number;
  /** First backoff after a failed attempt; doubles, with full jitter, up to maxBackoffMs. @default 50 */
  readonly backoffMs?: number;
  /** @default 2000 */
  readonly maxBackoffMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

/** The attempts a commit gets (`commitAttempts` or its default). */
export function commitAttempts(o: CommitRetryOptions): number {
  return o.commitAttempts ?? 10;
}

const sleepFor = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits out the backoff after failed attempt `attempt` (1-based): `backoffMs` doubled per attempt up to `maxBackoffMs`, times a random factor (full jitter). */
export function backOff(o: CommitRetryOptions, attempt: number): Promise<void> {
  const cap = Math.min(o.maxBackoffMs ?? 2000, (o.backoffMs ?? 50) * 2 ** (attempt - 1));
  return (o.sleep ?? sleepFor)(Math.round(cap * (o.random ?? Math.random)()));
}
