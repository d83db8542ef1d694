/**
 * The home page's live figure: a slider for how many weights are pruned, and the attention
 * map of a small head pruned by a linear method beside the same head pruned by an
 * attention-aware one, with both errors. It computes on the main thread when it scrolls
 * into view (no worker to warm up) and marks the time to its first result with
 * performance marks ("home-figure:visible" → "home-figure:first-result"), which the
 * browser test reads.
 */
import { methodLabel, methodColour, type PruningMethodId } from '../../core/methods.ts';
import type { Problem } from '../../core/problem.ts';
import type { Matrix } from '../../core/matrix.ts';
import { attention } from '../../core/attention.ts';
import { fixed, num, percent } from '../../ui/format.ts';
import { HOME_ATTENTION, HOME_LINEAR, compareAt, homeProblem, type HomeComparison } from './compare.ts';
import { type Colour, attentionColour, attentionMap, mapLegend } from './maps.ts';

/** Attention weights lie in [0, 1]: one fixed colour scale for every map and slider position. */
const DOMAIN: [number, number] = [0, 1];

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

function methodSelect(id: string, label: string, ids: readonly PruningMethodId[]): { wrap: HTMLElement; select: HTMLSelectElement } {
  const wrap = el('div', 'hf-field');
  const l = el('label', undefined, label);
  l.htmlFor = id;
  const select = el('select');
  select.id = id;
  for (const m of ids) {
    const o = el('option', undefined, methodLabel(m));
    o.value = m;
    select.append(o);
  }
  wrap.append(l, select);
  return { wrap, select };
}

export class HomeFigure extends HTMLElement {
  private problem!: Problem;
  private f0!: Matrix;
  private slider!: HTMLInputElement;
  private readout!: HTMLOutputElement;
  private linear!: HTMLSelectElement;
  private aware!: HTMLSelectElement;
  private status!: HTMLElement;
  private maps!: HTMLElement;
  private alert!: HTMLElement;
  private pending = 0;
  private started = false;
  private colourOf: Colour | undefined;
  private readonly legendSlot = el('div', 'hf-legend');

