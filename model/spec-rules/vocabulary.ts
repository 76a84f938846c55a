/**
 * The names and shapes a spec may use, shared by the rules (the spec's own lists come from `model/spec.ts`),
 * plus total accessors that let a rule read another concern's part of a spec without trusting it.
 */
import type { FieldSpec, FieldType, PipelineSpec } from '../spec';
export { AGGREGATE_FUNCTIONS, DERIVED_FUNCTIONS, RESERVED_COLUMNS } from '../spec';

export const IDENTIFIER = /^[a-z][a-z0-9_]{0,39}$/;
/** Kafka's legal topic names (at most 249 characters). */
export const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
export const FIELD_TYPES: readonly FieldType[] = ['string', 'int', 'long', 'double', 'boolean', 'timestamp'];
export const NUMERIC_TYPES: readonly FieldType[] = ['int', 'long', 'double'];

/** The schema's fields, or none when the schema itself is broken (the schema rule says so). */
export function schemaFieldsOf(spec: PipelineSpec): readonly FieldSpec[] {
  return Array.isArray(spec.schema) ? spec.schema : [];
}

/**
 * The fields a window can use, by name: schema fields, then enrichment outputs (strings). A
 * broken enrichment still counts as a field here, so its problem is reported once, by its rule.
 */
export function outputFieldMap(spec: PipelineSpec): Map<string, FieldSpec> {
  const fields = new Map<string, FieldSpec>(schemaFieldsOf(spec).map((f) => [f.name, f]));
  for (const e of Array.isArray(spec.enrichments) ? spec.enrichments : []) {
    if (!fields.has(e.name)) fields.set(e.name, { name: e.name, type: 'string' });
  }
  return fields;
}
