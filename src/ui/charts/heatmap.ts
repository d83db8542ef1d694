/** Matrices as pictures: heatmaps with and without their own legend, a shared colour ramp, and matrices with their numbers in the cells. */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { compact } from '../format.ts';

export interface HeatmapOptions {
  rows: number;
  cols: number;
  /** Colour domain; defaults to the data's range. */
  domain?: [number, number];
  scheme?: Plot.ColorScheme;
  width?: number;
  label?: string;
  /** Colour scale type (sqrt for peaked attention). */
  colorType?: 'linear' | 'sqrt' | 'log';
  /** Axis labels (default 'column' and 'row'). */
  xLabel?: string;
  yLabel?: string;
  /** Hover tooltip with row, column and value (default true). */
  tip?: boolean;
}

/** A matrix as a raster image: row 0 at the top, column 0 at the left. */
export function heatmap(values: ArrayLike<number>, o: HeatmapOptions): Element {
  const width = o.width ?? 260;
  return quietMarks(
    Plot.plot({
      width,
      height: Math.max(80, Math.round((width * o.rows) / o.cols)),
      marginLeft: 36,
      marginBottom: 28,
      x: { domain: [0, o.cols], label: o.xLabel ?? 'column', ticks: 4 },
      y: { domain: [o.rows, 0], label: o.yLabel ?? 'row', ticks: 4 },
      color: { type: o.colorType ?? 'linear', scheme: o.scheme ?? 'viridis', domain: o.domain, legend: true, label: o.label },
      marks: [
        Plot.raster(Array.from(values), { width: o.cols, height: o.rows, x1: 0, y1: 0, x2: o.cols, y2: o.rows, imageRendering: 'pixelated' }),
        ...(o.tip === false ? [] : [cellTip(values, o)]),
      ],
    }),
  );
}

/** A tooltip at the cell nearest the pointer: its row, column and value. */
function cellTip(values: ArrayLike<number>, o: HeatmapOptions): Plot.Markish {
  const cells: { x: number; y: number; text: string }[] = [];
  for (let i = 0; i < o.rows; i++)
    for (let j = 0; j < o.cols; j++) {
      const v = values[i * o.cols + j];
      cells.push({ x: j + 0.5, y: i + 0.5, text: `${o.yLabel ?? 'row'} ${i}, ${o.xLabel ?? 'column'} ${j}: ${Number.isNaN(v) ? 'no value' : compact(v)}` });
    }
  return Plot.tip(cells, Plot.pointer({ x: 'x', y: 'y', title: 'text' }));
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
      color: { type: o.type ?? 'diverging', scheme: o.scheme ?? 'rdbu', domain: o.domain, legend: true, label: o.label, tickFormat: compact, ticks: 3 },
      marks,
    }),
  );
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
  return quietMarks(
    Plot.plot({
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
    }),
  );
}

/** The colour ramp that several heatmaps share. */
export function colorLegend(o: { domain: [number, number]; scheme?: Plot.ColorScheme; label: string; width?: number }): SVGSVGElement | HTMLElement {
  return quietMarks(
    Plot.legend({
      color: { type: 'linear', scheme: o.scheme ?? 'blues', domain: o.domain, label: o.label },
      width: o.width ?? 240,
      marginLeft: 12,
      marginRight: 12,
    }),
  );
}
