/**
 * The processor's pure core, one module per stage: Kafka records of one topic-partition batch →
 * events rows, window partial aggregates and quarantine rows, laid out as the Parquet objects to
 * write. No I/O: the handler hands the planned objects to a LakeStore.
 *
 * - msk-decode: MSK event → per-partition batches of records (values decoded lazily)
 * - value-decoders/: one decoder per value format (CSV, JSON, Avro) → raw field values
 * - compile: spec → CompiledPipeline; processValue (decode → convert → validate → enrich)
 * - plan-batch: batch → planned objects (events, quarantine, window partials) and figures
 */
export { decodeMskEvent, type KafkaRecord, type PartitionBatch } from './msk-decode';
export { compilePipeline, processValue, type CompiledPipeline } from './compile';
export { processBatch, type BatchOutput, type PlannedObject } from './plan-batch';
/** A contract violation by the event source (not a bad record): thrown, never quarantined. */
export { MalformedEventError } from '../../model/errors';
