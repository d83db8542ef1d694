/**
 * A row of equal figures that fits its container: as many columns as keep each figure at
 * least `min` px wide (at most `max`), each figure drawn at its column's width, so a map is
 * never wider than its cell (clipped, or with a scroll bar of its own) and never shrunk
 * below the width at which it reads. One column when even one `min` does not fit.
 */
export interface FitGrid {
  columns: number;
  /** The width, in px, to draw each figure at. */
  cell: number;
}

export function fitColumns(available: number, o: { min: number; max: number; gap: number; most?: number }): FitGrid {
  const width = Math.max(0, Math.floor(available));
  const fit = Math.max(1, Math.floor((width + o.gap) / (o.min + o.gap)));
  const columns = Math.min(fit, o.most ?? fit);
  const cell = Math.floor((width - o.gap * (columns - 1)) / columns);
  return { columns, cell: Math.max(1, Math.min(o.max, cell)) };
}

/** Lay `grid` out as `fit` says (its CSS gap must be the `gap` the fit was computed with). */
export function applyGrid(grid: HTMLElement, fit: FitGrid, gap: number): void {
  grid.style.display = 'grid';
  grid.style.gridTemplateColumns = `repeat(${fit.columns}, ${fit.cell}px)`;
  grid.style.columnGap = `${gap}px`;
}
