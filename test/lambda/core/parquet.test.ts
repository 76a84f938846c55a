/**
 * The Parquet writer, read back by two independent readers: hyparquet (pure JavaScript, every
 * property run) and DuckDB (types, statistics, encodings chosen). Covers every column type,
 * nulls, dictionary and plain strings, delta and plain 64-bit integers, both codecs.
 */
import fc from 'fast-check';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { encodeParquet, encodeParquetFile, type ColumnValues, type ParquetOptions } from '../../../lambda/core/parquet';
import { compareUtf8 } from '../../../lambda/core/parquet-bytes';
import type { Column, ColumnType, TableSchema } from '../../../model/tables';
import { generatorFor } from '../../../lambda/traffic/generate';
import { loadReferenceTable } from '../../../lambda/core/enrich';
import { compilePipeline, processBatch, type KafkaRecord } from '../../../lambda/core/processor';
import { clickstream } from '../../../pipelines/clickstream';
import { sales } from '../../../pipelines/sales';
import { TestDuckDb } from '../../support/duckdb';
import { referenceCsv } from '../../support/fixtures';
import { readWithPyarrow } from '../../support/pyarrow';

const schemaOf = (columns: Column[]): TableSchema => ({ columns, partitionKeys: [] });
const col = (name: string, type: ColumnType, nullable = false): Column => ({ name, type, nullable });

async function readBack(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, utf8: false, compressors: { GZIP: (input: Uint8Array) => gunzipSync(input) } })) as Record<string, unknown>[];
}

/** What hyparquet returns for a value we wrote. */
function asRead(type: ColumnType, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'long':
      return BigInt(v as number);
    case 'timestamp':
      return new Date(v as number);
    case 'binary':
      return new Uint8Array(v as Uint8Array);
    default:
      return v;
  }
}

function valueArb(type: ColumnType, nullable: boolean, alphabet: number): fc.Arbitrary<unknown> {
  let a: fc.Arbitrary<unknown>;
  switch (type) {
    case 'string':
      // small alphabets give dictionaries, large ones plain pages
      a = alphabet < 50 ? fc.integer({ min: 0, max: alphabet }).map((i) => `v${i}-ü€😀`) : fc.string({ unit: 'grapheme', maxLength: 30 });
      break;
    case 'int':
      a = fc.integer({ min: -2_147_483_648, max: 2_147_483_647 });
      break;
    case 'long':
      // mostly near-sorted (delta packs them), sometimes the full safe range (PLAIN fallback)
      a = alphabet % 3 === 0 ? fc.maxSafeInteger().map((n) => n * (alphabet % 2 ? -1 : 1)) : fc.integer({ min: -5_000, max: 5_000 });
      break;
    case 'timestamp':
      a = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) });
      break;
    case 'double':
      a = fc.double({ noNaN: true, noDefaultInfinity: true });
      break;
    case 'boolean':
      a = fc.boolean();
      break;
    case 'binary':
      a = fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b));
      break;
  }
  return nullable ? fc.option(a, { nil: null, freq: 4 }) : a;
}

const TYPES: ColumnType[] = ['string', 'int', 'long', 'timestamp', 'double', 'boolean', 'binary'];

const tableArb = fc
  .record({
    specs: fc.array(fc.record({ type: fc.constantFrom(...TYPES), nullable: fc.boolean(), alphabet: fc.integer({ min: 0, max: 60 }) }), { minLength: 1, maxLength: 6 }),
    rows: fc.integer({ min: 0, max: 1_200 }),
    options: fc.record({
      codec: fc.constantFrom<ParquetOptions['codec']>('GZIP', 'UNCOMPRESSED'),
      deltaIntegers: fc.boolean(),
      // mostly one row group, sometimes many (down to one row each)
      rowGroupRows: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined, freq: 2 }),
    }),
  })
  .chain(({ specs, rows, options }) =>
    fc.record({
      columns: fc.constant(specs.map((s, i) => col(`c${i}_${s.type}`, s.type, s.nullable))),
      data: fc.tuple(...specs.map((s) => fc.array(valueArb(s.type, s.nullable, s.alphabet), { minLength: rows, maxLength: rows }))),
      rows: fc.constant(rows),
      options: fc.constant(options),
    }),
  );

