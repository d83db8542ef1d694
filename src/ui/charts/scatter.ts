/** Scatter plots: a parity plot (y against x with the diagonal) and labelled method points over a cloud. */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { compact, num } from '../format.ts';

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
  return quietMarks(
    Plot.plot({
      width,
      height: width,
      marginLeft: 60,
      marginBottom: 40,
      x: { domain, label: o.xLabel, grid: true, ticks: 4, tickFormat: compact },
      y: { domain, label: o.yLabel, grid: true, ticks: 5, tickFormat: compact },
      marks: [
        Plot.line([{ v: domain[0] }, { v: domain[1] }], { x: 'v', y: 'v', stroke: 'currentColor', strokeOpacity: 0.4, strokeDasharray: '4 3' }),
        Plot.dot(points, { x: 'x', y: 'y', r: 4, stroke: 'currentColor', fill: 'currentColor', fillOpacity: 0.35 }),
        Plot.tip(points, Plot.pointer({ x: 'x', y: 'y', title: (p: { x: number; y: number }) => `${o.xLabel}: ${num(p.x)}\n${o.yLabel}: ${num(p.y)}` })),
      ],
    }),
  );
}

export interface ScatterPoint {
  x: number;
  y: number;
}

/**
 * Many background points in grey (random samples) and a few highlighted, labelled
 * points (methods), each with its method's colour (from the registry) and its own symbol. Labels that would overlap
 * are moved apart vertically; a label that would leave the plot goes on the left.
 */
export function labelledScatter(
  background: ScatterPoint[],
  highlights: (ScatterPoint & { label: string; colour: string })[],
  o: { xLabel: string; yLabel: string; width?: number; backgroundName?: string },
): Element {
  const width = o.width ?? 640;
  const backgroundName = o.backgroundName ?? 'random mask';
  const tipText = (name: string, p: ScatterPoint): string => `${name}\n${o.xLabel}: ${num(p.x)}\n${o.yLabel}: ${num(p.y)}`;
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
  const candidates: [boolean, number][] = [0, -1, 1, -2, 2].flatMap((k) => [
    [false, k * lineHeight] as [boolean, number],
    [true, k * lineHeight] as [boolean, number],
  ]);
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
  return quietMarks(
    Plot.plot({
      width,
      height,
      marginLeft: margin.left,
      marginRight: margin.right,
      marginTop: margin.top,
      marginBottom: margin.bottom,
      inset,
      x: { label: o.xLabel, grid: true, domain: xDomain },
      y: { label: o.yLabel, grid: true, domain: yDomain },
      color: { domain: highlights.map((h) => h.label), range: highlights.map((h) => h.colour) },
      symbol: { legend: true, domain: highlights.map((h) => h.label) },
      marks: [
        Plot.dot(background, { x: 'x', y: 'y', r: 2.5, fill: 'gray', fillOpacity: 0.45 }),
        Plot.dot(highlights, { x: 'x', y: 'y', r: 6, stroke: 'label', fill: 'label', symbol: 'label', strokeWidth: 1.5 }),
        // One tip for both layers: the nearest point, a method (in its colour) or a background sample.
        Plot.tip(
          [...highlights.map((h) => ({ ...h, name: h.label })), ...background.map((b) => ({ ...b, name: backgroundName }))],
          Plot.pointer({ x: 'x', y: 'y', title: (p: ScatterPoint & { name: string }) => tipText(p.name, p) }),
        ),
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
    }),
  );
}
