/**
 * The few chart shapes the widgets draw, as Observable Plot specifications.
 * Each returns an element for `renderFigure`, which adds the caption, the text
 * alternative and the downloads.
 */
import * as Plot from '@observablehq/plot';

export interface HeatmapOptions {
  rows: number;
  cols: number;
  /** Colour domain; defaults to the data's range. */
  domain?: [number, number];
  scheme?: Plot.ColorScheme;
  width?: number;
  label?: string;
}

/** A matrix as a raster image: row 0 at the top, column 0 at the left. */
export function heatmap(values: ArrayLike<number>, o: HeatmapOptions): Element {
  const width = o.width ?? 260;
  return Plot.plot({
    width,
    height: Math.max(80, Math.round((width * o.rows) / o.cols)),
    marginLeft: 36,
    marginBottom: 28,
    x: { domain: [0, o.cols], label: 'column', ticks: 4 },
    y: { domain: [o.rows, 0], label: 'row', ticks: 4 },
    color: { type: 'linear', scheme: o.scheme ?? 'viridis', domain: o.domain, legend: true, label: o.label },
    marks: [Plot.raster(Array.from(values), { width: o.cols, height: o.rows, x1: 0, y1: 0, x2: o.cols, y2: o.rows, imageRendering: 'pixelated' })],
  });
}

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** Lines on a log-y axis (loss curves), one colour per series. */
export function logLines(series: Series[], o: { xLabel: string; yLabel: string; width?: number }): Element {
  const data = series.flatMap((s) => s.points.filter((p) => p.y > 0 && Number.isFinite(p.y)).map((p) => ({ ...p, series: s.name })));
  return Plot.plot({
    width: o.width ?? 640,
    height: 260,
    marginLeft: 60,
    x: { label: o.xLabel },
    y: { type: 'log', label: o.yLabel, grid: true },
    color: { legend: true },
    marks: [Plot.line(data, { x: 'x', y: 'y', stroke: 'series' })],
  });
}
