/**
 * Every chart a widget draws goes through `renderFigure`: an Observable Plot inside a
 * <figure> with a caption, an ARIA label on the graphic, a text alternative the
 * widget writes in words, and buttons to download the picture (SVG, PNG) and the
 * numbers behind it (CSV). The downloads are the whole figure (figure-export.ts),
 * not only its first <svg>.
 */
import { escapeXml, type FigureLayout, type FigurePart, layoutFigure, rasterScale, resolveCssVars } from './figure-export.ts';

export interface FigureSpec {
  /** Short title, used as caption and ARIA label. */
  title: string;
  /** A sentence or two saying what the chart shows, in numbers (the text alternative). */
  summary: string;
  /** Builds the Plot (or any SVG/HTML element). */
  plot: () => Element;
  /** Rows of the data behind the chart, for the CSV download. */
  rows: () => Record<string, string | number>[];
  /** File name stem for downloads. */
  filename: string;
  /**
   * A legend drawn outside the figure (one colour ramp shared by several maps): the
   * SVG and PNG downloads put it above the plot, so the file has its colour scale.
   */
  sharedLegend?: Element;
}

export function toCsv(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  // Every column any row has, in order of first appearance (a later row may add one).
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: string | number): string => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** Save a blob as a file the reader downloads (nothing leaves the device: an object URL). */
export function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The page's value of a CSS custom property (for the file, which cannot read the page's CSS). */
function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name);
}

/** A serialised copy of `svg` drawn into a `width`×`height` box, with the page's colours and font resolved. */
function svgMarkup(svg: SVGSVGElement, width: number, height: number): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const style = getComputedStyle(svg);
  if (!clone.hasAttribute('viewBox')) {
    const w = Number(svg.getAttribute('width')) || width;
    const h = Number(svg.getAttribute('height')) || height;
    clone.setAttribute('viewBox', `0 0 ${w} ${h}`);
  }
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  clone.removeAttribute('class');
  clone.removeAttribute('role');
  clone.removeAttribute('aria-label');
  clone.setAttribute('style', `color:${style.color};font-family:${style.fontFamily};font-size:${style.fontSize};overflow:visible`);
  // Plot's own <style> is scoped by that class, and its page rules (display, height: auto)
  // must not resize a nested <svg>: the class goes on a wrapper group instead.
  const cls = svg.getAttribute('class');
  const markup = new XMLSerializer().serializeToString(clone);
  return cls ? `<g class="${escapeXml(cls)}">${markup}</g>` : markup;
}

