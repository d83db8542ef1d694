/**
 * The same objective and closed-form gradient as objective.ts, in TensorFlow.js
 * ops (float32). Used to compare backends in `bench`, and as the GPU path in the
 * browser when WebGL is available; the float64 JS/WASM kernels remain the
 * reference for numbers the site and CLI report.
 */
import type { Matrix } from '../matrix.ts';
import type { ObjectiveValue } from '../objective.ts';
import { checkShapes } from '../attention.ts';
import { tf } from './backend.ts';

/** Logits with the causal mask applied as −∞ above the diagonal. */
function maskedLogits(x: tf.Tensor2D, wm: tf.Tensor2D, causalBias: tf.Tensor2D | null): tf.Tensor2D {
  const s = tf.matMul(tf.matMul(x, wm), x, false, true);
  return causalBias ? tf.add(s, causalBias) : (s as tf.Tensor2D);
}

export class TfAttentionObjective {
  readonly n: number;
  readonly d: number;
  private readonly x: tf.Tensor2D;
  private readonly w: tf.Tensor2D;
  private readonly f0: tf.Tensor2D;
  private readonly causalBias: tf.Tensor2D | null;

  constructor(
    X: Matrix,
    W: Matrix,
    readonly opts: { causal?: boolean; lambda?: number } = {},
  ) {
    checkShapes(X, W);
    this.n = X.rows;
    this.d = X.cols;
    this.x = tf.tensor2d(Float32Array.from(X.data), [X.rows, X.cols]);
    this.w = tf.tensor2d(Float32Array.from(W.data), [W.rows, W.cols]);
    this.causalBias = opts.causal ? tf.tidy(() => tf.mul(tf.sub(tf.linalg.bandPart(tf.ones([this.n, this.n]), -1, 0), 1), 1e30) as tf.Tensor2D) : null;
    this.f0 = tf.tidy(() => tf.softmax(maskedLogits(this.x, this.w, this.causalBias)));
  }

  evaluate(m: Float64Array, grad?: Float64Array): ObjectiveValue {
    const lambda = this.opts.lambda ?? 0;
    const [attn, reg, g] = tf.tidy(() => {
      const mt = tf.tensor2d(Float32Array.from(m), [this.d, this.d]);
      const f = tf.softmax(maskedLogits(this.x, tf.mul(mt, this.w), this.causalBias));
      const c = tf.sub(f, this.f0);
      const attn = tf.mul(0.5, tf.sum(tf.square(c)));
      const reg = tf.mul(0.5 * lambda, tf.sum(tf.square(mt)));
      if (!grad) return [attn, reg, null] as const;
      const fc = tf.mul(f, c);
      const p = tf.sub(fc, tf.mul(tf.sum(fc, 1, true), f));
      const xtpx = tf.matMul(tf.matMul(this.x, p, true, false), this.x);
      return [attn, reg, tf.add(tf.mul(this.w, xtpx), tf.mul(lambda, mt))] as const;
    });
    const attentionLoss = attn.dataSync()[0];
    const loss = attentionLoss + reg.dataSync()[0];
    if (g && grad) grad.set(g.dataSync());
    tf.dispose([attn, reg, g ?? []]);
    return { loss, attentionLoss };
  }

  /** tf.grad of the same loss: autodiff as a second opinion on the closed form (tests only). */
  autodiffGradient(m: Float64Array): Float64Array {
    const lambda = this.opts.lambda ?? 0;
    const g = tf.tidy(() => {
      const lossOf = (mt: tf.Tensor): tf.Scalar => {
        const f = tf.softmax(maskedLogits(this.x, tf.mul(mt, this.w) as tf.Tensor2D, this.causalBias));
        const c = tf.sub(f, this.f0);
        return tf.add(tf.mul(0.5, tf.sum(tf.square(c))), tf.mul(0.5 * lambda, tf.sum(tf.square(mt)))) as tf.Scalar;
      };
      return tf.grad(lossOf)(tf.tensor2d(Float32Array.from(m), [this.d, this.d]));
    });
    const out = Float64Array.from(g.dataSync());
    g.dispose();
    return out;
  }

  dispose(): void {
    tf.dispose([this.x, this.w, this.f0, this.causalBias ?? []]);
  }
}
