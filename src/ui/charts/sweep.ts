/** Attention error against sparsity, one colour per method (from the registry), N:M patterns as symbols. */
import * as Plot from '@observablehq/plot';
import { quietMarks } from './quiet.ts';
import { num, percent, tick } from '../format.ts';
import { type MethodId, methodColour, methodLabel } from '../../core/methods.ts';

export interface SweepPoint {
  method: MethodId;
  pattern: string;
  sparsity: number;
  value: number;
}

/** How far an N:M group's centre is drawn from its sparsity, and the step between its methods (units of p). */
const NM_OFFSET = 0.05;
const NM_SPREAD = 0.004;

/**
 * Attention error against sparsity: a line with dots per method for the unstructured
 * pattern, and the N:M patterns as separate symbols (they fix the sparsity to N/M).
 * Log y when every value is positive.
 */
export function sweepChart(points: SweepPoint[], o: { yLabel: string; width?: number }) {
  const finite = points.filter((p) => Number.isFinite(p.value));
  const logY = finite.every((p) => p.value > 0);
  const methods = [...new Set(finite.map((p) => p.method))];
  const unstructured = finite.filter((p) => p.pattern === 'unstructured').map((p) => ({ ...p, name: methodLabel(p.method) }));
  const nm = finite.filter((p) => p.pattern !== 'unstructured').map((p) => ({ ...p, name: methodLabel(p.method) }));
  const patterns = [...new Set(finite.map((p) => p.pattern))];
  const nmPatterns = patterns.filter((p) => p !== 'unstructured');
  const symbols: Record<string, Plot.SymbolType> = { unstructured: 'circle', '2:4': 'triangle', '4:8': 'square' };
  const width = o.width ?? 640;
  // N:M points sit at p = N/M; each pattern's group is drawn to one side of p (2:4 left,
  // 4:8 right, NM_OFFSET away, so a group's ±NM_SPREAD·methods/2 never reaches p or the
  // other group), its methods spread within the group, so no marker hides another's.
  const drawnX = (p: SweepPoint): number => {
    if (p.pattern === 'unstructured') return p.sparsity;
    const k = nmPatterns.indexOf(p.pattern);
    const side = k % 2 === 0 ? -1 : 1;
    return p.sparsity + side * (NM_OFFSET + 0.035 * Math.floor(k / 2)) + NM_SPREAD * (methods.indexOf(p.method) - (methods.length - 1) / 2);
  };
  return quietMarks(
    Plot.plot({
      width,
      height: 300,
      marginLeft: 56,
      marginRight: 12,
      x: {
        label: 'sparsity p (share of W pruned)',
        domain: [0.05, 0.95],
        ticks: width < 480 ? [0.1, 0.3, 0.5, 0.7, 0.9] : [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
      },
      y: { type: logY ? 'log' : 'linear', label: o.yLabel, grid: true, tickFormat: tick },
      color: {
        legend: true,
        domain: methods.map((m) => methodLabel(m)),
        range: methods.map((m) => methodColour(m)),
      },
      symbol: { legend: true, domain: patterns, range: patterns.map((p) => symbols[p] ?? 'diamond') },
      marks: [
        Plot.line(unstructured, { x: 'sparsity', y: 'value', stroke: 'name', strokeWidth: 1.5 }),
        Plot.dot(unstructured, { x: 'sparsity', y: 'value', stroke: 'name', fill: 'name', symbol: 'pattern', r: 2.5 }),
        Plot.dot(nm, {
          x: drawnX,
          y: 'value',
          stroke: 'name',
          symbol: 'pattern',
          r: width < 480 ? 3.5 : 4.5,
          strokeWidth: 1.5,
        }),
        Plot.tip(
          [...unstructured, ...nm],
          Plot.pointer({
            x: drawnX,
            y: 'value',
            stroke: 'name',
            title: (p: SweepPoint & { name: string }) => `${p.name}, ${p.pattern}\nsparsity ${percent(p.sparsity, 0)}\n${o.yLabel}: ${num(p.value)}`,
          }),
        ),
      ],
    }),
  );
}
