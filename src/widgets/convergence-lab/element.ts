/**
 * Convergence lab (chapter 5): Algorithm 1 live on a synthetic head. The loss curve
 * is drawn while gradient descent runs; afterwards the attention error of the mask
 * rounded at each iteration, against the baselines (and the exhaustive optimum for
 * small d), steps that raised L flagged. A scrubber (and Play) moves every view to
 * iteration t together: a rule on both curves, the relaxed mask M_t, the mask rounded
 * from it, F′ with that mask and |F′ − F₀|, each on a colour scale fixed across t, so
 * the global pull of λ toward 0 shows as the whole mask fading.
 * A diverged run is drawn up to where it was stopped, beside the solver's message.
 */
import { WidgetBase, explain, type Preset } from '../../ui/widget-base.ts';
import { count, num, scientific } from '../../ui/format.ts';
import { heatmap } from '../../ui/charts/heatmap.ts';
import { matrixRows, numbersList, renderFigure } from '../../ui/figure.ts';
import type { LabProgress, LabResult, LossFloorResult } from '../../jobs/protocol.ts';
import { GD_HINTS, specOf } from '../../ui/fields.ts';
import { GD_FORM_HELP } from '../../ui/gdForm.ts';
import { roundedErrorChart } from '../../ui/charts/rounded.ts';
import { methodLabel } from '../../core/methods.ts';
import { GD_DEFAULTS } from '../../core/gd.ts';
import { JobError, SolverClient } from '../../worker/client.ts';
import { SWITCHES, labGd, schema } from './settings.ts';
import { WIDGET, LAB_EXAMPLE, LAB_DIVERGENT_ETA, LAB_HIGH_SPARSITY, LAB_PLATEAU_ITERS } from './widget.ts';
import { liveHeatmap, type LiveHeatmap } from './live-heatmap.ts';
import { addRule, gapChart, gapPoints, lossChart } from './loss-chart.ts';
import { attentionAt, readableNumbers, scoreWords, stationaryRounding } from './snapshot.ts';

/** Snapshots per run: enough for a smooth scrub and Play, few enough to keep the message small. */
const SNAPSHOTS = 60;
/** Play shows one snapshot per this many milliseconds (60 snapshots in about 5 s). */
const PLAY_MS = 80;
/** The live loss curve appears once a run has lasted this long (drawing costs the worker CPU on small machines). */
const LIVE_AFTER_MS = 250;
/** The room a note beside the loss curve takes (its CSS width, 14rem, plus the gap). */
const ASIDE_PX = 256;
/** The gap between the loss curve and the gap chart beside it (the row's CSS column gap, 1rem). */
const PAIR_GAP = 16;
/** Captions and exported images catch up this long after the last scrub or Play step. */
const SETTLE_MS = 150;

