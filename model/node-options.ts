/**
 * Node.js options of the processor Lambdas: the CDK app sets them as NODE_OPTIONS and
 * `npm run bench` runs the processor path under the same ones, so the benchmark measures what
 * is deployed.
 *
 * A 128 MiB semi-space (V8's default on 64-bit is 16 MiB): a 10,000-record batch allocates tens
 * of MB of short-lived objects (the event, decoded values, parsed fields) while its column arrays
 * stay live, and a small young generation scavenges often, copying those columns each time.
 * Measured on the bench's 10,000-record sales batches: ~15% more records/s than the default, ~5% more than 64 MiB;
 * the young generation (at most 3 × 128 MiB) fits the processor's 1,769 MB.
 */
export const PROCESSOR_V8_OPTIONS: readonly string[] = ['--max-semi-space-size=128'];

export const PROCESSOR_NODE_OPTIONS = ['--enable-source-maps', ...PROCESSOR_V8_OPTIONS].join(' ');
