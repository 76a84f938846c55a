import { PIPELINE_NAMES, pipelineByName } from '../../pipelines';

describe('pipeline registry', () => {
  it('ships clickstream and sales, validated', () => {
    expect(PIPELINE_NAMES).toEqual(['clickstream', 'sales']);
    expect(pipelineByName('sales').topic).toEqual({ name: 'sales', partitions: 3 });
  });
  it('names the known pipelines when asked for an unknown one', () => {
    expect(() => pipelineByName('tweets')).toThrow("unknown pipeline 'tweets' (known: clickstream, sales)");
  });
});
