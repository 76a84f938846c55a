/**
 * One block per spec rule, in the style of cdk-nag's rule tests: each non-compliant spec makes the
 * rule report a problem at the named path; the compliant specs make it report nothing.
 */
import { enrichmentsRule, eventTimeRule, referencesRule, schemaRule, SPEC_RULES, valueFormatRule, windowsRule, type SpecRule } from '../../model/spec-rules';
import { withAvroValues, type DerivedEnrichment, type LookupEnrichment, type PipelineSpec, type WindowSpec } from '../../model/spec';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

const salesWith = (patch: Partial<PipelineSpec>): PipelineSpec => ({ ...sales, ...patch });
const clickstreamWith = (patch: Partial<PipelineSpec>): PipelineSpec => ({ ...clickstream, ...patch });
const salesWindowWith = (patch: Partial<WindowSpec>): PipelineSpec => salesWith({ windows: [{ ...sales.windows![0], ...patch }] });
/** A spec whose parts come from untyped input (JSON, a bad edit): any shape at all. */
const broken = (patch: Record<string, unknown>): PipelineSpec => ({ ...sales, ...patch }) as unknown as PipelineSpec;

function expectNoncompliance(rule: SpecRule, spec: PipelineSpec, path: string, message: RegExp): void {
  const problems = rule(spec);
  expect(problems).toContainEqual({ path: expect.stringContaining(path), problem: expect.stringMatching(message) });
}

function expectCompliance(rule: SpecRule, ...specs: PipelineSpec[]): void {
  for (const spec of specs) expect(rule(spec)).toEqual([]);
}

describe('schemaRule: names, topic, fields and the value size limit', () => {
  test('Noncompliance 1: pipeline name', () => {
    expectNoncompliance(schemaRule, salesWith({ name: 'Sales' }), 'name', /must match .* got 'Sales'/);
  });
  test('Noncompliance 2: topic name and partitions', () => {
    expectNoncompliance(schemaRule, salesWith({ topic: { name: 'sales topic', partitions: 3 } }), 'topic.name', /1-249 characters/);
    expectNoncompliance(schemaRule, salesWith({ topic: { name: 'sales', partitions: 1001 } }), 'topic.partitions', /from 1 to 1000, got 1001/);
  });
  test('Noncompliance 3: fields', () => {
    expectNoncompliance(schemaRule, salesWith({ schema: [] }), 'schema', /at least one field/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'Total', type: 'long' }] }), "schema[7] 'Total'", /field name must match/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'dt', type: 'string' }] }), "'dt'", /reserved/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'note', type: 'text' as never }] }), "'note'", /unknown type 'text'/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'note', type: 'string', min: 1 }] }), "'note'", /min\/max apply to numeric fields only/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'qty', type: 'int', min: 5, max: 1 }] }), "'qty'", /min 5 exceeds max 1/);
    expectNoncompliance(schemaRule, salesWith({ schema: [...sales.schema, { name: 'note', type: 'string', maxLength: 0 }] }), "'note'", /maxLength must be a positive integer/);
  });
  test('Noncompliance 4: value size limit', () => {
    expectNoncompliance(schemaRule, salesWith({ maxValueBytes: 8 }), 'maxValueBytes', /from 16 to 6291456 \(the Lambda payload limit\), got 8/);
  });
  test('Noncompliance 5: every broken field, not only the first', () => {
    const problems = schemaRule(salesWith({ schema: [...sales.schema, { name: 'kafka_key', type: 'string' }, { name: 'amount', type: 'long' }] }));
    expect(problems.map((p) => p.path)).toEqual(["schema[7] 'kafka_key'", "schema[8] 'amount'"]);
  });
  test('Noncompliance 6: a schema that is not a list, a topic that is missing', () => {
    expect(schemaRule(broken({ schema: 'amount', topic: undefined })).map((p) => p.path)).toEqual(['topic.name', 'topic.partitions', 'schema']);
  });
  test('Compliance', () => {
    expectCompliance(schemaRule, sales, clickstream, salesWith({ maxValueBytes: 16 }), salesWith({ maxValueBytes: 6 * 1024 * 1024 }));
  });
});