  connectedCallback(): void {
    if (this.maps) return;
    const controls = el('div', 'hf-controls');
    const sliderWrap = el('div', 'hf-field hf-slider');
    const label = el('label', undefined, 'weights pruned');
    label.htmlFor = 'hf-k';
    this.slider = el('input');
    this.slider.type = 'range';
    this.slider.id = 'hf-k';
    this.slider.step = '1';
    this.readout = el('output');
    this.readout.htmlFor.add('hf-k');
    const row = el('div', 'hf-slider-row');
    row.append(this.slider, this.readout);
    sliderWrap.append(label, row);
    const lin = methodSelect('hf-linear', 'linear method', HOME_LINEAR);
    const att = methodSelect('hf-aware', 'attention-aware method', HOME_ATTENTION);
    this.linear = lin.select;
    this.aware = att.select;
    controls.append(sliderWrap, lin.wrap, att.wrap);
    this.status = el('p', 'hf-status');
    this.status.setAttribute('aria-live', 'polite');
    this.maps = el('div', 'hf-maps');
    // Errors are announced here, in words (the browser tests read it too).
    this.alert = el('p', 'hf-alert');
    this.alert.setAttribute('role', 'alert');
    this.replaceChildren(controls, this.status, this.alert, this.maps);
    this.status.textContent = 'The figure computes when it scrolls into view.';
    for (const c of [this.slider, this.linear, this.aware]) c.addEventListener('input', () => this.schedule());

    const io = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting) || this.started) return;
      io.disconnect();
      this.started = true;
      performance.mark('home-figure:visible');
      this.setup();
      this.draw();
      performance.mark('home-figure:first-result');
      const ms = performance.measure('home-figure:first', 'home-figure:visible', 'home-figure:first-result').duration;
      this.dataset.firstMs = String(Math.round(ms));
    });
    io.observe(this);
  }

  private setup(): void {
    this.problem = homeProblem();
    this.f0 = attention(this.problem.X, this.problem.W);
    const d2 = this.problem.W.rows ** 2;
    this.slider.min = '1';
    this.slider.max = String(d2 - 1);
    this.slider.value = String(Math.round(d2 / 2));
  }

  /** Coalesce a drag into one computation per frame (each is tens of milliseconds). */
  private schedule(): void {
    if (!this.started) return;
    cancelAnimationFrame(this.pending);
    this.pending = requestAnimationFrame(() => this.draw());
  }

  private draw(): void {
    this.dataset.status = 'running';
    this.setAttribute('aria-busy', 'true');
    try {
      const k = Number(this.slider.value);
      const d2 = this.problem.W.rows ** 2;
      const t0 = performance.now();
      const c = compareAt(this.problem, k, this.linear.value as PruningMethodId, this.aware.value as PruningMethodId, this.f0);
      const share = percent(k / d2, 0);
      this.readout.value = `${k} of ${d2} (${share})`;
      this.slider.setAttribute('aria-valuetext', `${k} of ${d2} weights pruned, ${share}`);
      const t1 = performance.now();
      this.alert.textContent = '';
      this.render(c);
      this.dataset.computeMs = String(Math.round(t1 - t0));
      this.dataset.renderMs = String(Math.round(performance.now() - t1));
      this.dataset.status = 'done';
    } catch (err) {
      this.maps.replaceChildren();
      this.status.textContent = '';
      this.alert.textContent = `The figure could not be computed: ${err instanceof Error ? err.message : String(err)}`;
      this.dataset.status = 'error';
    }
    this.setAttribute('aria-busy', 'false');
  }

  private render(c: HomeComparison): void {
    const lin = methodLabel(c.linear.method);
    const att = methodLabel(c.aware.method);
    const a = c.aware.attentionError;
    const l = c.linear.attentionError;
    const verdict =
      a < l * (1 - 1e-9)
        ? `${att} keeps the attention closer: its error is ${ratioWords(l, a, 'smaller')}.`
        : a > l * (1 + 1e-9)
          ? `Here ${lin} keeps the attention closer (${att}'s error is ${ratioWords(a, l, 'larger')}).`
          : 'Both give the same error here.';
    this.status.textContent = `Relative attention error ‖F′ − F₀‖ / ‖F₀‖: ${lin} ${num(l)}, ${att} ${num(a)}. ${verdict}`;
    const s0 = performance.now();
    this.colourOf ??= attentionColour(DOMAIN);
    this.dataset.scaleMs = String(Math.round(performance.now() - s0));
    const colourOf = this.colourOf;
    // Three across where they fit at 150 px or more, else two (a phone): never smaller than that.
    const avail = (this.maps.clientWidth || 600) - 24;
    const width = Math.floor(Math.min(280, avail / 3 >= 150 ? avail / 3 : (avail + 12) / 2));
    const figure = (title: string, m: Matrix, colour?: string, error?: number): HTMLElement => {
      const f = el('figure', 'hf-map');
      const cap = el('figcaption');
      const name = el('span', 'hf-name', title);
      if (colour) name.style.borderColor = colour;
      cap.append(name);
      cap.append(el('span', 'hf-error', error === undefined ? 'nothing pruned' : `error ${num(error)}`));
      f.append(cap, attentionMap(m, { width, colour: colourOf, label: `${title}: attention map, ${m.rows} queries by ${m.cols} keys` }));
      return f;
    };
    this.maps.replaceChildren(
      figure('Dense F₀', c.f0),
      figure(lin, c.linear.f, methodColour(c.linear.method), l),
      figure(att, c.aware.f, methodColour(c.aware.method), a),
      this.legendSlot,
    );
    // The colour scale never changes, so its legend is drawn once, in the frame after the first maps.
    if (!this.legendSlot.firstChild)
      requestAnimationFrame(() => {
        if (!this.legendSlot.firstChild) this.legendSlot.append(mapLegend(DOMAIN, Math.min(320, 2 * width)));
      });
  }
}

customElements.define('home-figure', HomeFigure);

/** "2.3 times smaller", or "4% smaller" when the two are within 1.5× (where "1.0 times" would say nothing). */
function ratioWords(big: number, small: number, word: 'smaller' | 'larger'): string {
  const r = big / small;
  if (r >= 1.5) return `${fixed(r, 1)} times ${word}`;
  const pct = word === 'smaller' ? (1 - small / big) * 100 : (r - 1) * 100;
  return `${fixed(pct, 0)}% ${word}`;
}
