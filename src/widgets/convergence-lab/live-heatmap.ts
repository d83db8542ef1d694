/**
 * A heatmap the scrubber can redraw in place: Plot draws the axes and the colour bar
 * once (with a colour domain fixed across t), and each redraw only repaints the pixels,
 * from a colour table sampled from that same Plot scale, on a canvas laid exactly over
 * Plot's raster image. Rebuilding four Plot figures per slider step would cost tens of
 * milliseconds, and even swapping the image's PNG costs an encode and a decode per
 * frame; `sync()` writes the PNG into the SVG once the scrubbing settles, so the SVG and
 * PNG downloads show what the screen shows. The hover tooltip reads the values
 * currently shown, so it stays right while scrubbing.
 */
import * as Plot from '@observablehq/plot';
import { heatmap, type HeatmapOptions } from '../../ui/charts/heatmap.ts';

export interface LiveHeatmap {
  /** The chart (Plot figure) inside a positioned wrapper that also holds the tooltip. */
  element: HTMLElement;
  /** Repaint with new values (same shape), on the same colour scale. */
  set(values: ArrayLike<number>): void;
  /** Write the current picture into the SVG's own image (for export). */
  sync(): void;
}

export interface LiveHeatmapOptions extends HeatmapOptions {
  domain: [number, number];
  /** The value in the tooltip. */
  format: (v: number) => string;
}

const XLINK = 'http://www.w3.org/1999/xlink';

/** Where v sits along the colour ramp, 0..1, for the scale types Plot draws. */
function position(v: number, [lo, hi]: [number, number], type: 'linear' | 'sqrt' | 'log'): number {
  const f = type === 'sqrt' ? Math.sqrt : type === 'log' ? Math.log : (x: number) => x;
  const a = f(lo);
  const b = f(hi);
  const p = b === a ? 0 : (f(v) - a) / (b - a);
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** 256 RGB colours along the ramp, taken from Plot's own scale so the bar and the image agree. */
function colourTable(o: LiveHeatmapOptions): Uint8ClampedArray {
  const type = o.colorType ?? 'linear';
  const scale = Plot.scale({ color: { type, scheme: o.scheme ?? 'viridis', domain: o.domain } });
  const [lo, hi] = o.domain;
  const canvas = document.createElement('canvas');
  canvas.width = 256;
  canvas.height = 1;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas to draw the heatmap');
  const f = type === 'sqrt' ? Math.sqrt : type === 'log' ? Math.log : (x: number) => x;
  const inv = type === 'sqrt' ? (x: number) => x * x : type === 'log' ? Math.exp : (x: number) => x;
  for (let k = 0; k < 256; k++) {
    const v = inv(f(lo) + (k / 255) * (f(hi) - f(lo)));
    ctx.fillStyle = String(scale.apply(v));
    ctx.fillRect(k, 0, 1, 1);
  }
  return ctx.getImageData(0, 0, 256, 1).data;
}

export function liveHeatmap(values: ArrayLike<number>, o: LiveHeatmapOptions): LiveHeatmap {
  const chart = heatmap(values, { ...o, tip: false }) as Element & {
    scale(name: 'x' | 'y'): { invert?: (v: number) => number } | undefined;
  };
  const wrap = document.createElement('div');
  wrap.className = 'lab-heatmap';
  const tip = document.createElement('div');
  tip.className = 'lab-tip';
  tip.hidden = true;
  wrap.append(chart, tip);
  // With a legend Plot returns a <figure> holding the legend's svg (whose ramp is an <image>
  // too) and then the plot's svg: the raster is the image of the last svg.
  const svgs = chart instanceof SVGSVGElement ? [chart] : Array.from(chart.querySelectorAll('svg'));
  const svg = svgs[svgs.length - 1];
  const image = svg?.querySelector('image');
  const table = colourTable(o);
  const canvas = document.createElement('canvas');
  canvas.width = o.cols;
  canvas.height = o.rows;
  canvas.className = 'lab-raster';
  canvas.setAttribute('aria-hidden', 'true');
  const ctx = canvas.getContext('2d');
  const pixels = ctx?.createImageData(o.cols, o.rows);
  let shown: ArrayLike<number> = values;
  const type = o.colorType ?? 'linear';
  if (image) {
    wrap.append(canvas);
    // Keep the canvas on Plot's image whatever the chart's displayed size.
    const place = (): void => {
      const a = wrap.getBoundingClientRect();
      const b = image.getBoundingClientRect();
      canvas.style.left = `${b.left - a.left}px`;
      canvas.style.top = `${b.top - a.top}px`;
      canvas.style.width = `${b.width}px`;
      canvas.style.height = `${b.height}px`;
    };
    new ResizeObserver(place).observe(wrap);
  }

  const set = (next: ArrayLike<number>): void => {
    shown = next;
    if (!ctx || !pixels) return;
    const px = pixels.data;
    for (let i = 0; i < o.rows * o.cols; i++) {
      const v = next[i];
      if (!Number.isFinite(v)) {
        px[4 * i + 3] = 0;
        continue;
      }
      const k = 4 * Math.round(255 * position(v, o.domain, type));
      px[4 * i] = table[k];
      px[4 * i + 1] = table[k + 1];
      px[4 * i + 2] = table[k + 2];
      px[4 * i + 3] = 255;
    }
    ctx.putImageData(pixels, 0, 0);
  };
  const sync = (): void => {
    image?.setAttributeNS(XLINK, 'xlink:href', canvas.toDataURL());
  };
  set(values);

  // Hover: the pointer's cell, from Plot's own x and y scales.
  const sx = chart.scale('x');
  const sy = chart.scale('y');
  if (svg && sx?.invert && sy?.invert) {
    const ix = sx.invert;
    const iy = sy.invert;
    svg.addEventListener('pointermove', (e) => {
      const rect = svg.getBoundingClientRect();
      const vb = svg.viewBox.baseVal;
      const zoom = vb?.width ? vb.width / rect.width : 1;
      const j = Math.floor(ix((e.clientX - rect.left) * zoom));
      const i = Math.floor(iy((e.clientY - rect.top) * zoom));
      if (!(i >= 0 && i < o.rows && j >= 0 && j < o.cols)) {
        tip.hidden = true;
        return;
      }
      tip.textContent = `${o.yLabel ?? 'row'} ${i}, ${o.xLabel ?? 'column'} ${j}: ${o.format(shown[i * o.cols + j])}`;
      const host = wrap.getBoundingClientRect();
      tip.style.left = `${Math.min(e.clientX - host.left + 12, host.width - 150)}px`;
      tip.style.top = `${e.clientY - host.top + 12}px`;
      tip.hidden = false;
    });
    svg.addEventListener('pointerleave', () => (tip.hidden = true));
  }
  return { element: wrap, set, sync };
}