describe('valueFormatRule: CSV columns and delimiter, JSON, Avro', () => {
  const csv = (columns: string[], delimiter?: string): PipelineSpec => clickstreamWith({ value: { kind: 'csv', columns, delimiter } });
  test('Noncompliance 1: CSV delimiter', () => {
    expectNoncompliance(valueFormatRule, csv(['recordtime', 'eventid', 'url', 'ip'], ';;'), 'value.delimiter', /one character other than a quote or newline, got ';;'/);
    expectNoncompliance(valueFormatRule, csv(['recordtime', 'eventid', 'url', 'ip'], '"'), 'value.delimiter', /one character/);
  });
  test('Noncompliance 2: CSV columns', () => {
    expectNoncompliance(valueFormatRule, csv([]), 'value.columns', /at least one column/);
    expectNoncompliance(valueFormatRule, csv(['recordtime', 'eventid', 'url', 'ip', 'ua']), 'value.columns[4]', /'ua' is not a schema field/);
    expectNoncompliance(valueFormatRule, csv(['recordtime', 'eventid', 'url']), 'value.columns', /required schema field 'ip' is missing from the CSV columns/);
  });
  test('Noncompliance 3: Avro schema name', () => {
    expectNoncompliance(valueFormatRule, salesWith({ value: { kind: 'avro', schemaName: 'sales value' } }), 'value.schemaName', /1-255 characters/);
  });
  test('Noncompliance 4: unknown kind', () => {
    expectNoncompliance(valueFormatRule, broken({ value: { kind: 'xml' } }), 'value.kind', /must be 'csv', 'json' or 'avro', got 'xml'/);
    expectNoncompliance(valueFormatRule, broken({ value: undefined }), 'value.kind', /got 'undefined'/);
  });
  test('Compliance', () => {
    const optionalIp = clickstreamWith({
      schema: clickstream.schema.map((f) => (f.name === 'ip' ? { ...f, optional: true } : f)),
      value: { kind: 'csv', columns: ['recordtime', 'eventid', 'url'], delimiter: '\t' },
    });
    expectCompliance(valueFormatRule, sales, clickstream, withAvroValues(sales), salesWith({ value: { kind: 'avro', schemaName: 'com.example.Sale-v1' } }), optionalIp);
  });
});

describe('eventTimeRule: a required timestamp field, its encoding and bounds', () => {
  const eventTime = sales.eventTime;
  test('Noncompliance 1: field', () => {
    expectNoncompliance(eventTimeRule, salesWith({ eventTime: { ...eventTime, field: 'paid_at' } }), 'eventTime.field', /'paid_at' is not a schema field/);
    expectNoncompliance(eventTimeRule, salesWith({ eventTime: { ...eventTime, field: 'amount' } }), 'eventTime.field', /'amount' must have type timestamp, not double/);
    const optional = salesWith({ schema: sales.schema.map((f) => (f.name === 'payment_date' ? { ...f, optional: true } : f)) });
    expectNoncompliance(eventTimeRule, optional, 'eventTime.field', /'payment_date' must not be optional/);
  });
  test('Noncompliance 2: encoding', () => {
    expectNoncompliance(
      eventTimeRule,
      salesWith({ eventTime: { ...eventTime, encoding: 'rfc-2822' as never } }),
      'eventTime.encoding',
      /must be 'epoch-millis' or 'iso-8601', got 'rfc-2822'/,
    );
  });
  test('Noncompliance 3: bounds', () => {
    expectNoncompliance(eventTimeRule, salesWith({ eventTime: { ...eventTime, notBefore: 'last year' } }), 'eventTime.notBefore', /'last year' is not an ISO date/);
    expectNoncompliance(eventTimeRule, salesWith({ eventTime: { ...eventTime, maxFutureSeconds: -1 } }), 'eventTime.maxFutureSeconds', /non-negative number, got -1/);
  });
  test('Noncompliance 4: no event time, no schema', () => {
    expect(eventTimeRule(broken({ eventTime: undefined, schema: undefined })).map((p) => p.path)).toEqual(['eventTime.field', 'eventTime.encoding']);
  });
  test('Compliance', () => {
    expectCompliance(eventTimeRule, sales, clickstream, salesWith({ eventTime: { ...eventTime, notBefore: '2020-06-01', maxFutureSeconds: 0 } }));
  });
});

