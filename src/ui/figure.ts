/**
 * Every chart a widget draws goes through `renderFigure`: an Observable Plot inside a
 * <figure> with a caption, an ARIA label on the graphic, a text alternative the
 * widget writes in words, and buttons to download the picture (SVG, PNG) and the
 * numbers behind it (CSV).
 */

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
}

export function toCsv(rows: Record<string, string | number>[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]);
  const cell = (v: string | number): string => {
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

function download(name: string, blob: Blob): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

function svgOf(el: Element): SVGSVGElement | null {
  return el instanceof SVGSVGElement ? el : el.querySelector('svg');
}

function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // Resolve the page's colours so the file looks like the screen.
  clone.style.color = getComputedStyle(svg).color;
  clone.style.background = getComputedStyle(document.body).backgroundColor;
  return new XMLSerializer().serializeToString(clone);
}

async function downloadPng(svg: SVGSVGElement, name: string): Promise<void> {
  const { width, height } = svg.getBoundingClientRect();
  const img = new Image();
  img.src = URL.createObjectURL(new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  await img.decode();
  const scale = 2;
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(width * scale);
  canvas.height = Math.ceil(height * scale);
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = getComputedStyle(document.body).backgroundColor;
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
  button('SVG', 'Download the chart as SVG', () => {
    const svg = svgOf(graphic);
    if (svg) download(`${spec.filename}.svg`, new Blob([svgText(svg)], { type: 'image/svg+xml' }));
  });
  button('PNG', 'Download the chart as PNG', () => {
    const svg = svgOf(graphic);
    if (svg) void downloadPng(svg, `${spec.filename}.png`);
  });
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
