import { parseGeneratorInput } from '../../../lambda/handlers/generator';

describe('generator function input', () => {
  it('accepts a pipeline, count and rate, with defaults', () => {
    expect(parseGeneratorInput({ pipeline: 'sales', count: 500, ratePerSecond: 50, seed: 3 })).toEqual({ pipeline: 'sales', count: 500, ratePerSecond: 50, seed: 3, malformedRatio: 0 });
    expect(parseGeneratorInput({ pipeline: 'clickstream' })).toMatchObject({ count: 1000, ratePerSecond: 1000 });
  });
  it.each([
    [{ pipeline: 'tweets' }, "unknown pipeline 'tweets'"],
    [{ pipeline: 'sales', count: 0 }, 'count must be an integer from 1 to 1000000'],
    [{ pipeline: 'sales', ratePerSecond: -1 }, 'ratePerSecond must be a number from 1 to 100000'],
    [{ pipeline: 'sales', malformedRatio: 2 }, 'malformedRatio must be from 0 to 1'],
  ])('rejects %j', (input, message) => {
    expect(() => parseGeneratorInput(input)).toThrow(message);
  });
});
