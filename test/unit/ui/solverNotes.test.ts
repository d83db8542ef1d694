import { describe, expect, it } from 'vitest';
import { solverSentences } from '../../../src/ui/solverNotes.ts';

describe('solver notes as sentences', () => {
  it('ends every note with a full stop, so joined notes do not run together', () => {
    const out = solverSentences([
      { label: 'Gradient descent', notes: ['armijo steps: 0 of 60 raised L'] },
      { label: 'SparseGPT', notes: ['damping raised to 0.1.'] },
    ]);
    expect(out).toEqual(['Gradient descent: armijo steps: 0 of 60 raised L.', 'SparseGPT: damping raised to 0.1.']);
    expect(out.join(' ')).not.toMatch(/[a-zA-Z0-9] [A-Z][a-z]+ [a-z]+ search:/);
  });

  it('writes a note several methods share once, after all their names', () => {
    const swap = 'ours: attention swap search, 300 evaluations, 12 swaps accepted';
    const out = solverSentences([
      { label: 'Attention swap search', notes: [swap] },
      { label: 'Swap search + reconstruction', notes: [swap, 'ours: attention-aware reconstruction in 20 Armijo steps'] },
      { label: 'Magnitude', notes: [] },
    ]);
    expect(out).toEqual([
      `Attention swap search and Swap search + reconstruction: ${swap}.`,
      'Swap search + reconstruction: ours: attention-aware reconstruction in 20 Armijo steps.',
    ]);
  });

  it('lists three or more names with commas and a final "and"', () => {
    const out = solverSentences(['A', 'B', 'C'].map((label) => ({ label, notes: ['same'] })));
    expect(out).toEqual(['A, B and C: same.']);
  });
});
