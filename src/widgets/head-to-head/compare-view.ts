/**
 * Head to head's comparison at one sparsity, drawn progressively: the dense F₀ first,
 * then one card per method as its job finishes (in the registry's order, so a method's
 * card never moves), each with its pruned F′ and its difference |F′ − F₀| on the shared
 * fixed scales of maps.ts, and the table and the lede updated with every arrival.
 */
import { matrixRows, renderFigure } from '../../ui/figure.ts';
import { count, num } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { solverSentences } from '../../ui/solverNotes.ts';
import { evaluationsText } from '../../ui/recipes.ts';
import { type MethodId, methodColour, methodLabel, PRUNING_METHOD_IDS, recipeLabel, refitInfo } from '../../core/methods.ts';
import type { CompareResult, MethodOutcome } from '../../jobs/protocol.ts';
import { absDifference, attentionMap, largest, mapLegend, minMapWidth } from './maps.ts';

/** "2.3× lower than" or "4 % lower than", whichever reads better. */
export function lowerBy(a: number, b: number): string {
  if (a === b) return 'equal to';
  return b / a >= 1.5 ? `${num(b / a, 2)}× lower than` : `${num(100 * (1 - a / b), 2)} % lower than`;
}

export function placeholder(text: string): HTMLElement {
  const p = document.createElement('p');
  p.className = 'widget-placeholder';
  p.textContent = text;
  return p;
}

const CARD_GAP = 16;
const MAP_GAP = 8;
/** A card's padding and its coloured left border, both sides together. */
const CARD_CHROME = 17;

/**
 * How wide each map is drawn for an output `width` px wide: two cards a row when they fit
 * maps of 200 px, the two maps of a card side by side when each keeps ≥ 2 px a column,
 * else stacked at the card's width; an n too large even for that scrolls in its figure.
 */
export function mapLayout(width: number, n: number): { cardsPerRow: number; mapWidth: number; stacked: boolean } {
  const min = minMapWidth(n);
  const sizes = (cardsPerRow: number) => {
    const card = Math.floor((width - (cardsPerRow - 1) * CARD_GAP) / cardsPerRow) - CARD_CHROME;
    return { card, side: Math.floor((card - MAP_GAP) / 2) };
  };
  // Two cards a row only when both their maps keep 200 px and 2 px a column.
  const two = sizes(2);
  const cardsPerRow = two.side >= Math.max(200, min) ? 2 : 1;
  const { card, side } = cardsPerRow === 2 ? two : sizes(1);
  if (side >= min) return { cardsPerRow, mapWidth: Math.min(340, side), stacked: false };
  return { cardsPerRow, mapWidth: Math.max(min, Math.min(340, card)), stacked: true };
}

export interface CompareSetting {
  n: number;
  d: number;
  seed: number;
  pattern: string;
  /** The output's width in px. */
  width: number;
}

export class CompareView {
  private readonly heading = document.createElement('h3');
  private readonly lede = document.createElement('p');
  private readonly tableBox = document.createElement('div');
  private readonly foot = document.createElement('p');
  private readonly cards = new Map<MethodId, HTMLElement>();
  private readonly outcomes = new Map<MethodId, MethodOutcome>();
  private readonly layout: ReturnType<typeof mapLayout>;
  private readonly maps = document.createElement('div');
  private f0: Float64Array | undefined;
  private dense: HTMLElement;

  constructor(
    host: HTMLElement,
    private readonly setting: CompareSetting,
  ) {
    this.layout = mapLayout(setting.width, setting.n);
    this.heading.textContent = `${setting.pattern === 'unstructured' ? 'Unstructured' : `${setting.pattern} pattern`}: running the ${PRUNING_METHOD_IDS.length} methods, the fastest first…`;
    this.lede.className = 'widget-lede';
    this.foot.className = 'widget-footnote';
    this.maps.className = 'h2h-maps';
    this.maps.style.setProperty('--cards', String(this.layout.cardsPerRow));
    this.maps.style.setProperty('--map', `${this.layout.mapWidth}px`);
    if (this.layout.stacked) this.maps.classList.add('h2h-stacked');
    this.dense = this.card('h2h-card h2h-dense', 'Dense attention F₀');
    this.dense.append(placeholder('Waiting for the first method…'));
    this.maps.append(this.dense);
    for (const m of PRUNING_METHOD_IDS) {
      const card = this.card('h2h-card', methodLabel(m));
      card.dataset.method = m;
      card.style.setProperty('--method', methodColour(m));
      card.append(placeholder('running…'));
      this.cards.set(m, card);
      this.maps.append(card);
    }
    host.replaceChildren(this.heading, this.lede, this.maps, this.tableBox, this.foot);
  }

