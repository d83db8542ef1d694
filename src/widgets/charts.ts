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
  return quietMarks(Plot.plot({
    width,
    height: Math.max(80, Math.round((width * o.rows) / o.cols)),
    marginLeft: 36,
    marginBottom: 28,
    x: { domain: [0, o.cols], label: 'column', ticks: 4 },
    y: { domain: [o.rows, 0], label: 'row', ticks: 4 },
    color: { type: 'linear', scheme: o.scheme ?? 'viridis', domain: o.domain, legend: true, label: o.label },
    marks: [Plot.raster(Array.from(values), { width: o.cols, height: o.rows, x1: 0, y1: 0, x2: o.cols, y2: o.rows, imageRendering: 'pixelated' })],
  }));
}

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** Lines on a log-y axis (loss curves), one colour per series. */
export function logLines(series: Series[], o: { xLabel: string; yLabel: string; width?: number }): Element {
  const data = series.flatMap((s) => s.points.filter((p) => p.y > 0 && Number.isFinite(p.y)).map((p) => ({ ...p, series: s.name })));
  return quietMarks(Plot.plot({
    width: o.width ?? 640,
    height: 260,
    marginLeft: 60,
    x: { label: o.xLabel },
    y: { type: 'log', label: o.yLabel, grid: true },
    color: { legend: true },
    marks: [Plot.line(data, { x: 'x', y: 'y', stroke: 'series' })],
  }));
}

/**
 * Plot names each mark's <g> with aria-label ("cell", "dot"), which axe reports as
 * aria-prohibited-attr (aria-label on an element with no role). renderFigure makes the
 * whole chart one role="img" with its label and text alternative, so the marks need none.
 * Every chart builder here returns its plot through this.
 */
export function quietMarks<E extends Element>(chart: E): E {
  for (const el of chart.querySelectorAll('[aria-label], [aria-description]')) {
    el.removeAttribute('aria-label');
    el.removeAttribute('aria-description');
  }
  return chart;
}

/** Tick labels that stay short at any magnitude: 0.25, −1.5e−10. */
export function compactNumber(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  const text = a >= 1e-3 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(1).replace('e+', 'e');
  return text.replace(/-/g, '−');
}

export interface MatrixCellsOptions {
  rows: number;
  cols: number;
  /** Colour domain; a symmetric domain [−a, a] suits signed values such as gradients. */
  domain: [number, number];
  scheme?: Plot.ColorScheme;
  /** 'diverging' centres the colours on 0 (the default); 'linear' spans the domain. */
  type?: 'diverging' | 'linear';
  width?: number;
  label?: string;
  /** The number written in each cell; omit to draw colours only. */
  format?: (v: number) => string;
}

/** A small matrix as labelled cells, each with its value written in it (d ≤ 8 or so). */
export function matrixCells(values: ArrayLike<number>, o: MatrixCellsOptions): Element {
  const width = o.width ?? 260;
  const marginLeft = 34;
  const marginRight = 8;
  const marginTop = 28;
  const marginBottom = 8;
  const size = (width - marginLeft - marginRight) / o.cols;
  const data: { i: number; j: number; value: number }[] = [];
  for (let i = 0; i < o.rows; i++) for (let j = 0; j < o.cols; j++) data.push({ i, j, value: values[i * o.cols + j] });
  const extent = Math.max(Math.abs(o.domain[0]), Math.abs(o.domain[1]));
  const dark = (v: number): boolean => (o.type ?? 'diverging') === 'diverging' && extent > 0 && Math.abs(v) > 0.55 * extent;
  const fontSize = Math.max(8, Math.min(13, Math.floor(size / 5)));
  const marks: Plot.Markish[] = [Plot.cell(data, { x: 'j', y: 'i', fill: 'value', inset: 0.5 })];
  if (o.format) {
    const format = o.format;
    marks.push(Plot.text(data, { x: 'j', y: 'i', text: (d: { value: number }) => format(d.value), fill: (d: { value: number }) => (dark(d.value) ? 'white' : 'black'), fontSize }));
  }
  return quietMarks(Plot.plot({
    width,
    height: Math.round(marginTop + marginBottom + size * o.rows),
    marginLeft,
    marginRight,
    marginTop,
    marginBottom,
    x: { type: 'band', domain: Array.from({ length: o.cols }, (_, j) => j), axis: 'top', label: 'column j' },
    y: { type: 'band', domain: Array.from({ length: o.rows }, (_, i) => i), label: 'row i' },
    color: { type: o.type ?? 'diverging', scheme: o.scheme ?? 'rdbu', domain: o.domain, legend: true, label: o.label, tickFormat: compactNumber, ticks: 3 },
    marks,
  }));
}

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** Tick labels of a log axis: 10⁻⁵ at whole powers of ten, nothing in between. */
export function powerOfTen(v: number): string {
  const k = Math.log10(v);
  const r = Math.round(k);
  return Math.abs(k - r) < 1e-9 ? `10${String(r).replace(/[-0-9]/g, (c) => SUPERSCRIPT[c])}` : '';
}

