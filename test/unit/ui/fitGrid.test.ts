import { describe, expect, it } from 'vitest';
import { fitColumns } from '../../../src/ui/fitGrid.ts';

describe('a row of figures that fits its container', () => {
  it('never draws a figure wider than its column, and the columns with their gaps fit the width', () => {
    for (const available of [200, 320, 358, 600, 760, 905, 1200])
      for (const most of [1, 2, 3, 8]) {
        const g = { min: 200, max: 300, gap: 12, most };
        const { columns, cell } = fitColumns(available, g);
        expect(columns * cell + (columns - 1) * g.gap).toBeLessThanOrEqual(available);
        expect(columns).toBeLessThanOrEqual(most);
        expect(cell).toBeLessThanOrEqual(g.max);
        // Only a single column may fall below the minimum (a phone narrower than one map).
        if (columns > 1) expect(cell).toBeGreaterThanOrEqual(g.min);
      }
  });

  it('puts as many maps in a row as keep the minimum width (chapter 8 at 1280 px: 3 maps of 53 keys)', () => {
    expect(fitColumns(905, { min: 200, max: 300, gap: 12, most: 6 })).toEqual({ columns: 4, cell: 217 });
    expect(fitColumns(905, { min: 200, max: 300, gap: 12, most: 3 })).toEqual({ columns: 3, cell: 293 });
    expect(fitColumns(358, { min: 200, max: 300, gap: 12 })).toEqual({ columns: 1, cell: 300 });
    expect(fitColumns(180, { min: 200, max: 300, gap: 12 })).toEqual({ columns: 1, cell: 180 });
  });
});
