import { describe, expect, it } from 'vitest';
import { countPruned, maskPruneLowestGlobal, maskPruneLowestPerColumn, maskPruneNM, parseNM, prunedCount } from '../../../src/core/mask.ts';
import { fromNested, toNested } from '../../../src/core/matrix.ts';

describe('masks', () => {
  it('global pruning breaks ties by flat index (stable ascending sort)', () => {
    const s = fromNested([
      [1, 0, 1],
      [0, 2, 0],
    ]);
    expect(toNested(maskPruneLowestGlobal(s, 2))).toEqual([
      [1, 0, 1],
      [0, 1, 1],
    ]);
    expect(toNested(maskPruneLowestGlobal(s, 4))).toEqual([
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it('per-column pruning compares entries within a column only', () => {
    const s = fromNested([
      [5, 1],
      [1, 9],
      [3, 8],
    ]);
    expect(toNested(maskPruneLowestPerColumn(s, 1))).toEqual([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
  });

  it('N:M masks have N zeros in every group of M consecutive rows of every column', () => {
    const rows = Array.from({ length: 8 }, (_, i) => Array.from({ length: 3 }, (_, j) => Math.sin(7 * i + 3 * j)));
    for (const [n, m] of [
      [2, 4],
      [4, 8],
      [1, 2],
    ]) {
      const mask = maskPruneNM(fromNested(rows), n, m);
      for (let j = 0; j < 3; j++) {
        for (let g = 0; g < 8; g += m) {
          let zeros = 0;
          for (let t = 0; t < m; t++) if (mask.data[(g + t) * 3 + j] === 0) zeros++;
          expect(zeros).toBe(n);
        }
      }
      expect(countPruned(mask)).toBe((8 / m) * n * 3);
    }
  });

  it('parses N:M and rejects nonsense', () => {
    expect(parseNM('2:4', 8)).toEqual({ kind: 'nm', n: 2, m: 4 });
    expect(() => parseNM('4:2')).toThrow(/N < M/);
    expect(() => parseNM('2-4')).toThrow(/bad N:M/);
    expect(() => parseNM('2:4', 6)).toThrow(/multiple of M/);
  });

  it('⌊p·d²⌋ is exact at products that round-trip badly in binary', () => {
    expect(prunedCount(10, 0.7)).toBe(70);
    expect(prunedCount(10, 0.29)).toBe(29);
    expect(prunedCount(4, 0.5)).toBe(8);
    expect(prunedCount(64, 0.9)).toBe(3686);
  });
});
