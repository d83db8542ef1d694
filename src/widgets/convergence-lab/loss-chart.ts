/**
 * The lab's loss curve: L(M_t) and its attention term against t, with a rule at the
 * scrubbed iteration that moves in place (no redraw). It copes with the two runs a
 * plain log chart cannot show: a loss that is 0 throughout (λ = 0, a stationary point:
 * drawn on a linear axis as dots on 0) and a run that diverged (drawn up to the last
 * finite value, with a rule where it was stopped).
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import { num, powerOfTenTick, tick } from '../../ui/format.ts';
import { methodColour } from '../../core/methods.ts';

export interface LossChartOptions {
  loss: readonly number[];
  attention: readonly number[];
  width: number;
  /** The iteration at which the run was declared diverged. */
  divergedAt?: number;
  /** Words at t = 0 when nothing moved (λ = 0). */
  stationaryLabel?: string;
}

export interface LossChart {
  element: Element;
  /** Move the rule to iteration t. */
  setT(t: number): void;
}

const SVG = 'http://www.w3.org/2000/svg';
const L_NAME = 'L(M_t)';
const A_NAME = '½‖F(M_t) − F₀‖²';
const ATTENTION_GREY = '#868e96';
const DIVERGED_RED = '#e03131';

/** The frame the loss curve and the gap chart share, so that side by side their t axes line up. */
function iterationFrame(width: number, lastT: number) {
  return { width, height: 260, marginLeft: 60, marginTop: 24, x: { label: 'iteration t', domain: [0, lastT] } };
}

export function lossChart(o: LossChartOptions): LossChart {
  const finite = (v: number) => Number.isFinite(v);
  const positive = [...o.loss, ...o.attention].some((v) => finite(v) && v > 0);
  // A log axis needs positive values; when every value is 0 (or none is finite) draw 0 on a linear axis.
  const log = positive;
  const keep = (v: number) => finite(v) && (!log || v > 0);
  const points = (h: readonly number[]) => h.flatMap((y, t) => (keep(y) ? [{ t, y }] : []));
  const lossPts = points(o.loss);
  const attnPts = points(o.attention);
  const lastT = Math.max(1, o.loss.length - 1);
  const colour = methodColour('gd');
  const marks: Plot.Markish[] = [
    Plot.line(attnPts, { x: 't', y: 'y', stroke: ATTENTION_GREY, strokeDasharray: '5,3', strokeWidth: 1.5 }),
    Plot.line(lossPts, { x: 't', y: 'y', stroke: colour, strokeWidth: 2 }),
  ];
  if (!log) marks.push(Plot.dot(lossPts, { x: 't', y: 'y', fill: colour, r: 2.5 }));
  // Direct labels at the end of each line (no legend: a legend with nothing to show misleads).
  const lastOf = (p: { t: number; y: number }[]) => p.slice(-1);
  if (log) {
    marks.push(
      Plot.text(lastOf(lossPts), { x: 't', y: 'y', text: () => L_NAME, dy: -8, textAnchor: 'end', fill: colour, fontSize: 11 }),
      Plot.text(lastOf(attnPts), { x: 't', y: 'y', text: () => A_NAME, dy: 12, textAnchor: 'end', fill: ATTENTION_GREY, fontSize: 11 }),
    );
  }
  if (o.stationaryLabel) {
    marks.push(Plot.text([{ t: 0, y: 0 }], { x: 't', y: 'y', text: () => o.stationaryLabel ?? '', dy: -14, textAnchor: 'start', fontSize: 12 }));
  }
  if (o.divergedAt !== undefined) {
    marks.push(
      Plot.ruleX([o.divergedAt], { stroke: DIVERGED_RED, strokeDasharray: '4,3' }),
      Plot.text([o.divergedAt], {
        x: (t: number) => t,
        frameAnchor: 'bottom',
        dy: -6,
        dx: -4,
        text: () => 'diverged',
        textAnchor: 'end',
        fill: DIVERGED_RED,
        fontSize: 11,
      }),
    );
  }
  const byT = new Map(lossPts.map((p) => [p.t, p]));
  const tipData = o.loss.map((l, t) => ({ t, y: byT.get(t)?.y ?? 0, l, a: o.attention[t] }));
  marks.push(
    Plot.tip(
      tipData.filter((d) => keep(d.y)),
      Plot.pointerX({ x: 't', y: 'y', title: (d: { t: number; l: number; a: number }) => `t = ${d.t}\nL = ${num(d.l, 4)}\nattention term = ${num(d.a, 4)}` }),
    ),
  );
  const chart = quietMarks(
    Plot.plot({
      ...iterationFrame(o.width, lastT),
      y: log
        ? {
            type: 'log',
            label: 'loss (log scale)',
            grid: true,
            ...logTicks([...lossPts, ...attnPts]),
          }
        : { label: 'loss', grid: true, domain: [0, 1], tickFormat: tick },
      marks,
    }),
  );

  return { element: chart, setT: addRule(chart) };
}

