import { describe, expect, it } from 'vitest';
import { escapeXml, layoutFigure, rasterScale, resolveCssVars, wrapText } from '../../../src/ui/figure-export.ts';

describe('figure export layout', () => {
  const svgPart = (x: number, y: number, width: number, height: number, markup: string) => ({ kind: 'svg' as const, x, y, width, height, markup });
  const input = {
    title: 'Loss <during> gradient descent',
    caption: 'L(M_t) went from 12.3 at t = 0 to 0.456 at t = 200; the attention term ended at 0.1. '.repeat(4),
    background: 'rgb(255, 255, 255)',
    colour: 'rgb(20, 20, 20)',
    fontFamily: 'system-ui',
    parts: [
      svgPart(0, 0, 240, 50, '<svg id="legend"><rect/></svg>'),
      svgPart(0, 56, 640, 260, '<svg id="plot"><path d="M0,0L1,1"/></svg>'),
      { kind: 'text' as const, x: 260, y: 10, width: 40, height: 12, text: 'L & M', font: { size: 10, family: 'system-ui', weight: '400', colour: 'black' } },
    ],
  };

  it('holds the title, every part where it sat on screen, and the caption, in one SVG', () => {
    const f = layoutFigure(input);
    expect(f.svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(f.svg).toContain('Loss &lt;during&gt; gradient descent');
    // The legend and the plot keep their relative offsets (56 px apart), below the title.
    const at = (id: string) => {
      const m = new RegExp(`translate\\(([\\d.]+),([\\d.]+)\\)"><svg id="${id}"`).exec(f.svg);
      expect(m, id).not.toBeNull();
      return [Number(m?.[1]), Number(m?.[2])];
    };
    const [lx, ly] = at('legend');
    const [px, py] = at('plot');
    expect(px).toBe(lx);
    expect(py - ly).toBe(56);
    expect(ly).toBeGreaterThan(15);
    expect(f.svg).toContain('<path d="M0,0L1,1"/>');
    expect(f.svg).toContain('>L &amp; M</text>');
    // Wide enough for the plot plus padding; tall enough for the caption's lines under it.
    expect(f.width).toBeGreaterThanOrEqual(640 + 32);
    const captionLines = [...f.svg.matchAll(/<text x="16" y="([\d.]+)" font-size="12"/g)].map((m) => Number(m[1]));
    expect(captionLines.length).toBeGreaterThan(1);
    expect(Math.min(...captionLines)).toBeGreaterThan(py + 260);
    expect(Math.max(...captionLines)).toBeLessThan(f.height);
    expect(f.svg).toContain('fill="rgb(255, 255, 255)"');
  });

  it('brings back a part scrolled out to the left', () => {
    const f = layoutFigure({ ...input, parts: [svgPart(-200, 0, 900, 300, '<svg id="wide"/>')] });
    expect(f.svg).toMatch(/translate\(16,[\d.]+\)"><svg id="wide"/);
    expect(f.width).toBe(932);
  });

  it('gives a small map a readable minimum width', () => {
    const f = layoutFigure({ ...input, parts: [svgPart(0, 0, 150, 150, '<svg/>')] });
    expect(f.width).toBe(360);
  });

  it('wraps words into lines no longer than the width allows', () => {
    const lines = wrapText('one two three four five six seven eight nine ten', 60, 6);
    expect(lines.every((l) => l.length <= 10)).toBe(true);
    expect(lines.join(' ')).toBe('one two three four five six seven eight nine ten');
    expect(wrapText('   ', 100, 6)).toEqual([]);
  });

  it('resolves the page colours a file cannot read, and leaves the ones it defines itself', () => {
    const lookup = (n: string) => (n === '--bg' ? ' #101010 ' : '');
    expect(resolveCssVars('stroke="var(--bg, white)" fill="var(--fg, black)" x="var(--plot-background)"', lookup)).toBe(
      'stroke="#101010" fill="black" x="var(--plot-background)"',
    );
  });

  it('rasterises at slide resolution: at least 1600 px wide, never below 2×', () => {
    for (const w of [150, 360, 680, 1200]) expect(Math.ceil(w * rasterScale(w))).toBeGreaterThanOrEqual(1600);
    expect(rasterScale(1000)).toBe(2);
    expect(escapeXml(`a"b'c`)).toBe('a&quot;b&apos;c');
  });
});
