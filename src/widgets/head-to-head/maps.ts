/**
 * Head to head's attention maps: F₀, each method's F′ and its |F′ − F₀|, each on a
 * square-root colour scale over the fixed domain [0, 1]. Attention is peaked (a few
 * entries near 1, most near 0), so a linear ramp leaves the maps almost white; the
 * square root spreads the small values. The domain is fixed, not the data's range, so
 * that maps drawn as their methods finish (one after another) share one scale, and a
 * darker difference map always means a larger error. Hovering a map shows the entry.
 */
import * as Plot from '@observablehq/plot';
import { quietMarks } from '../../ui/charts/quiet.ts';
import { num, tick } from '../../ui/format.ts';

/** What a map shows: attention weights (F₀ or F′) or the absolute difference from F₀. */
export type MapKind = 'attention' | 'difference';

const SCALES: Record<MapKind, { scheme: Plot.ColorScheme; label: string }> = {
  attention: { scheme: 'blues', label: 'attention weight Fᵢⱼ (square-root scale, the same in every map)' },
  difference: { scheme: 'reds', label: '|F′ − F₀|ᵢⱼ (square-root scale, the same for every method)' },
};
/** Ticks spread evenly by the square root: small values get room. */
const TICKS = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1];
const MARGIN = { left: 30, right: 6, top: 18, bottom: 30 };

/** The smallest plot width at which each of n columns gets at least 2 px (so a phone scrolls rather than shrinks). */
export function minMapWidth(n: number): number {
  return MARGIN.left + MARGIN.right + 2 * n;
}

export interface MapOptions {
  n: number;
  kind: MapKind;
  width: number;
  /** Entries shown in the hover tip beside the map's own value, e.g. F₀ and F′. */
  also?: readonly { name: string; values: ArrayLike<number> }[];
  /** The value's name in the tip: "F₀", "F′", "|F′ − F₀|". */
  name: string;
}

/** The map's entries as hover points, one per cell (only the pointed one is drawn). */
function tipPoints(values: ArrayLike<number>, o: MapOptions): { x: number; y: number; text: string }[] {
  const points: { x: number; y: number; text: string }[] = [];
  for (let i = 0; i < o.n; i++) {
    for (let j = 0; j < o.n; j++) {
      const k = i * o.n + j;
      const lines = [`query i = ${i}, key j = ${j}`, `${o.name} = ${num(values[k], 3)}`];
      for (const a of o.also ?? []) lines.push(`${a.name} = ${num(a.values[k], 3)}`);
      points.push({ x: j + 0.5, y: i + 0.5, text: lines.join('\n') });
    }
  }
  return points;
}

/** One n×n map: query i down, key j across, with a hover tip. */
export function attentionMap(values: ArrayLike<number>, o: MapOptions): SVGSVGElement | HTMLElement {
  const side = o.width - MARGIN.left - MARGIN.right;
  return quietMarks(
    Plot.plot({
      width: o.width,
      height: side + MARGIN.top + MARGIN.bottom,
      marginLeft: MARGIN.left,
      marginRight: MARGIN.right,
      marginTop: MARGIN.top,
      marginBottom: MARGIN.bottom,
      x: { domain: [0, o.n], label: 'key j', ticks: 4, tickFormat: tick },
      y: { domain: [o.n, 0], label: 'query i', ticks: 4, tickFormat: tick },
      color: { type: 'sqrt', scheme: SCALES[o.kind].scheme, domain: [0, 1] },
      marks: [
        Plot.raster(Array.from(values), { width: o.n, height: o.n, x1: 0, y1: 0, x2: o.n, y2: o.n, imageRendering: 'pixelated' }),
        Plot.frame({ stroke: 'currentColor', strokeOpacity: 0.3 }),
        Plot.tip(tipPoints(values, o), Plot.pointer({ x: 'x', y: 'y', title: 'text', maxRadius: Math.max(8, side / o.n) })),
      ],
    }),
  );
}

/** The colour ramp of one kind of map, with its ticks spread by the square root. */
export function mapLegend(kind: MapKind, width: number): SVGSVGElement | HTMLElement {
  return quietMarks(
    Plot.legend({
      color: { type: 'sqrt', scheme: SCALES[kind].scheme, domain: [0, 1], label: SCALES[kind].label, ticks: TICKS, tickFormat: tick },
      width,
      marginLeft: 12,
      marginRight: 16,
    }),
  );
}

/** The largest entry of a map and where it is, for the caption. */
export function largest(values: ArrayLike<number>, n: number): { value: number; i: number; j: number } {
  let best = { value: Number.NEGATIVE_INFINITY, i: 0, j: 0 };
  for (let k = 0; k < n * n; k++) if (values[k] > best.value) best = { value: values[k], i: Math.floor(k / n), j: k % n };
  return best;
}

/** |a − b| entry by entry. */
export function absDifference(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let k = 0; k < a.length; k++) out[k] = Math.abs(a[k] - b[k]);
  return out;
}