describe('encodeParquet', () => {
  it('round-trips any flat table through an independent reader (hyparquet)', async () => {
    await fc.assert(
      fc.asyncProperty(tableArb, async ({ columns, data, rows, options }) => {
        const bytes = encodeParquet(schemaOf(columns), data as ColumnValues[], rows, options);
        const read = await readBack(bytes);
        expect(read).toHaveLength(rows);
        const expected = Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c, i) => [c.name, asRead(c.type, data[i][r])])));
        expect(read).toEqual(expected);
      }),
      { numRuns: 150 },
    );
  });

  it('chooses the encoding by the data: dictionary for repeating strings, plain for distinct ones, delta for near-sorted longs', () => {
    const rows = 2_000;
    const schema = schemaOf([col('region', 'string'), col('id', 'string'), col('offset', 'long'), col('huge', 'long')]);
    const bytes = encodeParquet(
      schema,
      [
        Array.from({ length: rows }, (_, i) => ['EMEA', 'APAC', 'AMER'][i % 3]),
        Array.from({ length: rows }, (_, i) => `id-${i}`),
        Array.from({ length: rows }, (_, i) => 1_000_000 + i),
        Array.from({ length: rows }, (_, i) => (i % 2 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER)),
      ],
      rows,
    );
    const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    const encodings = Object.fromEntries(meta.row_groups[0].columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.encodings]));
    expect(encodings).toEqual({
      region: ['PLAIN', 'RLE', 'RLE_DICTIONARY'],
      id: ['PLAIN', 'RLE'],
      offset: ['DELTA_BINARY_PACKED', 'RLE'],
      huge: ['PLAIN', 'RLE'],
    });
    // 2,000 near-sorted offsets delta-pack into a few bytes per 32 values
    const offsetChunk = meta.row_groups[0].columns[2].meta_data!;
    expect(Number(offsetChunk.total_uncompressed_size)).toBeLessThan(400);
  });

  it('refuses values its column cannot hold, naming the column', () => {
    const schema = schemaOf([col('n', 'long')]);
    expect(() => encodeParquet(schema, [[1, null]], 2)).toThrow("column 'n' is required but has 1 null value(s)");
    expect(() => encodeParquet(schema, [[1.5]], 1)).toThrow("column 'n' (long) has a value that is not a safe integer: 1.5");
    expect(() => encodeParquet(schemaOf([col('i', 'int')]), [[2 ** 31]], 1)).toThrow("column 'i' (int) has a value that is not a 32-bit integer");
    expect(() => encodeParquet(schema, [[1, 2]], 3)).toThrow("column 'n' has 2 values, expected 3");
  });

  describe('encodeParquetFile: field ids and the figures an Iceberg data file records', () => {
    /** The order Iceberg bounds follow: numbers by value, strings by code point, bytes unsigned, false < true. */
    const compare = (type: ColumnType, a: unknown, b: unknown): number => {
      if (type === 'string') return compareUtf8(a as string, b as string);
      if (type === 'binary') return Buffer.compare(a as Uint8Array, b as Uint8Array);
      return Number(a) - Number(b);
    };

    it('returns the same bytes as encodeParquet, and per column: rows, nulls, min and max of the values, bytes of its chunk', async () => {
      await fc.assert(
        fc.asyncProperty(tableArb, async ({ columns, data, rows, options }) => {
          const schema = schemaOf(columns);
          const file = encodeParquetFile(schema, data as ColumnValues[], rows, options);
          expect(Buffer.from(file.bytes).equals(Buffer.from(encodeParquet(schema, data as ColumnValues[], rows, options)))).toBe(true);
          expect(file.rows).toBe(rows);
          const meta = parquetMetadata(file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength) as ArrayBuffer);
          const groupRows = options.rowGroupRows ?? Math.max(rows, 1);
          expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual(
            Array.from({ length: Math.max(1, Math.ceil(rows / groupRows)) }, (_, k) => Math.min(groupRows, rows - k * groupRows)),
          );
          // each row group starts where its first column chunk does
          expect(file.rowGroupOffsets).toEqual(meta.row_groups.map((g) => Number(g.columns[0].meta_data!.dictionary_page_offset ?? g.columns[0].meta_data!.data_page_offset)));
          columns.forEach((c, i) => {
            const present = (data[i] as unknown[]).filter((v) => v !== null && v !== undefined);
            const sorted = [...present].sort((a, b) => compare(c.type, a, b));
            const stats = file.columns[i];
            expect(stats.valueCount).toBe(rows);
            expect(stats.nullCount).toBe(rows - present.length);
            expect(stats.bytes).toBe(meta.row_groups.reduce((n, g) => n + Number(g.columns[i].meta_data!.total_compressed_size), 0));
            if (c.type === 'double') expect(stats.nanCount).toBe(0);
            if (present.length === 0) {
              expect(stats.min).toBeUndefined();
              expect(stats.max).toBeUndefined();
            } else {
              expect(compare(c.type, stats.min, sorted[0])).toBe(0);
              expect(compare(c.type, stats.max, sorted[sorted.length - 1])).toBe(0);
            }
          });
        }),
        { numRuns: 100 },
      );
    });

    it("writes each column's field id, read back by hyparquet and DuckDB", async () => {
      const schema = schemaOf([col('a', 'string'), col('b', 'long', true), col('t', 'timestamp')]);
      const file = encodeParquetFile(
        schema,
        [
          ['x', 'y'],
          [1, null],
          [0, 1],
        ],
        2,
        { fieldIds: [7, 8, 12] },
      );
      const meta = parquetMetadata(file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength) as ArrayBuffer);
      expect(meta.schema.map((e) => [e.name, e.field_id])).toEqual([
        ['schema', undefined],
        ['a', 7],
        ['b', 8],
        ['t', 12],
      ]);
      expect(await readBack(file.bytes)).toEqual([
        { a: 'x', b: 1n, t: new Date(0) },
        { a: 'y', b: null, t: new Date(1) },
      ]);
      const duck = await TestDuckDb.open();
      const dir = mkdtempSync(join(tmpdir(), 'streamlake-parquet-ids-'));
      try {
        const path = join(dir, 'ids.parquet');
        writeFileSync(path, file.bytes);
        expect(await duck.rows(`SELECT name, field_id::INTEGER AS id FROM parquet_schema('${path}') WHERE field_id IS NOT NULL ORDER BY name`)).toEqual([
          { name: 'a', id: 7 },
          { name: 'b', id: 8 },
          { name: 't', id: 12 },
        ]);
      } finally {
        duck.close();
        rmSync(dir, { recursive: true, force: true });
      }
      expect(() => encodeParquetFile(schema, [['x'], [1], [0]], 1, { fieldIds: [1, 2] })).toThrow('parquet: 2 field ids for 3 schema columns');
    });

    it('MICROS (Iceberg files): timestamps stored as microseconds with the UTC-adjusted logical type; the figures stay millis', async () => {
      const schema = schemaOf([col('t', 'timestamp', true), col('n', 'long')]);
      const t0 = Date.UTC(2026, 10, 23, 10, 30, 1, 234);
      const file = encodeParquetFile(
        schema,
        [
          [t0, null, t0 + 5],
          [t0, 1, 2],
        ],
        3,
        { fieldIds: [1, 2], timestampUnit: 'MICROS' },
      );
      expect(file.columns[0]).toMatchObject({ min: t0, max: t0 + 5, nullCount: 1 });
      expect(file.columns[1]).toMatchObject({ min: 1, max: t0 });
      const meta = parquetMetadata(file.bytes.buffer.slice(file.bytes.byteOffset, file.bytes.byteOffset + file.bytes.byteLength) as ArrayBuffer);
      expect(meta.schema[1]).toMatchObject({ converted_type: 'TIMESTAMP_MICROS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' } });
      const chunk = meta.row_groups[0].columns[0].meta_data!.statistics!;
      expect([chunk.min_value, chunk.max_value].map((v) => (v instanceof Date ? v.getTime() : Number(v)))).toEqual([t0, t0 + 5]);
      expect(await readBack(file.bytes)).toEqual([
        { t: new Date(t0), n: BigInt(t0) },
        { t: null, n: 1n },
        { t: new Date(t0 + 5), n: 2n },
      ]);
      const dir = mkdtempSync(join(tmpdir(), 'streamlake-parquet-micros-'));
      const duck = await TestDuckDb.open();
      try {
        const path = join(dir, 'micros.parquet');
        writeFileSync(path, file.bytes);
        expect(await duck.rows(`SELECT typeof(t) AS type, epoch_us(t) AS us FROM '${path}' ORDER BY n`)).toEqual([
          { type: 'TIMESTAMP WITH TIME ZONE', us: null },
          { type: 'TIMESTAMP WITH TIME ZONE', us: BigInt(t0 + 5) * 1000n },
          { type: 'TIMESTAMP WITH TIME ZONE', us: BigInt(t0) * 1000n },
        ]);
        const arrow = readWithPyarrow([path])[path];
        expect(arrow.schema.t).toBe('timestamp[us, tz=UTC]');
        // the script casts timestamps to int64: the stored microseconds
        expect(arrow.rows.map((r) => r.t)).toEqual([t0 * 1000, null, (t0 + 5) * 1000]);
        expect(arrow.stats.t).toEqual({ nulls: 1, min: t0, max: t0 + 5 });
      } finally {
        duck.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('counts NaNs apart from min/max, orders strings by code point and bytes unsigned, booleans false < true', () => {
      const schema = schemaOf([col('d', 'double'), col('s', 'string'), col('raw', 'binary'), col('b', 'boolean'), col('plain', 'string')]);
      const file = encodeParquetFile(
        schema,
        [
          [NaN, 2.5, -1, NaN],
          ['\uFFFD', '😀', 'a', 'a'],
          [Buffer.from([0x80]), Buffer.from([0x7f, 0xff]), Buffer.from([0x80, 0]), Buffer.from([])],
          [true, true, true, true],
          // nearly all distinct: PLAIN, not a dictionary
          ['é', '😀', 'z', '\uFFFD'],
        ],
        4,
      );
      const [d, s, raw, b, plain] = file.columns;
      expect(d).toMatchObject({ nanCount: 2, min: -1, max: 2.5 });
      expect(s).toMatchObject({ min: 'a', max: '😀' });
      expect(plain).toMatchObject({ min: 'z', max: '😀' });
      expect([raw.min, raw.max].map((v) => Buffer.from(v as Uint8Array).toString('hex'))).toEqual(['', '8000']);
      expect(b).toMatchObject({ min: true, max: true });
    });
  });

  describe('read by DuckDB', () => {
    let duck: TestDuckDb;
    let dir: string;
    beforeAll(async () => {
      duck = await TestDuckDb.open();
      dir = mkdtempSync(join(tmpdir(), 'streamlake-parquet-'));
    });
    afterAll(() => {
      duck.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('with the Glue types, the values, and min/max and null-count statistics', async () => {
      const t0 = Date.UTC(2026, 10, 22, 7, 30);
      const schema = schemaOf([
        col('s', 'string', true),
        col('i', 'int'),
        col('l', 'long'),
        col('t', 'timestamp'),
        col('d', 'double', true),
        col('b', 'boolean'),
        col('raw', 'binary', true),
      ]);
      const rows = 300;
      const data: ColumnValues[] = [
        Array.from({ length: rows }, (_, k) => (k % 7 === 0 ? null : `city-${k % 5}-é`)),
        Array.from({ length: rows }, (_, k) => k - 150),
        Array.from({ length: rows }, (_, k) => 2 ** 40 + k * 3),
        Array.from({ length: rows }, (_, k) => t0 + k * 1000),
        Array.from({ length: rows }, (_, k) => (k % 10 === 0 ? null : k / 4)),
        Array.from({ length: rows }, (_, k) => k % 3 === 0),
        Array.from({ length: rows }, (_, k) => (k % 2 ? Buffer.from([k & 0xff, 0, 255]) : null)),
      ];
      const file = join(dir, 'all-types.parquet');
      writeFileSync(file, encodeParquet(schema, data, rows));

      expect(await duck.types(`SELECT * FROM '${file}'`)).toEqual({ s: 'VARCHAR', i: 'INTEGER', l: 'BIGINT', t: 'TIMESTAMP', d: 'DOUBLE', b: 'BOOLEAN', raw: 'BLOB' });
      const read = await duck.rows(`SELECT * FROM '${file}'`);
      expect(read).toEqual(
        Array.from({ length: rows }, (_, k) => ({
          s: data[0][k],
          i: data[1][k],
          l: BigInt(data[2][k] as number),
          t: new Date(data[3][k] as number),
          d: data[4][k],
          b: data[5][k],
          raw: data[6][k],
        })),
      );
      const stats = await duck.rows(
        `SELECT path_in_schema AS c, stats_min_value AS min, stats_max_value AS max, stats_null_count::INTEGER AS nulls FROM parquet_metadata('${file}') ORDER BY column_id`,
      );
      expect(stats).toEqual([
        { c: 's', min: null, max: null, nulls: 43 },
        { c: 'i', min: '-150', max: '149', nulls: 0 },
        { c: 'l', min: String(2 ** 40), max: String(2 ** 40 + 299 * 3), nulls: 0 },
        { c: 't', min: '2026-11-22 07:30:00', max: '2026-11-22 07:34:59', nulls: 0 },
        { c: 'd', min: '0.25', max: '74.75', nulls: 30 },
        { c: 'b', min: null, max: null, nulls: 0 },
        { c: 'raw', min: null, max: null, nulls: 150 },
      ]);
    });

    it('row groups, each with its own statistics (what lets a reader skip the ones a filter on a sorted column excludes)', async () => {
      const t0 = Date.UTC(2026, 10, 22);
      const schema = schemaOf([col('t', 'timestamp'), col('page', 'string')]);
      const rows = 10_000;
      const data: ColumnValues[] = [Array.from({ length: rows }, (_, k) => t0 + k * 1000), Array.from({ length: rows }, (_, k) => `/p/${k % 13}`)];
      const file = join(dir, 'row-groups.parquet');
      const written = encodeParquetFile(schema, data, rows, { rowGroupRows: 2_500, timestampUnit: 'MICROS' });
      writeFileSync(file, written.bytes);
      expect(written.rowGroupOffsets).toHaveLength(4);
      expect(written.columns[0]).toMatchObject({ valueCount: rows, min: t0, max: t0 + (rows - 1) * 1000 });
      const groups = await duck.rows(
        `SELECT row_group_id::INTEGER AS g, row_group_num_rows::INTEGER AS n, stats_min_value AS min, stats_max_value AS max FROM parquet_metadata('${file}') WHERE path_in_schema = 't' ORDER BY g`,
      );
      const iso = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('.000Z', '+00');
      expect(groups).toEqual([0, 1, 2, 3].map((g) => ({ g, n: 2_500, min: iso(t0 + g * 2_500_000), max: iso(t0 + (g * 2_500 + 2_499) * 1000) })));
      expect(await duck.rows(`SELECT count(*)::INTEGER AS n, count(DISTINCT page)::INTEGER AS pages FROM '${file}'`)).toEqual([{ n: rows, pages: 13 }]);
      const since = new Date(t0 + 9_000_000).toISOString();
      expect(await duck.rows(`SELECT count(*)::INTEGER AS n FROM '${file}' WHERE t >= TIMESTAMPTZ '${since}'`)).toEqual([{ n: 1_000 }]);
    });

    it('an empty table and a single all-null column', async () => {
      const file = join(dir, 'empty.parquet');
      writeFileSync(file, encodeParquet(schemaOf([col('s', 'string'), col('t', 'timestamp')]), [[], []], 0));
      expect(await duck.rows(`SELECT count(*)::INTEGER AS n FROM '${file}'`)).toEqual([{ n: 0 }]);
      const nulls = join(dir, 'nulls.parquet');
      writeFileSync(
        nulls,
        encodeParquet(
          schemaOf([col('k', 'string', true), col('n', 'long', true)]),
          [
            [null, null, null],
            [null, null, null],
          ],
          3,
        ),
      );
      expect(await duck.rows(`SELECT k, n FROM '${nulls}'`)).toEqual([
        { k: null, n: null },
        { k: null, n: null },
        { k: null, n: null },
      ]);
    });
  });
});

