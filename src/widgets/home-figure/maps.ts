/**
 * Attention maps for the home figure, drawn on canvases (so the first result stays far
 * inside its 300 ms budget): one fixed colour scale, 0 to 1, for every map and every
 * slider position (square root, so the tail of a peaked row stays visible); rows are
 * queries and columns keys.
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import type { Matrix } from '../../core/matrix.ts';
import { fixed } from '../../ui/format.ts';

export type Colour = (v: number) => string;

/** The scale sampled once into 256 steps: a cell's colour is then a table look-up. */
export function attentionColour(domain: [number, number]): Colour {
  const scale = Plot.scale({ color: { type: 'sqrt', scheme: 'blues', domain } });
  const [lo, hi] = domain;
  const steps = 256;
  // Sampled evenly in √v, the scale's own variable, so small weights get as many steps as large ones.
  const table = Array.from({ length: steps }, (_, t) => String(scale.apply(lo + (hi - lo) * (t / (steps - 1)) ** 2)));
  return (v) => {
    const u = Math.sqrt(Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
    return table[Math.round(u * (steps - 1))];
  };
}

/**
 * One map: the cells on a canvas (256 rectangles in well under a millisecond), the axes in
 * HTML beside it. Hovering a cell names its query, key and value (the canvas's title).
 */
export function attentionMap(m: Matrix, o: { width: number; colour: Colour; label: string }): HTMLElement {
  const size = o.width - 22;
  const cell = size / m.cols;
  const wrap = document.createElement('div');
  wrap.className = 'hf-plot';
  const canvas = document.createElement('canvas');
  const dpr = Math.min(3, Math.max(1, globalThis.devicePixelRatio || 1));
  canvas.width = Math.round(size * dpr);
  canvas.height = Math.round(cell * m.rows * dpr);
  canvas.style.width = `${size}px`;
  canvas.style.height = `${cell * m.rows}px`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', o.label);
  const ctx = canvas.getContext('2d');
  if (ctx) {
    ctx.scale(dpr, dpr);
    for (let i = 0; i < m.rows; i++) {
      for (let j = 0; j < m.cols; j++) {
        ctx.fillStyle = o.colour(m.data[i * m.cols + j]);
        ctx.fillRect(j * cell, i * cell, cell + 0.5, cell + 0.5);
      }
    }
  }
  canvas.addEventListener('pointermove', (e) => {
    const r = canvas.getBoundingClientRect();
    const j = Math.min(m.cols - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * m.cols)));
    const i = Math.min(m.rows - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * m.rows)));
    canvas.title = `query ${i + 1}, key ${j + 1}: ${fixed(m.data[i * m.cols + j], 3)}`;
  });
  const yAxis = document.createElement('span');
  yAxis.className = 'hf-yaxis';
  yAxis.textContent = `query 1–${m.rows} →`;
  const xAxis = document.createElement('span');
  xAxis.className = 'hf-xaxis';
  xAxis.textContent = `key 1–${m.cols} →`;
  wrap.append(yAxis, canvas, xAxis);
  return wrap;
}

export function mapLegend(domain: [number, number], width: number): Element {
  return quietMarks(
    Plot.legend({ color: { type: 'sqrt', scheme: 'blues', domain, label: 'attention weight (square-root scale)' }, width, marginLeft: 12, marginRight: 12 }),
  );
}
