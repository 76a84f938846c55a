/**
 * Parquet writer choice, by measurement: the same events rows encoded by our writer
 * (lambda/core/parquet.ts), by hyparquet-writer (pure JavaScript, general purpose) and by
 * parquet-wasm (Rust arrow-rs compiled to WebAssembly, via apache-arrow).
 */
import { Binary, Float64, Int32, Int64, makeVector, Table as ArrowTable, TimestampMillisecond, Utf8, vectorFromArray, tableToIPC, type Vector } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { gzipSync } from 'node:zlib';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { encodeParquet } from '../lambda/core/parquet';
import type { PlannedObject } from '../lambda/core/processor';
import type { Column } from '../model/tables';
import { REPO_ROOT } from '../local/runtime';

export interface WriterRun {
  readonly recordsPerSec: number;
  readonly bytesPerRecord: number;
  /** Bytes the library adds to a deployment package. */
  readonly packageBytes: number;
}

function timed(objects: readonly PlannedObject[], encode: (o: PlannedObject) => Uint8Array, repeats: number): { seconds: number; bytes: number } {
  let best = Infinity;
  let bytes = 0;
  for (let r = 0; r < repeats; r++) {
    bytes = 0;
    const t0 = process.hrtime.bigint();
    for (const o of objects) bytes += encode(o).byteLength;
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { seconds: best, bytes };
}

function arrowVector(c: Column, values: readonly unknown[]): Vector {
  switch (c.type) {
    case 'string':
      return vectorFromArray(values as (string | null)[], new Utf8());
    case 'int':
      return vectorFromArray(values as (number | null)[], new Int32());
    case 'long':
      return vectorFromArray(
        values.map((v) => (v === null ? null : BigInt(v as number))),
        new Int64(),
      );
    case 'double':
      return vectorFromArray(values as (number | null)[], new Float64());
    case 'timestamp':
      return vectorFromArray(values as (number | null)[], new TimestampMillisecond());
    case 'binary':
      return vectorFromArray(values as (Uint8Array | null)[], new Binary());
    case 'boolean':
      return makeVector(Uint8Array.from(values as number[]));
  }
}

const HYPARQUET_TYPE = { string: 'STRING', int: 'INT32', long: 'INT64', double: 'DOUBLE', boolean: 'BOOLEAN', timestamp: 'TIMESTAMP', binary: 'BYTE_ARRAY' } as const;

/** hyparquet-writer with the settings we used before writing our own: GZIP level 1, delta-encoded 64-bit integers. */
function viaHyparquet(o: PlannedObject): Uint8Array {
  const columnData = o.schema.columns.map((c, i) => ({
    name: c.name,
    data: c.type === 'long' ? o.columns[i].map((v) => (v === null ? null : BigInt(v as number))) : o.columns[i],
    type: HYPARQUET_TYPE[c.type],
    nullable: c.nullable,
    encoding: c.type === 'long' || c.type === 'timestamp' || c.type === 'int' ? ('DELTA_BINARY_PACKED' as const) : undefined,
    statistics: c.type !== 'string' && c.type !== 'binary',
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, codec: 'GZIP', compressors: { GZIP: (b: Uint8Array) => gzipSync(b, { level: 1 }) }, rowGroupSize: Math.max(o.rows, 1) }));
}

export async function compareWriters(objects: readonly PlannedObject[], records: number, repeats: number): Promise<Record<string, WriterRun>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the wasm reference loads only when the writers are compared
  const wasm = require('parquet-wasm/node') as typeof import('parquet-wasm/node/parquet_wasm');
  const props = () => new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression.ZSTD).build();
  const viaWasm = (o: PlannedObject): Uint8Array => {
    const table = new ArrowTable(Object.fromEntries(o.schema.columns.map((c, i) => [c.name, arrowVector(c, o.columns[i])])));
    return wasm.writeParquet(wasm.Table.fromIPCStream(tableToIPC(table, 'stream')), props());
  };
  const root = REPO_ROOT;
  const hyparquetBytes = ['hyparquet-writer/src', 'hyparquet/src'].reduce((n, d) => n + dirBytes(join(root, 'node_modules', d)), 0);
  const wasmBytes = statSync(join(root, 'node_modules/parquet-wasm/node/parquet_wasm_bg.wasm')).size + statSync(join(root, 'node_modules/parquet-wasm/node/parquet_wasm.js')).size;
  const oursBytes = statSync(join(root, 'lambda/core/parquet.ts')).size + statSync(join(root, 'lambda/core/parquet-bytes.ts')).size;
  const ours = timed(objects, (o) => encodeParquet(o.schema, o.columns, o.rows), repeats);
  const hyparquet = timed(objects, viaHyparquet, repeats);
  const viaWasmRun = timed(objects, viaWasm, repeats);
  return {
    'streamlake writer (dictionary strings, delta integers, GZIP where it pays)': {
      recordsPerSec: records / ours.seconds,
      bytesPerRecord: ours.bytes / records,
      packageBytes: oursBytes,
    },
    'hyparquet-writer (gzip, delta ints)': { recordsPerSec: records / hyparquet.seconds, bytesPerRecord: hyparquet.bytes / records, packageBytes: hyparquetBytes },
    'parquet-wasm (zstd, via apache-arrow)': { recordsPerSec: records / viaWasmRun.seconds, bytesPerRecord: viaWasmRun.bytes / records, packageBytes: wasmBytes },
  };
}

function dirBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size), 0);
}
