/** Event time rule: the field (a required timestamp), its encoding and its bounds. */
import type { EventTimeSpec, FieldSpec } from '../spec';
import { problemAt, type SpecProblem, type SpecRule } from './problem';
import { schemaFieldsOf } from './vocabulary';

const ENCODINGS: readonly EventTimeSpec['encoding'][] = ['epoch-millis', 'iso-8601'];

export const eventTimeRule: SpecRule = (spec) => {
  const eventTime: Partial<EventTimeSpec> = spec.eventTime ?? {};
  return [...timeFieldProblems(eventTime.field, schemaFieldsOf(spec)), ...encodingProblems(eventTime), ...boundsProblems(eventTime)];
};

function timeFieldProblems(name: string | undefined, fields: readonly FieldSpec[]): SpecProblem[] {
  const field = fields.find((f) => f.name === name);
  if (!field) return [problemAt('eventTime.field', `'${name}' is not a schema field`)];
  if (field.type !== 'timestamp') return [problemAt('eventTime.field', `'${field.name}' must have type timestamp, not ${field.type}`)];
  if (field.optional) return [problemAt('eventTime.field', `'${field.name}' must not be optional`)];
  return [];
}

function encodingProblems({ encoding }: Partial<EventTimeSpec>): SpecProblem[] {
  if (encoding !== undefined && ENCODINGS.includes(encoding)) return [];
  return [problemAt('eventTime.encoding', `must be 'epoch-millis' or 'iso-8601', got '${encoding}'`)];
}

function boundsProblems({ notBefore, maxFutureSeconds }: Partial<EventTimeSpec>): SpecProblem[] {
  const out: SpecProblem[] = [];
  if (notBefore !== undefined && Number.isNaN(Date.parse(notBefore))) out.push(problemAt('eventTime.notBefore', `'${notBefore}' is not an ISO date`));
  if (maxFutureSeconds !== undefined && (!Number.isFinite(maxFutureSeconds) || maxFutureSeconds < 0)) {
    out.push(problemAt('eventTime.maxFutureSeconds', `must be a non-negative number, got ${maxFutureSeconds}`));
  }
  return out;
}
