/**
 * Iceberg v2 manifests and manifest lists (table spec, "Manifests" and "Manifest Lists"): Avro
 * object container files (./avro-container.ts) whose schemas carry the field ids the spec
 * assigns (`field-id` on every field, `element-id` on lists, maps of int keys as arrays of
 * `key`/`value` records with `logicalType: map`), as Iceberg Java and pyiceberg write them.
 *
 * - A manifest lists data files (`manifest_entry`: status, snapshot id, sequence numbers, and the
 *   `data_file` struct with the partition tuple as a record of the partition fields, by their
 *   field ids); its header metadata holds `schema`, `schema-id`, `partition-spec` (the fields
 *   array), `partition-spec-id`, `format-version` (2) and `content` (`data`).
 * - A manifest list lists a snapshot's manifests (`manifest_file`: path, length, spec id, content,
 *   sequence numbers, added snapshot, added/existing/deleted file and row counts, and a summary of
 *   each partition field: contains null/NaN, lower and upper bound); its header metadata holds
 *   `snapshot-id`, `parent-snapshot-id`, `sequence-number` and `format-version`.
 *
 * The readers take what any v1/v2 writer wrote, matching fields by field id (not by name), and
 * apply the spec's inheritance (a null snapshot id or sequence number of an ADDED entry is the
 * manifest's). Pure: bytes in, bytes out.
 */
import type { PartitionField, PartitionSpec, Schema } from '../adapters/rest-catalog';
import { compareUtf8 } from '../core/parquet-bytes';
import { readAvroContainer, writeAvroContainer, type AvroCodec } from './avro-container';
import type { DataFile, PartitionValue } from './data-file';
import { LakeMetadataError } from './errors';
import { isBoundType, toSingleValue, type BoundType } from './single-value';

export const FORMAT_VERSION = 2;

/** Entry status: 0 existing (carried over), 1 added by the manifest's snapshot, 2 deleted by it. */
export type EntryStatus = 0 | 1 | 2;
export const EXISTING: EntryStatus = 0;
export const ADDED: EntryStatus = 1;
export const DELETED: EntryStatus = 2;

export interface ManifestEntry {
  readonly status: EntryStatus;
  /** Null (inherited from the manifest list) for files the manifest's own snapshot added. */
  readonly snapshotId?: bigint;
  /** Data sequence number; null (inherited) for ADDED entries. */
  readonly sequenceNumber?: number;
  readonly fileSequenceNumber?: number;
  readonly dataFile: DataFile;
}

export interface FieldSummary {
  readonly containsNull: boolean;
  readonly containsNan?: boolean;
  readonly lowerBound?: Uint8Array;
  readonly upperBound?: Uint8Array;
}

/** A `manifest_file` of a manifest list. */
export interface ManifestFile {
  readonly manifestPath: string;
  readonly manifestLength: number;
  readonly partitionSpecId: number;
  /** 0 data, 1 deletes. */
  readonly content: number;
  readonly sequenceNumber: number;
  readonly minSequenceNumber: number;
  readonly addedSnapshotId: bigint;
  readonly addedFilesCount: number;
  readonly existingFilesCount: number;
  readonly deletedFilesCount: number;
  readonly addedRowsCount: number;
  readonly existingRowsCount: number;
  readonly deletedRowsCount: number;
  readonly partitions?: readonly FieldSummary[];
  readonly keyMetadata?: Uint8Array;
}

/** A manifest's header metadata. */
export interface ManifestMetadata {
  readonly schema: Schema;
  readonly schemaId: number;
  readonly partitionSpec: PartitionSpec;
  readonly formatVersion: number;
  readonly content: 'data' | 'deletes';
}

// ---------------------------------------------------------------------------------------------
// Schemas

type Json = Record<string, unknown>;

const optional = (name: string, id: number, type: unknown): Json => ({ name, type: ['null', type], default: null, 'field-id': id });
const required = (name: string, id: number, type: unknown): Json => ({ name, type, 'field-id': id });
const intMap = (keyId: number, valueId: number, value: string): Json => ({
  type: 'array',
  logicalType: 'map',
  items: { type: 'record', name: `k${keyId}_v${valueId}`, fields: [required('key', keyId, 'int'), required('value', valueId, value)] },
});

