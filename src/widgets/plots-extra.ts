/**
 * Chart shapes and small DOM helpers shared by the exhaustive-search and head-to-head
 * widgets: a log-x histogram with labelled rules, a sparsity-sweep chart, heatmaps
 * without their own legend (several share one colour scale and one legend), number
 * formatting and plain tables. Like charts.ts, each chart returns an element for
 * `renderFigure`, which adds the caption, the text alternative and the downloads.
 */
import * as Plot from '@observablehq/plot';
import type { Method } from '../core/solve.ts';

/** How the site names each method, and one colour per method wherever it appears. */
export const METHOD_LABEL: Record<Method, string> = {
  gd: 'Gradient descent',
  magnitude: 'Magnitude',
  wanda: 'Wanda',
  sparsegpt: 'SparseGPT',
  exhaustive: 'Exhaustive optimum',
};

/** Re-exported: the one place that strips Plot's per-mark ARIA names. */
import { quietMarks } from './charts.ts';
export { quietMarks };

export const METHOD_COLOR: Record<Method, string> = {
  gd: '#d9480f',
  magnitude: '#1c7ed6',
  wanda: '#2b8a3e',
  sparsegpt: '#9c36b5',
  exhaustive: '#495057',
};

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '+': '', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 1.5e-7 → "1.5 × 10⁻⁷". */
function scientific(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(Math.max(0, digits - 1)).split('e');
  const m = Number(mantissa).toString();
  const e = exponent.replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
  return m === '1' ? `10${e}` : `${m} × 10${e}`;
}

/** A number with a few significant digits; non-finite values are spelled out, never "NaN". */
export function fmt(x: number, digits = 3): string {
  if (Number.isNaN(x)) return 'not a number';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e6)) return scientific(x, digits);
  return Number(x.toPrecision(digits)).toString();
}

/** Axis ticks: plain numbers near 1, powers of ten far from it. */
export function tickFormat(x: number): string {
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? scientific(x, 1) : String(Number(x.toPrecision(3)));
}

/** A percentage for prose and tables: more digits near 0 and 100, where they matter. */
export function pct(x: number): string {
  if (!Number.isFinite(x)) return fmt(x);
  if (x === 0 || x === 100) return String(x);
  if (x < 0.01) return Number(x.toPrecision(1)).toString();
  if (x < 1) return x.toFixed(2);
  if (x > 99) return Math.min(x, 99.99).toFixed(2);
  return x.toFixed(1);
}

/** 12870 → "12 870" (thin space groups, as in the prose). */
export function count(x: number): string {
  return x.toLocaleString('en-GB').replace(/,/g, '\u202f');
}

export interface TableSpec {
  caption: string;
  head: string[];
  rows: (string | number)[][];
  /** Columns (by index) that hold text and align left; the others are numbers. */
  textColumns?: number[];
}

let tableCount = 0;

/**
 * A plain, accessible table. Its caption is a paragraph above a horizontally scrolling
 * box (so on a phone the caption wraps to the screen, not to the table), named by
 * aria-labelledby; the box can take keyboard focus so it can be scrolled without a mouse.
 */
export function table(spec: TableSpec): HTMLElement {
  const id = `widget-table-${++tableCount}`;
  const outer = document.createElement('div');
  const caption = document.createElement('p');
  caption.className = 'widget-table-caption';
  caption.id = id;
  caption.textContent = spec.caption;
  const wrap = document.createElement('div');
  wrap.className = 'widget-table';
  wrap.tabIndex = 0;
  wrap.setAttribute('role', 'region');
  wrap.setAttribute('aria-labelledby', id);
  const t = document.createElement('table');
  t.setAttribute('aria-labelledby', id);
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  const left = new Set(spec.textColumns ?? [0]);
  spec.head.forEach((h, i) => {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    if (left.has(i)) th.className = 'text';
    hr.append(th);
  });
  thead.append(hr);
  const tbody = document.createElement('tbody');
  for (const row of spec.rows) {
    const tr = document.createElement('tr');
    row.forEach((v, i) => {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) (cell as HTMLTableCellElement).scope = 'row';
      cell.textContent = typeof v === 'number' ? fmt(v) : v;
      if (left.has(i)) cell.className = 'text';
      tr.append(cell);
    });
    tbody.append(tr);
  }
  t.append(thead, tbody);
  wrap.append(t);
  outer.append(caption, wrap);
  return outer;
}

