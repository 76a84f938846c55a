import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileEnrichment, loadReferenceTable, urlDomain } from '../../../lambda/core/enrich';
import { DEMO_COUNTRIES } from '../../../lambda/traffic/generate';
import { sales } from '../../../pipelines/sales';

const ref = sales.references![0];
const csv = readFileSync(join(__dirname, '../../../pipelines/reference', ref.file), 'utf8');

describe('urlDomain', () => {
  it.each([
    ['www.amazon5.com', 'amazon5.com'],
    ['https://WWW.Example.com:8443/a/b?q=1#x', 'example.com'],
    ['http://user:pw@shop.example.org/path', 'shop.example.org'],
    ['example.net?x=1', 'example.net'],
    ['http://[::1]:8080/', '[::1]'],
    ['', null],
    ['https:///nohost', null],
  ])('%s → %s', (url, domain) => {
    expect(urlDomain(url)).toBe(domain);
  });
});

describe('reference lookup', () => {
  const table = loadReferenceTable(ref, csv);
  const region = compileEnrichment(sales.enrichments![0], new Map([[ref.name, table]]));

  it('ships most of the world', () => {
    expect(table.size).toBeGreaterThan(190);
  });

  it('covers every country the generator emits, except the deliberate unknowns', () => {
    const unknown = DEMO_COUNTRIES.filter((c) => region(c) === 'Unassigned');
    expect(unknown).toEqual(['Atlantis', 'Wakanda']);
  });

  it('matches case- and space-insensitively and defaults to Unassigned', () => {
    expect(region('France')).toBe('Europe');
    expect(region('  united states ')).toBe('North America');
    expect(region('Narnia')).toBe('Unassigned');
    expect(region(null)).toBe('Unassigned');
  });

  it('fails loudly on a reference file without the declared columns', () => {
    expect(() => loadReferenceTable(ref, 'nation,area\nFrance,Europe\n')).toThrow(/column 'country' missing/);
  });
});
