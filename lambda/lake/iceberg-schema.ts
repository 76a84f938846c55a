/**
 * Iceberg schemas and partition specs of streamlake's tables, derived from the same table schemas
 * (model/tables.ts) the Parquet writer uses:
 *
 * - field ids 1..N in column order for a new table; later, columns are matched to the table's
 *   current schema by name and a column the spec added (it must be optional) gets the next id
 *   after the table's `last-column-id`: the schema evolves, ids are never reused or renumbered;
 * - types: string → string, int → int, long → long, double → double, boolean → boolean,
 *   binary → binary, timestamp (epoch millis) → timestamptz (an instant; Iceberg counts it in
 *   microseconds, the files keep millis, see ../core/parquet.ts); `required` = not nullable;
 * - partitioning by day: events by the spec's event-time field, quarantine by `kafka_timestamp`,
 *   window partials by `window_start`; partition field ids from 1000, named `<column>_day`.
 *
 * Pure: JSON in the REST catalog's shapes (../adapters/rest-catalog.ts), nothing sent.
 */
import type { CreateTableRequest, PartitionSpec, PrimitiveType, Schema, StructField, TableMetadata, TableRequirement, TableUpdate } from '../adapters/rest-catalog';
import { LakeMetadataError } from './errors';
import type { PipelineSpec } from '../../model/spec';
import { icebergTables, type LakeTableKind } from '../../model/lake-tables';
import type { ColumnType, TableSchema } from '../../model/tables';

export const ICEBERG_TYPES: Readonly<Record<ColumnType, PrimitiveType>> = {
  string: 'string',
  int: 'int',
  long: 'long',
  double: 'double',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  binary: 'binary',
};

export type { LakeTableKind } from '../../model/lake-tables';

/** Iceberg's reference implementation numbers partition fields from 1000. */
export const FIRST_PARTITION_FIELD_ID = 1000;

/** The namespace of streamlake's Iceberg tables. */
export const LAKE_NAMESPACE = 'streamlake';

/** The table's schema as an Iceberg schema with ids 1..N in column order (a new table). */
export function icebergSchema(table: TableSchema, schemaId = 0): Schema {
  return {
    type: 'struct',
    'schema-id': schemaId,
    fields: table.columns.map((c, i) => ({ id: i + 1, name: c.name, type: ICEBERG_TYPES[c.type], required: !c.nullable, ...(c.comment ? { doc: c.comment } : {}) })),
  };
}

/** The column a table of this kind is partitioned by (by day). */
export function partitionSourceColumn(kind: LakeTableKind, spec: PipelineSpec): string {
  return icebergTables(spec).find((t) => t.kind === kind)?.partitionColumn ?? 'window_start';
}

/** `day(<column>)` as the table's partition spec, field id 1000. */
export function dayPartitionSpec(schema: Schema, sourceColumn: string, specId = 0): PartitionSpec {
  const source = schema.fields.find((f) => f.name === sourceColumn);
  if (!source) throw new LakeMetadataError(`iceberg: no column '${sourceColumn}' to partition by in [${schema.fields.map((f) => f.name).join(', ')}]`);
  if (!['timestamptz', 'timestamp', 'date'].includes(source.type as string)) {
    throw new LakeMetadataError(`iceberg: column '${sourceColumn}' is ${JSON.stringify(source.type)}: day() partitions timestamps and dates only`);
  }
  return { 'spec-id': specId, fields: [{ 'source-id': source.id, 'field-id': FIRST_PARTITION_FIELD_ID, name: `${sourceColumn}_day`, transform: 'day' }] };
}

export interface CreateTableOptions {
  /** The table's location (`s3://…`, `file:///…`); else the catalog's default. */
  readonly location?: string;
  /** Table properties besides `format-version`. */
  readonly properties?: Readonly<Record<string, string>>;
}

/** The REST catalog request that creates the table: format v2, schema with ids 1..N, day partitioning. */
export function createTableRequest(name: string, table: TableSchema, partitionColumn: string, options: CreateTableOptions = {}): CreateTableRequest {
  const schema = icebergSchema(table);
  return {
    name,
    ...(options.location !== undefined ? { location: options.location } : {}),
    schema,
    'partition-spec': dayPartitionSpec(schema, partitionColumn),
    'write-order': { 'order-id': 0, fields: [] },
    properties: { ...options.properties, 'format-version': '2' },
  };
}