export interface Marker {
  label: string;
  value: number;
  color: string;
  dashed?: boolean;
}

/**
 * Histogram of positive values in equal-width bins of log10(value), drawn on a log x
 * axis with a square-root count axis (so the few masks near the optimum stay visible),
 * and one labelled vertical rule per marker. Markers outside the data's range widen
 * the axis; markers ≤ 0 or not finite cannot sit on a log axis and are left out (the
 * widget says so in words).
 */
export function logHistogram(values: ArrayLike<number>, markers: Marker[], o: { xLabel: string; width?: number; bins?: number }) {
  const positive = Array.from(values).filter((v) => v > 0 && Number.isFinite(v));
  const drawable = markers.filter((m) => m.value > 0 && Number.isFinite(m.value));
  let lo = Math.min(...positive, ...drawable.map((m) => m.value));
  let hi = Math.max(...positive, ...drawable.map((m) => m.value));
  if (!(lo < hi)) {
    lo = lo / 2;
    hi = hi * 2;
  }
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const nb = o.bins ?? 48;
  const w = (b - a) / nb;
  const counts = new Array<number>(nb).fill(0);
  for (const v of positive) counts[Math.min(nb - 1, Math.max(0, Math.floor((Math.log10(v) - a) / w)))]++;
  const bins = counts.map((c, i) => ({ x1: 10 ** (a + i * w), x2: 10 ** (a + (i + 1) * w), count: c }));
  const pad = w * 0.5;
  const domain: [number, number] = [10 ** (a - pad), 10 ** (b + pad)];
  const width = o.width ?? 640;
  const marks: Plot.Markish[] = [
    Plot.rectY(bins, { x1: 'x1', x2: 'x2', y: 'count', fill: 'currentColor', fillOpacity: 0.3, insetLeft: 0.5, insetRight: 0.5 }),
    Plot.ruleY([0]),
  ];
  drawable.forEach((m, i) => {
    const frac = (Math.log10(m.value) - Math.log10(domain[0])) / (Math.log10(domain[1]) - Math.log10(domain[0]));
    const right = frac > 0.55;
    marks.push(
      Plot.ruleX([m.value], { stroke: m.color, strokeWidth: 2, strokeDasharray: m.dashed ? '4,3' : undefined }),
      Plot.text([m], {
        x: 'value',
        text: 'label',
        frameAnchor: 'top',
        dy: 4 + 13 * i,
        dx: right ? -4 : 4,
        textAnchor: right ? 'end' : 'start',
        fill: m.color,
        stroke: 'var(--bg, white)',
        strokeWidth: 3,
        paintOrder: 'stroke',
        fontWeight: 600,
      }),
    );
  });
  return quietMarks(Plot.plot({
    width,
    height: 280,
    marginLeft: 50,
    marginTop: 26,
    marginBottom: 36,
    x: { type: 'log', domain, label: o.xLabel, ticks: width < 480 ? 4 : 8, tickFormat },
    y: { type: 'sqrt', label: 'masks per bin (√ scale)', grid: true, ticks: 5 },
    marks,
  }));
}

export interface HeatmapPlainOptions {
  rows: number;
  cols: number;
  domain: [number, number];
  scheme?: Plot.ColorScheme;
  width?: number;
}