/** Powers of ten spanning the positive values, every k-th decade so that at most `most` remain. */
function decades(values: number[], most: number): number[] {
  const logs = values.filter((v) => v > 0 && Number.isFinite(v)).map(Math.log10);
  if (logs.length === 0) return [];
  const lo = Math.ceil(Math.min(...logs) - 1e-9);
  const hi = Math.floor(Math.max(...logs) + 1e-9);
  const step = Math.max(1, Math.ceil((hi - lo + 1) / most));
  const out: number[] = [];
  for (let k = hi; k >= lo; k -= step) out.push(10 ** k);
  return out;
}

/** Lines with dots on log–log axes (error against step size); optional vertical markers. */
export function logLogLines(
  series: Series[],
  o: { xLabel: string; yLabel: string; width?: number; markers?: { x: number; label: string }[] },
): Element {
  // Values ≤ 0 cannot be drawn on a log axis: they become gaps in the line.
  const data = series.flatMap((s) => s.points.map((p) => ({ x: p.x, y: p.y > 0 && Number.isFinite(p.y) ? p.y : Number.NaN, series: s.name })));
  const width = o.width ?? 640;
  // A marker's label sits centred on its line, or to one side near the plot's edges.
  const xs = data.map((p) => Math.log10(p.x)).filter(Number.isFinite);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const markers = (o.markers ?? []).map((m) => {
    const t = hi > lo ? (Math.log10(m.x) - lo) / (hi - lo) : 0.5;
    return { ...m, anchor: t > 0.7 ? 'end' : t < 0.3 ? 'start' : 'middle' };
  });
  const markerText = (anchor: 'start' | 'middle' | 'end') =>
    Plot.text(
      markers.filter((m) => m.anchor === anchor),
      { x: 'x', frameAnchor: 'top', dy: -14, dx: anchor === 'end' ? 4 : anchor === 'start' ? -4 : 0, textAnchor: anchor, text: 'label', fontSize: 11 },
    );
  return quietMarks(Plot.plot({
    width,
    height: 260,
    marginLeft: 60,
    marginTop: markers.length ? 24 : 20,
    x: { type: 'log', label: o.xLabel, grid: true, ticks: decades(data.map((p) => p.x), Math.max(3, Math.floor((width - 80) / 55))), tickFormat: powerOfTen },
    y: { type: 'log', label: o.yLabel, grid: true, ticks: decades(data.map((p) => p.y), 6), tickFormat: powerOfTen },
    color: series.length > 1 ? { legend: true } : undefined,
    marks: [
      Plot.ruleX(markers, { x: 'x', stroke: 'currentColor', strokeDasharray: '4 3', strokeOpacity: 0.6 }),
      markerText('start'),
      markerText('middle'),
      markerText('end'),
      Plot.line(data, { x: 'x', y: 'y', stroke: series.length > 1 ? 'series' : 'currentColor' }),
      Plot.dot(data, { x: 'x', y: 'y', fill: series.length > 1 ? 'series' : 'currentColor', r: 2.5 }),
    ],
  }));
}

/** y against x with the diagonal y = x: two computations of the same numbers should sit on it. */
export function parityScatter(points: { x: number; y: number }[], o: { xLabel: string; yLabel: string; width?: number }): Element {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    for (const v of [p.x, p.y]) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!(hi > lo)) {
    const c = Number.isFinite(lo) ? lo : 0;
    const r = Math.abs(c) > 0 ? Math.abs(c) * 0.1 : 1;
    lo = c - r;
    hi = c + r;
  }
  const pad = (hi - lo) * 0.06;
  const domain: [number, number] = [lo - pad, hi + pad];
  const width = o.width ?? 300;
  return quietMarks(Plot.plot({
    width,
    height: width,
    marginLeft: 60,
    marginBottom: 40,
    x: { domain, label: o.xLabel, grid: true, ticks: 4, tickFormat: compactNumber },
    y: { domain, label: o.yLabel, grid: true, ticks: 5, tickFormat: compactNumber },
    marks: [
      Plot.line([{ v: domain[0] }, { v: domain[1] }], { x: 'v', y: 'v', stroke: 'currentColor', strokeOpacity: 0.4, strokeDasharray: '4 3' }),
      Plot.dot(points, { x: 'x', y: 'y', r: 4, stroke: 'currentColor', fill: 'currentColor', fillOpacity: 0.35 }),
    ],
  }));
}

