/**
 * One error family for everything streamlake throws on purpose. Every known failure is a
 * `StreamlakeError` whose `retriable` flag says what the caller does with it:
 *
 * - retriable (infrastructure: S3, the catalog, a registry, the broker): throw, so the event
 *   source mapping (or the local emulator) retries the batch;
 * - not retriable (a malformed MSK event, a bad spec, a bad config, a missing prerequisite):
 *   retrying cannot help, so a processor sends the batch to its on-failure destination at once
 *   and the CLI and `cdk synth` print the message.
 *
 * `errorClass` names the class for logs and metrics. Anything thrown that is not a
 * `StreamlakeError` is an unknown failure and is treated as retriable: a retry is the safe answer.
 */
export abstract class StreamlakeError extends Error {
  abstract readonly retriable: boolean;
  /** Set by each class as a literal: bundles are minified, so the constructor's name is not kept. */
  abstract override readonly name: string;
}

/** A dependency failed (S3, a catalog, a registry, Kafka): the batch is retried. */
export class InfrastructureError extends StreamlakeError {
  override readonly name: string = 'InfrastructureError';
  readonly retriable = true;
}

/** The event source broke its contract (not a bad record, which is quarantined): never retried. */
export class MalformedEventError extends StreamlakeError {
  override readonly name: string = 'MalformedEventError';
  readonly retriable = false;
}

/** A deploy-time or start-up setting is wrong; the message says what to change. */
export class ConfigurationError extends StreamlakeError {
  override readonly name: string = 'ConfigurationError';
  readonly retriable = false;
}

/** A tool the local runtime needs is missing: the message says, in one line, what to install. */
export class PrerequisiteError extends StreamlakeError {
  override readonly name: string = 'PrerequisiteError';
  readonly retriable = false;
}

/** Whether a caught value should be retried: unknown failures are. */
export function isRetriable(err: unknown): boolean {
  return err instanceof StreamlakeError ? err.retriable : true;
}

/** The class name logs and metrics count a failure by (`UnknownError` for foreign throws). */
export function errorClass(err: unknown): string {
  return err instanceof StreamlakeError ? err.name : 'UnknownError';
}

/** An invariant of streamlake's own code broke (a bug): retrying the same input cannot help. */
export class InternalError extends StreamlakeError {
  override readonly name: string = 'InternalError';
  readonly retriable = false;
}

/** A query engine (Athena, Trino, DuckDB) refused or failed a statement; the message names it. */
export class QueryError extends StreamlakeError {
  override readonly name: string = 'QueryError';
  readonly retriable = false;
}
