/** Matrices as pictures: heatmaps with and without their own legend, a shared colour ramp, and matrices with their numbers in the cells. */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { compact, num, numAmong, ticksOver } from '../format.ts';

/** How values map to colours: 'sqrt' and 'log' spread the small values of a peaked attention map. */
export type ColorType = 'linear' | 'sqrt' | 'log';

export interface HeatmapOptions {
  rows: number;
  cols: number;
  /** Colour domain; defaults to the data's range (symmetric about 0 when diverging). */
  domain?: [number, number];
  scheme?: Plot.ColorScheme;
  width?: number;
  label?: string;
  /** Colour scale type (default 'linear'); ignored when `diverging`. */
  colorType?: ColorType;
  /** Axis labels (default 'column' and 'row'); the hover tip names the cell with them too. */
  xLabel?: string;
  yLabel?: string;
  /** Hover tooltip with row, column and value (default true). */
  tip?: boolean;
  /** Signed values (differences such as F′ − F₀): colours centred on 0, red–blue. */
  diverging?: boolean;
  /**
   * Values that name categories (a binary mask: 0 pruned, 1 kept): the name of each value
   * 0, 1, … A legend of swatches then replaces the colour ramp, each value in its colour
   * on the ramp over `domain` (a domain below 0 keeps 0 off the ramp's white end).
   */
  categories?: readonly string[];
}

/**
 * Tick positions for an axis of `n` cells laid on [0, n]: the centres k + ½ of every
 * `step`-th cell, step 1, 2, 5, 10, 20, … so that at most `most` remain, each labelled
 * with its integer index (a row is a row, never "0.5").
 */
export function indexTicks(n: number, most: number): number[] {
  let step = 1;
  for (let k = 0; Math.ceil(n / step) > Math.max(1, most); k++) step = [2, 5, 10][k % 3] * 10 ** Math.floor(k / 3);
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i + 0.5);
  return out;
}

function indexAxis(n: number, pixels: number, label: string) {
  return { domain: [0, n], label, ticks: indexTicks(n, Math.max(2, Math.floor(pixels / 28))), tickFormat: (v: number) => String(Math.round(v - 0.5)) };
}

