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
import { count, num, tick } from '../../ui/format.ts';

/** What a map shows: attention weights (F₀ or F′) or the absolute difference from F₀. */
export type MapKind = 'attention' | 'difference';

const SCALES: Record<MapKind, { scheme: Plot.ColorScheme; label: string }> = {
  attention: { scheme: 'blues', label: 'attention Fᵢⱼ (square-root scale, all maps)' },
  difference: { scheme: 'reds', label: '|F′ − F₀|ᵢⱼ (square-root scale, all methods)' },
};
/** Ticks spread evenly by the square root: small values get room. */
const TICKS = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1];
const MARGIN = { left: 24, right: 4, top: 16, bottom: 28 };

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

/**
 * The hover tip's channels, one entry per cell: numbers only, formatted when the tip
 * shows (Plot formats just the pointed entry, so a 64×64 map costs no 4096 strings).
 */
function tipChannels(values: ArrayLike<number>, o: MapOptions) {
  const cells = o.n * o.n;
  const x = new Float64Array(cells);
  const y = new Float64Array(cells);
  const row = new Float64Array(cells);
  const col = new Float64Array(cells);
  for (let k = 0; k < cells; k++) {
    row[k] = Math.floor(k / o.n);
    col[k] = k % o.n;
    x[k] = col[k] + 0.5;
    y[k] = row[k] + 0.5;
  }
  const channels: Record<string, Plot.ChannelValue> = { 'query i': row, 'key j': col, [o.name]: Float64Array.from(values) };
  const format: Record<string, boolean | ((v: number) => string)> = { x: false, y: false, 'query i': count, 'key j': count, [o.name]: (v) => num(v, 3) };
  for (const a of o.also ?? []) {
    channels[a.name] = Float64Array.from(a.values);
    format[a.name] = (v) => num(v, 3);
  }
  return { x, y, channels, format };
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
        Plot.tip(values, Plot.pointer({ ...tipChannels(values, o), maxRadius: Math.max(8, side / o.n) })),
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
