/**
 * The factored objective of SPEC §7 in WebAssembly SIMD (f64x2): the same numbers as
 * `FactoredObjective` (src/core/factored.ts, the plain-JavaScript reference it is tested
 * against) to rounding, several times faster: what makes a GPT-2 head (d = 768, d_h = 64,
 * 8 windows of 1 024 tokens) affordable. The kernels are AssemblyScript
 * (src/core/wasm/factored.as.ts), built by `npm run build:wasm` into a base64 constant.
 *
 * Compiled synchronously on first use (Node, workers); every instance owns its memory.
 */
import { type AttentionMetrics, metricsOverSequences } from './attention.ts';
import { checkFactoredProblem, type FactoredProblem } from './factored.ts';
import type { Objective } from './gd.ts';
import type { Matrix } from './matrix.ts';
import type { ObjectiveValue } from './objective.ts';
import { FACTORED_WASM_BASE64 } from './wasm/factored.wasm.generated.ts';
import { decodeBase64, wasmSimdSupported } from './wasmObjective.ts';

interface FactoredExports {
  memory: WebAssembly.Memory;
  setup(n: number, d: number, dh: number, nseq: number, t: number, f0Entries: number, causal: number, lambda: number, grad: number): number;
  lenOffset(): number;
  xOffset(): number;
  wqOffset(): number;
  wkOffset(): number;
  bqOffset(): number;
  bkOffset(): number;
  mOffset(): number;
  gradOffset(): number;
  fOffset(): number;
  attentionLoss(): number;
  initProjections(): void;
  initSequence(seq: number): void;
  evaluate(withGrad: number): number;
  backward(): void;
  dirOffset(): number;
  setDirection(): void;
  evaluateStep(step: number, withGrad: number): number;
  project(): void;
  f0Norm2(): number;
  attentionOf(seq: number): number;
}

let compiled: WebAssembly.Module | undefined;
/**
 * One released instance kept for the next objective: its memory is already committed, and
 * a fresh instance pays for its ~100–200 MB (a GPT-2 head) in page faults, about as long as
 * three evaluations. Unreleased instances are left to the garbage collector.
 */
let spare: FactoredExports | undefined;

function moduleSync(): WebAssembly.Module {
  if (!compiled) {
    if (!wasmSimdSupported()) throw new Error('WasmFactoredObjective needs WebAssembly SIMD, which this JavaScript engine does not support');
    compiled = new WebAssembly.Module(decodeBase64(FACTORED_WASM_BASE64));
  }
  return compiled;
}

/**
 * Bytes of wasm memory a problem needs: X and F₀ of every sequence, one sequence's logits
 * twice; with the gradient, X packed, every sequence's P and one packed, and a step's projections.
 */
function factoredWasmBytes(n: number, d: number, dh: number, segments: readonly number[], gradient: boolean): number {
  const t = Math.max(...segments);
  const hp = Math.ceil(dh / 4) * 4;
  const f0 = segments.reduce((s, l) => s + l * l, 0);
  const base = n * d + f0 + 2 * t * (t + 3) + 2 * n * hp + 4 * d * hp + (t + 3) * hp;
  // With the gradient: X packed, P, one P packed, (PK)ᵀ and (PᵀQ)ᵀ, Gᵀ twice; a step's direction, Q and K kept, and V's projections.
  return 8 * (base + (gradient ? n * (d + 3) + f0 + t * (t + 3) + 2 * (n + 4) * hp + 2 * hp * (d + 3) + 2 * d * dh + 4 * n * hp : 0));
}

export class WasmFactoredObjective implements Objective {
  readonly d: number;
  readonly size: number;
  private readonly ex: FactoredExports;
  private readonly mView: Float64Array;
  private readonly gradView: Float64Array;
  private readonly segments: readonly number[];

  /** Whether this instance can give gradients (the metrics need none, and half the memory). */
  readonly gradient: boolean;

  constructor(
    problem: FactoredProblem,
    readonly lambda: number,
    options: { gradient?: boolean } = {},
  ) {
    this.gradient = options.gradient ?? true;
    checkFactoredProblem(problem);
    const { X, Wq, Wk } = problem;
    const n = X.rows;
    const dIn = X.cols;
    const dh = Wq.cols;
    this.segments = problem.segments ?? [n];
    if (this.segments.reduce((s, l) => s + l, 0) !== n || this.segments.some((l) => !(l > 0))) {
      throw new Error(`factored segments: ${this.segments.length} lengths do not cover X's ${n} rows`);
    }
    this.size = 2 * dIn * dh;
    this.d = Math.sqrt(this.size);
    const t = Math.max(...this.segments);
    const f0 = this.segments.reduce((s, l) => s + l * l, 0);
    const ex = spare ?? (new WebAssembly.Instance(moduleSync(), {}).exports as unknown as FactoredExports);
    spare = undefined;
    this.ex = ex;
    if (ex.setup(n, dIn, dh, this.segments.length, t, f0, problem.causal ? 1 : 0, lambda, this.gradient ? 1 : 0) !== 1) {
      throw new Error(
        `WasmFactoredObjective: cannot set up ${n} rows, d = ${dIn}, d_h = ${dh} (the wasm memory, 4 GiB at most, cannot grow to ~${Math.ceil(factoredWasmBytes(n, dIn, dh, this.segments, this.gradient) / 2 ** 20)} MiB)`,
      );
    }
    // The memory never grows after setup, so these views stay valid.
    const buf = ex.memory.buffer;
    new Int32Array(buf, ex.lenOffset(), this.segments.length).set(this.segments);
    new Float64Array(buf, ex.xOffset(), n * dIn).set(X.data);
    this.setWeights(Wq, Wk);
    if (problem.bq) new Float64Array(buf, ex.bqOffset(), dh).set(problem.bq);
    if (problem.bk) new Float64Array(buf, ex.bkOffset(), dh).set(problem.bk);
    this.mView = new Float64Array(buf, ex.mOffset(), this.size);
    this.evaluatedAt = new Float64Array(this.size).fill(Number.NaN);
    this.gradView = new Float64Array(buf, ex.gradOffset(), this.size);
    ex.initProjections();
    for (let q = 0; q < this.segments.length; q++) ex.initSequence(q);
  }