describe('referencesRule: reference data sets', () => {
  const reference = sales.references![0];
  test('Noncompliance 1: name', () => {
    expectNoncompliance(referencesRule, salesWith({ references: [{ ...reference, name: 'Country-Region' }] }), "references[0] 'Country-Region'", /name must match/);
    expectNoncompliance(referencesRule, salesWith({ references: [reference, reference] }), "references[1] 'country_region'", /duplicate reference name/);
  });
  test('Noncompliance 2: file and key column', () => {
    expectNoncompliance(referencesRule, salesWith({ references: [{ ...reference, file: '../secrets.txt' }] }), '.file', /must be a .csv file name, got '..\/secrets.txt'/);
    expectNoncompliance(referencesRule, salesWith({ references: [{ ...reference, keyColumn: 'iso' }] }), '.keyColumn', /'iso' is not one of its columns/);
  });
  test('Compliance', () => {
    expectCompliance(referencesRule, sales, clickstream);
  });
});

describe('enrichmentsRule: lookups and derived fields', () => {
  const lookup = sales.enrichments![0] as LookupEnrichment;
  const derived = clickstream.enrichments![0] as DerivedEnrichment;
  test('Noncompliance 1: output name', () => {
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [{ ...lookup, name: 'Region' }] }), "enrichments[0] 'Region'", /name must match/);
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [{ ...lookup, name: 'city' }] }), "enrichments[0] 'city'", /clashes with an existing field/);
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [lookup, lookup] }), "enrichments[1] 'region'", /clashes with an existing field/);
  });
  test('Noncompliance 2: input field', () => {
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [{ ...lookup, from: 'nation' }] }), '.from', /'nation' is not a field defined before this enrichment/);
    expectNoncompliance(enrichmentsRule, clickstreamWith({ enrichments: [{ ...derived, from: 'eventid' }] }), '.from', /'eventid' must be a string field for 'url-domain'/);
  });
  test('Noncompliance 3: lookup reference', () => {
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [{ ...lookup, reference: 'continents' }] }), '.reference', /'continents' is not declared in references/);
    expectNoncompliance(
      enrichmentsRule,
      salesWith({ enrichments: [{ ...lookup, valueColumn: 'continent' }] }),
      '.valueColumn',
      /'continent' is not a column of reference 'country_region'/,
    );
    expectNoncompliance(enrichmentsRule, salesWith({ enrichments: [{ ...lookup, default: null as never }] }), '.default', /must be a string/);
  });
  test('Noncompliance 4: function and kind', () => {
    expectNoncompliance(
      enrichmentsRule,
      clickstreamWith({ enrichments: [{ ...derived, fn: 'reverse' as never }] }),
      '.fn',
      /unknown function 'reverse' \(url-domain, lower, upper\)/,
    );
    expectNoncompliance(
      enrichmentsRule,
      broken({ enrichments: [{ kind: 'geoip', name: 'geo', from: 'city' }] }),
      "enrichments[0] 'geo'",
      /unknown enrichment kind 'geoip' \(lookup, derived\)/,
    );
  });
  test('Noncompliance 5: references that are not a list', () => {
    expect(enrichmentsRule(broken({ references: 'country_region.csv' })).map((p) => p.path)).toEqual(["enrichments[0] 'region'.reference"]);
  });
  test('Compliance', () => {
    // an enrichment may read the output of one before it
    const chained = clickstreamWith({ enrichments: [derived, { kind: 'derived', name: 'domain_upper', from: 'domain', fn: 'upper' }] });
    expectCompliance(enrichmentsRule, sales, clickstream, chained);
  });
});