  private card(className: string, title: string): HTMLElement {
    const card = document.createElement('article');
    card.className = className;
    const h = document.createElement('h4');
    h.textContent = title;
    card.append(h);
    return card;
  }

  private figure(data: Float64Array, title: string, summary: string, file: string, draw: () => Element): HTMLElement {
    const el = document.createElement('div');
    renderFigure(el, { title, summary, plot: draw, rows: () => matrixRows(data, this.setting.n, this.setting.n), filename: file });
    return el;
  }

  /** One method's outcome (the job's result carries F₀ too). */
  add(r: CompareResult, o: MethodOutcome): void {
    const { n } = this.setting;
    const width = this.layout.mapWidth;
    if (!this.f0) {
      this.f0 = Float64Array.from(r.f0);
      const top = largest(this.f0, n);
      const legends = document.createElement('div');
      legends.className = 'h2h-legends';
      const legendWidth = Math.max(240, Math.min(360, this.setting.width - CARD_CHROME));
      for (const kind of ['attention', 'difference'] as const) {
        const legend = mapLegend(kind, legendWidth);
        legend.setAttribute('role', 'img');
        legend.setAttribute(
          'aria-label',
          kind === 'attention'
            ? 'Colour scale of the attention maps: square-root scale from 0 (white) to 1 (dark blue).'
            : 'Colour scale of the difference maps: square-root scale from 0 (white) to 1 (dark red).',
        );
        legends.append(legend);
      }
      const f0 = this.f0;
      this.dense.replaceChildren(
        this.dense.querySelector('h4') ?? '',
        this.figure(
          f0,
          'F₀',
          `The unpruned ${n}×${n} attention; each row sums to 1; largest entry ${num(top.value, 3)} (query ${top.i}, key ${top.j}).`,
          'attention-dense',
          () => attentionMap(f0, { n, kind: 'attention', width, name: 'F₀' }),
        ),
        legends,
      );
    }
    const f0 = this.f0;
    const fPruned = Float64Array.from(o.fPruned);
    const diff = absDifference(fPruned, f0);
    const worst = largest(diff, n);
    const card = this.cards.get(o.method);
    if (!card) return;
    this.outcomes.set(o.method, o);
    // For tests and scripts: the number behind the card at full precision (the answer key's check reads it).
    card.dataset.attentionError = String(o.metrics.attentionError);
    const numbers = document.createElement('p');
    numbers.className = 'h2h-card-numbers';
    numbers.textContent = `attention error ${num(o.metrics.attentionError, 3)} · pruned ${count(o.pruned)} of ${count(this.setting.d ** 2)} · ${num(o.timeMs, 2)} ms`;
    const file = `${o.method}-${this.setting.pattern.replace(':', 'of')}`;
    const label = methodLabel(o.method);
    const pair = document.createElement('div');
    pair.className = 'h2h-card-maps';
    pair.append(
      this.figure(fPruned, 'F′', `${label}'s pruned attention; largest entry ${num(largest(fPruned, n).value, 3)}.`, `attention-${file}`, () =>
        attentionMap(fPruned, { n, kind: 'attention', width, name: 'F′', also: [{ name: 'F₀', values: f0 }] }),
      ),
      this.figure(diff, '|F′ − F₀|', `largest ${num(worst.value, 3)} (query ${worst.i}, key ${worst.j}).`, `difference-${file}`, () =>
        attentionMap(diff, {
          n,
          kind: 'difference',
          width,
          name: '|F′ − F₀|',
          also: [
            { name: 'F′', values: fPruned },
            { name: 'F₀', values: f0 },
          ],
        }),
      ),
    );
    card.replaceChildren(card.querySelector('h4') ?? '', numbers, pair);
    this.refresh();
  }

  /** Every outcome so far, as the single compare result the rest of the widget reads. */
  result(): CompareResult | undefined {
    if (!this.f0) return undefined;
    const outcomes = PRUNING_METHOD_IDS.flatMap((m) => this.outcomes.get(m) ?? []);
    return { n: this.setting.n, d: this.setting.d, f0: this.f0, outcomes };
  }

