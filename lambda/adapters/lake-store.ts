/**
 * Where the processor writes its Parquet objects and reads reference data: the S3 bucket in AWS,
 * a directory (same layout) or an S3-compatible server locally. Implementations throw on any
 * failure so the batch is retried; they never swallow errors.
 */
import { InfrastructureError } from '../../model/errors';

export interface LakeStore {
  /** Writes (or overwrites) one object. */
  put(key: string, body: Uint8Array, contentType?: string): Promise<void>;
  /** Reads one object; `undefined` when it does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** A human-readable location, for logs and the CLI (`s3://bucket`, a directory path). */
  describe(): string;
}

/** An infrastructure failure of the store: thrown so the event source mapping retries the batch. */
export class LakeStoreError extends InfrastructureError {
  override readonly name: string = 'LakeStoreError';
}

/** An object found by `list`. */
export interface ListedObject {
  readonly key: string;
  readonly size: number;
  /** Epoch millis. */
  readonly lastModified: number;
}

/**
 * What the compactor's orphan sweep needs besides LakeStore (the processors never list or
 * delete): kept apart so the processors' store stays three methods and their role needs no
 * s3:ListBucket or s3:DeleteObject.
 */
export interface LakeStoreListing {
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<ListedObject[]>;
  /** Deletes the objects; one that is already gone is not an error. */
  delete(keys: readonly string[]): Promise<void>;
}