  private released = false;

  /** Done with this objective: its instance (and memory) may serve the next one; any later call throws. */
  release(): void {
    if (this.released) return;
    this.released = true;
    spare ??= this.ex;
  }

  private live(): void {
    if (this.released) throw new Error('this WasmFactoredObjective was released');
  }

  private setWeights(wq: Matrix, wk: Matrix): void {
    const dd = this.size / 2;
    const buf = this.ex.memory.buffer;
    new Float64Array(buf, this.ex.wqOffset(), dd).set(wq.data);
    new Float64Array(buf, this.ex.wkOffset(), dd).set(wk.data);
  }

  /** ‖F₀‖² over the sequences (the dense attention). */
  f0Norm2(): number {
    this.live();
    return this.ex.f0Norm2();
  }

  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    if (m.length !== this.size) throw new Error(`mask has ${m.length} entries, expected 2·d·d_h = ${this.size}`);
    if (grad && grad.length !== this.size) throw new Error(`grad has ${grad.length} entries, expected ${this.size}`);
    if (grad && !this.gradient) throw new Error('this WasmFactoredObjective was made without gradients');
    this.live();
    this.mView.set(m);
    const loss = this.ex.evaluate(grad ? 1 : 0);
    this.evaluatedAt.set(m);
    if (grad) grad.set(this.gradView);
    return { loss, attentionLoss: this.ex.attentionLoss() };
  }

  /** The M of the last evaluation (its Q and K are the ones in wasm memory). */
  private readonly evaluatedAt: Float64Array;
  /** Whether setDirection has kept an M's projections and a direction's (metrics clears it: the weights change). */
  private hasDirection = false;

  /**
   * Armijo's trials from M along −V: keeps M's projections and projects V once, so that
   * evaluateStep(M − sV, s) skips X's projections (two thirds of an evaluation on a GPT-2 head).
   */
  setDirection(m: Float64Array, direction: Float64Array): void {
    if (!this.gradient) throw new Error('this WasmFactoredObjective was made without gradients');
    if (direction.length !== this.size) throw new Error(`direction has ${direction.length} entries, expected ${this.size}`);
    this.live();
    // The kept Q and K must be M's: evaluate M first if the last evaluation was elsewhere.
    if (!sameEntries(this.evaluatedAt, m)) this.evaluate(m);
    new Float64Array(this.ex.memory.buffer, this.ex.dirOffset(), this.size).set(direction);
    this.ex.setDirection();
    this.hasDirection = true;
  }

  /** L (and with `grad` its gradient) at m = M − sV for setDirection's M and V: evaluate(m, grad) to round-off. */
  evaluateStep(m: Float64Array, step: number, grad?: Float64Array): ObjectiveValue {
    if (m.length !== this.size) throw new Error(`mask has ${m.length} entries, expected 2·d·d_h = ${this.size}`);
    if (grad && grad.length !== this.size) throw new Error(`grad has ${grad.length} entries, expected ${this.size}`);
    this.live();
    if (!this.hasDirection) throw new Error('evaluateStep needs setDirection first');
    this.mView.set(m);
    const loss = this.ex.evaluateStep(step, grad ? 1 : 0);
    this.evaluatedAt.set(m);
    if (grad) grad.set(this.gradView);
    return { loss, attentionLoss: this.ex.attentionLoss() };
  }

  /**
   * ∇L at the M of the last evaluate, without its forward pass again (the numbers
   * evaluate(m, grad) would give, to the bit): gradient descent evaluates Armijo's trial
   * steps without gradients and asks for the accepted one's here.
   */
  gradientAtLast(grad: Float64Array): void {
    if (!this.gradient) throw new Error('this WasmFactoredObjective was made without gradients');
    if (grad.length !== this.size) throw new Error(`grad has ${grad.length} entries, expected ${this.size}`);
    this.live();
    this.ex.backward();
    grad.set(this.gradView);
  }

  /**
   * compareAttentionFactored's metrics for W_Q′, W_K′ (the biases as they are): each
   * sequence's F₀ and F computed here, then compared in JS one sequence at a time. After
   * this the instance's weights are W_Q′, W_K′ (evaluate's masks would multiply them).
   */
  metrics(wq: Matrix, wk: Matrix): AttentionMetrics {
    this.live();
    this.setWeights(wq, wk);
    // The kept Q and K are no longer any M's under the instance's (new) weights.
    this.evaluatedAt.fill(Number.NaN);
    this.hasDirection = false;
    this.mView.fill(1);
    const ex = this.ex;
    ex.project();
    const buf = ex.memory.buffer;
    // Views into wasm memory: F is overwritten by the next sequence, so each pair is made when metricsOverSequences asks for it.
    return metricsOverSequences(
      this.segments.map((len, seq) => () => {
        const f0At = ex.attentionOf(seq);
        return {
          f0: { rows: len, cols: len, data: new Float64Array(buf, f0At, len * len) },
          f: { rows: len, cols: len, data: new Float64Array(buf, ex.fOffset(), len * len) },
        };
      }),
    );
  }
}

function sameEntries(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
