/** Value format rule: CSV columns and delimiter, JSON, Avro schema name. */
import type { AvroFormat, CsvFormat, FieldSpec } from '../spec';
import { problemAt, type SpecProblem, type SpecRule } from './problem';
import { schemaFieldsOf } from './vocabulary';

/** Glue Schema Registry schema names (and Confluent subjects this app accepts). */
const SCHEMA_NAME = /^[a-zA-Z0-9_.$#-]{1,255}$/;

export const valueFormatRule: SpecRule = (spec) => {
  const value = spec.value;
  switch (value?.kind) {
    case 'csv':
      return csvProblems(value, schemaFieldsOf(spec));
    case 'avro':
      return avroProblems(value);
    case 'json':
      return [];
    default:
      return [problemAt('value.kind', `must be 'csv', 'json' or 'avro', got '${(value as { kind?: string } | undefined)?.kind}'`)];
  }
};

function csvProblems(value: CsvFormat, fields: readonly FieldSpec[]): SpecProblem[] {
  const out: SpecProblem[] = [];
  const delimiter = value.delimiter ?? ',';
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n') {
    out.push(problemAt('value.delimiter', `must be one character other than a quote or newline, got '${delimiter}'`));
  }
  const columns = Array.isArray(value.columns) ? value.columns : [];
  if (columns.length === 0) out.push(problemAt('value.columns', 'must list at least one column'));
  const names = new Set(fields.map((f) => f.name));
  columns.forEach((c, i) => {
    if (!names.has(c)) out.push(problemAt(`value.columns[${i}]`, `'${c}' is not a schema field`));
  });
  for (const f of fields) {
    if (!columns.includes(f.name) && !f.optional) out.push(problemAt('value.columns', `required schema field '${f.name}' is missing from the CSV columns`));
  }
  return out;
}

function avroProblems(value: AvroFormat): SpecProblem[] {
  if (value.schemaName === undefined || SCHEMA_NAME.test(value.schemaName)) return [];
  return [problemAt('value.schemaName', `must be 1-255 characters of [a-zA-Z0-9_.$#-], got '${value.schemaName}'`)];
}