export interface ScatterPoint {
  x: number;
  y: number;
}

/**
 * Many background points in grey (random samples) and a few highlighted, labelled
 * points (methods), each with its own colour and symbol. Labels that would overlap
 * are moved apart vertically; a label that would leave the plot goes on the left.
 */
export function labelledScatter(
  background: ScatterPoint[],
  highlights: (ScatterPoint & { label: string })[],
  o: { xLabel: string; yLabel: string; width?: number },
): Element {
  const width = o.width ?? 640;
  const height = Math.round(Math.min(420, Math.max(290, width * 0.62)));
  const margin = { left: 56, right: 16, top: 20, bottom: 40 };
  const inset = 10;
  const all = [...background, ...highlights].filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const extent = (vs: number[]): [number, number] => {
    const lo = Math.min(...vs);
    const hi = Math.max(...vs);
    return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
  };
  const xDomain = extent(all.map((p) => p.x));
  const yDomain = extent(all.map((p) => p.y));
  // Pixel positions, as Plot will place them (domains are fixed, not "nice", so this is exact).
  const plotW = width - margin.left - margin.right - 2 * inset;
  const plotH = height - margin.top - margin.bottom - 2 * inset;
  const px = (x: number): number => margin.left + inset + ((x - xDomain[0]) / (xDomain[1] - xDomain[0])) * plotW;
  const py = (y: number): number => margin.top + inset + (1 - (y - yDomain[0]) / (yDomain[1] - yDomain[0])) * plotH;
  const fontSize = 11;
  const lineHeight = fontSize + 3;
  type Box = { x0: number; x1: number; y0: number; y1: number };
  const overlaps = (a: Box, b: Box): boolean => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
  const points = highlights.map((h) => ({ x: px(h.x), y: py(h.y) }));
  const dots: Box[] = points.map((p) => ({ x0: p.x - 7, x1: p.x + 7, y0: p.y - 7, y1: p.y + 7 }));
  const placed: Box[] = [];
  // Try beside the point (right, then left), then one or two lines above or below.
  const candidates: [boolean, number][] = [0, -1, 1, -2, 2].flatMap((k) => [[false, k * lineHeight] as [boolean, number], [true, k * lineHeight] as [boolean, number]]);
  const labels = highlights
    .map((h, index) => ({ h, index, ...points[index], w: h.label.length * fontSize * 0.62 }))
    .sort((a, b) => a.y - b.y)
    .map((l) => {
      const boxOf = (left: boolean, dy: number): Box => {
        const x0 = left ? l.x - 9 - l.w : l.x + 9;
        return { x0, x1: x0 + l.w, y0: l.y + dy - lineHeight / 2, y1: l.y + dy + lineHeight / 2 };
      };
      const fits = (b: Box): boolean =>
        b.x0 >= margin.left &&
        b.x1 <= width &&
        b.y0 >= 0 &&
        b.y1 <= height - margin.bottom + 8 &&
        !placed.some((q) => overlaps(b, q)) &&
        !dots.some((d, k) => k !== l.index && overlaps(b, d));
      const [left, dy] = candidates.find(([left, dy]) => fits(boxOf(left, dy))) ?? [l.x + 9 + l.w > width, 0];
      placed.push(boxOf(left, dy));
      return { ...l, left, dy };
    });
  return quietMarks(Plot.plot({
    width,
    height,
    marginLeft: margin.left,
    marginRight: margin.right,
    marginTop: margin.top,
    marginBottom: margin.bottom,
    inset,
    x: { label: o.xLabel, grid: true, domain: xDomain },
    y: { label: o.yLabel, grid: true, domain: yDomain },
    color: { domain: highlights.map((h) => h.label) },
    symbol: { legend: true, domain: highlights.map((h) => h.label) },
    marks: [
      Plot.dot(background, { x: 'x', y: 'y', r: 2.5, fill: 'gray', fillOpacity: 0.45 }),
      Plot.dot(highlights, { x: 'x', y: 'y', r: 6, stroke: 'label', fill: 'label', symbol: 'label', strokeWidth: 1.5 }),
      ...labels.map((l) =>
        Plot.text([l.h], {
          x: 'x',
          y: 'y',
          text: 'label',
          dx: l.left ? -9 : 9,
          dy: l.dy,
          textAnchor: l.left ? 'end' : 'start',
          fontSize,
          fontWeight: 600,
          stroke: 'var(--bg, white)',
          strokeWidth: 3,
          paintOrder: 'stroke',
          fill: 'currentColor',
        }),
      ),
    ],
  }));
}
