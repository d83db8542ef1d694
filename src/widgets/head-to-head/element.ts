/**
 * Head to head (chapter 7): every method on the same synthetic problem. The comparison
 * at the chosen sparsity and pattern runs as one 'compare' job per method, the fastest
 * first, each drawn as it arrives (compare-view.ts: F₀, each method's F′ and |F′ − F₀|
 * on fixed square-root scales, a table of the metrics). The 'sweep' over sparsities
 * 0.1…0.9 plus the N:M patterns runs on a second worker, started once the first method
 * is drawn, and is drawn as the attention error against sparsity with a table. The
 * sweep does not depend on the sparsity and pattern controls, so changing those reuses it.
 */
import { WidgetBase } from '../../ui/widget-base.ts';
import type { StateOf } from '../../ui/state.ts';
import { renderFigure } from '../../ui/figure.ts';
import { num, numOr } from '../../ui/format.ts';
import { sweepChart, type SweepPoint } from '../../ui/charts/sweep.ts';
import { table } from '../../ui/table.ts';
import { methodInfo, methodLabel, PRUNING_METHOD_IDS, REFIT_IDS, refitInfo } from '../../core/methods.ts';
import { JobError, SolverClient } from '../../worker/client.ts';
import type { CompareResult, MethodOutcome, SweepRow } from '../../jobs/protocol.ts';
import type { MethodId } from '../../core/methods.ts';
import { GD_HINTS, specOf } from '../../ui/fields.ts';
import { GD_FORM_HELP } from '../../ui/gdForm.ts';
import { WIDGET } from './widget.ts';
import { PATTERNS, SWEEP_SPARSITIES, SWITCHES, compareJob, gdOf, nm, schema } from './settings.ts';
import { CompareView, placeholder } from './compare-view.ts';

type State = StateOf<typeof schema>;

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
  protected override readonly switches = SWITCHES;
  override readonly hints = {
    sparsity: { help: 'Share of W pruned (unstructured). An N:M pattern fixes it to N/M.' },
    refit: { help: `Applied after every method’s mask. ${REFIT_IDS.map((r) => `${r}: ${refitInfo(r).summary}`).join('. ')}.` },
    gdForm: { help: GD_FORM_HELP },
    step: GD_HINTS.step,
    score: GD_HINTS.score,
    pattern: { help: 'N:M: in each output column, N of every M consecutive weights are pruned (M must divide d).' },
    eta: { help: 'Too large a step diverges; the message then quotes the step the smoothness bound allows.' },
  };
  /** The sweep runs on its own worker so that it and the comparison run at once. */
  private sweepClient = new SolverClient();
  private sweep: { key: string; promise: Promise<SweepRow[]> } | undefined;
  private last: { compare?: CompareResult; sweep?: SweepRow[] } = {};

  /** The sweep's worker loads with the page too (module and WASM), so the sweep does not wait for it. */
  override connectedCallback(): void {
    super.connectedCallback();
    this.sweepClient.warm();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.sweepClient.dispose();
    this.sweep = undefined;
  }

  private sweepKey(s: State): string {
    return JSON.stringify([s.n, s.d, s.scale, s.seed, s.causal, s.refit, s.lambda, s.eta, s.iters, s.step, s.score]);
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
        gd: gdOf(s),
        refit: s.refit,
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

  /** How long each method took last time (ms), so that the next run starts with the fast ones. */
  private costs = new Map<MethodId, number>();

  /**
   * The order the methods run in: fastest first, so the first maps appear at once. Before
   * any timing is known, the registry's option lists stand in: methods without options
   * (the linear baselines) are cheap, gradient-descent ones the most expensive.
   */
  private runOrder(): MethodId[] {
    const guess = (m: MethodId): number => {
      const options = methodInfo(m).options;
      return options.includes('gd') ? 1000 : options.length ? 100 : 1;
    };
    return [...PRUNING_METHOD_IDS].sort((a, b) => (this.costs.get(a) ?? guess(a)) - (this.costs.get(b) ?? guess(b)));
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
    const { view, sweepBox } = this.boxes(s);
    sweepBox.append(placeholder('Sweeping sparsity (it starts once the first method is done)…'));
    this.last = {};

    const methods = this.runOrder();
    let compareDone = 0;
    let sweepDone = 0;
    let sweepTotal = 0;
    const report = (): void => {
      const parts = [`methods ${compareDone} of ${methods.length}`];
      if (sweepTotal) parts.push(`sweep ${sweepDone} of ${sweepTotal}`);
      const total = methods.length + sweepTotal;
      this.progress(`Running: ${parts.join(', ')}${this.remaining(compareDone + sweepDone, total)}…`);
    };
    let swept: Promise<void> | undefined;
    const startSweep = (): Promise<void> =>
      this.sweepFor(s, (done, total) => {
        sweepDone = done;
        sweepTotal = total;
        report();
      }).then((rows) => {
        if (signal.stale) return;
        this.last.sweep = rows;
        this.drawSweep(sweepBox, rows);
      });
    try {
      // One job per method, fastest first, each drawn as it arrives. The sweep (on its own
      // worker) waits for the first one, so that nothing competes with the first maps.
      for (const method of methods) {
        const r = await this.client.run(compareJob(s, [method]));
        if (signal.stale) return;
        const outcome = r.outcomes[0];
        if (outcome) {
          this.costs.set(method, outcome.timeMs);
          view.add(r, outcome);
        }
        compareDone++;
        report();
        if (!swept) {
          swept = startSweep();
          // Handled here at once: a sweep that fails (diverges) while the methods still run must
          // not be an unhandled rejection; `await swept` below still throws its error.
          swept.catch(() => undefined);
        }
      }
      this.last.compare = view.result();
      await swept;
    } catch (e) {
      // One part failed: stop the other too, so the worker does not work for nothing.
      if (!(e instanceof JobError && e.kind === 'cancelled')) {
        this.client.cancel();
        this.sweepClient.cancel();
        this.sweep = undefined;
      }
      swept?.catch(() => undefined);
      throw e;
    }
  }

  /** The comparison's and the sweep's boxes, drawn for the output's current width, in place of the old ones. */
  private boxes(s: State): { view: CompareView; sweepBox: HTMLElement } {
    const compareBox = document.createElement('section');
    const sweepBox = document.createElement('section');
    compareBox.className = 'h2h-compare';
    sweepBox.className = 'h2h-sweep';
    const view = new CompareView(compareBox, { n: s.n, d: s.d, seed: s.seed, pattern: s.pattern, width: this.output.clientWidth || this.clientWidth - 26 });
    this.output.replaceChildren(compareBox, sweepBox);
    return { view, sweepBox };
  }

  /** The last comparison and sweep drawn again at the new width: no job. */
  protected override redraw(): void {
    const { compare, sweep } = this.last;
    if (!compare || !sweep) {
      super.redraw();
      return;
    }
    const { view, sweepBox } = this.boxes(this.state);
    for (const o of compare.outcomes) view.add(compare, o);
    this.drawSweep(sweepBox, sweep);
  }

  private width(): number {
    return Math.max(280, Math.min(960, (this.output.clientWidth || this.clientWidth - 26) - 4));
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
    if (s.refit !== 'none') notes.push(`Every mask is followed by the ${refitInfo(s.refit).label}.`);
    notes.push(
      'The sweep depends on n, d, weight scale, seed, causal, the refit and the gradient-descent settings, not on the sparsity and pattern chosen above.',
    );
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