/** An Avro name for a partition field (Iceberg's sanitizing: invalid characters as `_x<hex>`). */
function avroName(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    const ok = /[A-Za-z_]/.test(c) || (i > 0 && /[0-9]/.test(c));
    out += ok ? c : /[0-9]/.test(c) ? `_${c}` : `_x${c.charCodeAt(0).toString(16).toUpperCase()}`;
  }
  return out;
}

const AVRO_OF_TYPE: Readonly<Record<BoundType, unknown>> = {
  boolean: 'boolean',
  int: 'int',
  date: { type: 'int', logicalType: 'date' },
  long: 'long',
  timestamp: { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': false },
  timestamptz: { type: 'long', logicalType: 'timestamp-micros', 'adjust-to-utc': true },
  double: 'double',
  string: 'string',
  binary: 'bytes',
};

/** The Iceberg type of a partition field's values: `date` for day, `int` for hour, month and year, the source type for identity. */
export function partitionFieldType(field: PartitionField, schema: Schema): BoundType {
  switch (field.transform) {
    case 'day':
      return 'date';
    case 'hour':
    case 'month':
    case 'year':
      return 'int';
    case 'identity': {
      const source = schema.fields.find((f) => f.id === field['source-id']);
      if (source && isBoundType(source.type)) return source.type;
      throw new LakeMetadataError(`iceberg: partition field '${field.name}' is the identity of column id ${field['source-id']}, not a type streamlake writes`);
    }
    default:
      throw new LakeMetadataError(`iceberg: streamlake does not write partition transform '${field.transform}' (field '${field.name}')`);
  }
}

function partitionFieldId(spec: PartitionSpec, i: number): number {
  const id = spec.fields[i]['field-id'];
  if (id === undefined) throw new LakeMetadataError(`iceberg: partition field '${spec.fields[i].name}' has no field id (a v2 spec must have them)`);
  return id;
}

/** The v2 `manifest_entry` Avro schema for files of `spec` (the partition record by partition field ids). */
export function manifestEntrySchema(spec: PartitionSpec, schema: Schema): Json {
  const partition = {
    type: 'record',
    name: 'r102',
    fields: spec.fields.map((f, i) => ({
      ...optional(avroName(f.name), partitionFieldId(spec, i), AVRO_OF_TYPE[partitionFieldType(f, schema)]),
      ...(avroName(f.name) !== f.name ? { 'iceberg-field-name': f.name } : {}),
    })),
  };
  const dataFile = {
    type: 'record',
    name: 'r2',
    fields: [
      required('content', 134, 'int'),
      required('file_path', 100, 'string'),
      required('file_format', 101, 'string'),
      required('partition', 102, partition),
      required('record_count', 103, 'long'),
      required('file_size_in_bytes', 104, 'long'),
      optional('column_sizes', 108, intMap(117, 118, 'long')),
      optional('value_counts', 109, intMap(119, 120, 'long')),
      optional('null_value_counts', 110, intMap(121, 122, 'long')),
      optional('nan_value_counts', 137, intMap(138, 139, 'long')),
      optional('lower_bounds', 125, intMap(126, 127, 'bytes')),
      optional('upper_bounds', 128, intMap(129, 130, 'bytes')),
      optional('key_metadata', 131, 'bytes'),
      optional('split_offsets', 132, { type: 'array', items: 'long', 'element-id': 133 }),
      optional('equality_ids', 135, { type: 'array', items: 'int', 'element-id': 136 }),
      optional('sort_order_id', 140, 'int'),
    ],
  };
  return {
    type: 'record',
    name: 'manifest_entry',
    fields: [
      required('status', 0, 'int'),
      optional('snapshot_id', 1, 'long'),
      optional('sequence_number', 3, 'long'),
      optional('file_sequence_number', 4, 'long'),
      required('data_file', 2, dataFile),
    ],
  };
}

/** The v2 `manifest_file` Avro schema. */
export const MANIFEST_FILE_SCHEMA: Json = {
  type: 'record',
  name: 'manifest_file',
  fields: [
    required('manifest_path', 500, 'string'),
    required('manifest_length', 501, 'long'),
    required('partition_spec_id', 502, 'int'),
    required('content', 517, 'int'),
    required('sequence_number', 515, 'long'),
    required('min_sequence_number', 516, 'long'),
    required('added_snapshot_id', 503, 'long'),
    required('added_files_count', 504, 'int'),
    required('existing_files_count', 505, 'int'),
    required('deleted_files_count', 506, 'int'),
    required('added_rows_count', 512, 'long'),
    required('existing_rows_count', 513, 'long'),
    required('deleted_rows_count', 514, 'long'),
    optional('partitions', 507, {
      type: 'array',
      'element-id': 508,
      items: {
        type: 'record',
        name: 'r508',
        fields: [required('contains_null', 509, 'boolean'), optional('contains_nan', 518, 'boolean'), optional('lower_bound', 510, 'bytes'), optional('upper_bound', 511, 'bytes')],
      },
    }),
    optional('key_metadata', 519, 'bytes'),
  ],
};

// ---------------------------------------------------------------------------------------------
// Writing

const buffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const mapRecords = <V>(m: ReadonlyMap<number, V> | undefined, value: (v: V) => unknown) =>
  m === undefined ? null : [...m.entries()].sort((a, b) => a[0] - b[0]).map(([key, v]) => ({ key, value: value(v) }));
const long = (n: number | bigint | undefined): bigint | null => (n === undefined ? null : BigInt(n));

function partitionRecord(spec: PartitionSpec, schema: Schema, values: readonly PartitionValue[]): Json {
  if (values.length !== spec.fields.length) throw new LakeMetadataError(`iceberg: a partition tuple of ${values.length} values for a spec of ${spec.fields.length} fields`);
  const record: Json = {};
  spec.fields.forEach((f, i) => {
    const v = values[i];
    const type = partitionFieldType(f, schema);
    record[avroName(f.name)] = v === null ? null : type === 'binary' ? buffer(v as Uint8Array) : ['long', 'timestamp', 'timestamptz'].includes(type) ? BigInt(v as number) : v;
  });
  return record;
}

function entryRecord(e: ManifestEntry, spec: PartitionSpec, schema: Schema): Json {
  const f = e.dataFile;
  return {
    status: e.status,
    snapshot_id: e.snapshotId ?? null,
    sequence_number: long(e.sequenceNumber),
    file_sequence_number: long(e.fileSequenceNumber),
    data_file: {
      content: f.content,
      file_path: f.filePath,
      file_format: f.fileFormat,
      partition: partitionRecord(spec, schema, f.partition),
      record_count: BigInt(f.recordCount),
      file_size_in_bytes: BigInt(f.fileSizeInBytes),
      column_sizes: mapRecords(f.columnSizes, BigInt),
      value_counts: mapRecords(f.valueCounts, BigInt),
      null_value_counts: mapRecords(f.nullValueCounts, BigInt),
      nan_value_counts: mapRecords(f.nanValueCounts, BigInt),
      lower_bounds: mapRecords(f.lowerBounds, buffer),
      upper_bounds: mapRecords(f.upperBounds, buffer),
      key_metadata: f.keyMetadata ? buffer(f.keyMetadata) : null,
      split_offsets: f.splitOffsets ? f.splitOffsets.map((o) => BigInt(o)) : null,
      equality_ids: f.equalityIds ? [...f.equalityIds] : null,
      sort_order_id: f.sortOrderId ?? null,
    },
  };
}

function compareValues(type: BoundType, a: PartitionValue, b: PartitionValue): number {
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (type === 'boolean') return Number(a) - Number(b);
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}

/** The partition field summaries of a manifest holding files with these partition tuples. */
export function partitionSummaries(spec: PartitionSpec, schema: Schema, tuples: readonly (readonly PartitionValue[])[]): FieldSummary[] {
  return spec.fields.map((f, i) => {
    const type = partitionFieldType(f, schema);
    let containsNull = false;
    let containsNan = false;
    let low: PartitionValue = null;
    let high: PartitionValue = null;
    for (const t of tuples) {
      const v = t[i];
      if (v === null) containsNull = true;
      else if (typeof v === 'number' && Number.isNaN(v)) containsNan = true;
      else {
        if (low === null || compareValues(type, v, low) < 0) low = v;
        if (high === null || compareValues(type, v, high) > 0) high = v;
      }
    }
    return {
      containsNull,
      containsNan,
      ...(low !== null ? { lowerBound: toSingleValue(type, low), upperBound: toSingleValue(type, high!) } : {}),
    };
  });
}

export interface ManifestToWrite {
  /** Where the manifest will be written (recorded in the manifest list). */
  readonly path: string;
  /** The table schema the files were written with. */
  readonly schema: Schema;
  readonly spec: PartitionSpec;
  readonly entries: readonly ManifestEntry[];
  /** The snapshot that adds the manifest. */
  readonly snapshotId: bigint;
  /** The snapshot's sequence number: inherited by the ADDED entries. */
  readonly sequenceNumber: number;
  readonly codec?: AvroCodec;
}

/** A data manifest's bytes and its `manifest_file` for the manifest list. */
export function writeManifest(m: ManifestToWrite): { readonly bytes: Uint8Array; readonly file: ManifestFile } {
  const schemaId = m.schema['schema-id'] ?? 0;
  const specId = m.spec['spec-id'] ?? 0;
  const metadata = {
    schema: JSON.stringify(m.schema),
    'schema-id': String(schemaId),
    'partition-spec': JSON.stringify(m.spec.fields),
    'partition-spec-id': String(specId),
    'format-version': String(FORMAT_VERSION),
    content: 'data',
  };
  const bytes = writeAvroContainer(
    manifestEntrySchema(m.spec, m.schema),
    m.entries.map((e) => entryRecord(e, m.spec, m.schema)),
    metadata,
    { codec: m.codec },
  );
  const count = (status: EntryStatus) => m.entries.filter((e) => e.status === status);
  const rows = (entries: readonly ManifestEntry[]) => entries.reduce((n, e) => n + e.dataFile.recordCount, 0);
  const live = m.entries.filter((e) => e.status !== DELETED);
  const sequenceNumbers = live.map((e) => e.sequenceNumber ?? m.sequenceNumber);
  return {
    bytes,
    file: {
      manifestPath: m.path,
      manifestLength: bytes.byteLength,
      partitionSpecId: specId,
      content: 0,
      sequenceNumber: m.sequenceNumber,
      minSequenceNumber: sequenceNumbers.length > 0 ? Math.min(...sequenceNumbers) : m.sequenceNumber,
      addedSnapshotId: m.snapshotId,
      addedFilesCount: count(ADDED).length,
      existingFilesCount: count(EXISTING).length,
      deletedFilesCount: count(DELETED).length,
      addedRowsCount: rows(count(ADDED)),
      existingRowsCount: rows(count(EXISTING)),
      deletedRowsCount: rows(count(DELETED)),
      partitions: partitionSummaries(
        m.spec,
        m.schema,
        live.map((e) => e.dataFile.partition),
      ),
    },
  };
}

export interface ManifestListToWrite {
  readonly snapshotId: bigint;
  readonly parentSnapshotId?: bigint;
  readonly sequenceNumber: number;
  readonly manifests: readonly ManifestFile[];
  readonly codec?: AvroCodec;
}

/** A v2 manifest list. */
export function writeManifestList(l: ManifestListToWrite): Uint8Array {
  const records = l.manifests.map((m) => ({
    manifest_path: m.manifestPath,
    manifest_length: BigInt(m.manifestLength),
    partition_spec_id: m.partitionSpecId,
    content: m.content,
    sequence_number: BigInt(m.sequenceNumber),
    min_sequence_number: BigInt(m.minSequenceNumber),
    added_snapshot_id: m.addedSnapshotId,
    added_files_count: m.addedFilesCount,
    existing_files_count: m.existingFilesCount,
    deleted_files_count: m.deletedFilesCount,
    added_rows_count: BigInt(m.addedRowsCount),
    existing_rows_count: BigInt(m.existingRowsCount),
    deleted_rows_count: BigInt(m.deletedRowsCount),
    partitions:
      m.partitions?.map((p) => ({
        contains_null: p.containsNull,
        contains_nan: p.containsNan ?? null,
        lower_bound: p.lowerBound ? buffer(p.lowerBound) : null,
        upper_bound: p.upperBound ? buffer(p.upperBound) : null,
      })) ?? null,
    key_metadata: m.keyMetadata ? buffer(m.keyMetadata) : null,
  }));
  return writeAvroContainer(
    MANIFEST_FILE_SCHEMA,
    records,
    {
      'snapshot-id': String(l.snapshotId),
      'parent-snapshot-id': l.parentSnapshotId === undefined ? 'null' : String(l.parentSnapshotId),
      'sequence-number': String(l.sequenceNumber),
      'format-version': String(FORMAT_VERSION),
    },
    { codec: l.codec },
  );
}

// ---------------------------------------------------------------------------------------------
// Reading (by field id)

/** Field values of a decoded record, by the field ids of its writer schema. */
class Fields {
  private readonly byId = new Map<number, { readonly value: unknown; readonly type: unknown }>();
  /** The record's field ids in writer order. */
  readonly ids: readonly number[];

  constructor(
    private readonly names: ReadonlyMap<string, Json>,
    schema: unknown,
    value: unknown,
    private readonly what: string,
  ) {
    const record = this.deref(schema) as { fields?: readonly Json[] };
    const ids: number[] = [];
    for (const f of record.fields ?? []) {
      const id = f['field-id'];
      if (typeof id !== 'number') continue;
      ids.push(id);
      this.byId.set(id, { value: (value as Json)[f.name as string], type: f.type });
    }
    this.ids = ids;
  }

  /** A named type's definition, or the non-null branch of a ["null", X] union. */
  deref(type: unknown): unknown {
    if (Array.isArray(type)) return this.deref(type.find((t) => t !== 'null'));
    if (typeof type === 'string' && this.names.has(type)) return this.names.get(type);
    return type;
  }

  has(id: number): boolean {
    const f = this.byId.get(id);
    return f !== undefined && f.value !== null && f.value !== undefined;
  }

  raw(id: number): unknown {
    return this.byId.get(id)?.value ?? null;
  }

  need(id: number, name: string): unknown {
    if (!this.has(id)) throw new LakeMetadataError(`iceberg: ${this.what} has no ${name} (field id ${id})`);
    return this.raw(id);
  }

  num(id: number, name: string): number {
    return Number(this.need(id, name) as number | bigint);
  }

  optNum(id: number): number | undefined {
    return this.has(id) ? Number(this.raw(id) as number | bigint) : undefined;
  }

  optBigint(id: number): bigint | undefined {
    return this.has(id) ? BigInt(this.raw(id) as number | bigint) : undefined;
  }

  bytes(id: number): Uint8Array | undefined {
    return this.has(id) ? Uint8Array.from(this.raw(id) as Buffer) : undefined;
  }

  nested(id: number, name: string): Fields {
    const f = this.byId.get(id);
    if (!f || f.value === null || f.value === undefined) throw new LakeMetadataError(`iceberg: ${this.what} has no ${name} (field id ${id})`);
    return new Fields(this.names, f.type, f.value, name);
  }

  /** The records of a list<struct>. */
  nestedList(id: number, name: string): Fields[] {
    if (!this.has(id)) return [];
    const items = (this.deref(this.byId.get(id)!.type) as { items?: unknown }).items;
    return (this.raw(id) as unknown[]).map((v, i) => new Fields(this.names, items, v, `${name} ${i}`));
  }

  /** A map<int, X> stored as an array of key/value records. */
  intMap<V>(id: number, value: (v: unknown) => V): Map<number, V> | undefined {
    if (!this.has(id)) return undefined;
    const out = new Map<number, V>();
    for (const kv of this.raw(id) as readonly { key: number; value: unknown }[]) out.set(Number(kv.key), value(kv.value));
    return out;
  }
}

/** Every named type (records, fixed, enums) defined in a schema, by name. */
function namedTypes(schema: unknown, out = new Map<string, Json>()): Map<string, Json> {
  if (Array.isArray(schema)) schema.forEach((s) => namedTypes(s, out));
  else if (schema && typeof schema === 'object') {
    const s = schema as Json;
    if (typeof s.name === 'string' && ['record', 'fixed', 'enum'].includes(s.type as string)) out.set(s.name, s);
    if (Array.isArray(s.fields)) for (const f of s.fields as Json[]) namedTypes(f.type, out);
    if (s.items !== undefined) namedTypes(s.items, out);
    if (s.values !== undefined) namedTypes(s.values, out);
  }
  return out;
}

function parseJson<T>(text: string | undefined, what: string): T {
  if (text === undefined) throw new LakeMetadataError(`iceberg: the manifest has no ${what} in its metadata`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new LakeMetadataError(`iceberg: the manifest's ${what} is not JSON: ${text.slice(0, 100)}`);
  }
}

/** `specFields`: the manifest's partition spec, whose field ids order the tuple (else the record's order). */
function readDataFile(f: Fields, specFields: readonly PartitionField[]): DataFile {
  const partition = f.nested(102, 'partition');
  const partitionIds = specFields.length > 0 && specFields.every((p) => p['field-id'] !== undefined) ? specFields.map((p) => p['field-id']!) : partition.ids;
  const toBigOrNum = (v: unknown): PartitionValue => (v === null || v === undefined ? null : Buffer.isBuffer(v) ? Uint8Array.from(v) : (v as PartitionValue));
  const toNum = (v: unknown) => Number(v as bigint);
  const toBytes = (v: unknown) => Uint8Array.from(v as Buffer);
  const splitOffsets = f.has(132) ? (f.raw(132) as bigint[]).map(Number) : undefined;
  const equalityIds = f.has(135) ? (f.raw(135) as number[]).map(Number) : undefined;
  const sortOrderId = f.optNum(140);
  const keyMetadata = f.bytes(131);
  return {
    content: f.optNum(134) ?? 0,
    filePath: f.need(100, 'file_path') as string,
    fileFormat: f.need(101, 'file_format') as string,
    partition: partitionIds.map((id) => toBigOrNum(partition.raw(id))),
    recordCount: f.num(103, 'record_count'),
    fileSizeInBytes: f.num(104, 'file_size_in_bytes'),
    columnSizes: f.intMap(108, toNum),
    valueCounts: f.intMap(109, toNum),
    nullValueCounts: f.intMap(110, toNum),
    nanValueCounts: f.intMap(137, toNum),
    lowerBounds: f.intMap(125, toBytes),
    upperBounds: f.intMap(128, toBytes),
    ...(keyMetadata ? { keyMetadata } : {}),
    ...(splitOffsets ? { splitOffsets } : {}),
    ...(equalityIds ? { equalityIds } : {}),
    ...(sortOrderId !== undefined ? { sortOrderId } : {}),
  };
}

/** A manifest's metadata and entries, as written (nothing inherited yet: see `inheritEntry`). */
export function readManifest(bytes: Uint8Array): { readonly metadata: ManifestMetadata; readonly entries: readonly ManifestEntry[] } {
  const container = readAvroContainer(bytes);
  const meta = container.metadata;
  const schema = parseJson<Schema>(meta.schema, 'schema');
  const fields = parseJson<PartitionField[]>(meta['partition-spec'], 'partition-spec');
  const specId = Number(meta['partition-spec-id'] ?? 0);
  const metadata: ManifestMetadata = {
    schema,
    schemaId: Number(meta['schema-id'] ?? schema['schema-id'] ?? 0),
    partitionSpec: { 'spec-id': specId, fields },
    formatVersion: Number(meta['format-version'] ?? 1),
    content: meta.content === 'deletes' ? 'deletes' : 'data',
  };
  const names = namedTypes(container.schema);
  const entries = container.records.map((r, i) => {
    const entry = new Fields(names, container.schema, r, `manifest entry ${i}`);
    return {
      status: entry.num(0, 'status') as EntryStatus,
      ...(entry.has(1) ? { snapshotId: entry.optBigint(1) } : {}),
      ...(entry.has(3) ? { sequenceNumber: entry.optNum(3) } : {}),
      ...(entry.has(4) ? { fileSequenceNumber: entry.optNum(4) } : {}),
      dataFile: readDataFile(entry.nested(2, 'data_file'), fields),
    };
  });
  return { metadata, entries };
}

/** A manifest list's `manifest_file`s and header metadata (a v1 list reads with sequence numbers 0 and content data). */
export function readManifestList(bytes: Uint8Array): { readonly metadata: Readonly<Record<string, string>>; readonly manifests: readonly ManifestFile[] } {
  const container = readAvroContainer(bytes);
  const names = namedTypes(container.schema);
  const manifests = container.records.map((r, i): ManifestFile => {
    const f = new Fields(names, container.schema, r, `manifest list entry ${i}`);
    const partitions = f.has(507)
      ? f.nestedList(507, 'field summary').map((s): FieldSummary => {
          const lowerBound = s.bytes(510);
          const upperBound = s.bytes(511);
          return {
            containsNull: s.need(509, 'contains_null') as boolean,
            ...(s.has(518) ? { containsNan: s.raw(518) as boolean } : {}),
            ...(lowerBound ? { lowerBound } : {}),
            ...(upperBound ? { upperBound } : {}),
          };
        })
      : undefined;
    const keyMetadata = f.bytes(519);
    return {
      manifestPath: f.need(500, 'manifest_path') as string,
      manifestLength: f.num(501, 'manifest_length'),
      partitionSpecId: f.num(502, 'partition_spec_id'),
      content: f.optNum(517) ?? 0,
      sequenceNumber: f.optNum(515) ?? 0,
      minSequenceNumber: f.optNum(516) ?? 0,
      addedSnapshotId: BigInt(f.need(503, 'added_snapshot_id') as bigint),
      addedFilesCount: f.optNum(504) ?? 0,
      existingFilesCount: f.optNum(505) ?? 0,
      deletedFilesCount: f.optNum(506) ?? 0,
      addedRowsCount: f.optNum(512) ?? 0,
      existingRowsCount: f.optNum(513) ?? 0,
      deletedRowsCount: f.optNum(514) ?? 0,
      ...(partitions ? { partitions } : {}),
      ...(keyMetadata ? { keyMetadata } : {}),
    };
  });
  return { metadata: container.metadata, manifests };
}

/** The entry with what it inherits from its manifest (snapshot id; sequence numbers of ADDED entries, or 0 from a v1 list). */
export function inheritEntry(entry: ManifestEntry, manifest: ManifestFile): ManifestEntry {
  const inherits = entry.status === ADDED || manifest.sequenceNumber === 0;
  return {
    ...entry,
    snapshotId: entry.snapshotId ?? manifest.addedSnapshotId,
    ...(entry.sequenceNumber === undefined && inherits ? { sequenceNumber: manifest.sequenceNumber } : {}),
    ...(entry.fileSequenceNumber === undefined && inherits ? { fileSequenceNumber: manifest.sequenceNumber } : {}),
  };
}

/** The live (added or existing) entries of a manifest, with what they inherit from the manifest list. */
export function liveEntries(manifest: ManifestFile, manifestBytes: Uint8Array): ManifestEntry[] {
  return readManifest(manifestBytes)
    .entries.filter((e) => e.status !== DELETED)
    .map((e) => inheritEntry(e, manifest));
}
