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

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * The hover tip: the cell under the pointer and its values, drawn in the map's own SVG.
 * Computed from the pointer's position (not one Plot mark per cell), so a 64×64 map
 * costs nothing to draw and the tip formats only the entry pointed at.
 */
function addHover(svg: SVGSVGElement, values: ArrayLike<number>, o: MapOptions): void {
  const side = o.width - MARGIN.left - MARGIN.right;
  const tip = document.createElementNS(SVG_NS, 'g');
  tip.setAttribute('class', 'map-tip');
  tip.setAttribute('pointer-events', 'none');
  tip.style.display = 'none';
  const box = document.createElementNS(SVG_NS, 'rect');
  box.style.fill = 'var(--bg, white)'; // the page's background, dark mode too
  box.setAttribute('stroke', 'currentColor');
  box.setAttribute('rx', '3');
  const text = document.createElementNS(SVG_NS, 'text');
  text.setAttribute('font-size', '11');
  text.setAttribute('text-anchor', 'start'); // Plot's SVG centres text by default
  text.setAttribute('fill', 'currentColor');
  tip.append(box, text);
  svg.append(tip);
  const hide = (): void => {
    tip.style.display = 'none';
  };
  svg.addEventListener('pointerleave', hide);
  svg.addEventListener('pointermove', (e) => {
    const rect = svg.getBoundingClientRect();
    const scale = rect.width / o.width;
    const px = (e.clientX - rect.left) / scale;
    const py = (e.clientY - rect.top) / scale;
    const j = Math.floor(((px - MARGIN.left) / side) * o.n);
    const i = Math.floor(((py - MARGIN.top) / side) * o.n);
    if (i < 0 || j < 0 || i >= o.n || j >= o.n) return hide();
    const k = i * o.n + j;
    const lines = [
      `query i ${count(i)}, key j ${count(j)}`,
      `${o.name} ${num(values[k], 3)}`,
      ...(o.also ?? []).map((a) => `${a.name} ${num(a.values[k], 3)}`),
    ];
    text.replaceChildren(
      ...lines.map((line, n) => {
        const span = document.createElementNS(SVG_NS, 'tspan');
        span.setAttribute('x', '6');
        span.setAttribute('dy', n === 0 ? '1.1em' : '1.2em');
        span.textContent = line;
        return span;
      }),
    );
    tip.style.display = '';
    const w = Math.max(...lines.map((l) => l.length)) * 6.2 + 12;
    const h = lines.length * 13.2 + 8;
    box.setAttribute('width', String(w));
    box.setAttribute('height', String(h));
    // Beside the pointer, flipped to stay inside the map.
    const x = px + 12 + w > o.width ? px - 12 - w : px + 12;
    const y = py + 12 + h > side + MARGIN.top + MARGIN.bottom ? py - 12 - h : py + 12;
    tip.setAttribute('transform', `translate(${Math.max(0, x)},${Math.max(0, y)})`);
  });
}

/** One n×n map: query i down, key j across, with a hover tip. */
export function attentionMap(values: ArrayLike<number>, o: MapOptions): SVGSVGElement | HTMLElement {
  const side = o.width - MARGIN.left - MARGIN.right;
  const chart = quietMarks(
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
      ],
    }),
  );
  const svg = chart instanceof SVGSVGElement ? chart : chart.querySelector('svg');
  if (svg) addHover(svg, values, o);
  return chart;
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
