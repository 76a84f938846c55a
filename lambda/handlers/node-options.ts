/**
 * Node.js options of the processor Lambdas: the CDK app sets them as NODE_OPTIONS and
 * `npm run bench` runs the processor path under the same ones, so the benchmark measures what
 * is deployed.
 *
 * A 64 MiB semi-space (V8's default on 64-bit is 16 MiB): a 10,000-record batch allocates tens
 * of MB of short-lived objects (decoded values, parsed JSON, rows) while its column arrays stay
 * live, and a small young generation scavenges often, copying those columns each time. Measured
 * (README, Benchmark): 20–30% more records/s; the processor has 1,769 MB of memory.
 */
export const PROCESSOR_V8_OPTIONS: readonly string[] = ['--max-semi-space-size=64'];

export const PROCESSOR_NODE_OPTIONS = ['--enable-source-maps', ...PROCESSOR_V8_OPTIONS].join(' ');