/** Resolves after the next frame has been painted. */
function painted(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

const EXAMPLE_STATE = { ...LAB_EXAMPLE, causal: false, clip: false, engine: 'f64' } as const;

export class ConvergenceLab extends WidgetBase<typeof schema> {
  readonly schema = schema;
  protected readonly legend = 'Problem and gradient descent';
  protected override readonly presets: readonly Preset<typeof schema>[] = [
    {
      label: 'the example above',
      state: EXAMPLE_STATE,
      note: 'The run the text discusses: the home page’s head, Algorithm 1 in the paper’s form (fixed step). Press Play and watch the whole mask fade under λ while the rounded mask settles.',
    },
    {
      label: 'divergence',
      state: { ...EXAMPLE_STATE, eta: LAB_DIVERGENT_ETA },
      note: 'The text’s divergent step: the loss is drawn up to where the solver stopped it, with its message beside the curve.',
    },
    {
      label: 'λ = 0',
      state: { ...EXAMPLE_STATE, lambda: 0 },
      note: 'Without the regulariser the start M₀ = 1 is a stationary point: nothing moves.',
    },
    {
      label: 'high sparsity',
      state: { ...EXAMPLE_STATE, sparsity: LAB_HIGH_SPARSITY },
      note: 'Nine entries in ten pruned: compare the rounded error at T with the baselines’ lines, and the difference map.',
    },
    {
      label: 'to the plateau',
      state: { ...EXAMPLE_STATE, step: 'armijo', iters: LAB_PLATEAU_ITERS },
      note: 'The same head with Armijo steps, run until L stops falling: L(M_t) flattens onto L*, and the gap L(M_t) − L* falls along a straight line on its log axis (a linear rate, as the theorem says) down to what float64 resolves.',
    },
    {
      label: 'our defaults',
      state: { ...EXAMPLE_STATE, lambda: GD_DEFAULTS.lambda, eta: GD_DEFAULTS.eta, iters: GD_DEFAULTS.iters, step: GD_DEFAULTS.step, score: GD_DEFAULTS.score },
      note: 'The same head with the ablation’s defaults: Armijo steps (none raises L), a small λ, rounding by |M_T ∘ W|·‖X_i‖.',
    },
  ];
  protected override readonly switches = SWITCHES;
  override readonly hints = {
    gdForm: { help: GD_FORM_HELP },
    scale: { help: 'Larger weights make attention rows more peaked.' },
    engine: { help: 'f64: float64 WebAssembly (the reference). tfjs: TensorFlow.js float32 (WebGL, else WASM, else CPU).' },
    eta: {
      help: 'With the fixed rule, too large a step diverges (the message quotes the step the smoothness bound allows); with Armijo it is only the first trial step.',
    },
    ...GD_HINTS,
  };
  private last: LabResult | undefined;
  /**
   * L* for the gap chart comes from a long run on a second worker, started once the run is
   * drawn; it depends only on the problem, λ and clipping, so changing η, T, the step rule,
   * the rounding or the sparsity reuses it.
   */
  private floorClient = new SolverClient();
  private floor: { key: string; promise: Promise<LossFloorResult> } | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.floorClient.warm();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.floorClient.dispose();
    this.floor = undefined;
  }

  /** Stop cancels the long run too (the base class knows only the main client). */
  override stop(): void {
    this.floorClient.cancel();
    this.floor = undefined;
    super.stop();
  }

  /** The floor for these settings: the one running or done already, or a new one. */
  private floorFor(): Promise<LossFloorResult> {
    const s = this.state;
    const job = { kind: 'lossFloor' as const, spec: specOf(s), lambda: s.lambda, clip: s.clip };
    const key = JSON.stringify(job);
    if (this.floor?.key === key) return this.floor.promise;
    const promise = this.floorClient.run(job);
    const entry = { key, promise };
    this.floor = entry;
    // A failed or cancelled run is not reused, and never an unhandled rejection.
    promise.catch(() => {
      if (this.floor === entry) this.floor = undefined;
    });
    return promise;
  }
  /** Long runs (n = 256, T = 5000) take minutes: a Stop button, with the progress line's estimate. */
  protected override readonly stoppable = true;
  private stopPlay: (() => void) | undefined;

  protected async run(signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    this.stopPlay?.();
    const curve = document.createElement('div');
    this.output.replaceChildren(curve);
    const loss: number[] = [];
    const attn: number[] = [];
    let frame = 0;
    const started = performance.now();
    const draw = (p: LabProgress): void => {
      loss[p.iteration] = p.loss;
      attn[p.iteration] = p.attentionLoss;
      this.progress(`Iteration ${p.iteration} of ${s.iters}: L = ${num(p.loss, 4)}${this.remaining(p.iteration, s.iters)}`);
      // Short runs finish before a live curve would help: draw it only once a run lasts.
      if (frame || performance.now() - started < LIVE_AFTER_MS) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        if (signal.stale) return;
        const dense = (h: number[]) => Array.from(h, (v) => v ?? Number.NaN);
        curve.replaceChildren(lossChart({ loss: dense(loss), attention: dense(attn), width: this.chartWidth() }).element);
      });
    };
    const result = await this.client.run(
      {
        kind: 'lab',
        spec: specOf(s),
        sparsity: s.sparsity,
        gd: labGd(s),
        engine: s.engine === 'tfjs' ? 'tfjs' : 'f64',
        snapshots: SNAPSHOTS,
      },
      (p) => draw(p),
    );
    cancelAnimationFrame(frame);
    if (signal.stale) return;
    this.last = result;
    await this.drawResult(result, signal);
    if (signal.stale) return;
    // The long run for L* starts once the result is drawn (run beside it, it slowed the first
    // result by its CPU), and the gap chart follows when it is back; the lab is done without
    // waiting for it (the slot says it is busy meanwhile). λ = 0 starts at the minimum: no floor.
    if (s.lambda > 0 && !result.divergence)
      this.floorFor().then(
        (f) => {
          if (!signal.stale) this.drawGap(result, f);
        },
        (e: unknown) => {
          if (signal.stale || (e instanceof JobError && e.kind === 'cancelled')) return;
          const slot = this.querySelector<HTMLElement>('.lab-gap');
          slot?.removeAttribute('aria-busy');
          slot?.replaceChildren(Object.assign(document.createElement('p'), { className: 'lab-aside', textContent: `L* could not be found: ${explain(e)}` }));
        },
      );
    // A diverged run is drawn, and still reported as what it is (status "error", the message in words).
    if (result.divergence) throw new JobError(readableNumbers(result.divergence.message), 'divergence');
  }

  private chartWidth(): number {
    return Math.max(280, Math.min(960, this.clientWidth - 8));
  }

  /** The loss chart's width: narrower when a note sits beside it (wide screens), full width when the note wraps below. */
  private lossWidth(withAside: boolean, withGap: boolean): number {
    const full = this.chartWidth();
    if (withGap) return this.pairWidth();
    return withAside && full - ASIDE_PX >= 360 ? full - ASIDE_PX : full;
  }

  /** The loss curve and the gap chart side by side when each keeps 340 px, else each at full width. */
  private pairWidth(): number {
    const full = this.chartWidth();
    const half = Math.floor((full - PAIR_GAP) / 2);
    return half >= 340 ? half : full;
  }

  /**
   * The gap L(M_t) − L* on a log axis, beside the loss curve: L* is the lower of the long
   * Armijo run's loss and this run's lowest, so every gap drawn is positive.
   */
  private drawGap(r: LabResult, f: LossFloorResult): void {
    const slot = this.querySelector<HTMLElement>('.lab-gap');
    if (!slot) return;
    slot.removeAttribute('aria-busy');
    const finite = r.lossHistory.filter(Number.isFinite);
    const runLowest = Math.min(...finite);
    const lStar = Math.min(f.value, runLowest);
    const pts = gapPoints(r.lossHistory, lStar);
    const T = r.lossHistory.length - 1;
    const how = `L* = ${num(lStar, 8)}: ${lStar < f.value ? `this run’s lowest L, below L after ${count(f.iterations)} Armijo steps of the same problem and λ (${num(f.value, 8)})` : `L after ${count(f.iterations)} Armijo steps of the same problem and λ${f.converged ? ', where L stopped falling' : ''}`}, computed in the worker in ${num(f.timeMs, 3)} ms`;
    if (pts.length < 2) {
      slot.replaceChildren(
        Object.assign(document.createElement('p'), {
          className: 'lab-aside',
          textContent: `The gap L(M_t) − L* is at or below what float64 resolves at ${pts.length ? 'all but one iteration' : 'every iteration'}: nothing to draw on a log axis. ${how}.`,
        }),
      );
      return;
    }
    const first = pts[0];
    const last = pts[pts.length - 1];
    const rate = last.t > first.t ? (last.y / first.y) ** (1 / (last.t - first.t)) : Number.NaN;
    const left = T + 1 - pts.length;
    let moveRule: (t: number) => void = () => {};
    renderFigure(slot, {
      title: 'Distance to the floor, L(M_t) − L* (log scale)',
      summary:
        `${how}. The gap falls from ${num(first.y, 3)} at t = ${first.t} to ${num(last.y, 3)} at t = ${last.t}` +
        (Number.isFinite(rate)
          ? `, on average a factor ${num(rate, 4)} per step: a straight line on this axis is a linear rate, the kind the convergence theorem gives.`
          : '.') +
        (left > 0 ? ` ${left} iteration${left === 1 ? ' is' : 's are'} left out: the gap there is at or below float64’s resolution of L*.` : ''),
      plot: () => {
        const c = gapChart({ loss: r.lossHistory, lStar, width: this.pairWidth() });
        moveRule = c.setT;
        return c.element;
      },
      rows: () => r.lossHistory.map((l, t) => ({ iteration: t, loss: l, gap_to_l_star: l - lStar, l_star: lStar })),
      filename: 'convergence-gap',
    });
    // For tests and scripts: the floor and the last gap drawn, at full precision.
    slot.dataset.lStar = String(lStar);
    slot.dataset.lastGap = String(last.y);
    const scrub = this.querySelector<HTMLInputElement>('.widget-scrub input[type=range]');
    const follow = (): void => moveRule(r.snapshots[Number(scrub?.value ?? r.snapshots.length - 1)]?.iteration ?? T);
    scrub?.addEventListener('input', follow);
    follow();
  }

  /**
   * Draws in three steps with a paint between them: the loss curve and the numbers first
   * (what a reader sees on arrival), then the rounded-error chart, then the maps and the
   * player. Seven Plot charts at once would hold the first picture back by their sum.
   */
  private async drawResult(r: LabResult, signal: { readonly stale: boolean }): Promise<void> {
    const s = this.state;
    const T = r.lossHistory.length - 1;
    const div = r.divergence;
    const stationary = s.lambda === 0 && r.lossHistory.every((l) => l === 0) && r.snapshots.every((sn) => sn.m.every((v) => v === 1));

    // 1. The loss curve, with the divergence message or the stationary point beside it.
    const curve = document.createElement('div');
    let moveLossRule: (t: number) => void = () => {};
    const lossLast = r.lossHistory[T];
    const lossSummary = stationary
      ? `L(M_t) = 0 at every iteration drawn (t = 0${T > 0 ? ` to ${T}` : ''}): the run starts at a stationary point.`
      : div
        ? `L(M_t) went from ${num(r.lossHistory[0], 4)} at t = 0 to ${num(lossLast, 4)} at t = ${T}, where the solver stopped the run as diverged.`
        : `L(M_t) went from ${num(r.lossHistory[0], 4)} at t = 0 to ${num(lossLast, 4)} at t = ${T}; the attention term ½‖F(M_t) − F₀‖² ended at ${num(r.attentionLossHistory[T], 4)}.`;
    renderFigure(curve, {
      title: 'Loss during gradient descent',
      summary: lossSummary,
      plot: () => {
        const c = lossChart({
          loss: r.lossHistory,
          attention: r.attentionLossHistory,
          width: this.lossWidth(Boolean(div) || s.lambda === 0, !div && s.lambda > 0),
          divergedAt: div?.iteration,
          stationaryLabel: stationary ? 'stationary point: ∇L(M₀) = 0, L = 0' : undefined,
        });
        moveLossRule = c.setT;
        return c.element;
      },
      rows: () => r.lossHistory.map((l, t) => ({ iteration: t, loss: l, attention_loss: r.attentionLossHistory[t] })),
      filename: 'convergence-loss',
    });
    const lossRow = document.createElement('div');
    lossRow.className = 'lab-loss-row';
    lossRow.append(curve);
    if (div) lossRow.append(this.aside('lab-diverged', this.divergenceWords(r)));
    else if (s.lambda === 0) lossRow.append(this.aside('lab-stationary', this.stationaryWords(r, stationary)));
    else {
      // Filled by drawGap once the long run that gives L* is back (it runs beside this one).
      const gap = document.createElement('div');
      gap.className = 'lab-gap';
      gap.setAttribute('aria-busy', 'true');
      gap.append(
        Object.assign(document.createElement('p'), { className: 'widget-placeholder', textContent: 'Finding L* (a long Armijo run in a second worker)…' }),
      );
      lossRow.append(gap);
    }

    const numbers = numbersList(this.numbers(r));
    const rounded = document.createElement('div');
    const grid = document.createElement('div');
    grid.className = 'widget-grid lab-grid';
    this.output.replaceChildren(lossRow, rounded, grid, numbers);
    await painted();
    if (signal.stale) return;

    // 2. The attention error of the mask rounded at each iteration.
    let moveRoundedRule: (t: number) => void = () => {};
    const end = r.roundedError[r.roundedError.length - 1];
    const lowest = r.roundedError.reduce((a, b) => (b.error < a.error ? b : a), r.roundedError[0]);
    const c = r.convergence;
    if (end) {
      renderFigure(rounded, {
        title: 'Attention error of the mask rounded at each iteration',
        summary:
          `Rounding M_t at iteration t and pruning with that mask gives a relative attention error of ${num(r.roundedError[0].error, 3)} at t = 0 and ${num(end.error, 3)} at t = ${end.iteration} (lowest ${num(lowest.error, 3)} at t = ${lowest.iteration}). ` +
          `Reference lines: ${r.references.map((x) => `${methodLabel(x.method)} ${num(x.error, 3)}`).join(', ')}. ` +
          (r.raisedAt.length
            ? `${r.raisedAt.length} of ${c.iterations} steps raised L (red ticks): those steps are outside the convergence guarantee, which assumes every step lowers L.`
            : `No step raised L: every one of the ${c.iterations} steps was a descent step, inside the convergence guarantee${c.step === 'armijo' ? ' (Armijo steps)' : ''}.`),
        plot: () => {
          const chart = roundedErrorChart({ curve: r.roundedError, references: r.references, raisedAt: r.raisedAt, method: 'gd', width: this.chartWidth() });
          moveRoundedRule = addRule(chart);
          return chart;
        },
        rows: () => r.roundedError.map((p) => ({ iteration: p.iteration, rounded_attention_error: p.error })),
        filename: 'convergence-rounded-error',
      });
    }

    await painted();
    if (signal.stale) return;

    // 3. The player: Play/Pause and the scrubber, driving every view below.
    const player = this.player(r);
    const views = this.snapshotViews(r, grid);
    const show = (index: number): void => {
      const sn = r.snapshots[index];
      if (!sn) return;
      moveLossRule(sn.iteration);
      moveRoundedRule(sn.iteration);
      views(index);
    };
    player.onShow(show);
    show(r.snapshots.length - 1);
    grid.before(player.element);
  }

  private aside(className: string, text: string): HTMLElement {
    const p = document.createElement('p');
    p.className = `lab-aside ${className}`;
    p.textContent = text;
    return p;
  }

  private divergenceWords(r: LabResult): string {
    const div = r.divergence!;
    const s = this.state;
    return (
      `Diverged at t = ${div.iteration} (L = ${num(div.loss, 4)}, from ${num(r.lossHistory[0], 4)} at t = 0). ` +
      `The fixed step η = ${num(s.eta, 3)} is ${num(s.eta / r.safeEta, 3)} times the step the smoothness bound guarantees (η ≤ ${num(r.safeEta, 3)}). ` +
      `The curve and the masks are shown up to that point; no final mask is computed from a diverged run.`
    );
  }

  /** λ = 0, in the words the data supports (SPEC §2: at M = 1 the attention term's gradient is exactly 0). */
  private stationaryWords(r: LabResult, stationary: boolean): string {
    const s = this.state;
    const g = r.startGradNorm;
    if (!stationary) {
      return `λ = 0: ‖∇L(M₀)‖ = ${num(g, 3)} at M₀ = 1 (not exactly 0 in this arithmetic), so the mask moved only by round-off.`;
    }
    const how =
      r.lossHistory.length === 1
        ? 'The Armijo rule stopped at t = 0: with a zero gradient no step can lower L.'
        : `All ${r.lossHistory.length - 1} fixed steps left every entry of M at exactly 1 (M − η·0 = M).`;
    return (
      `λ = 0: at M₀ = 1 the gradient is exactly 0 (‖∇L(M₀)‖ = ${num(g, 3)}): F(1) = F₀, so the attention term and its gradient vanish, and λM = 0. ` +
      `M₀ is a stationary point and L(M₀) = 0 is already the minimum. ${how} ` +
      stationaryRounding(s.score)
    );
  }

  private numbers(r: LabResult): (readonly [string, string])[] {
    const s = this.state;
    const c = r.convergence;
    const rows: (readonly [string, string])[] = [];
    if (r.final) {
      rows.push(
        ['Relative attention error of the pruned head', num(r.final.metrics.attentionError, 4)],
        ['Mean row KL(F₀ ‖ F′)', num(r.final.metrics.meanRowKL, 4)],
      );
    } else if (r.divergence) {
      rows.push(['Diverged at iteration', String(r.divergence.iteration)]);
    }
    rows.push(
      ['Step the smoothness bound guarantees (η ≤ 1/β)', num(r.safeEta, 3)],
      ['Steps that raised L (outside the guarantee)', `${r.raisedAt.length} of ${c.iterations}`],
      [
        'Observed linear rate of L(M_t) − L*',
        Number.isFinite(c.observedRate) ? `${num(c.observedRate, 3)} per step (over the first ${c.rateWindow} steps)` : 'not measurable (L did not move)',
      ],
      // 1 − λ/β is within 10⁻⁶ of 1 here: print the gap, not a rounded "1".
      ['Rate the PL bound guarantees, 1 − λ/β', Number.isFinite(c.plRate) && s.lambda > 0 ? `1 − ${scientific(1 - c.plRate, 2)} per step` : 'no bound (λ = 0)'],
      ['Gradient at the start, ‖∇L(M₀)‖', num(r.startGradNorm, 3)],
      ['Arithmetic', r.engine],
      ['Time in the worker', `${num(r.timeMs, 3)} ms`],
    );
    return rows;
  }

  /** Play/Pause and the scrubber over the snapshots. */
  private player(r: LabResult): { element: HTMLElement; onShow(f: (index: number) => void): void } {
    const scrub = document.createElement('div');
    scrub.className = 'widget-scrub';
    const play = document.createElement('button');
    play.type = 'button';
    play.className = 'lab-play';
    play.textContent = 'Play';
    const label = document.createElement('label');
    label.htmlFor = `${this.urlPrefix}-scrub`;
    label.textContent = 'Show iteration';
    const slider = document.createElement('input');
    slider.type = 'range';
    slider.id = `${this.urlPrefix}-scrub`;
    slider.min = '0';
    slider.max = String(r.snapshots.length - 1);
    slider.value = slider.max;
    slider.disabled = r.snapshots.length < 2;
    play.disabled = r.snapshots.length < 2;
    const out = document.createElement('output');
    out.className = 'lab-scrub-t';
    out.htmlFor.add(slider.id);
    scrub.append(play, label, slider, out);
    let show: (index: number) => void = () => {};
    const update = (): void => {
      const sn = r.snapshots[Number(slider.value)];
      out.textContent = `t = ${sn.iteration}`;
      slider.setAttribute('aria-valuetext', `iteration ${sn.iteration}`);
      show(Number(slider.value));
    };
    slider.addEventListener('input', update);

    let timer = 0;
    let lastStep = 0;
    const stop = (): void => {
      cancelAnimationFrame(timer);
      timer = 0;
      play.textContent = 'Play';
      this.stopPlay = undefined;
    };
    const tick = (now: number): void => {
      if (now - lastStep >= PLAY_MS) {
        lastStep = now;
        const next = Math.min(Number(slider.value) + 1, Number(slider.max));
        slider.value = String(next);
        update();
        if (next >= Number(slider.max)) {
          stop();
          return;
        }
      }
      timer = requestAnimationFrame(tick);
    };
    play.addEventListener('click', () => {
      if (timer) {
        stop();
        return;
      }
      if (Number(slider.value) >= Number(slider.max)) {
        slider.value = '0';
        update();
      }
      play.textContent = 'Pause';
      lastStep = performance.now();
      this.stopPlay = stop;
      timer = requestAnimationFrame(tick);
    });
    return {
      element: scrub,
      onShow: (f) => {
        show = f;
        update();
      },
    };
  }

  /**
   * The four views that follow t (relaxed mask, rounded mask, F′, |F′ − F₀|) and the
   * dense F₀, appended to `grid`; returns the function that moves them to a snapshot.
   */
  private snapshotViews(r: LabResult, grid: HTMLElement): (index: number) => void {
    const { d, n } = r;
    const s = this.state;
    let lo = Infinity;
    let hi = -Infinity;
    for (const sn of r.snapshots)
      for (const v of sn.m) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    // One scale for every t, including 0 and 1, so the fading toward 0 is visible.
    const mDomain: [number, number] = [Math.min(0, lo), Math.max(1, hi)];
    const diffMax = r.snapshots.reduce((a, sn) => Math.max(a, sn.maxDiff), 0);
    const dDomain: [number, number] = [0, diffMax > 0 ? diffMax : 1];
    const fPrimes = new Map<number, Float64Array>();
    const fPrime = (index: number): Float64Array => {
      let f = fPrimes.get(index);
      if (!f) {
        f = attentionAt(r, r.snapshots[index].rounded);
        fPrimes.set(index, f);
      }
      return f;
    };
    const diffOf = (f: Float64Array): Float64Array => {
      const out = new Float64Array(f.length);
      for (let i = 0; i < f.length; i++) out[i] = Math.abs(f[i] - r.f0[i]);
      return out;
    };
    const finalMask = r.snapshots[r.snapshots.length - 1]?.rounded;
    let current = r.snapshots.length - 1;
    const at = () => r.snapshots[current];

    type View = { host: HTMLElement; live: LiveHeatmap | undefined; caption(): [string, string]; redraw(values: ArrayLike<number>): void; settle(): void };
    const view = (title: () => string, summary: () => string, make: () => LiveHeatmap, rows: () => Record<string, number>[], filename: string): View => {
      const host = document.createElement('div');
      const v: View = {
        host,
        live: undefined,
        caption: () => [title(), summary()],
        redraw: (values) => v.live?.set(values),
        settle: () => {
          v.live?.sync();
          const [t, sm] = v.caption();
          const strong = host.querySelector('figcaption strong');
          const span = host.querySelector('figcaption .figure-summary');
          if (strong) strong.textContent = t;
          if (span) span.textContent = ` ${sm}`;
          host.querySelector('[role="img"]')?.setAttribute('aria-label', `${t}. ${sm}`);
        },
      };
      renderFigure(host, {
        title: title(),
        summary: summary(),
        plot: () => {
          v.live = make();
          return v.live.element;
        },
        rows,
        filename,
      });
      grid.append(host);
      return v;
    };

    const m = view(
      () => `Relaxed mask M_t at t = ${at().iteration}`,
      () => {
        let a = Infinity;
        let b = -Infinity;
        let sum = 0;
        for (const x of at().m) {
          a = Math.min(a, x);
          b = Math.max(b, x);
          sum += x;
        }
        return `Entries from ${num(a, 3)} to ${num(b, 3)}, mean ${num(sum / at().m.length, 3)}. The colour scale is the same for every t (${num(mDomain[0], 3)} to ${num(mDomain[1], 3)}), so a fading mask is the pull of λ toward 0.`;
      },
      () => liveHeatmap(at().m, { rows: d, cols: d, domain: mDomain, label: 'M_ij', format: (v) => num(v, 4) }),
      () => matrixRows(at().m, d, d),
      'relaxed-mask',
    );
    const b = view(
      () => `Rounded mask B_t at t = ${at().iteration}`,
      () => {
        const kept = at().rounded.reduce((x, y) => x + y, 0);
        let changed = 0;
        if (finalMask) for (let i = 0; i < d * d; i++) if (at().rounded[i] !== finalMask[i]) changed++;
        const last = r.snapshots[r.snapshots.length - 1].iteration;
        return `${d * d - kept} of ${d * d} entries pruned (sparsity ${num(s.sparsity, 3)}), keeping the largest ${scoreWords(s.score)}; ${changed} entries differ from the mask rounded at t = ${last}.`;
      },
      () =>
        liveHeatmap(at().rounded, {
          rows: d,
          cols: d,
          // From −¼: a pruned entry is light grey, visible on the page and as a legend swatch.
          domain: [-0.25, 1],
          scheme: 'greys',
          label: 'entry',
          categories: ['pruned', 'kept'],
          format: (v) => (v ? 'kept' : 'pruned'),
        }),
      () => matrixRows(at().rounded, d, d),
      'rounded-mask',
    );
    const attentionOpts = { rows: n, cols: n, colorType: 'sqrt' as const, xLabel: 'key j', yLabel: 'query i' };
    const fp = view(
      () => `Pruned attention F′ at t = ${at().iteration}`,
      () => `Attention with the mask rounded at t: relative error ${num(r.roundedError[current].error, 3)}. Square-root colour scale from 0 to 1, as for F₀.`,
      () => liveHeatmap(fPrime(current), { ...attentionOpts, domain: [0, 1], scheme: 'blues', label: 'attention', format: (v) => num(v, 4) }),
      () => matrixRows(fPrime(current), n, n),
      'attention-pruned',
    );
    const df = view(
      () => `Difference |F′ − F₀| at t = ${at().iteration}`,
      () => `Largest difference ${num(at().maxDiff, 3)} at this t; the colour scale runs to ${num(dDomain[1], 3)}, the largest at any t (square-root scale).`,
      () => liveHeatmap(diffOf(fPrime(current)), { ...attentionOpts, domain: dDomain, scheme: 'oranges', label: '|F′ − F₀|', format: (v) => num(v, 4) }),
      () => matrixRows(diffOf(fPrime(current)), n, n),
      'attention-difference',
    );
    const dense = document.createElement('div');
    renderFigure(dense, {
      title: 'Dense attention F₀',
      summary: `Row-stochastic ${n}×${n} attention of the unpruned head (square-root colour scale).`,
      plot: () => heatmap(r.f0, { ...attentionOpts, domain: [0, 1], scheme: 'blues', label: 'attention' }),
      rows: () => matrixRows(r.f0, n, n),
      filename: 'attention-dense',
    });
    grid.append(dense);
    grid.dataset.t = String(at()?.iteration ?? 0);
    // While scrubbing or playing only the pixels move (cheap); the captions, the text
    // alternatives and the SVG's own images follow once the input rests.
    let settleTimer: ReturnType<typeof setTimeout> | undefined;
    const settle = (): void => {
      for (const v of [m, b, fp, df]) v.settle();
      grid.dataset.settled = String(at().iteration);
    };
    return (index) => {
      current = index;
      const f = fPrime(index);
      m.redraw(at().m);
      b.redraw(at().rounded);
      fp.redraw(f);
      df.redraw(diffOf(f));
      grid.dataset.t = String(at().iteration);
      clearTimeout(settleTimer);
      settleTimer = setTimeout(settle, SETTLE_MS);
    };
  }

  protected override doneText(): string {
    const r = this.last;
    if (!r?.final) return 'Done.';
    return `Done: ${r.lossHistory.length - 1} iterations, relative attention error ${num(r.final.metrics.attentionError, 3)}.`;
  }
}

customElements.define(WIDGET.tag, ConvergenceLab);
