import { DAY_MS, dayOf, referenceKey, referencePrefix } from '../../model/layout';
import { sales } from '../../pipelines/sales';

describe('lake layout', () => {
  it("gives an instant's day partition as Iceberg's day() does: days since 1970-01-01 UTC, rounding down", () => {
    expect(dayOf(Date.UTC(2026, 10, 22, 0, 0, 0, 0))).toBe(Date.UTC(2026, 10, 22) / DAY_MS);
    expect(dayOf(Date.UTC(2026, 10, 22, 23, 59, 59, 999))).toBe(Date.UTC(2026, 10, 22) / DAY_MS);
    expect(dayOf(0)).toBe(0);
    // before 1970 the day is negative and rounds down
    expect(dayOf(Date.UTC(1969, 11, 31, 23))).toBe(-1);
    expect(dayOf(-1)).toBe(-1);
  });

  it('keeps reference data in one folder per table', () => {
    expect(referenceKey(sales.references![0])).toBe('reference/country_region/country_region.csv');
    expect(referencePrefix(sales.references![0])).toBe('reference/country_region/');
  });
});