/** Colour scale options shared by the heatmaps and their separate legends. */
export function colourScale(
  values: ArrayLike<number>,
  o: { domain?: [number, number]; scheme?: Plot.ColorScheme; colorType?: ColorType; diverging?: boolean },
  fallbackScheme: Plot.ColorScheme,
) {
  let lo = Infinity;
  let hi = -Infinity;
  let smallestPositive = Infinity;
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (!Number.isFinite(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (v > 0) smallestPositive = Math.min(smallestPositive, v);
  }
  if (o.diverging) {
    const a = o.domain ? Math.max(Math.abs(o.domain[0]), Math.abs(o.domain[1])) : Math.max(Math.abs(lo), Math.abs(hi));
    const extent = a > 0 && Number.isFinite(a) ? a : 1;
    return {
      type: 'diverging' as const,
      scheme: o.scheme ?? ('rdbu' as Plot.ColorScheme),
      domain: [-extent, extent] as [number, number],
      pivot: 0,
      floor: -Infinity,
    };
  }
  const type = o.colorType ?? 'linear';
  let domain = o.domain;
  let floor = -Infinity;
  if (type === 'log') {
    // Zeros (masked keys) have no logarithm: they take the colour of the floor, 10⁻⁴ of the top.
    const top = domain ? domain[1] : hi;
    const safeTop = top > 0 && Number.isFinite(top) ? top : 1;
    const low = domain && domain[0] > 0 ? domain[0] : Math.max(smallestPositive, safeTop * 1e-4);
    floor = Math.min(low, safeTop / 10);
    domain = [floor, safeTop];
  }
  const [a, b] = domain ?? [lo, hi];
  return { type, scheme: o.scheme ?? fallbackScheme, domain, floor, tickFormat: type === 'log' ? ticksOver(a / 10, a) : ticksOver(a, b) };
}

/** The hover tip of a raster: the cell under the pointer, named by its axes, and its value. */
function cellTip(values: ArrayLike<number>, o: { rows: number; cols: number; xLabel: string; yLabel: string; label?: string }): Plot.Markish {
  const cells: { x: number; y: number; i: number; j: number; v: number }[] = [];
  for (let i = 0; i < o.rows; i++) for (let j = 0; j < o.cols; j++) cells.push({ x: j + 0.5, y: i + 0.5, i, j, v: values[i * o.cols + j] });
  const what = o.label ?? 'value';
  let lo = Infinity;
  let hi = -Infinity;
  for (const c of cells)
    if (Number.isFinite(c.v)) {
      lo = Math.min(lo, c.v);
      hi = Math.max(hi, c.v);
    }
  const format = numAmong(lo, hi);
  return Plot.tip(
    cells,
    Plot.pointer({
      x: 'x',
      y: 'y',
      title: (c: { i: number; j: number; v: number }) => `${o.yLabel} ${c.i}, ${o.xLabel} ${c.j}\n${what}: ${Number.isNaN(c.v) ? 'not defined' : format(c.v)}`,
    }),
  );
}

function rasterMarks(values: ArrayLike<number>, o: HeatmapOptions, floor: number, xLabel: string, yLabel: string): Plot.Markish[] {
  const drawn = Array.from(values, (v) => (v < floor ? floor : v));
  const marks: Plot.Markish[] = [Plot.raster(drawn, { width: o.cols, height: o.rows, x1: 0, y1: 0, x2: o.cols, y2: o.rows, imageRendering: 'pixelated' })];
  if (o.tip ?? true) marks.push(cellTip(values, { rows: o.rows, cols: o.cols, xLabel, yLabel, label: o.label }));
  return marks;
}

/** Plot hands legend options given on a scale to that scale's legend; its types do not say so. */
function withLegend(scale: Plot.ScaleOptions, legend: Plot.LegendOptions): Plot.ScaleOptions {
  return { ...scale, ...legend } as Plot.ScaleOptions;
}

/** Legend ramps inset so the end labels ("0", "1") are not clipped to ".0". */
const RAMP = { marginLeft: 14, marginRight: 14 } as const;

/**
 * The colour scale of categorical values 0, 1, …: each value's colour taken along the
 * linear ramp of `scheme` over `domain` (default [0, k − 1]), so a canvas painted from
 * that ramp agrees.
 */
function categoryScale(names: readonly string[], scheme: Plot.ColorScheme, along?: [number, number]) {
  const k = names.length;
  const ramp = Plot.scale({ color: { type: 'linear', scheme, domain: along ?? [0, Math.max(1, k - 1)] } });
  const domain = names.map((_, i) => i);
  return { type: 'ordinal' as const, domain, range: domain.map((i) => String(ramp.apply(i))), tickFormat: (v: number) => names[v] ?? String(v) };
}

/** A matrix as a raster image: row 0 at the top, column 0 at the left, with its colour legend. */
export function heatmap(values: ArrayLike<number>, o: HeatmapOptions): Element {
  const width = o.width ?? 260;
  const xLabel = o.xLabel ?? 'column';
  const yLabel = o.yLabel ?? 'row';
  const { floor, ...ramp } = colourScale(values, o, 'viridis');
  const colour = o.categories ? categoryScale(o.categories, o.scheme ?? 'viridis', o.domain) : ramp;
  const marginLeft = 36;
  const height = Math.max(80, Math.round((width * o.rows) / o.cols));
  return quietMarks(
    Plot.plot({
      width,
      height,
      marginLeft,
      marginBottom: 28,
      x: indexAxis(o.cols, width - marginLeft - 20, xLabel),
      y: { ...indexAxis(o.rows, height - 48, yLabel), domain: [o.rows, 0] },
      color: withLegend({ ...colour, legend: true, label: o.label }, { width: Math.min(240, width), ...RAMP }),
      marks: rasterMarks(values, o, floor, xLabel, yLabel),
    }),
  );
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
    marks.push(
      Plot.text(data, {
        x: 'j',
        y: 'i',
        text: (d: { value: number }) => format(d.value),
        fill: (d: { value: number }) => (dark(d.value) ? 'white' : 'black'),
        fontSize,
      }),
    );
  }
  // Last, so the tip sits above the numbers written in the cells.
  marks.push(
    Plot.tip(
      data,
      Plot.pointer({
        x: 'j',
        y: 'i',
        title: (d: { i: number; j: number; value: number }) =>
          `row ${d.i}, column ${d.j}\n${o.label ?? 'value'}: ${Number.isNaN(d.value) ? 'not defined' : num(d.value, 4)}`,
      }),
    ),
  );
  return quietMarks(
    Plot.plot({
      width,
      height: Math.round(marginTop + marginBottom + size * o.rows),
      marginLeft,
      marginRight,
      marginTop,
      marginBottom,
      x: { type: 'band', domain: Array.from({ length: o.cols }, (_, j) => j), axis: 'top', label: 'column j' },
      y: { type: 'band', domain: Array.from({ length: o.rows }, (_, i) => i), label: 'row i' },
      color: withLegend(
        { type: o.type ?? 'diverging', scheme: o.scheme ?? 'rdbu', domain: o.domain, legend: true, label: o.label, tickFormat: compact, ticks: 3 },
        { marginLeft: 14, marginRight: 14 },
      ),
      marks,
    }),
  );
}

export interface HeatmapPlainOptions extends Omit<HeatmapOptions, 'label'> {
  domain: [number, number];
  /** What a cell holds, for the hover tip (default 'attention'). */
  label?: string;
}

/** A matrix as a raster image without its own legend (row 0 at the top); pair it with `colorLegend`. */
export function heatmapPlain(values: ArrayLike<number>, o: HeatmapPlainOptions): SVGSVGElement | HTMLElement {
  const width = o.width ?? 200;
  const xLabel = o.xLabel ?? 'key j';
  const yLabel = o.yLabel ?? 'query i';
  const { floor, ...colour } = colourScale(values, o, 'blues');
  const height = Math.max(80, Math.round(((width - 32) * o.rows) / o.cols) + 46);
  return quietMarks(
    Plot.plot({
      width,
      height,
      marginLeft: 28,
      marginRight: 4,
      marginTop: 18,
      marginBottom: 28,
      x: indexAxis(o.cols, width - 32, xLabel),
      y: { ...indexAxis(o.rows, height - 46, yLabel), domain: [o.rows, 0] },
      color: colour,
      marks: rasterMarks(values, { ...o, label: o.label ?? 'attention' }, floor, xLabel, yLabel),
    }),
  );
}

/** The colour ramp that several heatmaps share (give it the maps' `colorType` / `diverging`). */
export function colorLegend(o: {
  domain: [number, number];
  scheme?: Plot.ColorScheme;
  label: string;
  width?: number;
  colorType?: ColorType;
  diverging?: boolean;
}): SVGSVGElement | HTMLElement {
  const { floor: _floor, ...colour } = colourScale(o.domain, o, 'blues');
  return quietMarks(
    Plot.legend({
      color: { ...colour, label: o.label },
      width: o.width ?? 240,
      ...RAMP,
    }),
  );
}
