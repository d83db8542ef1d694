/** Loss curves: lines on a log y axis, and log–log lines with decade ticks. */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { num, powerOfTenTick, tick } from '../format.ts';

export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

interface LinePoint {
  x: number;
  y: number;
  series: string;
}

/** The hover tip of a line chart: the point nearest the pointer, with its series and both values. */
export function lineTip(data: LinePoint[], o: { xLabel: string; yLabel: string; showSeries: boolean }): Plot.Markish {
  return Plot.tip(
    data,
    Plot.pointer({
      x: 'x',
      y: 'y',
      stroke: o.showSeries ? 'series' : undefined,
      title: (p: LinePoint) => `${o.showSeries ? `${p.series}\n` : ''}${o.xLabel}: ${num(p.x)}\n${o.yLabel}: ${num(p.y)}`,
    }),
  );
}

/**
 * Ticks of a log axis over the positive values: the powers of ten when the values span
 * two decades or more; else 1, 2 and 5 times them (a narrow range has too few powers).
 * Empty when even those are fewer than two (Plot then picks its own).
 */
export function logTicks(values: number[], most: number): number[] {
  const powers = decades(values, most);
  if (powers.length >= 3) return powers;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!(v > 0 && Number.isFinite(v))) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi >= lo)) return [];
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++)
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(1));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) out.push(v);
    }
  return out.length >= 2 ? out : [];
}

/** Lines on a log-y axis (loss curves), one colour per series; ticks read 0.1, 10⁻⁴ (never SI prefixes). */
export function logLines(series: Series[], o: { xLabel: string; yLabel: string; width?: number }): Element {
  const data = series.flatMap((s) => s.points.filter((p) => p.y > 0 && Number.isFinite(p.y)).map((p) => ({ ...p, series: s.name })));
  const yTicks = logTicks(
    data.map((p) => p.y),
    6,
  );
  return quietMarks(
    Plot.plot({
      width: o.width ?? 640,
      height: 260,
      marginLeft: 60,
      x: { label: o.xLabel, tickFormat: tick },
      y: { type: 'log', label: o.yLabel, grid: true, ticks: yTicks.length ? yTicks : undefined, tickFormat: tick },
      color: { legend: true },
      marks: [Plot.line(data, { x: 'x', y: 'y', stroke: 'series' }), lineTip(data, { ...o, showSeries: true })],
    }),
  );
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
export function logLogLines(series: Series[], o: { xLabel: string; yLabel: string; width?: number; markers?: { x: number; label: string }[] }): Element {
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
  return quietMarks(
    Plot.plot({
      width,
      height: 260,
      marginLeft: 60,
      marginTop: markers.length ? 24 : 20,
      x: {
        type: 'log',
        label: o.xLabel,
        grid: true,
        ticks: decades(
          data.map((p) => p.x),
          Math.max(3, Math.floor((width - 80) / 55)),
        ),
        tickFormat: powerOfTenTick,
      },
      y: {
        type: 'log',
        label: o.yLabel,
        grid: true,
        ticks: decades(
          data.map((p) => p.y),
          6,
        ),
        tickFormat: powerOfTenTick,
      },
      color: series.length > 1 ? { legend: true } : undefined,
      marks: [
        Plot.ruleX(markers, { x: 'x', stroke: 'currentColor', strokeDasharray: '4 3', strokeOpacity: 0.6 }),
        markerText('start'),
        markerText('middle'),
        markerText('end'),
        Plot.line(data, { x: 'x', y: 'y', stroke: series.length > 1 ? 'series' : 'currentColor' }),
        Plot.dot(data, { x: 'x', y: 'y', fill: series.length > 1 ? 'series' : 'currentColor', r: 2.5 }),
        lineTip(
          data.filter((p) => Number.isFinite(p.y)),
          { ...o, showSeries: series.length > 1 },
        ),
      ],
    }),
  );
}
