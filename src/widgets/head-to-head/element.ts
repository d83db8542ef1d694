/**
 * Head to head (chapter 7): every method on the same synthetic problem. Two jobs run
 * side by side, each on its own worker client (a new input cancels the old run on
 * each): 'compare' at the chosen sparsity and pattern, drawn as the dense attention
 * next to each method's pruned attention on one colour scale, with a table of the
 * metrics; and 'sweep' over sparsities 0.1…0.9 plus the N:M patterns, drawn as the
 * attention error against sparsity with the numbers in a table. The sweep does not
 * depend on the sparsity and pattern controls, so changing those reuses it.
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import type { Schema, StateOf } from '../../ui/state.ts';
import { matrixRows, renderFigure } from '../../ui/figure.ts';
import { colorLegend, heatmapPlain } from '../../ui/charts/heatmap.ts';
import { count, num, numOr } from '../../ui/format.ts';
import { sweepChart, type SweepPoint } from '../../ui/charts/sweep.ts';
import { table } from '../../ui/table.ts';
import { methodLabel, PRUNING_METHOD_IDS } from '../../core/methods.ts';
import { JobError, SolverClient } from '../../worker/client.ts';
import type { CompareResult, MethodOutcome, SweepRow } from '../../jobs/protocol.ts';
import type { Granularity } from '../../core/mask.ts';
import type { MethodId } from '../../core/methods.ts';
import { PROBLEM_FIELDS, GD_FIELDS, specOf } from '../../ui/fields.ts';
import { WIDGET } from './widget.ts';

const SWEEP_SPARSITIES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const PATTERNS = ['unstructured', '2:4', '4:8'] as const;

const schema = {
  n: { kind: 'int', label: 'tokens n', default: 64, min: 2, max: 256 },
  d: { kind: 'int', label: 'width d', default: 16, min: 2, max: 64 },
  ...PROBLEM_FIELDS,
  sparsity: { kind: 'float', label: 'sparsity p', default: 0.5, min: 0, max: 0.95 },
  pattern: { kind: 'enum', label: 'pattern', default: 'unstructured', options: PATTERNS },
  ...GD_FIELDS,
} as const satisfies Schema;

type State = StateOf<typeof schema>;

/** "2:4" → {n: 2, m: 4}; undefined for unstructured. */
function nm(pattern: string): { n: number; m: number } | undefined {
  const match = /^(\d+):(\d+)$/.exec(pattern);
  return match ? { n: Number(match[1]), m: Number(match[2]) } : undefined;
}

/** "2.3× lower than" or "4 % lower than", whichever reads better. */
function lowerBy(a: number, b: number): string {
  if (a === b) return 'equal to';
  return b / a >= 1.5 ? `${num(b / a, 2)}× lower than` : `${num(100 * (1 - a / b), 2)} % lower than`;
}

function granularity(pattern: string): Granularity {
  const g = nm(pattern);
  return g ? { kind: 'nm', n: g.n, m: g.m } : { kind: 'unstructured' };
}

/** The N:M patterns that fit width d (M must divide d). */
function patternsFor(d: number): string[] {
  return PATTERNS.filter((p) => {
    const g = nm(p);
    return !g || d % g.m === 0;
  });
}

