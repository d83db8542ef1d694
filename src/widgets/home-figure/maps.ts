/**
 * Attention maps for the home figure, drawn as plain SVG cells (a few hundred rects, a
 * millisecond or two, so the first result stays far inside its 300 ms budget): one fixed
 * colour scale for all maps (square root, so the tail of a peaked row stays visible),
 * rows are queries and columns keys, and every cell names its row, column and value on
 * hover (<title>).
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import type { Matrix } from '../../core/matrix.ts';
import { fixed } from '../../ui/format.ts';

const SVG = 'http://www.w3.org/2000/svg';

export type Colour = (v: number) => string;

export function attentionColour(domain: [number, number]): Colour {
  const scale = Plot.scale({ color: { type: 'sqrt', scheme: 'blues', domain } });
  return (v) => String(scale.apply(v));
}

export function attentionMap(m: Matrix, o: { width: number; colour: Colour; label: string }): SVGSVGElement {
  const left = 26;
  const top = 4;
  const bottom = 30;
  const cell = (o.width - left - 4) / m.cols;
  const height = top + cell * m.rows + bottom;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('width', String(o.width));
  svg.setAttribute('height', String(Math.round(height)));
  svg.setAttribute('viewBox', `0 0 ${o.width} ${Math.round(height)}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', o.label);
  svg.classList.add('hf-svg');
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      const r = document.createElementNS(SVG, 'rect');
      r.setAttribute('x', (left + j * cell).toFixed(2));
      r.setAttribute('y', (top + i * cell).toFixed(2));
      r.setAttribute('width', (cell + 0.3).toFixed(2));
      r.setAttribute('height', (cell + 0.3).toFixed(2));
      r.setAttribute('fill', o.colour(v));
      const t = document.createElementNS(SVG, 'title');
      t.textContent = `query ${i + 1}, key ${j + 1}: ${fixed(v, 3)}`;
      r.append(t);
      svg.append(r);
    }
  }
  const text = (x: number, y: number, s: string, anchor: string, rotate = false): void => {
    const t = document.createElementNS(SVG, 'text');
    t.setAttribute('x', String(x));
    t.setAttribute('y', String(y));
    t.setAttribute('text-anchor', anchor);
    t.setAttribute('font-size', '11');
    t.setAttribute('fill', 'currentColor');
    if (rotate) t.setAttribute('transform', `rotate(-90 ${x} ${y})`);
    t.textContent = s;
    svg.append(t);
  };
  const gridBottom = top + cell * m.rows;
  text(left + cell / 2, gridBottom + 13, '1', 'middle');
  text(left + cell * (m.cols - 0.5), gridBottom + 13, String(m.cols), 'middle');
  text(left + (cell * m.cols) / 2, gridBottom + 26, 'key →', 'middle');
  text(left - 4, top + cell * 0.8, '1', 'end');
  text(left - 4, top + cell * (m.rows - 0.2), String(m.rows), 'end');
  text(12, top + (cell * m.rows) / 2, 'query', 'middle', true);
  return svg;
}

export function mapLegend(domain: [number, number], width: number): Element {
  return quietMarks(
    Plot.legend({ color: { type: 'sqrt', scheme: 'blues', domain, label: 'attention weight (square-root scale)' }, width, marginLeft: 12, marginRight: 12 }),
  );
}