/** Where every <svg> and every loose text of `graphic` sits on screen, relative to its top-left corner. */
function measureParts(graphic: Element): FigurePart[] {
  const origin = graphic.getBoundingClientRect();
  const parts: FigurePart[] = [];
  const svgs = graphic instanceof SVGSVGElement ? [graphic] : [...graphic.querySelectorAll('svg')].filter((s) => !s.parentElement?.closest('svg'));
  for (const svg of svgs) {
    const r = svg.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    parts.push({ kind: 'svg', x: r.left - origin.left, y: r.top - origin.top, width: r.width, height: r.height, markup: svgMarkup(svg, r.width, r.height) });
  }
  if (!(graphic instanceof SVGSVGElement)) {
    const walker = document.createTreeWalker(graphic, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      const text = node.textContent?.trim();
      if (!parent || !text || parent.closest('svg, style, script')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const r = range.getBoundingClientRect();
      if (r.width === 0) continue;
      const s = getComputedStyle(parent);
      parts.push({
        kind: 'text',
        x: r.left - origin.left,
        y: r.top - origin.top,
        width: r.width,
        height: r.height,
        text,
        font: { size: Number.parseFloat(s.fontSize) || 10, family: s.fontFamily, weight: s.fontWeight, colour: s.color },
      });
    }
  }
  return parts;
}

/**
 * The whole figure (title, legends, plot, caption) as one standalone SVG. Title and caption
 * are read from the figure as shown: a widget that updates them in place (the lab's
 * scrubber) exports what the reader sees, not the text the figure was first drawn with.
 */
function figureSvg(graphic: Element, spec: FigureSpec, caption: HTMLElement): FigureLayout {
  const body = getComputedStyle(document.body);
  const legend = spec.sharedLegend?.isConnected ? measureParts(spec.sharedLegend) : [];
  const below = legend.length ? Math.max(...legend.map((p) => p.y + p.height)) + 8 : 0;
  const layout = layoutFigure({
    title: caption.querySelector('strong')?.textContent ?? spec.title,
    caption: (caption.querySelector('.figure-summary')?.textContent ?? spec.summary).trim(),
    parts: [...legend, ...measureParts(graphic).map((p) => ({ ...p, y: p.y + below }))],
    background: pageBackground(),
    colour: body.color,
    fontFamily: body.fontFamily,
  });
  return { ...layout, svg: resolveCssVars(layout.svg, cssVar) };
}

/** The colour behind the figures (the body's, or white where it is transparent). */
function pageBackground(): string {
  for (const el of [document.body, document.documentElement]) {
    const c = getComputedStyle(el).backgroundColor;
    if (c && c !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(c)) return c;
  }
  return 'white';
}

async function downloadPng(layout: FigureLayout, name: string): Promise<void> {
  const img = new Image();
  img.src = URL.createObjectURL(new Blob([layout.svg], { type: 'image/svg+xml' }));
  await img.decode();
  const scale = rasterScale(layout.width);
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(layout.width * scale);
  canvas.height = Math.ceil(layout.height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = pageBackground();
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
  URL.revokeObjectURL(img.src);
  canvas.toBlob((b) => b && download(name, b), 'image/png');
}

let figureCount = 0;

/** Replace the contents of `host` with the figure. */
export function renderFigure(host: HTMLElement, spec: FigureSpec): void {
  const id = `fig-${++figureCount}`;
  const figure = document.createElement('figure');
  figure.className = 'widget-figure';
  const graphic = spec.plot();
  graphic.setAttribute('role', 'img');
  graphic.setAttribute('aria-label', `${spec.title}. ${spec.summary}`);
  const caption = document.createElement('figcaption');
  caption.id = id;
  const strong = document.createElement('strong');
  strong.textContent = spec.title;
  const text = document.createElement('span');
  text.className = 'figure-summary';
  text.textContent = ` ${spec.summary}`;
  caption.append(strong, text);
  const tools = document.createElement('div');
  tools.className = 'figure-tools';
  const button = (label: string, title: string, action: () => void): void => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', `${title}: ${spec.title}`);
    b.addEventListener('click', action);
    tools.append(b);
  };
  button('SVG', 'Download the figure as SVG', () =>
    download(`${spec.filename}.svg`, new Blob([figureSvg(graphic, spec, caption).svg], { type: 'image/svg+xml' })),
  );
  button('PNG', 'Download the figure as PNG', () => void downloadPng(figureSvg(graphic, spec, caption), `${spec.filename}.png`));
  button('CSV', 'Download the data as CSV', () => download(`${spec.filename}.csv`, new Blob([toCsv(spec.rows())], { type: 'text/csv' })));
  figure.setAttribute('aria-labelledby', id);
  figure.append(graphic, caption, tools);
  host.replaceChildren(figure);
}

/** Matrix → rows {i, j, value} for heatmaps and CSV. */
export function matrixRows(data: ArrayLike<number>, rows: number, cols: number, skip?: (i: number, j: number) => boolean) {
  const out: { i: number; j: number; value: number }[] = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (!skip?.(i, j)) out.push({ i, j, value: data[i * cols + j] });
  return out;
}

/** A two-column list of labelled numbers (a <dl>), the widgets' "numbers" panel. */
export function numbersList(pairs: readonly (readonly [string, string])[]): HTMLDListElement {
  const list = document.createElement('dl');
  list.className = 'widget-numbers';
  for (const [label, value] of pairs) {
    const dt = document.createElement('dt');
    dt.textContent = label;
    const dd = document.createElement('dd');
    dd.textContent = value;
    list.append(dt, dd);
  }
  return list;
}
