import { publishesSummaries, requirementsOf } from '../../model/requirements';
import { withAvroValues } from '../../model/spec';
import { clickstream } from '../../pipelines/clickstream';
import { sales } from '../../pipelines/sales';

describe('requirementsOf', () => {
  it('clickstream: no registry, no summary topic, no reference data', () => {
    const r = requirementsOf(clickstream);
    expect(r.schemaRegistry).toBe(false);
    expect(publishesSummaries(r)).toBe(false);
    expect(r.references).toEqual([]);
    expect(r.summaryTopics).toEqual([]);
  });

  it('sales: a summary topic and the country → region reference; a registry only with Avro values', () => {
    const r = requirementsOf(sales);
    expect(r.schemaRegistry).toBe(false);
    expect(r.summaryTopics).toEqual(['sales.summary']);
    expect(r.references.map((ref) => ref.name)).toEqual(['country_region']);
    expect(requirementsOf(withAvroValues(sales)).schemaRegistry).toBe(true);
  });
});
