/**
 * Attention maps for the home figure: a small raster per matrix on one fixed colour scale
 * (square root, so the tail of a peaked row stays visible), axes labelled query and key.
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import type { Matrix } from '../../core/matrix.ts';

export function attentionMap(m: Matrix, o: { width: number; domain: [number, number]; label: string }): Element {
  const width = o.width;
  const svg = quietMarks(
    Plot.plot({
      width,
      height: Math.round(((width - 32) * m.rows) / m.cols) + 40,
      marginLeft: 28,
      marginRight: 4,
      marginTop: 8,
      marginBottom: 32,
      x: { domain: [0, m.cols], label: 'key', ticks: 2, tickFormat: (v: number) => String(v) },
      y: { domain: [m.rows, 0], label: 'query', ticks: 2, tickFormat: (v: number) => String(v) },
      color: { type: 'sqrt', scheme: 'blues', domain: o.domain },
      marks: [Plot.raster(Array.from(m.data), { width: m.cols, height: m.rows, x1: 0, y1: 0, x2: m.cols, y2: m.rows, imageRendering: 'pixelated' })],
    }),
  );
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', o.label);
  return svg;
}

export function mapLegend(domain: [number, number], width: number): Element {
  return quietMarks(
    Plot.legend({ color: { type: 'sqrt', scheme: 'blues', domain, label: 'attention weight (square-root scale)' }, width, marginLeft: 12, marginRight: 12 }),
  );
}
