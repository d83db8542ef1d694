import { describe, expect, it } from 'vitest';
import { indexTicks } from '../../../src/ui/charts/heatmap.ts';
import { logTicks } from '../../../src/ui/charts/lines.ts';
import { tick, ticksOver } from '../../../src/ui/format.ts';

describe('chart ticks', () => {
  it('a layer×head map has one tick per cell centre, labelled by its integer index', () => {
    expect(indexTicks(3, 8)).toEqual([0.5, 1.5, 2.5]);
    expect(indexTicks(4, 8).map((v) => Math.round(v - 0.5))).toEqual([0, 1, 2, 3]);
  });

  it('a large map thins its ticks in steps of 1, 2, 5, 10, … and keeps at most the number asked', () => {
    expect(indexTicks(64, 8).map((v) => v - 0.5)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    expect(indexTicks(12, 5).map((v) => v - 0.5)).toEqual([0, 5, 10]);
    for (const n of [1, 7, 33, 256, 1000]) expect(indexTicks(n, 6).length).toBeLessThanOrEqual(6);
  });

  it('a loss axis over many decades ticks at powers of ten, written 0.1 and 10⁻⁴ (no SI prefix)', () => {
    expect(logTicks([1e-4, 0.5], 6).map(tick)).toEqual(['0.1', '0.01', '0.001', '10⁻⁴']);
    // Seven decades, at most six ticks: every other power.
    const ticks = logTicks([1e-5, 3e-3, 0.2, 12], 6).map(tick);
    expect(ticks).toEqual(['10', '0.1', '0.001', '10⁻⁵']);
    expect(ticks.join(' ')).not.toMatch(/[mµk]/);
  });

  it('a loss axis over less than two decades adds 2× and 5× ticks', () => {
    expect(logTicks([0.3, 4], 6)).toEqual([0.5, 1, 2]);
    expect(logTicks([0.31, 0.32], 6)).toEqual([]);
  });

  it('legend ticks over a narrow range keep the digits that tell them apart', () => {
    const f = ticksOver(0.9981, 0.9986);
    expect([0.9982, 0.9984].map(f)).toEqual(['0.9982', '0.9984']);
    expect([0, 0.2, 0.4, 1].map(ticksOver(0, 1))).toEqual(['0', '0.2', '0.4', '1']);
    // Small values: powers of ten with the digits needed, never an SI prefix or "e-5".
    expect([5e-5, 1e-4, 1.5e-4].map(ticksOver(0, 2e-4))).toEqual(['5 × 10⁻⁵', '10⁻⁴', '1.5 × 10⁻⁴']);
  });
});

describe('hover values', () => {
  it('carry the digits that tell neighbouring cells apart, at least three', async () => {
    const { numAmong } = await import('../../../src/ui/format.ts');
    expect([0.99821, 0.99853].map(numAmong(0.9981, 0.9986))).toEqual(['0.99821', '0.99853']);
    expect([0.25, 4.5e-18].map(numAmong(0, 1))).toEqual(['0.25', '4.5 × 10⁻¹⁸']);
  });
});

describe('heatmap colour scales', () => {
  it('log: zeros (masked keys) take the floor colour, 10⁻⁴ of the top at most', async () => {
    const { colourScale } = await import('../../../src/ui/charts/heatmap.ts');
    const c = colourScale([0, 0, 1e-9, 0.5, 1], { colorType: 'log' }, 'blues');
    expect(c.type).toBe('log');
    expect(c.domain).toEqual([1e-4, 1]);
    expect(c.floor).toBe(1e-4);
    expect(colourScale([0, 0.02, 0.5], { colorType: 'log' }, 'blues').domain).toEqual([0.02, 0.5]);
  });

  it('sqrt keeps the data range; diverging is symmetric about 0', async () => {
    const { colourScale } = await import('../../../src/ui/charts/heatmap.ts');
    expect(colourScale([0, 0.3], { colorType: 'sqrt', domain: [0, 1] }, 'blues')).toMatchObject({ type: 'sqrt', domain: [0, 1] });
    expect(colourScale([-0.2, 0.5], { diverging: true }, 'blues')).toMatchObject({ type: 'diverging', domain: [-0.5, 0.5], pivot: 0 });
  });
});
