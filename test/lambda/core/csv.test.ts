import { parseCsvFile, parseCsvLine } from '../../../lambda/core/csv';

describe('parseCsvLine', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c', ['a', '', 'c']],
    ['"a,1","b ""q""",c', ['a,1', 'b "q"', 'c']],
    ['"multi\nline",x', ['multi\nline', 'x']],
    ['a,b\n', ['a', 'b']],
    ['a,b\r\n', ['a', 'b']],
    ['"a"\r\n', ['a']],
    ['', ['']],
  ])('parses %j', (text, fields) => {
    expect(parseCsvLine(text)).toEqual({ ok: true, fields });
  });

  it.each([
    ['"unterminated,b', /unterminated/],
    ['"a"x,b', /after closing quote/],
    ['a"b,c', /quote inside an unquoted field/],
    ['a,b\nc,d', /line break outside quotes/],
    ['"a",b\nc', /line break outside quotes/],
  ])('rejects %j', (text, problem) => {
    const r = parseCsvLine(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });

  it('honours another delimiter', () => {
    expect(parseCsvLine('a;b,c;"d;e"', ';')).toEqual({ ok: true, fields: ['a', 'b,c', 'd;e'] });
  });
});

describe('parseCsvFile', () => {
  it('reads a header file with quoted line breaks, a BOM and CRLF', () => {
    const { header, rows } = parseCsvFile('\uFEFFcountry,region\r\n"Bonaire, Sint Eustatius",Latin America\r\nFrance,Europe\r\n\r\n');
    expect(header).toEqual(['country', 'region']);
    expect(rows).toEqual([
      { country: 'Bonaire, Sint Eustatius', region: 'Latin America' },
      { country: 'France', region: 'Europe' },
    ]);
  });

  it('names the bad line', () => {
    expect(() => parseCsvFile('a,b\n1,2\n3\n')).toThrow(/line 3: 1 columns, header has 2/);
  });
});