describe('encodeParquet, read by Apache Arrow (pyarrow, the C++ reader)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamlake-arrow-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const ARROW_TYPE: Record<ColumnType, string> = {
    string: 'string',
    int: 'int32',
    long: 'int64',
    double: 'double',
    boolean: 'bool',
    timestamp: 'timestamp[ms, tz=UTC]',
    binary: 'binary',
  };
  const asArrowJson = (type: ColumnType, v: unknown): unknown =>
    v === null || v === undefined ? null : type === 'binary' ? { base64: Buffer.from(v as Uint8Array).toString('base64') } : v;

  it('reads every object the processor writes for both pipelines (events, window partials, quarantine) as written', () => {
    const refs = new Map([['country_region', loadReferenceTable(sales.references![0], referenceCsv('country_region.csv'))]]);
    const files: { path: string; schema: TableSchema; columns: ColumnValues[]; rows: number }[] = [];
    for (const spec of [clickstream, sales]) {
      const p = compilePipeline(spec, refs);
      const start = Date.UTC(2026, 10, 22, 10);
      const records: KafkaRecord[] = generatorFor(spec.name, { seed: 7, startTime: start, stepMillis: 3_000, malformedRatio: 0.05 })
        .batch(3_000)
        .map((r, i) => ({ topic: spec.topic.name, partition: 2, offset: 500 + i, timestamp: start + 3_000 * i + 5, key: Buffer.from(r.key), value: r.value }));
      const out = processBatch(p, { topic: spec.topic.name, partition: 2, records }, Date.UTC(2026, 10, 22, 13));
      expect(new Set(out.objects.map((o) => o.kind))).toEqual(new Set(['events', 'aggregates', 'quarantine']));
      out.objects.forEach((o, k) => {
        const path = join(dir, `${spec.name}-${k}.parquet`);
        writeFileSync(path, encodeParquet(o.schema, o.columns, o.rows));
        files.push({ path, schema: o.schema, columns: o.columns, rows: o.rows });
      });
    }
    const read = readWithPyarrow(files.map((f) => f.path));
    for (const f of files) {
      const arrow = read[f.path];
      expect(arrow.schema).toEqual(Object.fromEntries(f.schema.columns.map((c) => [c.name, ARROW_TYPE[c.type]])));
      expect(arrow.rows).toEqual(Array.from({ length: f.rows }, (_, r) => Object.fromEntries(f.schema.columns.map((c, i) => [c.name, asArrowJson(c.type, f.columns[i][r])]))));
      f.schema.columns.forEach((c, i) => {
        const values = f.columns[i].filter((v) => v !== null && v !== undefined) as number[];
        expect(arrow.stats[c.name].nulls).toBe(f.rows - values.length);
        if (['int', 'long', 'double', 'timestamp'].includes(c.type) && values.length > 0) {
          expect([arrow.stats[c.name].min, arrow.stats[c.name].max]).toEqual([Math.min(...values), Math.max(...values)]);
        }
      });
    }
  });
});
