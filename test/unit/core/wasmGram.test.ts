import { describe, expect, it } from 'vitest';
import { gram, sharedGram } from '../../../src/core/linalg.ts';
import { gaussian, mulberry32 } from '../../../src/core/random.ts';
import { wasmGram } from '../../../src/core/wasmGram.ts';

describe('wasmGram', () => {
  it.each([
    [1, 1],
    [5, 3],
    [17, 9],
    [64, 16],
    [300, 37],
  ])('equals the JS Gram bit for bit (same order of sums), exactly symmetric: X %i×%i', (n, d) => {
    const g = gaussian(mulberry32(n * 7 + d));
    const x = { rows: n, cols: d, data: new Float64Array(n * d).map(() => g()) };
    const a = gram(x);
    const b = wasmGram(x);
    expect(b.rows).toBe(d);
    expect(b.data).toEqual(a.data);
    for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) expect(b.data[i * d + j]).toBe(b.data[j * d + i]);
  });

  it('is what sharedGram returns (computed once per X)', () => {
    const g = gaussian(mulberry32(3));
    const x = { rows: 40, cols: 12, data: new Float64Array(480).map(() => g()) };
    const first = sharedGram(x);
    expect(first.data).toEqual(gram(x).data);
    expect(sharedGram(x)).toBe(first);
  });
});
