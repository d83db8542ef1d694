/**
 * The convergence lab's second chart: the attention error of the mask rounded at each
 * iteration t, against horizontal reference lines (the baselines and, for small d, the
 * exhaustive optimum), each in its method's colour from the registry. Iterations where
 * L rose (outside the theorem's descent hypothesis) are marked with red ticks.
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { num, tick } from '../format.ts';
import { type MethodId, methodColour, methodLabel } from '../../core/methods.ts';

export interface RoundedErrorChart {
  curve: { iteration: number; error: number }[];
  references: { method: MethodId; error: number }[];
  raisedAt: number[];
  /** The method whose rounding the curve shows (its colour). */
  method: MethodId;
  width?: number;
}

export function roundedErrorChart(o: RoundedErrorChart): Element {
  const lastT = o.curve.length ? o.curve[o.curve.length - 1].iteration : 1;
  const names = [methodLabel(o.method) + ', rounded at t', ...o.references.map((r) => methodLabel(r.method))];
  const colours = [methodColour(o.method), ...o.references.map((r) => methodColour(r.method))];
  const refs = o.references.flatMap((r) => [
    { x: 0, y: r.error, name: methodLabel(r.method) },
    { x: lastT, y: r.error, name: methodLabel(r.method) },
  ]);
  const curve = o.curve.map((p) => ({ x: p.iteration, y: p.error, name: names[0] }));
  const marks: Plot.Markish[] = [
    Plot.line(refs, { x: 'x', y: 'y', z: 'name', stroke: 'name', strokeDasharray: '5,4', strokeWidth: 1.5 }),
    Plot.line(curve, { x: 'x', y: 'y', stroke: 'name', strokeWidth: 2 }),
    Plot.dot(curve, { x: 'x', y: 'y', stroke: 'name', r: 2.5 }),
    // The tip compares the rounded mask at t with every reference line.
    Plot.tip(
      curve,
      Plot.pointerX({
        x: 'x',
        y: 'y',
        stroke: 'name',
        title: (p: { x: number; y: number }) =>
          [`iteration t = ${p.x}`, `${names[0]}: ${num(p.y)}`, ...o.references.map((r) => `${methodLabel(r.method)}: ${num(r.error)}`)].join('\n'),
      }),
    ),
  ];
  if (o.raisedAt.length) marks.push(Plot.tickX(o.raisedAt, { x: (t: number) => t, stroke: '#e03131', strokeWidth: 1, insetTop: 0 }));
  return quietMarks(
    Plot.plot({
      width: o.width ?? 640,
      height: 260,
      marginLeft: 60,
      x: { label: 'iteration t', domain: [0, lastT] },
      y: { label: 'relative attention error of the rounded mask', grid: true, zero: true, tickFormat: tick },
      color: { legend: true, domain: names, range: colours },
      marks,
    }),
  );
}
