/**
 * What the Iceberg layer throws on purpose: table metadata it cannot use (a malformed offsets
 * summary, a manifest it cannot read, a table of another format version), or a commit that would
 * break exactly-once (offsets the table already holds). Neither gets better by retrying the batch.
 */
import { StreamlakeError } from '../../model/errors';

/** The table's metadata (a snapshot summary, a manifest, the schema) is not what streamlake can use. */
export class LakeMetadataError extends StreamlakeError {
  override readonly name: string = 'LakeMetadataError';
  readonly retriable = false;
}

/** A commit would add Kafka offsets the table already holds (the caller skipped too little). */
export class OffsetsAlreadyCommittedError extends StreamlakeError {
  override readonly name: string = 'OffsetsAlreadyCommittedError';
  readonly retriable = false;
}
