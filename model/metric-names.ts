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
} as const;