export interface GapChartOptions {
  loss: readonly number[];
  /** The floor L* the gap is measured against. */
  lStar: number;
  width: number;
}

/**
 * The gap L(M_t) − L* against t on a log axis, where a linear rate (g_t ≤ ρᵗ g₀, the
 * convergence theorem's kind) is a straight line. Gaps that are not positive, or below
 * float64's resolution of L*, have no logarithm and are left out (the caption says how many).
 */
export function gapPoints(loss: readonly number[], lStar: number): { t: number; y: number }[] {
  const resolution = 1e-14 * Math.max(1, Math.abs(lStar));
  return loss.flatMap((l, t) => (Number.isFinite(l) && l - lStar > resolution ? [{ t, y: l - lStar }] : []));
}

export function gapChart(o: GapChartOptions): LossChart {
  const pts = gapPoints(o.loss, o.lStar);
  const colour = methodColour('gd');
  const lastT = Math.max(1, o.loss.length - 1);
  const chart = quietMarks(
    Plot.plot({
      ...iterationFrame(o.width, lastT),
      y: { type: 'log', label: 'L(M_t) − L* (log scale)', grid: true, ...logTicks(pts) },
      marks: [
        Plot.line(pts, { x: 't', y: 'y', stroke: colour, strokeWidth: 2 }),
        Plot.tip(
          pts,
          Plot.pointerX({
            x: 't',
            y: 'y',
            title: (d: { t: number; y: number }) => `t = ${d.t}
L − L* = ${num(d.y, 4)}`,
          }),
        ),
      ],
    }),
  );
  return { element: chart, setT: addRule(chart) };
}

/** Ticks of the log axis: the powers of ten when the values span two decades or more, else four plain ticks. */
function logTicks(points: { y: number }[]): { ticks: number | number[]; tickFormat: (v: number) => string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.y);
    hi = Math.max(hi, p.y);
  }
  if (!(hi > lo) || Math.log10(hi / lo) < 2) return { ticks: 4, tickFormat: tick };
  const powers: number[] = [];
  for (let k = Math.ceil(Math.log10(lo) - 1e-9); k <= Math.floor(Math.log10(hi) + 1e-9); k++) powers.push(10 ** k);
  return { ticks: powers, tickFormat: powerOfTenTick };
}

/** A rule at iteration t over any Plot chart with a linear x scale (the rounded-error chart). */
export function addRule(chart: Element): (t: number) => void {
  const c = chart as Element & { scale(name: 'x' | 'y'): { apply(v: number): number; range?: number[] } | undefined };
  // A chart with a legend is a <figure> holding the legend's svg and then the plot's.
  const svgs = chart instanceof SVGSVGElement ? [chart] : Array.from(chart.querySelectorAll('svg'));
  const svg = svgs[svgs.length - 1];
  const x = c.scale('x');
  const yRange = c.scale('y')?.range ?? [20, 230];
  const rule = document.createElementNS(SVG, 'line');
  rule.setAttribute('class', 'lab-rule');
  rule.setAttribute('y1', String(Math.min(...yRange)));
  rule.setAttribute('y2', String(Math.max(...yRange)));
  rule.setAttribute('stroke', 'currentColor');
  rule.setAttribute('stroke-width', '1.5');
  rule.setAttribute('stroke-opacity', '0.7');
  svg?.append(rule);
  return (t) => {
    if (!x) return;
    const px = String(x.apply(t));
    rule.setAttribute('x1', px);
    rule.setAttribute('x2', px);
    rule.dataset.t = String(t);
  };
}
