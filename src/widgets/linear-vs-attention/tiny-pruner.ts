/**
 * Chapter 3's 3-token example, clickable: each entry of W is a toggle button (aria-pressed
 * = pruned); every toggle recomputes XW′, F′ = Softmax(XW′Xᵀ), F′ − F₀ and both relative
 * errors with src/core (pruneEntries), on the main thread: it is 3 × 3, no worker needed.
 * The problem and the methods' masks come from the page (computed at build time by
 * tinyExample(), the same function the chapter's tables quote).
 */
import { fromNested, type Matrix } from '../../core/matrix.ts';
import { pruneEntries } from '../../core/entryPruning.ts';
import { fixed, signed } from '../../ui/format.ts';

interface TinyData {
  X: number[][];
  W: number[][];
  names: string[];
  /** Buttons that set a whole mask: a method's choice, or nothing pruned. */
  presets: { label: string; pruned: number[] }[];
  /** Entries pruned when the figure opens. */
  start: number[];
}

const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
};

/** A small matrix as a table with a caption; cells formatted by `format`, tinted by `tint` (0–1). */
function matrixTable(caption: string, m: Matrix, format: (v: number) => string, tint?: (v: number) => number): HTMLTableElement {
  const table = el('table', 'tiny-matrix');
  table.append(el('caption', undefined, caption));
  const body = el('tbody');
  for (let i = 0; i < m.rows; i++) {
    const tr = el('tr');
    for (let j = 0; j < m.cols; j++) {
      const v = m.data[i * m.cols + j];
      const td = el('td', undefined, format(v));
      const a = tint ? Math.min(1, tint(v)) : 0;
      if (a > 0.005) td.style.setProperty('--tint', `${Math.round(a * 35)}%`);
      body.append(tr);
      tr.append(td);
    }
  }
  table.append(body);
  return table;
}

export class TinyPruner extends HTMLElement {
  private data!: TinyData;
  private X!: Matrix;
  private W!: Matrix;
  private mask!: Matrix;
  private buttons: HTMLButtonElement[] = [];
  private presetButtons: HTMLButtonElement[] = [];
  private out!: HTMLElement;
  private errors!: HTMLElement;

  connectedCallback(): void {
    if (this.out) return;
    this.data = JSON.parse(this.dataset.problem ?? '{}') as TinyData;
    this.X = fromNested(this.data.X, 'X');
    this.W = fromNested(this.data.W, 'W');
    this.mask = { rows: this.W.rows, cols: this.W.cols, data: new Float64Array(this.W.data.length).fill(1) };
    for (const e of this.data.start) this.mask.data[e] = 0;

    const controls = el('div', 'tiny-controls');
    const wBox = el('div', 'tiny-w');
    wBox.setAttribute('role', 'group');
    wBox.setAttribute('aria-label', 'Entries of W: press one to prune it, again to keep it');
    const wTitle = el('p', 'tiny-label', 'W (press an entry to prune it)');
    wTitle.setAttribute('aria-hidden', 'true');
    const grid = el('div', 'tiny-w-grid');
    grid.style.gridTemplateColumns = `repeat(${this.W.cols}, auto)`;
    this.buttons = Array.from(this.W.data, (_, e) => {
      const b = el('button', 'tiny-entry');
      b.type = 'button';
      b.dataset.entry = String(e);
      b.addEventListener('click', () => {
        this.mask.data[e] = this.mask.data[e] === 1 ? 0 : 1;
        this.render();
      });
      grid.append(b);
      return b;
    });
    wBox.append(wTitle, grid);
    const presets = el('div', 'tiny-presets');
    presets.setAttribute('role', 'group');
    presets.setAttribute('aria-label', 'Masks to try');
    this.presetButtons = this.data.presets.map((p) => {
      const b = el('button', undefined, p.label);
      b.type = 'button';
      b.addEventListener('click', () => {
        this.mask.data.fill(1);
        for (const e of p.pruned) this.mask.data[e] = 0;
        this.render();
      });
      presets.append(b);
      return b;
    });
    controls.append(wBox, presets);
    this.errors = el('p', 'tiny-errors');
    this.errors.setAttribute('aria-live', 'polite');
    this.out = el('div', 'tiny-out');
    const alert = el('p', 'tiny-alert');
    alert.setAttribute('role', 'alert');
    this.replaceChildren(controls, this.errors, alert, this.out);
    try {
      this.render();
    } catch (err) {
      // Never a blank figure: say what went wrong (the tables above still hold the numbers).
      alert.textContent = `The figure could not be computed: ${err instanceof Error ? err.message : String(err)}`;
      this.dataset.status = 'error';
      this.setAttribute('aria-busy', 'false');
      return;
    }
    this.setAttribute('aria-busy', 'false');
    this.dataset.status = 'done';
  }

  private render(): void {
    const r = pruneEntries(this.X, this.W, this.mask);
    const { names } = this.data;
    this.buttons.forEach((b, e) => {
      const pruned = this.mask.data[e] === 0;
      b.setAttribute('aria-pressed', String(pruned));
      b.textContent = '';
      const name = el('span', 'tiny-entry-name', names[e]);
      const value = el('span', 'tiny-entry-value', pruned ? '0' : fixed(this.W.data[e], 1));
      // The name is the text the button shows ("W₁₂ 0.5"), so a voice-control user can say
      // it (WCAG 2.5.3); the group's label says a press prunes, aria-pressed says it is pruned.
      const was = el('span', 'sr-only', pruned ? ` (pruned; was ${fixed(this.W.data[e], 1)})` : '');
      b.append(name, ' ', value, was);
      b.removeAttribute('aria-label');
    });
    const prunedNow = Array.from(this.mask.data, (v, e) => (v === 0 ? e : -1)).filter((e) => e >= 0);
    this.presetButtons.forEach((b, i) => {
      const p = this.data.presets[i].pruned;
      // aria-current, not aria-pressed: a preset is a shortcut, not a toggle.
      if (p.length === prunedNow.length && p.every((e) => prunedNow.includes(e))) b.setAttribute('aria-current', 'true');
      else b.removeAttribute('aria-current');
    });
    const prunedNames = prunedNow.map((e) => names[e]).join(', ') || 'nothing';
    this.errors.textContent = `Pruned: ${prunedNames}. Relative linear error ${fixed(r.linearError, 3)}; relative attention error ${fixed(r.attentionError, 3)}.`;
    const diff: Matrix = { rows: r.f.rows, cols: r.f.cols, data: r.f.data.map((v, i) => v - r.f0.data[i]) };
    const maxDiff = Math.max(1e-12, ...Array.from(diff.data, Math.abs));
    this.out.replaceChildren(
      matrixTable('XW′', r.xw, (v) => signed(v, 2)),
      matrixTable(
        'F′ = Softmax(XW′Xᵀ)',
        r.f,
        (v) => fixed(v, 3),
        (v) => v,
      ),
      matrixTable(
        'F′ − F₀',
        diff,
        (v) => (Math.abs(v) < 5e-4 ? '0' : signed(v, 3)),
        (v) => (Math.abs(v) < 5e-4 ? 0 : Math.abs(v) / Math.max(maxDiff, 0.05)),
      ),
    );
  }
}

customElements.define('tiny-pruner', TinyPruner);
