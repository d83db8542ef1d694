/** A histogram of positive values on a log x axis with labelled rules (the exhaustive search's masks). */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { count as countText, num, tick } from '../format.ts';

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
    Plot.tip(
      bins.filter((b) => b.count > 0),
      Plot.pointerX({
        x: (b: { x1: number; x2: number }) => Math.sqrt(b.x1 * b.x2),
        y: 'count',
        title: (b: { x1: number; x2: number; count: number }) =>
          `${o.xLabel}: ${num(b.x1)} to ${num(b.x2)}\n${countText(b.count)} ${b.count === 1 ? 'mask' : 'masks'}`,
      }),
    ),
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
  return quietMarks(
    Plot.plot({
      width,
      height: 280,
      marginLeft: 50,
      marginTop: 26,
      marginBottom: 36,
      x: { type: 'log', domain, label: o.xLabel, ticks: width < 480 ? 4 : 8, tickFormat: tick },
      y: { type: 'sqrt', label: 'masks per bin (√ scale)', grid: true, ticks: 5 },
      marks,
    }),
  );
}
