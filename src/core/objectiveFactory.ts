/**
 * Which kernel evaluates the objective, and how several sequences combine.
 *
 * The float64 WebAssembly SIMD kernel is the default wherever SIMD runs (Node,
 * workers; ~10× the plain JS kernel); the JS kernel is the fallback and the
 * reference the WASM one is tested against. With several calibration sequences the
 * loss is the sum of each sequence's attention loss (each attends within itself),
 * plus ½λ‖M‖² once.
 */
import type { Matrix } from './matrix.ts';
import { type Problem, sequenceBlocks } from './problem.ts';
import type { Objective } from './gd.ts';
import { AttentionObjective, type ObjectiveValue } from './objective.ts';
import { WasmAttentionObjective, wasmSimdSupported } from './wasmObjective.ts';
import { WasmFactoredObjective } from './wasmFactored.ts';
import { compareAttentionFactored, FactoredObjective, type FactoredProblem } from './factored.ts';
import type { AttentionMetrics } from './attention.ts';

export type KernelName = 'wasm-simd-f64' | 'js-f64';

/** A single-sequence objective from one of the kernels. */
export type KernelFactory = (X: Matrix, W: Matrix, opts: { causal: boolean; lambda: number }) => Objective;

export function defaultKernel(): KernelName {
  return wasmSimdSupported() ? 'wasm-simd-f64' : 'js-f64';
}

export function kernelFactory(kernel: KernelName = defaultKernel()): KernelFactory {
  if (kernel === 'wasm-simd-f64') return (X, W, o) => new WasmAttentionObjective(X, W, o);
  return (X, W, o) => new AttentionObjective(X, W, o);
}

/** Sum of per-sequence attention losses, plus the regulariser once. */
export class SegmentedObjective implements Objective {
  readonly d: number;
  private readonly scratch: Float64Array;

  constructor(
    private readonly parts: Objective[],
    private readonly lambda: number,
  ) {
    this.d = parts[0].d;
    this.scratch = new Float64Array(this.d * this.d);
  }

  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    let attn = 0;
    if (grad) grad.fill(0);
    for (const part of this.parts) {
      const v = part.evaluate(m, grad ? this.scratch : undefined);
      attn += v.attentionLoss;
      if (grad) for (let i = 0; i < grad.length; i++) grad[i] += this.scratch[i];
    }
    let reg = 0;
    if (this.lambda > 0) {
      for (let i = 0; i < m.length; i++) reg += m[i] * m[i];
      reg *= 0.5 * this.lambda;
      if (grad) for (let i = 0; i < grad.length; i++) grad[i] += this.lambda * m[i];
    }
    return { loss: attn + reg, attentionLoss: attn };
  }
}

/** The objective of a problem, with every sequence attending within itself. */
export function createObjective(problem: Problem, lambda: number, kernel?: KernelName): Objective {
  const make = kernelFactory(kernel);
  const blocks = sequenceBlocks(problem);
  if (blocks.length === 1) return make(problem.X, problem.W, { causal: problem.causal, lambda });
  return new SegmentedObjective(
    blocks.map((X) => make(X, problem.W, { causal: problem.causal, lambda: 0 })),
    lambda,
  );
}

/**
 * The factored objective (SPEC §7) from one of the kernels: WebAssembly SIMD where it runs
 * (a GPT-2 head's loss and gradient: 0.27 s against 4.6 s in JS), the JS kernel otherwise, or when asked for.
 * `lossOnly`: it will never be asked for a gradient (the WASM kernel then holds half the memory).
 */
export function factoredObjective(
  fp: FactoredProblem,
  lambda: number,
  kernel: KernelName = defaultKernel(),
  lossOnly = false,
): Objective & { f0Norm2(): number } {
  return kernel === 'wasm-simd-f64' ? new WasmFactoredObjective(fp, lambda, { gradient: !lossOnly }) : new FactoredObjective(fp, lambda);
}

/** compareAttentionFactored from one of the kernels (the same numbers to round-off). */
export function factoredMetrics(fp: FactoredProblem, wq: Matrix, wk: Matrix, kernel: KernelName = defaultKernel()): AttentionMetrics {
  if (kernel !== 'wasm-simd-f64') return compareAttentionFactored(fp, wq, wk);
  const o = new WasmFactoredObjective(fp, 0, { gradient: false });
  // metrics() replaces the instance's weights: this objective is done after it.
  try {
    return o.metrics(wq, wk);
  } finally {
    o.release();
  }
}
