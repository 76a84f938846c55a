/** Schema rule: the pipeline and topic names, the fields (names, types, bounds) and the value size limit. */
import type { FieldSpec, PipelineSpec } from '../spec';
import { problemAt, type SpecProblem, type SpecRule } from './problem';
import { FIELD_TYPES, IDENTIFIER, NUMERIC_TYPES, RESERVED_COLUMNS, TOPIC_NAME } from './vocabulary';

/** Largest value accepted: the Lambda synchronous invocation payload limit (6 MB). */
const MAX_VALUE_BYTES_LIMIT = 6 * 1024 * 1024;

export const schemaRule: SpecRule = (spec) => [...nameProblems(spec), ...topicProblems(spec), ...fieldsProblems(spec), ...maxValueBytesProblems(spec)];

function nameProblems(spec: PipelineSpec): SpecProblem[] {
  if (IDENTIFIER.test(spec.name ?? '')) return [];
  return [problemAt('name', `must match ${IDENTIFIER} (lower case, starts with a letter, at most 40 chars), got '${spec.name}'`)];
}

function topicProblems(spec: PipelineSpec): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!TOPIC_NAME.test(spec.topic?.name ?? '')) {
    out.push(problemAt('topic.name', `must be 1-249 characters of [a-zA-Z0-9._-], got '${spec.topic?.name}'`));
  }
  const partitions = spec.topic?.partitions;
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1000) {
    out.push(problemAt('topic.partitions', `must be an integer from 1 to 1000, got ${partitions}`));
  }
  return out;
}

function fieldsProblems(spec: PipelineSpec): SpecProblem[] {
  if (!Array.isArray(spec.schema) || spec.schema.length === 0) return [problemAt('schema', 'must declare at least one field')];
  const seen = new Set<string>();
  return spec.schema.flatMap((f, i) => {
    const duplicate = seen.has(f.name);
    seen.add(f.name);
    return fieldProblems(f, duplicate).map((p) => problemAt(`schema[${i}] '${f.name}'`, p));
  });
}

function fieldProblems(f: FieldSpec, duplicate: boolean): string[] {
  const out: string[] = [];
  if (!IDENTIFIER.test(f.name)) out.push(`field name must match ${IDENTIFIER}`);
  if (RESERVED_COLUMNS.includes(f.name)) out.push(`field name is reserved (${RESERVED_COLUMNS.join(', ')})`);
  if (duplicate) out.push('duplicate field name');
  if (!FIELD_TYPES.includes(f.type)) out.push(`unknown type '${f.type}' (${FIELD_TYPES.join(', ')})`);
  if ((f.min !== undefined || f.max !== undefined) && !NUMERIC_TYPES.includes(f.type)) out.push(`min/max apply to numeric fields only, not '${f.type}'`);
  if (f.min !== undefined && f.max !== undefined && f.min > f.max) out.push(`min ${f.min} exceeds max ${f.max}`);
  if (f.maxLength !== undefined && (!Number.isInteger(f.maxLength) || f.maxLength < 1)) out.push(`maxLength must be a positive integer, got ${f.maxLength}`);
  return out;
}

function maxValueBytesProblems(spec: PipelineSpec): SpecProblem[] {
  const maxBytes = spec.maxValueBytes;
  if (maxBytes === undefined || (Number.isInteger(maxBytes) && maxBytes >= 16 && maxBytes <= MAX_VALUE_BYTES_LIMIT)) return [];
  return [problemAt('maxValueBytes', `must be an integer from 16 to ${MAX_VALUE_BYTES_LIMIT} (the Lambda payload limit), got ${maxBytes}`)];
}