export class HeadToHead extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem, sparsity and gradient descent';
  /** Large heads (n, d at their maximum) take a while with every method: a Stop button. */
  protected override readonly stoppable = true;

  /** Stop cancels the sweep's worker too (the base class knows only the main client). */
  override stop(): void {
    this.sweepClient.cancel();
    this.sweep = undefined;
    super.stop();
  }
  override readonly hints = {
    sparsity: { help: 'Share of W pruned (unstructured). An N:M pattern fixes it to N/M.' },
    pattern: { help: 'N:M: in each output column, N of every M consecutive weights are pruned (M must divide d).' },
    eta: { help: 'Too large a step diverges; the message then quotes the step the smoothness bound allows.' },
  };
  /** The sweep runs on its own worker so that it and the comparison run at once. */
  private sweepClient = new SolverClient();
  private sweep: { key: string; promise: Promise<SweepRow[]> } | undefined;
  private last: { compare?: CompareResult; sweep?: SweepRow[] } = {};

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.sweepClient.dispose();
    this.sweep = undefined;
  }

  private sweepKey(s: State): string {
    return JSON.stringify([s.n, s.d, s.scale, s.seed, s.causal, s.lambda, s.eta, s.iters, s.step, s.score]);
  }

  /** The sweep for these settings: the one running or done already, or a new one. */
  private sweepFor(s: State, onProgress: (done: number, total: number) => void): Promise<SweepRow[]> {
    const key = this.sweepKey(s);
    if (this.sweep?.key === key) return this.sweep.promise;
    const promise = this.sweepClient.run(
      {
        kind: 'sweep',
        spec: specOf(s),
        sparsities: SWEEP_SPARSITIES,
        methods: [...PRUNING_METHOD_IDS],
        patterns: patternsFor(s.d),
        gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score },
      },
      (p) => {
        if ('total' in p) onProgress(p.done, p.total);
      },
    );
    const entry = { key, promise };
    this.sweep = entry;
    // A failed or cancelled sweep is not reused.
    promise.catch(() => {
      if (this.sweep === entry) this.sweep = undefined;
    });
    return promise;
  }

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const g = nm(s.pattern);
    if (g && s.d % g.m !== 0) {
      const fits = [g.m, 2 * g.m, 4 * g.m].filter((x) => x <= 64).join(', ');
      throw new JobError(
        `the ${s.pattern} pattern groups ${g.m} consecutive weights of each column, so d must be a multiple of ${g.m}, and d = ${s.d} is not (try d = ${fits}, or the unstructured pattern)`,
        'input',
      );
    }
    const compareBox = document.createElement('section');
    const sweepBox = document.createElement('section');
    compareBox.className = 'h2h-compare';
    sweepBox.className = 'h2h-sweep';
    const waiting = (text: string): HTMLElement => {
      const p = document.createElement('p');
      p.className = 'widget-placeholder';
      p.textContent = text;
      return p;
    };
    compareBox.append(waiting(`Running the ${PRUNING_METHOD_IDS.length} methods…`));
    sweepBox.append(waiting('Sweeping sparsity…'));
    this.output.replaceChildren(compareBox, sweepBox);

    let compareDone = 0;
    let sweepDone = 0;
    let sweepTotal = 0;
    const report = (): void => {
      const parts = [`methods ${compareDone} of ${PRUNING_METHOD_IDS.length}`];
      if (sweepTotal) parts.push(`sweep ${sweepDone} of ${sweepTotal}`);
      const total = PRUNING_METHOD_IDS.length + sweepTotal;
      this.progress(`Running: ${parts.join(', ')}${this.remaining(compareDone + sweepDone, total)}…`);
    };
    const sweepPromise = this.sweepFor(s, (done, total) => {
      sweepDone = done;
      sweepTotal = total;
      report();
    });
    const comparePromise = this.client.run(
      {
        kind: 'compare',
        spec: specOf(s),
        sparsity: s.sparsity,
        granularity: granularity(s.pattern),
        methods: [...PRUNING_METHOD_IDS],
        gd: { lambda: s.lambda, eta: s.eta, iters: s.iters, step: s.step, score: s.score },
      },
      (p) => {
        if ('total' in p) {
          compareDone = p.done;
          report();
        }
      },
    );
    // Draw each part as soon as it arrives; fail if either fails.
    const compared = comparePromise.then((r) => {
      if (signal.stale) return;
      this.last.compare = r;
      this.drawCompare(compareBox, r);
    });
    const swept = sweepPromise.then((rows) => {
      if (signal.stale) return;
      this.last.sweep = rows;
      this.drawSweep(sweepBox, rows);
    });
    try {
      await Promise.all([compared, swept]);
    } catch (e) {
      // One part failed: stop the other too, so the worker does not work for nothing.
      if (!(e instanceof JobError && e.kind === 'cancelled')) {
        this.client.cancel();
        this.sweepClient.cancel();
        this.sweep = undefined;
      }
      compared.catch(() => undefined);
      swept.catch(() => undefined);
      throw e;
    }
  }

  private width(): number {
    return Math.max(280, Math.min(680, this.clientWidth - 26));
  }

  private drawCompare(host: HTMLElement, r: CompareResult): void {
    const s = this.state;
    const pattern = s.pattern;
    const sparsity = r.outcomes[0]?.sparsity ?? s.sparsity;
    const heading = document.createElement('h3');
    heading.textContent = `At sparsity ${num(sparsity, 3)}, ${pattern === 'unstructured' ? 'unstructured' : `${pattern} pattern`}`;

    let hi = 0;
    for (const v of r.f0) hi = Math.max(hi, v);
    for (const o of r.outcomes) for (const v of o.fPruned) hi = Math.max(hi, v);
    if (!(hi > 0 && Number.isFinite(hi))) hi = 1;
    const domain: [number, number] = [0, hi];
    const cell = Math.min(220, Math.max(150, Math.floor((this.width() - 16) / 3)));

    const legend = colorLegend({ domain, label: 'attention weight (same scale in every map)', width: Math.min(320, this.width()) });
    legend.classList.add('h2h-legend');
    legend.setAttribute('role', 'img');
    legend.setAttribute('aria-label', `Colour scale of the attention maps below: from 0 (light) to ${num(hi, 3)} (dark).`);
    const maps = document.createElement('div');
    maps.className = 'h2h-maps';
    const map = (data: Float64Array, title: string, summary: string, file: string): void => {
      const el = document.createElement('div');
      renderFigure(el, {
        title,
        summary,
        plot: () => heatmapPlain(data, { rows: r.n, cols: r.n, domain, width: cell }),
        rows: () => matrixRows(data, r.n, r.n),
        filename: file,
      });
      maps.append(el);
    };
    map(r.f0, 'Dense F₀', `The unpruned ${r.n}×${r.n} attention; each row sums to 1; largest entry ${num(hi, 3)}.`, 'attention-dense');
    for (const o of r.outcomes) {
      map(
        o.fPruned,
        `${methodLabel(o.method)} F′`,
        `Attention after ${methodLabel(o.method)} pruned ${count(o.pruned)} of ${count(r.d * r.d)} weights: relative attention error ${num(o.metrics.attentionError, 3)}.`,
        `attention-${o.method}-${pattern.replace(':', 'of')}`,
      );
    }

    const finite = r.outcomes.filter((o) => Number.isFinite(o.metrics.attentionError));
    const best = finite.reduce<MethodOutcome | undefined>((a, b) => (!a || b.metrics.attentionError < a.metrics.attentionError ? b : a), undefined);
    const bestLinear = finite.reduce<MethodOutcome | undefined>((a, b) => (!a || b.linearError < a.linearError ? b : a), undefined);
    const lede = document.createElement('p');
    lede.className = 'widget-lede';
    const parts: string[] = [];
    if (best) {
      const others = finite.filter((o) => o !== best);
      const runnerUp = others.reduce<MethodOutcome | undefined>((a, b) => (!a || b.metrics.attentionError < a.metrics.attentionError ? b : a), undefined);
      parts.push(
        `${methodLabel(best.method)} has the smallest attention error, ${num(best.metrics.attentionError, 3)}` +
          (runnerUp && best.metrics.attentionError > 0
            ? `, ${lowerBy(best.metrics.attentionError, runnerUp.metrics.attentionError)} the next best (${methodLabel(runnerUp.method)}, ${num(runnerUp.metrics.attentionError, 3)}).`
            : '.'),
      );
    }
    if (bestLinear && best && bestLinear !== best) {
      parts.push(
        `${methodLabel(bestLinear.method)} has the smallest linear error (${num(bestLinear.linearError, 3)}), yet its attention error is ${num(bestLinear.metrics.attentionError, 3)}: the linear view and the attention disagree.`,
      );
    }
    lede.textContent = parts.join(' ');

    const metrics = table({
      caption: `All methods on the same problem (n = ${r.n}, d = ${r.d}, seed ${s.seed}), ${pattern}, sparsity ${num(sparsity, 3)}.`,
      head: ['Method', `Pruned (of ${count(r.d * r.d)})`, 'Attention error', 'Mean row KL', 'Linear error', 'Time (ms)'],
      rows: r.outcomes.map((o) => [
        methodLabel(o.method),
        count(o.pruned),
        num(o.metrics.attentionError, 3),
        num(o.metrics.meanRowKL, 3),
        num(o.linearError, 3),
        num(o.timeMs, 3),
      ]),
    });
    const foot = document.createElement('p');
    foot.className = 'widget-footnote';
    const notes = [
      'Attention error: ‖F′ − F₀‖_F / ‖F₀‖_F. Mean row KL: the average of KL(F₀ᵢ ‖ F′ᵢ) over query rows. Linear error: ‖X(W − W′)‖_F / ‖XW‖_F, what the linear view minimises. SparseGPT also updates the weights it keeps.',
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
    for (const o of r.outcomes) for (const n of o.notes) notes.push(`${methodLabel(o.method)}: ${n}`);
    foot.textContent = notes.join(' ');

    host.replaceChildren(heading, lede, legend, maps, metrics, foot);
  }

  private drawSweep(host: HTMLElement, rows: SweepRow[]): void {
    const s = this.state;
    const d = s.d;
    const heading = document.createElement('h3');
    heading.textContent = 'Across sparsities';
    const points: SweepPoint[] = rows.map((x) => ({ method: x.method, pattern: x.pattern, sparsity: x.sparsity, value: x.attentionError }));
    const patterns = [...new Set(rows.map((x) => x.pattern))];
    const missing = PATTERNS.filter((p) => !patterns.includes(p));

    // Who wins at each unstructured sparsity.
    const wins = new Map<MethodId, number>();
    for (const p of SWEEP_SPARSITIES) {
      const at = rows.filter((x) => x.pattern === 'unstructured' && Math.abs(x.sparsity - p) < 1e-9 && Number.isFinite(x.attentionError));
      const w = at.reduce<SweepRow | undefined>((a, b) => (!a || b.attentionError < a.attentionError ? b : a), undefined);
      if (w) wins.set(w.method, (wins.get(w.method) ?? 0) + 1);
    }
    const leader = [...wins.entries()].sort((a, b) => b[1] - a[1])[0];
    const at = (m: MethodId, pattern: string, p: number): SweepRow | undefined =>
      rows.find((x) => x.method === m && x.pattern === pattern && (pattern !== 'unstructured' || Math.abs(x.sparsity - p) < 1e-9));
    const half = PRUNING_METHOD_IDS.map((m) => `${methodLabel(m)} ${numOr(at(m, 'unstructured', 0.5)?.attentionError, 'not run')}`).join(', ');
    const summary =
      `Relative attention error of each method as the sparsity grows from 0.1 to 0.9 (unstructured), with the N:M patterns as separate points at p = 0.5 (drawn slightly to either side so they do not overlap). ` +
      (leader ? `${methodLabel(leader[0])} has the smallest error at ${leader[1]} of ${SWEEP_SPARSITIES.length} sparsities. ` : '') +
      `At p = 0.5: ${half}.`;

    const figure = document.createElement('div');
    renderFigure(figure, {
      title: 'Attention error against sparsity',
      summary,
      plot: () => sweepChart(points, { yLabel: 'attention error ‖F′ − F₀‖/‖F₀‖', width: this.width() }),
      rows: () =>
        rows.map((x) => ({
          method: x.method,
          pattern: x.pattern,
          sparsity: x.sparsity,
          attention_error: x.attentionError,
          mean_row_kl: x.meanRowKL,
          linear_error: x.linearError,
        })),
      filename: `sweep-n${s.n}-d${d}-seed${s.seed}`,
    });

    const tableRows: string[][] = [];
    const bestOf = (cells: (SweepRow | undefined)[]): number => {
      let best = -1;
      cells.forEach((c, i) => {
        if (c && Number.isFinite(c.attentionError) && (best < 0 || c.attentionError < (cells[best]?.attentionError ?? Infinity))) best = i;
      });
      return best;
    };
    const line = (label: string, cells: (SweepRow | undefined)[]): void => {
      const b = bestOf(cells);
      tableRows.push([label, ...cells.map((c, i) => (c ? num(c.attentionError, 3) + (i === b ? ' ◆' : '') : '—'))]);
    };
    for (const p of SWEEP_SPARSITIES)
      line(
        num(p, 2),
        PRUNING_METHOD_IDS.map((m) => at(m, 'unstructured', p)),
      );
    for (const pattern of patterns.filter((p) => p !== 'unstructured'))
      line(
        pattern,
        PRUNING_METHOD_IDS.map((m) => at(m, pattern, 0)),
      );
    const numbers = table({
      caption: `Attention error ‖F′ − F₀‖_F / ‖F₀‖_F by sparsity p and method; ◆ marks the smallest in each row${patterns.length > 1 ? `, and the ${patterns.filter((p) => p !== 'unstructured').join(' and ')} row${patterns.length > 2 ? 's have' : ' has'} p = 0.5` : ''}.`,
      head: ['p', ...PRUNING_METHOD_IDS.map((m) => methodLabel(m))],
      rows: tableRows,
    });

    const foot = document.createElement('p');
    foot.className = 'widget-footnote';
    const notes: string[] = [];
    if (missing.length) notes.push(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} left out: M must divide d = ${d}.`);
    const unfair = SWEEP_SPARSITIES.filter((p) => d * Math.floor(p * d + 1e-9) !== Math.floor(p * d * d + 1e-9));
    if (unfair.length) {
      notes.push(
        `At ${unfair.length === SWEEP_SPARSITIES.length ? 'every sparsity' : `p = ${unfair.map((p) => num(p, 2)).join(', ')}`} p·d is not a whole number, so Wanda (⌊p·d⌋ per column) prunes fewer weights than the others (⌊p·d²⌋), which flatters it.`,
      );
    }
    notes.push('The sweep depends on n, d, weight scale, seed, causal and the gradient-descent settings, not on the sparsity and pattern chosen above.');
    foot.textContent = notes.join(' ');
    host.replaceChildren(heading, figure, numbers, foot);
  }

  protected override doneText(): string {
    const r = this.last.compare;
    if (!r) return 'Done.';
    const best = r.outcomes.reduce<MethodOutcome | undefined>((a, b) => (!a || b.metrics.attentionError < a.metrics.attentionError ? b : a), undefined);
    return best ? `Done: smallest attention error ${num(best.metrics.attentionError, 3)} (${methodLabel(best.method)}).` : 'Done.';
  }
}

customElements.define(WIDGET.tag, HeadToHead);