describe('windowsRule: windows, summary topics, aggregates and lateness', () => {
  test('Noncompliance 1: name and kind', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ name: 'Region' }), "windows[0] 'Region'", /name must match/);
    expectNoncompliance(windowsRule, salesWith({ windows: [sales.windows![0], sales.windows![0]] }), "windows[1] 'region_10m'", /duplicate window name/);
    expectNoncompliance(windowsRule, salesWindowWith({ kind: 'session' as never }), '.kind', /must be 'tumbling' or 'hopping', got 'session'/);
  });
  test('Noncompliance 2: size', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ sizeSeconds: 8 * 86_400 }), '.sizeSeconds', /from 1 to 604800 \(7 days\), got 691200/);
    expectNoncompliance(windowsRule, salesWindowWith({ sizeSeconds: 7, slideSeconds: 7 }), '.sizeSeconds', /must divide a day/);
  });
  test('Noncompliance 3: slide', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ slideSeconds: undefined }), '.slideSeconds', /integer from 1 to sizeSeconds \(600\), got undefined/);
    expectNoncompliance(windowsRule, salesWindowWith({ slideSeconds: 420 }), '.slideSeconds', /420 does not divide sizeSeconds 600/);
    expectNoncompliance(windowsRule, salesWindowWith({ sizeSeconds: 3600, slideSeconds: 30 }), '.slideSeconds', /overlap at most 60 others \(size\/slide\), got 120/);
    expectNoncompliance(windowsRule, clickstreamWith({ windows: [{ ...clickstream.windows![0], slideSeconds: 30 }] }), '.slideSeconds', /a tumbling window slides by its size/);
  });
  test('Noncompliance 4: group-by keys', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ groupBy: ['continent'] }), '.groupBy[0]', /unknown field 'continent' \(fields: payment_id, .*, country, region\)/);
    expectNoncompliance(windowsRule, salesWindowWith({ groupBy: ['amount'] }), '.groupBy[0]', /cannot group by double field 'amount'/);
  });
  test('Noncompliance 5: summary topic', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ summaryTopic: 'sales summary' }), '.summaryTopic', /1-249 characters/);
    expectNoncompliance(windowsRule, salesWindowWith({ summaryTopic: 'sales' }), '.summaryTopic', /must differ from the input topic 'sales'/);
  });
  test('Noncompliance 6: aggregates', () => {
    expectNoncompliance(windowsRule, salesWindowWith({ aggregates: [] }), '.aggregates', /at least one aggregate/);
    expectNoncompliance(windowsRule, salesWindowWith({ aggregates: [{ name: 'region', fn: 'count' }] }), ".aggregates[0] 'region'", /clashes with another column/);
    expectNoncompliance(
      windowsRule,
      salesWindowWith({ aggregates: [{ name: 'top', fn: 'median' as never, field: 'amount' }] }),
      ".aggregates[0] 'top'.fn",
      /unknown function 'median'/,
    );
    expectNoncompliance(windowsRule, salesWindowWith({ aggregates: [{ name: 'n', fn: 'count', field: 'qty' }] }), ".aggregates[0] 'n'.field", /unknown field 'qty'/);
    expectNoncompliance(windowsRule, salesWindowWith({ aggregates: [{ name: 'total', fn: 'sum' }] }), ".aggregates[0] 'total'.field", /sum needs a field; 'undefined' is not one/);
    expectNoncompliance(
      windowsRule,
      salesWindowWith({ aggregates: [{ name: 'total', fn: 'max', field: 'city' }] }),
      ".aggregates[0] 'total'.field",
      /max needs a numeric field; 'city' is string/,
    );
  });
  test('Noncompliance 7: lateness', () => {
    expectNoncompliance(windowsRule, salesWith({ allowedLatenessSeconds: -1 }), 'allowedLatenessSeconds', /from 0 to 604800, got -1/);
  });
  test('Noncompliance 8: a broken schema or enrichment is reported by its own rule, not again here', () => {
    // no schema at all: the group-by and aggregate fields are unknown, and nothing throws
    expect(windowsRule(broken({ schema: undefined, enrichments: undefined, topic: undefined })).map((p) => p.path)).toEqual([
      "windows[0] 'region_10m'.groupBy[0]",
      "windows[0] 'region_10m'.aggregates[0] 'sales'.field",
    ]);
    // the enrichment reads a field that does not exist, but its output is still a field here
    expectCompliance(windowsRule, salesWith({ enrichments: [{ ...sales.enrichments![0], from: 'nation' }] }));
  });
  test('Compliance', () => {
    expectCompliance(
      windowsRule,
      sales,
      clickstream,
      salesWindowWith({ sizeSeconds: 2 * 86_400, slideSeconds: 86_400, summaryTopic: undefined }),
      salesWith({ windows: undefined, allowedLatenessSeconds: 0 }),
    );
  });
});

describe('SPEC_RULES', () => {
  it('finds nothing in the shipped specs, in any of their value formats', () => {
    for (const spec of [sales, clickstream, withAvroValues(sales), withAvroValues(clickstream)]) {
      expect(SPEC_RULES.flatMap((rule) => rule(spec))).toEqual([]);
    }
  });

  it('never throws on a spec that is broken everywhere', () => {
    const wreck = { name: 7, topic: null, value: null, schema: {}, eventTime: null, references: 'x', enrichments: 3, windows: 'w' } as unknown as PipelineSpec;
    for (const rule of SPEC_RULES) expect(() => rule(wreck)).not.toThrow();
  });
});
