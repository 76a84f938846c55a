/**
 * Window rule: names, kind, size and slide (aligned to UTC midnight), group-by keys, summary
 * topics and aggregates of each window, and the allowed lateness that makes windows final.
 */
import type { AggregateSpec, FieldSpec, PipelineSpec, WindowSpec } from '../spec';
import { problemAt, type SpecProblem, type SpecRule } from './problem';
import { AGGREGATE_FUNCTIONS, IDENTIFIER, NUMERIC_TYPES, RESERVED_COLUMNS, TOPIC_NAME, outputFieldMap } from './vocabulary';

const DAY = 86_400;
const MAX_WINDOW_SECONDS = 7 * DAY;
/** A record updates size/slide windows; more would multiply the rows written per record. */
const MAX_OVERLAP = 60;

type Fields = ReadonlyMap<string, FieldSpec>;

export const windowsRule: SpecRule = (spec) => {
  const fields = outputFieldMap(spec);
  const seen = new Set<string>();
  const windows = (Array.isArray(spec.windows) ? spec.windows : []).flatMap((w, i) => {
    const duplicate = seen.has(w.name);
    seen.add(w.name);
    return windowProblems(w, `windows[${i}] '${w.name}'`, duplicate, fields, spec.topic?.name);
  });
  return [...windows, ...latenessProblems(spec)];
};

function windowProblems(w: WindowSpec, path: string, duplicate: boolean, fields: Fields, inputTopic: string | undefined): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!IDENTIFIER.test(w.name)) out.push(problemAt(path, `name must match ${IDENTIFIER}`));
  if (duplicate) out.push(problemAt(path, 'duplicate window name'));
  if (w.kind !== 'tumbling' && w.kind !== 'hopping') out.push(problemAt(`${path}.kind`, `must be 'tumbling' or 'hopping', got '${w.kind}'`));
  const size = sizeProblems(w, path);
  out.push(...size);
  // a slide is checked against the size, so only once the size is valid
  if (size.length === 0) out.push(...slideProblems(w, path));
  out.push(...groupByProblems(w, path, fields));
  if (!Array.isArray(w.aggregates) || w.aggregates.length === 0) out.push(problemAt(`${path}.aggregates`, 'must list at least one aggregate'));
  out.push(...summaryTopicProblems(w, path, inputTopic));
  out.push(...aggregatesProblems(w, path, fields));
  return out;
}

function sizeProblems({ sizeSeconds: size }: WindowSpec, path: string): SpecProblem[] {
  if (!Number.isInteger(size) || size < 1 || size > MAX_WINDOW_SECONDS) {
    return [problemAt(`${path}.sizeSeconds`, `must be an integer from 1 to ${MAX_WINDOW_SECONDS} (7 days), got ${size}`)];
  }
  if (DAY % size !== 0 && size % DAY !== 0) {
    return [problemAt(`${path}.sizeSeconds`, `must divide a day or be a whole number of days so windows align to UTC midnight, got ${size}`)];
  }
  return [];
}

function slideProblems({ kind, sizeSeconds: size, slideSeconds: slide }: WindowSpec, path: string): SpecProblem[] {
  const at = (problem: string) => [problemAt(`${path}.slideSeconds`, problem)];
  if (kind === 'tumbling') return slide !== undefined && slide !== size ? at('a tumbling window slides by its size; use kind hopping for another slide') : [];
  if (kind !== 'hopping') return [];
  if (slide === undefined || !Number.isInteger(slide) || slide < 1 || slide > size) return at(`must be an integer from 1 to sizeSeconds (${size}), got ${slide}`);
  if (size % slide !== 0) return at(`${slide} does not divide sizeSeconds ${size}`);
  if (size / slide > MAX_OVERLAP) return at(`a window may overlap at most ${MAX_OVERLAP} others (size/slide), got ${size / slide}`);
  return [];
}

function groupByProblems(w: WindowSpec, path: string, fields: Fields): SpecProblem[] {
  return groupByOf(w).flatMap((g, j) => {
    const f = fields.get(g);
    if (!f) return [problemAt(`${path}.groupBy[${j}]`, `unknown field '${g}' (fields: ${[...fields.keys()].join(', ')})`)];
    if (f.type === 'timestamp' || f.type === 'double') return [problemAt(`${path}.groupBy[${j}]`, `cannot group by ${f.type} field '${g}'`)];
    return [];
  });
}

function summaryTopicProblems({ summaryTopic }: WindowSpec, path: string, inputTopic: string | undefined): SpecProblem[] {
  if (summaryTopic === undefined) return [];
  if (!TOPIC_NAME.test(summaryTopic)) return [problemAt(`${path}.summaryTopic`, `must be 1-249 characters of [a-zA-Z0-9._-], got '${summaryTopic}'`)];
  if (summaryTopic === inputTopic) return [problemAt(`${path}.summaryTopic`, `must differ from the input topic '${inputTopic}'`)];
  return [];
}

function aggregatesProblems(w: WindowSpec, path: string, fields: Fields): SpecProblem[] {
  const seen = new Set<string>();
  return (Array.isArray(w.aggregates) ? w.aggregates : []).flatMap((a, j) => {
    const clashes = seen.has(a.name) || groupByOf(w).includes(a.name) || RESERVED_COLUMNS.includes(a.name);
    seen.add(a.name);
    return aggregateProblems(a, `${path}.aggregates[${j}] '${a.name}'`, clashes, fields);
  });
}

function aggregateProblems(a: AggregateSpec, path: string, clashes: boolean, fields: Fields): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!IDENTIFIER.test(a.name)) out.push(problemAt(path, `name must match ${IDENTIFIER}`));
  if (clashes) out.push(problemAt(path, 'name clashes with another column'));
  if (!AGGREGATE_FUNCTIONS.includes(a.fn)) out.push(problemAt(`${path}.fn`, `unknown function '${a.fn}' (${AGGREGATE_FUNCTIONS.join(', ')})`));
  if (a.fn === 'count') {
    if (a.field !== undefined && !fields.has(a.field)) out.push(problemAt(`${path}.field`, `unknown field '${a.field}'`));
    return out;
  }
  const f = a.field === undefined ? undefined : fields.get(a.field);
  if (!f) out.push(problemAt(`${path}.field`, `${a.fn} needs a field; '${a.field}' is not one`));
  else if (!NUMERIC_TYPES.includes(f.type)) out.push(problemAt(`${path}.field`, `${a.fn} needs a numeric field; '${f.name}' is ${f.type}`));
  return out;
}

function latenessProblems({ allowedLatenessSeconds: lateness }: PipelineSpec): SpecProblem[] {
  if (lateness === undefined || (Number.isInteger(lateness) && lateness >= 0 && lateness <= MAX_WINDOW_SECONDS)) return [];
  return [problemAt('allowedLatenessSeconds', `must be an integer from 0 to ${MAX_WINDOW_SECONDS}, got ${lateness}`)];
}

const groupByOf = (w: WindowSpec): readonly string[] => (Array.isArray(w.groupBy) ? w.groupBy : []);
