/**
 * The attention loss as a function of the effective weight W' itself (no mask):
 *
 *   L(W') = ½ Σ_sequences ‖Softmax(X W' Xᵀ) − F₀‖²_F,   F₀ = Softmax(X W Xᵀ) of the dense W,
 *   ∇L(W') = Xᵀ P X        (P as in SPEC §2, at F = F(W'))
 *
 * Reconstruction (SPEC §9) needs this gradient. Rather than a second attention
 * implementation, it reuses the mask kernels: the objective of the problem
 * {X, W = 1 (all ones)} evaluated at M = W' has M ∘ 1 = W' and gradient 1 ∘ (XᵀPX),
 * exactly G; only its F₀ is wrong (the attention of the all-ones weight), so it is
 * overwritten with the dense attention of the true W (both kernels read F₀ from the
 * buffer they expose on every evaluation). λ = 0: reconstruction has no regulariser.
 */
import { type Matrix, filled } from './matrix.ts';
import { attention } from './attention.ts';
import { type Problem, sequenceBlocks } from './problem.ts';
import type { Objective } from './gd.ts';
import type { ObjectiveValue } from './objective.ts';
import { AttentionObjective } from './objective.ts';
import { WasmAttentionObjective } from './wasmObjective.ts';
import { type KernelName, defaultKernel, SegmentedObjective } from './objectiveFactory.ts';

/** The weight-space attention loss of a problem (its W gives F₀), every sequence within itself. */
export class WeightSpaceObjective implements Objective {
  readonly d: number;
  /** Σ ‖F₀‖²_F over sequences: turns a loss into the relative error √(2L/‖F₀‖²). */
  readonly f0Norm2: number;
  private readonly inner: Objective;

  constructor(problem: Problem, kernel: KernelName = defaultKernel()) {
    const d = problem.W.rows;
    this.d = d;
    const ones = filled(d, d, 1);
    let norm2 = 0;
    const parts = sequenceBlocks(problem).map((X) => {
      const part =
        kernel === 'wasm-simd-f64'
          ? new WasmAttentionObjective(X, ones, { causal: problem.causal, lambda: 0 })
          : new AttentionObjective(X, ones, { causal: problem.causal, lambda: 0 });
      const f0 = attention(X, problem.W, problem.causal);
      part.f0.set(f0.data);
      for (let i = 0; i < f0.data.length; i++) norm2 += f0.data[i] * f0.data[i];
      return part;
    });
    this.f0Norm2 = norm2;
    this.inner = parts.length === 1 ? parts[0] : new SegmentedObjective(parts, 0);
  }

  /** L(W') and, if `grad` is given, ∇L(W') = Xᵀ P X (row-major d×d). */
  evaluate(w: Float64Array, grad?: Float64Array): ObjectiveValue {
    return this.inner.evaluate(w, grad);
  }

  /** The relative attention error ‖F(W') − F₀‖/‖F₀‖ of a weight. */
  relativeError(w: Matrix | Float64Array): number {
    const v = this.evaluate(w instanceof Float64Array ? w : w.data);
    return Math.sqrt((2 * v.attentionLoss) / this.f0Norm2);
  }
}
