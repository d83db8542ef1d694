import { describe, expect, it } from 'vitest';
import { matrixRows, toCsv } from '../../../src/ui/figure.ts';

describe('figure data', () => {
  it('CSV quotes what needs quoting and leaves no NaN', () => {
    expect(
      toCsv([
        { method: 'gd', error: 0.25 },
        { method: 'a,"b"', error: Number.NaN },
      ]),
    ).toBe('method,error\ngd,0.25\n"a,""b""",\n');
    expect(toCsv([])).toBe('');
  });

  it('matrix rows walk row-major and can skip entries', () => {
    expect(matrixRows([1, 2, 3, 4], 2, 2, (i, j) => j > i)).toEqual([
      { i: 0, j: 0, value: 1 },
      { i: 1, j: 0, value: 3 },
      { i: 1, j: 1, value: 4 },
    ]);
  });
});

describe('figure CSV columns', () => {
  it('keeps a column that only a later row has', () => {
    expect(toCsv([{ a: 1 }, { a: 2, b: 3 }])).toBe('a,b\n1,\n2,3\n');
  });
});
