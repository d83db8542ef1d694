/**
 * The competitive end of chapter 3's cloud: every neighbour of a method's mask as a small
 * dot in that method's colour (from the registry), a black ring where the two errors
 * judge the neighbour against its method's mask oppositely, and each method's own mask
 * as a large symbol. Hovering a mark names it and gives both errors.
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import { methodColour, methodLabel, type MethodId } from '../../core/methods.ts';
import { num, tick } from '../../ui/format.ts';
import type { NearPoint } from '../../jobs/nearCloud.ts';

export interface CloudMethod {
  method: MethodId;
  linear: number;
  attention: number;
}

export function nearCloudChart(near: readonly NearPoint[], methods: readonly CloudMethod[], o: { width: number }): Element {
  const width = o.width;
  const height = Math.round(Math.min(440, Math.max(300, width * 0.62)));
  const labels = methods.map((m) => methodLabel(m.method));
  const tipText = (d: { label: string; linear: number; attention: number; note?: string }): string =>
    `${d.label}\nlinear error ${num(d.linear)}\nattention error ${num(d.attention)}${d.note ? `\n${d.note}` : ''}`;
  const nearRows = near.map((p) => ({
    ...p,
    label: `near ${methodLabel(p.from)}`,
    group: methodLabel(p.from),
    note: `${p.swaps} ${p.swaps === 1 ? 'swap' : 'swaps'}${p.disagrees ? '; the two errors disagree' : ''}`,
  }));
  const methodRows = methods.map((m) => ({ ...m, label: methodLabel(m.method), group: methodLabel(m.method) }));
  return quietMarks(
    Plot.plot({
      width,
      height,
      marginLeft: 56,
      marginBottom: 42,
      inset: 8,
      x: { label: 'linear error ‖XW − XW′‖ / ‖XW‖ →', grid: true, tickFormat: tick },
      y: { label: '↑ attention error ‖F′ − F₀‖ / ‖F₀‖', grid: true, tickFormat: tick },
      color: { domain: labels, range: methods.map((m) => methodColour(m.method)), legend: true },
      symbol: { domain: labels },
      marks: [
        Plot.dot(nearRows, { x: 'linear', y: 'attention', r: 2.6, fill: 'group', fillOpacity: 0.5 }),
        Plot.dot(
          nearRows.filter((p) => p.disagrees),
          { x: 'linear', y: 'attention', r: 4.5, stroke: 'currentColor', strokeWidth: 1.2 },
        ),
        Plot.dot(methodRows, { x: 'linear', y: 'attention', r: 6.5, symbol: 'group', fill: 'group', stroke: 'var(--bg, white)', strokeWidth: 1.2 }),
        Plot.tip([...nearRows, ...methodRows], Plot.pointer({ x: 'linear', y: 'attention', title: tipText, maxRadius: 24 })),
      ],
    }),
  );
}
