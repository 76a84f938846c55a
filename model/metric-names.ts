/** CloudWatch metric names the processors emit (EMF), shared with the dashboard and alarms. */
export const METRICS_NAMESPACE = 'streamlake';
/** Every metric carries this dimension, valued with the pipeline name. */
export const PIPELINE_DIMENSION = 'pipeline';
/** The dimension of `NotRetriableBatches`: the error class (`MalformedEventError`, ...). */
export const ERROR_CLASS_DIMENSION = 'errorClass';
export const METRIC = {
  /** Records received from Kafka (events + quarantined). */
  recordsIn: 'RecordsIn',
  /** Records written to the events table. */
  recordsProcessed: 'RecordsProcessed',
  /** Records written to the quarantine table. */
  recordsQuarantined: 'RecordsQuarantined',
  /** Partial aggregate rows written. */
  partialRows: 'PartialAggregateRows',
  /** Parquet bytes written. */
  bytesWritten: 'ParquetBytesWritten',
  /** Seconds from the newest record's Kafka timestamp to its rows being written (data freshness). */
  freshnessSeconds: 'FreshnessSeconds',
  /** Batches sent to the on-failure bucket at once because their error is not retriable. */
  notRetriableBatches: 'NotRetriableBatches',
  /** Iceberg commits tried by an invocation (one per table when nothing conflicts). */
  commitAttempts: 'CommitAttempts',
  /** Commits that lost to another writer and were re-planned (optimistic concurrency). */
  commitConflicts: 'CommitConflicts',
} as const;

/** The `service` dimension of the compactor's metrics (the processors' is the pipeline name). */
export const COMPACTOR_SERVICE = 'compactor';

/** What the compactor emits per run, with the pipeline dimension (lambda/handlers/lambda-compactor.ts). */
export const COMPACTION_METRIC = {
  /** Data files replaced by compacted ones. */
  filesRewritten: 'CompactionFilesRewritten',
  /** Compacted data files written. */
  filesWritten: 'CompactionFilesWritten',
  /** Rows read from the replaced files (window partials merge, so fewer rows may be written). */
  recordsRewritten: 'CompactionRecordsRewritten',
  /** Commits of the compactor that lost to another writer. */
  conflicts: 'CompactionConflicts',
  /** Snapshots removed from the tables' metadata. */
  snapshotsExpired: 'SnapshotsExpired',
  /** Records in day partitions deleted as past their retention (streamlake:*RetentionDays). */
  recordsPastRetention: 'RecordsPastRetention',
  /** Unreferenced files deleted by the orphan sweep. */
  orphansDeleted: 'OrphanFilesDeleted',
  /** Tables whose maintenance failed in the run. */
  failures: 'CompactionFailures',
  /** Age (now − end of its day) of the oldest closed partition still holding enough small files to compact, after the run; 0 when none. */
  oldestUncompactedPartitionAgeSeconds: 'OldestUncompactedPartitionAgeSeconds',
} as const;

/**
 * Metrics the event source mappings publish themselves once their MetricsConfig enables them, in
 * `AWS/Lambda` with the dimension `EventSourceMappingUUID` (Lambda developer guide, "Types of
 * metrics for Lambda functions" → event source mapping metrics).
 */
export const ESM_METRICS_NAMESPACE = 'AWS/Lambda';
export const ESM_DIMENSION = 'EventSourceMappingUUID';
/** The metric groups every mapping enables (CloudFormation MetricsConfig.Metrics; all three are valid for MSK). */
export const ESM_METRIC_GROUPS = ['EventCount', 'ErrorCount', 'KafkaMetrics'] as const;
export const ESM_METRIC = {
  /** Records behind the head of the topic (KafkaMetrics). */
  offsetLag: 'OffsetLag',
  /** Records the pollers read (EventCount). */
  polled: 'PolledEventCount',
  /** Records delivered to an invocation (EventCount). */
  invoked: 'InvokedEventCount',
  /** Records in invocations that failed (EventCount). */
  failedInvoke: 'FailedInvokeEventCount',
  /** Records given up after the retries or the maximum age (EventCount). */
  dropped: 'DroppedEventCount',
  /** Records delivered to the on-failure destination (EventCount). */
  onFailureDelivered: 'OnFailureDestinationDeliveredEventCount',
} as const;
