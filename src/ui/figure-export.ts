/**
 * The downloadable picture of a figure: one standalone SVG with the title, every
 * legend and the plot where they sit on screen, and the caption wrapped below.
 * The page measures where each part sits (figure.ts); this module only lays the
 * parts out and writes the markup, so it runs and is tested without a DOM.
 */

/** One piece of the figure as measured on screen, in CSS pixels from the graphic's top-left corner. */
export type FigurePart =
  /** An <svg> (the plot, a colour ramp, a swatch), serialised, drawn into the box. */
  | { kind: 'svg'; x: number; y: number; width: number; height: number; markup: string }
  /** Text outside any <svg> (the labels of an HTML swatch legend). */
  | { kind: 'text'; x: number; y: number; width: number; height: number; text: string; font: TextStyle };

export interface TextStyle {
  size: number;
  family: string;
  weight: string;
  colour: string;
}

export interface FigureLayoutInput {
  title: string;
  caption: string;
  parts: FigurePart[];
  /** Page colours, resolved (the file cannot read the page's CSS). */
  background: string;
  colour: string;
  fontFamily: string;
}

export interface FigureLayout {
  svg: string;
  width: number;
  height: number;
}

const PAD = 16;
const TITLE_SIZE = 15;
const CAPTION_SIZE = 12;
/** Narrowest file: a 150 px heatmap still gets a caption one can read. */
const MIN_WIDTH = 360;

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);
}

/**
 * Greedy word wrap at `maxWidth` px, estimating a character's width as `charWidth`
 * px (the file has no font metrics; a sans-serif averages about 0.55 em).
 * A word longer than a line gets a line of its own.
 */
export function wrapText(text: string, maxWidth: number, charWidth: number): string[] {
  const most = Math.max(8, Math.floor(maxWidth / charWidth));
  const lines: string[] = [];
  let line = '';
  for (const word of text.trim().split(/\s+/)) {
    if (!word) continue;
    if (line && line.length + 1 + word.length > most) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * Replaces `var(--name, fallback)` in markup by the page's value of --name (or the
 * fallback; left alone if neither): Plot marks such as label halos use the page's custom properties, which
 * a standalone file does not have.
 */
export function resolveCssVars(markup: string, lookup: (name: string) => string): string {
  return markup.replace(/var\(\s*(--[\w-]+)\s*(?:,\s*([^()]*?))?\s*\)/g, (whole: string, name: string, fallback?: string) => {
    const v = lookup(name).trim();
    // A property the page does not set may be defined inside the file (Plot's own <style>).
    return v || fallback?.trim() || whole;
  });
}

/** The scale that makes a picture `width` px wide at least `minPixels` wide, and never below 2× (sharp on a slide). */
export function rasterScale(width: number, minPixels = 1600): number {
  return Math.max(2, minPixels / Math.max(1, width));
}

function textLines(lines: string[], x: number, y0: number, size: number, lineHeight: number, attrs: string): string {
  return lines.map((l, k) => `<text x="${x}" y="${round(y0 + k * lineHeight)}" font-size="${size}" ${attrs}>${escapeXml(l)}</text>`).join('');
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

/** Lays out title, parts and caption; returns the standalone SVG and its size in CSS pixels. */
export function layoutFigure(input: FigureLayoutInput): FigureLayout {
  // A part scrolled out of view to the left or top (a wide map in a scrolling figure) is moved back in.
  const left = Math.min(0, ...input.parts.map((p) => p.x));
  const above = Math.min(0, ...input.parts.map((p) => p.y));
  const o = { ...input, parts: input.parts.map((p) => ({ ...p, x: p.x - left, y: p.y - above })) };
  const right = Math.max(0, ...o.parts.map((p) => p.x + p.width));
  const bottom = Math.max(0, ...o.parts.map((p) => p.y + p.height));
  const width = Math.ceil(Math.max(MIN_WIDTH, right + 2 * PAD));
  const textWidth = width - 2 * PAD;
  const titleLines = wrapText(o.title, textWidth, TITLE_SIZE * 0.58);
  const titleHeight = titleLines.length * TITLE_SIZE * 1.3;
  const top = PAD + titleHeight + 8;
  const captionLines = wrapText(o.caption, textWidth, CAPTION_SIZE * 0.55);
  const captionTop = top + bottom + 12;
  const height = Math.ceil(captionTop + captionLines.length * CAPTION_SIZE * 1.4 + PAD);
  const body = o.parts
    .map((p) => {
      const x = round(PAD + p.x);
      const y = round(top + p.y);
      if (p.kind === 'svg') return `<g transform="translate(${x},${y})">${p.markup}</g>`;
      const f = p.font;
      return `<text x="${x}" y="${round(y + p.height / 2)}" dominant-baseline="central" font-size="${f.size}" font-family="${escapeXml(f.family)}" font-weight="${escapeXml(f.weight)}" fill="${escapeXml(f.colour)}">${escapeXml(p.text)}</text>`;
    })
    .join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${escapeXml(o.fontFamily)}" style="color:${escapeXml(o.colour)}">` +
    `<rect width="100%" height="100%" fill="${escapeXml(o.background)}"/>` +
    textLines(titleLines, PAD, PAD + TITLE_SIZE, TITLE_SIZE, TITLE_SIZE * 1.3, `font-weight="600" fill="${escapeXml(o.colour)}"`) +
    body +
    textLines(captionLines, PAD, captionTop + CAPTION_SIZE, CAPTION_SIZE, CAPTION_SIZE * 1.4, `fill="${escapeXml(o.colour)}"`) +
    '</svg>';
  return { svg, width, height };
}
