/**
 * Reference and enrichment rules: reference data sets declared once with their key column, and
 * enrichments that read fields defined before them and references that are declared.
 */
import type { DerivedEnrichment, Enrichment, FieldSpec, LookupEnrichment, PipelineSpec, ReferenceSpec } from '../spec';
import { problemAt, type SpecProblem, type SpecRule } from './problem';
import { DERIVED_FUNCTIONS, IDENTIFIER, RESERVED_COLUMNS, schemaFieldsOf } from './vocabulary';

const REFERENCE_FILE = /^[a-zA-Z0-9._-]+\.csv$/;

export const referencesRule: SpecRule = (spec) => {
  const seen = new Set<string>();
  return referencesOf(spec).flatMap((r, i) => {
    const duplicate = seen.has(r.name);
    seen.add(r.name);
    return referenceProblems(r, `references[${i}] '${r.name}'`, duplicate);
  });
};

function referenceProblems(r: ReferenceSpec, path: string, duplicate: boolean): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!IDENTIFIER.test(r.name)) out.push(problemAt(path, `name must match ${IDENTIFIER}`));
  if (duplicate) out.push(problemAt(path, 'duplicate reference name'));
  if (!REFERENCE_FILE.test(r.file)) out.push(problemAt(`${path}.file`, `must be a .csv file name, got '${r.file}'`));
  if (!(r.columns ?? []).includes(r.keyColumn)) out.push(problemAt(`${path}.keyColumn`, `'${r.keyColumn}' is not one of its columns`));
  return out;
}

export const enrichmentsRule: SpecRule = (spec) => {
  const references = new Map<string, ReferenceSpec>();
  for (const r of referencesOf(spec)) if (!references.has(r.name)) references.set(r.name, r);
  // each enrichment reads the schema and the outputs of the enrichments before it
  const available = new Map<string, FieldSpec>(schemaFieldsOf(spec).map((f) => [f.name, f]));
  return (Array.isArray(spec.enrichments) ? spec.enrichments : []).flatMap((e, i) => {
    const problems = enrichmentProblems(e, `enrichments[${i}] '${e.name}'`, available, references);
    if (!available.has(e.name)) available.set(e.name, { name: e.name, type: 'string' });
    return problems;
  });
};

function enrichmentProblems(e: Enrichment, path: string, available: ReadonlyMap<string, FieldSpec>, references: ReadonlyMap<string, ReferenceSpec>): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!IDENTIFIER.test(e.name)) out.push(problemAt(path, `name must match ${IDENTIFIER}`));
  if (available.has(e.name) || RESERVED_COLUMNS.includes(e.name)) out.push(problemAt(path, 'output name clashes with an existing field'));
  const from = available.get(e.from);
  if (!from) out.push(problemAt(`${path}.from`, `'${e.from}' is not a field defined before this enrichment`));
  if (e.kind === 'lookup') out.push(...lookupProblems(e, path, references));
  else if (e.kind === 'derived') out.push(...derivedProblems(e, path, from));
  else out.push(problemAt(path, `unknown enrichment kind '${(e as { kind?: string }).kind}' (lookup, derived)`));
  return out;
}

function lookupProblems(e: LookupEnrichment, path: string, references: ReadonlyMap<string, ReferenceSpec>): SpecProblem[] {
  const out: SpecProblem[] = [];
  const ref = references.get(e.reference);
  if (!ref) out.push(problemAt(`${path}.reference`, `'${e.reference}' is not declared in references`));
  else if (!(ref.columns ?? []).includes(e.valueColumn)) out.push(problemAt(`${path}.valueColumn`, `'${e.valueColumn}' is not a column of reference '${ref.name}'`));
  if (typeof e.default !== 'string') out.push(problemAt(`${path}.default`, 'must be a string'));
  return out;
}

function derivedProblems(e: DerivedEnrichment, path: string, from: FieldSpec | undefined): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (!DERIVED_FUNCTIONS.includes(e.fn)) out.push(problemAt(`${path}.fn`, `unknown function '${e.fn}' (${DERIVED_FUNCTIONS.join(', ')})`));
  if (from && from.type !== 'string') out.push(problemAt(`${path}.from`, `'${e.from}' must be a string field for '${e.fn}'`));
  return out;
}

function referencesOf(spec: PipelineSpec): readonly ReferenceSpec[] {
  return Array.isArray(spec.references) ? spec.references : [];
}