/** The table's current schema. */
export function currentSchema(metadata: TableMetadata): Schema {
  const id = metadata['current-schema-id'];
  const schema = metadata.schemas.find((s) => (s['schema-id'] ?? 0) === id);
  if (!schema) throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']} has no schema ${id} (current-schema-id)`);
  return schema;
}

/** The table's default partition spec. */
export function defaultPartitionSpec(metadata: TableMetadata): PartitionSpec {
  const id = metadata['default-spec-id'];
  const spec = metadata['partition-specs'].find((s) => (s['spec-id'] ?? 0) === id);
  if (!spec) throw new LakeMetadataError(`iceberg: table ${metadata['table-uuid']} has no partition spec ${id} (default-spec-id)`);
  return spec;
}

export interface EvolvedSchema {
  readonly schema: Schema;
  readonly lastColumnId: number;
  /** The fields `table` adds to `current` (empty: `schema` is `current`). */
  readonly added: readonly StructField[];
}

/**
 * `current` with every column of `table` it lacks appended, each with the next id after
 * `lastColumnId`. A column added this way must be nullable (rows written before it have no value);
 * a column of `current` that `table` lacks must be optional (the files now written have none);
 * a column both have must have the same type and may not be nullable where `current` requires it.
 */
export function evolveSchema(current: Schema, lastColumnId: number, table: TableSchema, newSchemaId: number): EvolvedSchema {
  const byName = new Map(current.fields.map((f) => [f.name, f]));
  const names = new Set(table.columns.map((c) => c.name));
  const problems: string[] = [];
  for (const f of current.fields) if (!names.has(f.name) && f.required) problems.push(`required column '${f.name}' is no longer written`);
  const added: StructField[] = [];
  let next = lastColumnId;
  for (const c of table.columns) {
    const type = ICEBERG_TYPES[c.type];
    const f = byName.get(c.name);
    if (!f) {
      if (!c.nullable) problems.push(`new column '${c.name}' must be optional`);
      added.push({ id: ++next, name: c.name, type, required: false, ...(c.comment ? { doc: c.comment } : {}) });
      continue;
    }
    if (f.type !== type) problems.push(`column '${c.name}' is ${JSON.stringify(f.type)} in the table, ${type} in the spec`);
    if (f.required && c.nullable) problems.push(`column '${c.name}' is required in the table, optional in the spec`);
  }
  if (problems.length > 0) throw new LakeMetadataError(`iceberg: the table's schema cannot take the spec's columns: ${problems.join('; ')}`);
  if (added.length === 0) return { schema: current, lastColumnId, added };
  return { schema: { ...current, 'schema-id': newSchemaId, fields: [...current.fields, ...added] }, lastColumnId: next, added };
}

/** What the files of a commit are written with: the schema, each column's field id, and the schema change to commit with them, if any. */
export interface SchemaResolution {
  readonly schema: Schema;
  /** One per column of the table schema, in its order (for the Parquet writer). */
  readonly fieldIds: readonly number[];
  readonly lastColumnId: number;
  /** Present when the table's schema must evolve: requirements and updates to send before the snapshot's, in the same commit. */
  readonly evolution?: { readonly requirements: readonly TableRequirement[]; readonly updates: readonly TableUpdate[] };
}

/** Matches the table schema's columns to the table's current Iceberg schema by name, evolving it when the spec added optional columns. */
export function resolveSchema(metadata: TableMetadata, table: TableSchema): SchemaResolution {
  const current = currentSchema(metadata);
  const currentId = metadata['current-schema-id'];
  const newSchemaId = Math.max(...metadata.schemas.map((s) => s['schema-id'] ?? 0)) + 1;
  const evolved = evolveSchema(current, metadata['last-column-id'], table, newSchemaId);
  const ids = new Map(evolved.schema.fields.map((f) => [f.name, f.id]));
  const fieldIds = table.columns.map((c) => ids.get(c.name)!);
  if (evolved.added.length === 0) return { schema: current, fieldIds, lastColumnId: metadata['last-column-id'] };
  return {
    schema: evolved.schema,
    fieldIds,
    lastColumnId: evolved.lastColumnId,
    evolution: {
      requirements: [
        { type: 'assert-current-schema-id', 'current-schema-id': currentId },
        { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': metadata['last-column-id'] },
      ],
      updates: [
        { action: 'add-schema', schema: evolved.schema, 'last-column-id': evolved.lastColumnId },
        { action: 'set-current-schema', 'schema-id': -1 },
      ],
    },
  };
}