  private refresh(): void {
    const r = this.result();
    if (!r) return;
    const { pattern, seed } = this.setting;
    const all = r.outcomes.length === PRUNING_METHOD_IDS.length;
    const sparsity = r.outcomes[0].sparsity;
    const where = `At sparsity ${num(sparsity, 3)}, ${pattern === 'unstructured' ? 'unstructured' : `${pattern} pattern`}`;
    this.heading.textContent = all ? where : `${where}: ${r.outcomes.length} of ${PRUNING_METHOD_IDS.length} methods done, the fastest first…`;
    this.lede.textContent = (all ? '' : `So far: `) + ledeOf(r.outcomes);
    const done = new Set(r.outcomes.map((o) => o.method));
    this.tableBox.replaceChildren(
      table({
        caption: `All methods on the same problem (n = ${r.n}, d = ${r.d}, seed ${seed}), ${pattern}, sparsity ${num(sparsity, 3)}${refitWords(r)}. Compute: wall time and exact objective evaluations of the mask stage (+ the refit's).`,
        head: ['Method', `Pruned (of ${count(r.d * r.d)})`, 'Attention error', 'Mean row KL', 'Linear error', 'Compute: time (ms)', 'Compute: evaluations'],
        rows: PRUNING_METHOD_IDS.map((m) => {
          const o = this.outcomes.get(m);
          return o
            ? [
                recipeLabel(m, o.refit),
                count(o.pruned),
                num(o.metrics.attentionError, 3),
                num(o.metrics.meanRowKL, 3),
                num(o.linearError, 3),
                num(o.compute?.timeMs ?? o.timeMs, 3),
                evaluationsText(o.compute),
              ]
            : [methodLabel(m), done.size ? 'running…' : '', '', '', '', '', ''];
        }),
      }),
    );
    this.foot.textContent = footnote(r, pattern);
  }
}

/** ", every mask then the attention refit" when the comparison refits. */
function refitWords(r: CompareResult): string {
  const refit = r.outcomes[0]?.refit ?? 'none';
  return refit === 'none' ? '' : `, every mask then the ${refitInfo(refit).label}`;
}

function best(outcomes: readonly MethodOutcome[], key: (o: MethodOutcome) => number): MethodOutcome | undefined {
  return outcomes.filter((o) => Number.isFinite(key(o))).reduce<MethodOutcome | undefined>((a, b) => (!a || key(b) < key(a) ? b : a), undefined);
}

/** Who has the smallest attention error, by how much, and whether the linear view agrees. */
function ledeOf(outcomes: readonly MethodOutcome[]): string {
  const attention = (o: MethodOutcome): number => o.metrics.attentionError;
  const top = best(outcomes, attention);
  if (!top) return '';
  const parts: string[] = [];
  const runnerUp = best(
    outcomes.filter((o) => o !== top),
    attention,
  );
  parts.push(
    `${methodLabel(top.method)} has the smallest attention error, ${num(top.metrics.attentionError, 3)}` +
      (runnerUp && top.metrics.attentionError > 0
        ? `, ${lowerBy(top.metrics.attentionError, runnerUp.metrics.attentionError)} the next best (${methodLabel(runnerUp.method)}, ${num(runnerUp.metrics.attentionError, 3)}).`
        : '.'),
  );
  const linear = best(outcomes, (o) => o.linearError);
  if (linear && linear !== top) {
    parts.push(
      `${methodLabel(linear.method)} has the smallest linear error (${num(linear.linearError, 3)}), yet its attention error is ${num(linear.metrics.attentionError, 3)}: the linear view and the attention disagree.`,
    );
  }
  return parts.join(' ');
}

function footnote(r: CompareResult, pattern: string): string {
  const notes = [
    'Attention error: ‖F′ − F₀‖_F / ‖F₀‖_F. Mean row KL: the average of KL(F₀ᵢ ‖ F′ᵢ) over query rows. Linear error: ‖X(W − W′)‖_F / ‖XW‖_F, what the linear view minimises. SparseGPT also updates the weights it keeps. Hover over a map for its entries.',
  ];
  const counts = new Set(r.outcomes.map((o) => o.pruned));
  if (counts.size > 1) {
    const wanda = r.outcomes.find((o) => o.method === 'wanda');
    notes.push(
      wanda && pattern === 'unstructured'
        ? `Wanda prunes ⌊p·d⌋ weights in each column (${count(wanda.pruned)} in all), fewer than the ⌊p·d²⌋ of the others when p·d is not a whole number, which flatters it.`
        : 'The methods did not prune the same number of weights.',
    );
  }
  notes.push(...solverSentences(r.outcomes.map((o) => ({ label: methodLabel(o.method), notes: o.notes }))));
  return notes.join(' ');
}
