import { compileWindow, finalize, WindowAggregator, windowStartsFor } from '../../../lambda/core/window';
import type { WindowSpec } from '../../../model/spec';

const MIN = 60_000;

describe('windowStartsFor', () => {
  it('assigns one tumbling window', () => {
    expect(windowStartsFor(5 * MIN + 1, MIN, MIN)).toEqual([5 * MIN]);
    expect(windowStartsFor(5 * MIN, MIN, MIN)).toEqual([5 * MIN]);
  });
  it('assigns size/slide hopping windows, inclusive start and exclusive end', () => {
    expect(windowStartsFor(12 * MIN, 10 * MIN, 5 * MIN)).toEqual([5 * MIN, 10 * MIN]);
    expect(windowStartsFor(10 * MIN, 10 * MIN, 5 * MIN)).toEqual([5 * MIN, 10 * MIN]);
    expect(windowStartsFor(9 * MIN + 59_999, 10 * MIN, 5 * MIN)).toEqual([0, 5 * MIN]);
  });
});

describe('WindowAggregator', () => {
  const spec: WindowSpec = {
    name: 'w',
    kind: 'hopping',
    sizeSeconds: 600,
    slideSeconds: 300,
    groupBy: ['region'],
    aggregates: [
      { name: 'n', fn: 'count' },
      { name: 'total', fn: 'sum', field: 'amount' },
      { name: 'lo', fn: 'min', field: 'amount' },
      { name: 'hi', fn: 'max', field: 'amount' },
      { name: 'mean', fn: 'avg', field: 'amount' },
      { name: 'priced', fn: 'count', field: 'amount' },
    ],
  };
  const fields = ['region', 'amount'];
  const w = compileWindow(spec, (n) => fields.indexOf(n));

  it('aggregates per window and key, ignoring nulls where a field is named', () => {
    const agg = new WindowAggregator(w);
    agg.add(['EU', 10], 1 * MIN);
    agg.add(['EU', 30], 2 * MIN);
    agg.add(['EU', null], 3 * MIN);
    agg.add(['US', 5], 6 * MIN);
    const groups = agg.groupsSorted();
    const byKey = Object.fromEntries(groups.map((g) => [`${g.windowStart / MIN}:${g.keys[0]}`, finalize(w, g.state)]));
    expect(byKey).toEqual({
      '-5:EU': { n: 3, total: 40, lo: 10, hi: 30, mean: 20, priced: 2 },
      '0:EU': { n: 3, total: 40, lo: 10, hi: 30, mean: 20, priced: 2 },
      '0:US': { n: 1, total: 5, lo: 5, hi: 5, mean: 5, priced: 1 },
      '5:US': { n: 1, total: 5, lo: 5, hi: 5, mean: 5, priced: 1 },
    });
    expect(groups[0].windowEnd - groups[0].windowStart).toBe(10 * MIN);
    expect(agg.maxEventTime).toBe(6 * MIN);
  });

  it('merges partial states exactly like aggregating at once', () => {
    const whole = new WindowAggregator(w);
    const a = new WindowAggregator(w);
    const b = new WindowAggregator(w);
    const rows: [string, number, number][] = [
      ['EU', 3, 1],
      ['EU', 8, 2],
      ['US', 1, 7],
      ['EU', 2, 12],
    ];
    rows.forEach(([r, amount, m], i) => {
      whole.add([r, amount], m * MIN);
      (i % 2 ? a : b).add([r, amount], m * MIN);
    });
    const merged = new WindowAggregator(w);
    merged.merge(a.groupsSorted());
    merged.merge(b.groupsSorted());
    expect(merged.groupsSorted()).toEqual(whole.groupsSorted());
  });

  it('keeps null keys apart from the string "null"', () => {
    const agg = new WindowAggregator(w);
    agg.add([null, 1], 0);
    agg.add(['null', 1], 0);
    expect(
      agg
        .groupsSorted()
        .filter((g) => g.windowStart === 0)
        .map((g) => g.keys[0]),
    ).toEqual(expect.arrayContaining([null, 'null']));
  });
});
