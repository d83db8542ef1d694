/** Head to head's map layout and map helpers: sizes chosen from the width, never below 2 px a column. */
import { describe, expect, it } from 'vitest';
import { mapLayout } from '../../../src/widgets/head-to-head/compare-view.ts';
import { absDifference, largest, minMapWidth } from '../../../src/widgets/head-to-head/maps.ts';

describe('head to head map layout', () => {
  it('a wide widget (1280 px page) puts two cards a row, maps side by side and larger than 200 px', () => {
    const l = mapLayout(990, 64);
    expect(l).toMatchObject({ cardsPerRow: 2, stacked: false });
    expect(l.mapWidth).toBeGreaterThanOrEqual(200);
  });

  it('a phone (375–390 px) keeps the two maps of a card side by side at ≥ 2 px a column for n = 64', () => {
    for (const width of [341, 356]) {
      const l = mapLayout(width, 64);
      expect(l).toMatchObject({ cardsPerRow: 1, stacked: false });
      expect(l.mapWidth).toBeGreaterThanOrEqual(minMapWidth(64));
    }
  });

  it('an n too large for the width stacks the maps and keeps 2 px a column (the figure then scrolls)', () => {
    const l = mapLayout(341, 256);
    expect(l.stacked).toBe(true);
    expect(l.mapWidth).toBe(minMapWidth(256));
    expect(l.mapWidth - 28).toBeGreaterThanOrEqual(2 * 256);
  });

  it('absDifference and largest find the worst entry', () => {
    const d = absDifference([0.5, 0.2, 0.1, 0.2], [0.4, 0.6, 0.1, 0.2]);
    expect(Array.from(d).map((v) => Number(v.toFixed(12)))).toEqual([0.1, 0.4, 0, 0]);
    expect(largest(d, 2)).toEqual({ value: d[1], i: 0, j: 1 });
  });
});

describe('head to head map layout for large heads', () => {
  it('n = 256 on a wide widget takes one card a row rather than two cramped ones', () => {
    const l = mapLayout(990, 256);
    expect(l.cardsPerRow).toBe(1);
    expect(l.mapWidth).toBeGreaterThanOrEqual(minMapWidth(256));
  });
});