/** A matrix as a raster image without its own legend (row 0 at the top). */
export function heatmapPlain(values: ArrayLike<number>, o: HeatmapPlainOptions): SVGSVGElement | HTMLElement {
  const width = o.width ?? 200;
  return quietMarks(Plot.plot({
    width,
    height: Math.max(80, Math.round(((width - 32) * o.rows) / o.cols) + 46),
    marginLeft: 28,
    marginRight: 4,
    marginTop: 18,
    marginBottom: 28,
    x: { domain: [0, o.cols], label: 'key j', ticks: 3 },
    y: { domain: [o.rows, 0], label: 'query i', ticks: 3 },
    color: { type: 'linear', scheme: o.scheme ?? 'blues', domain: o.domain },
    marks: [Plot.raster(Array.from(values), { width: o.cols, height: o.rows, x1: 0, y1: 0, x2: o.cols, y2: o.rows, imageRendering: 'pixelated' })],
  }));
}

/** The colour ramp that several heatmaps share. */
export function colorLegend(o: { domain: [number, number]; scheme?: Plot.ColorScheme; label: string; width?: number }): SVGSVGElement | HTMLElement {
  return quietMarks(Plot.legend({ color: { type: 'linear', scheme: o.scheme ?? 'blues', domain: o.domain, label: o.label }, width: o.width ?? 240, marginLeft: 12, marginRight: 12 }));
}

export interface SweepPoint {
  method: Method;
  pattern: string;
  sparsity: number;
  value: number;
}

/**
 * Attention error against sparsity: a line with dots per method for the unstructured
 * pattern, and the N:M patterns as separate symbols (they fix the sparsity to N/M).
 * Log y when every value is positive.
 */
export function sweepChart(points: SweepPoint[], o: { yLabel: string; width?: number }) {
  const finite = points.filter((p) => Number.isFinite(p.value));
  const logY = finite.every((p) => p.value > 0);
  const methods = [...new Set(finite.map((p) => p.method))];
  const unstructured = finite.filter((p) => p.pattern === 'unstructured').map((p) => ({ ...p, name: METHOD_LABEL[p.method] }));
  const nm = finite.filter((p) => p.pattern !== 'unstructured').map((p) => ({ ...p, name: METHOD_LABEL[p.method] }));
  const patterns = [...new Set(finite.map((p) => p.pattern))];
  const nmPatterns = patterns.filter((p) => p !== 'unstructured');
  const symbols: Record<string, Plot.SymbolType> = { unstructured: 'circle', '2:4': 'triangle', '4:8': 'square' };
  const width = o.width ?? 640;
  return quietMarks(Plot.plot({
    width,
    height: 300,
    marginLeft: 56,
    marginRight: 12,
    x: { label: 'sparsity p (share of W pruned)', domain: [0.05, 0.95], ticks: width < 480 ? [0.1, 0.3, 0.5, 0.7, 0.9] : [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] },
    y: { type: logY ? 'log' : 'linear', label: o.yLabel, grid: true, tickFormat },
    color: {
      legend: true,
      domain: methods.map((m) => METHOD_LABEL[m]),
      range: methods.map((m) => METHOD_COLOR[m]),
    },
    symbol: { legend: true, domain: patterns, range: patterns.map((p) => symbols[p] ?? 'diamond') },
    marks: [
      Plot.line(unstructured, { x: 'sparsity', y: 'value', stroke: 'name', strokeWidth: 1.5 }),
      Plot.dot(unstructured, { x: 'sparsity', y: 'value', stroke: 'name', fill: 'name', symbol: 'pattern', r: 2.5 }),
      // N:M points sit at p = N/M; they are spread a little sideways (by pattern, then by
      // method) so they neither hide each other nor the unstructured point at the same p.
      Plot.dot(nm, {
        x: (p: SweepPoint) =>
          p.sparsity + (nmPatterns.indexOf(p.pattern) % 2 === 0 ? -1 : 1) * (0.03 + 0.012 * Math.floor(nmPatterns.indexOf(p.pattern) / 2)) + 0.008 * (methods.indexOf(p.method) - (methods.length - 1) / 2),
        y: 'value',
        stroke: 'name',
        symbol: 'pattern',
        r: 5,
        strokeWidth: 2,
      }),
    ],
  }));
}
