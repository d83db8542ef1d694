// @ts-nocheck -- AssemblyScript, not TypeScript: compiled by scripts/build-wasm.mjs
// (`npm run build:wasm`) into factored.wasm.generated.ts. tsc only parses it.
/**
 * The factored objective of SPEC §7 in WebAssembly SIMD (f64x2), float64 throughout, the
 * same numbers as `FactoredObjective` (src/core/factored.ts) to rounding:
 *
 *   Q = X (M_Q∘W_Q) + 1b_Qᵀ,  K = X (M_K∘W_K) + 1b_Kᵀ,  S = Q Kᵀ/√d_h per sequence
 *   L = ½ Σ_seq ‖Softmax(S) − F₀‖² + ½λ‖M‖²,  P as in the merged case
 *   ∇_{M_Q} = W_Q ∘ (Xᵀ P K)/√d_h + λM_Q,   ∇_{M_K} = W_K ∘ (Xᵀ Pᵀ Q)/√d_h + λM_K
 *
 * Organised as the merged module is (kernels.as.ts: packed right operands, 4×4 blocks),
 * every operand read contiguously or at a short stride:
 *
 *   Q, K      = X · pack(M∘W)          all n rows at once, n × dhp row-major (bias added)
 *   S         = Q_seq · pack(K_seqᵀ)   per sequence, causal blocks only; P kept per sequence
 *   (P K)ᵀ    = K_seqᵀ · pack(Pᵀ)      per sequence, dhp × n row-major (causal: k ≤ j)
 *   (Pᵀ Q)ᵀ   = Q_seqᵀ · pack(P)       (causal: k ≥ j)
 *   G_Qᵀ, G_Kᵀ = (P K)ᵀ · pack(X), (Pᵀ Q)ᵀ · pack(X)   all n rows at once
 *
 * dhp is d_h rounded up to 4 (padding columns are zero: the packed weights and biases are
 * zero there). Sequences may differ in length; F₀ and P hold each sequence's len² entries.
 * With gradients (setup's `grad`), evaluate keeps every sequence's P, so that backward()
 * gives the gradient at the last evaluated M without its forward pass again (Armijo trials
 * are evaluated without it, and only the accepted one's gradient is computed).
 * `attentionOf(seq)` computes one sequence's attention under the current M (no loss), for
 * metrics computed in JS.
 */
import {
  CAUSAL_COLS, PLAIN, gemm, gemmCausalPanels, gemmPanelsOuter, layoutEnd, layoutStart, lossRow, packPanels, packPanelsT, rowExp, rowMax, rowScale, take,
} from './kernels.as';

// ---------------------------------------------------------------- state and layout


let N: i32 = 0; // rows of X (every sequence)
let D: i32 = 0; // d
let DH: i32 = 0; // d_h
let DHP: i32 = 0; // d_h rounded up to 4
let T: i32 = 0; // the longest sequence
let TP: i32 = 0; // T rounded up to 4
let NSEQ: i32 = 0;
let CAUSAL: bool = false;
let GRAD: bool = false; // the gradient's buffers exist
let NT: i32 = 0; // n + 4: the row stride of (P K)ᵀ and (Pᵀ Q)ᵀ (a sequence's last panel may spill 3 columns)
let DP: i32 = 0; // d rounded up to 4
let LAMBDA: f64 = 0;
let SCALE: f64 = 0;

let pLen: usize = 0; //  i32 × nseq: the sequences' lengths (input)
let pX: usize = 0; //    n×d row-major (input)
let pWq: usize = 0; //   d×dh row-major (input)
let pWk: usize = 0; //   d×dh row-major (input)
let pBq: usize = 0; //   dhp (input, zero-padded)
let pBk: usize = 0; //   dhp (input, zero-padded)
let pM: usize = 0; //    2·d·dh: [M_Q ; M_K] (input)
let pGrad: usize = 0; // 2·d·dh (output)
let pF0: usize = 0; //   Σ len² (each sequence row-major len×len)
let pF: usize = 0; //    T×T: the current sequence's F (row-major len×len)
let pS: usize = 0; //    T×TP: logits, then P
let pWQp: usize = 0; //  M_Q∘W_Q packed: dhp/4 panels of d×4
let pWKp: usize = 0; //  M_K∘W_K packed
let pQ: usize = 0; //    n×dhp row-major
let pK: usize = 0; //    n×dhp row-major
let pKTp: usize = 0; //  K_seqᵀ packed: TP/4 panels of dhp×4
// With gradients only:
let pXp: usize = 0; //   X packed: dp/4 panels of n×4
let pP: usize = 0; //    Σ len²: each sequence's P of the last evaluate (row-major len×len)
let pPp: usize = 0; //   P_seq packed: TP/4 panels of T×4
let pTQ: usize = 0; //   (P K)ᵀ: dhp × NT row-major
let pTK: usize = 0; //   (Pᵀ Q)ᵀ
let pGQ: usize = 0; //   G_Qᵀ = (P K)ᵀ X: dhp × dp row-major
let pGK: usize = 0; //   G_Kᵀ
let pDir: usize = 0; //  2·d·dh: a step's direction V (input)
let pQM: usize = 0; //   Q at the step's start (n × dhp)
let pKM: usize = 0; //   K at the step's start
let pDQ: usize = 0; //   X (V_Q∘W_Q) (n × dhp)
let pDK: usize = 0; //   X (V_K∘W_K)
let pEnd: usize = 0;

let attnLoss: f64 = 0;
let fullLoss: f64 = 0;

/**
 * Lay out the buffers and zero them: n rows of X in `nseq` sequences (lengths written at
 * lenOffset() before init), longest `t`, width d, head width dh. Returns 1, or 0 when the
 * memory could not grow (or would pass 4 GiB); then nothing else may be called. `f0Entries`
 * is Σ len².
 */
export function setup(n: i32, d: i32, dh: i32, nseq: i32, t: i32, f0Entries: f64, causal: i32, lambda: f64, grad: i32): i32 {
  if (n <= 0 || d <= 0 || dh <= 0 || nseq <= 0 || t <= 0) return 0;
  N = n;
  D = d;
  DH = dh;
  DHP = (dh + 3) & ~3;
  T = t;
  TP = (t + 3) & ~3;
  NSEQ = nseq;
  CAUSAL = causal != 0;
  GRAD = grad != 0;
  NT = n + 4;
  DP = (d + 3) & ~3;
  LAMBDA = lambda;
  SCALE = 1.0 / Math.sqrt(<f64>dh);
  const nn = <u64>n;
  const dd = <u64>d;
  const hp = <u64>DHP;
  const tt = <u64>t;
  const tp = <u64>TP;
  layoutStart();
  pLen = take((<u64>nseq + 1) >> 1);
  pX = take(nn * dd);
  pWq = take(dd * <u64>dh);
  pWk = take(dd * <u64>dh);
  pBq = take(hp);
  pBk = take(hp);
  pM = take(2 * dd * <u64>dh);
  pGrad = take(2 * dd * <u64>dh);
  pF0 = take(<u64>f0Entries);
  pF = take(tt * tt);
  pS = take(tt * tp);
  pWQp = take(dd * hp);
  pWKp = take(dd * hp);
  pQ = take(nn * hp);
  pK = take(nn * hp);
  pKTp = take(tp * hp);
  if (GRAD) {
    const dp = <u64>DP;
    pXp = take(nn * dp);
    pP = take(<u64>f0Entries);
    pPp = take(tp * tt);
    pTQ = take(hp * <u64>NT);
    pTK = take(hp * <u64>NT);
    pGQ = take(hp * dp);
    pGK = take(hp * dp);
    pDir = take(2 * dd * <u64>dh);
    pQM = take(nn * hp);
    pKM = take(nn * hp);
    pDQ = take(nn * hp);
    pDK = take(nn * hp);
  }
  pEnd = layoutEnd();
  if (pEnd == 0) return 0;
  attnLoss = 0;
  fullLoss = 0;
  return 1;
}

export function lenOffset(): usize { return pLen; }
export function xOffset(): usize { return pX; }
export function wqOffset(): usize { return pWq; }
export function wkOffset(): usize { return pWk; }
export function bqOffset(): usize { return pBq; }
export function bkOffset(): usize { return pBk; }
export function mOffset(): usize { return pM; }
export function gradOffset(): usize { return pGrad; }
export function dirOffset(): usize { return pDir; }
export function f0Offset(): usize { return pF0; }
export function fOffset(): usize { return pF; }
export function memoryEnd(): usize { return pEnd; }
/** ½ Σ‖F − F₀‖² of the last evaluate. */
export function attentionLoss(): f64 { return attnLoss; }
/** L(M) of the last evaluate. */
export function loss(): f64 { return fullLoss; }

@inline function seqLen(s: i32): i32 {
  return load<i32>(pLen + <usize>s * 4);
}

// ---------------------------------------------------------------- projections and logits

/** Pack M∘W (d×dh, row-major; mask at pM + offset) into dhp/4 panels of d×4; returns ‖M‖². */
function maskPack(w: usize, m: usize, dst: usize): f64 {
  const prs = <usize>D * 32;
  let reg = 0.0;
  for (let k = 0; k < D; k++) {
    const row = <usize>k * <usize>DH * 8;
    const dk = dst + <usize>k * 32;
    for (let j = 0; j < DH; j++) {
      const o = row + <usize>j * 8;
      const mv = load<f64>(m + o);
      store<f64>(dk + <usize>(j >> 2) * prs + <usize>(j & 3) * 8, mv * load<f64>(w + o));
      reg += mv * mv;
    }
  }
  return reg;
}

/** out (n×dhp row-major) = X · packed + 1 bᵀ. */
function projectInto(packed: usize, bias: usize, out: usize): void {
  const hp = <usize>DHP;
  gemm(pX, <usize>D * 8, 8, packed, <usize>D * 32, out, hp * 8, 32, N, D, DHP >> 2, PLAIN);
  for (let t = 0; t < N; t++) {
    const o = out + <usize>t * hp * 8;
    for (let j = 0; j < DHP; j += 2) {
      v128.store(o + <usize>j * 8, f64x2.add(v128.load(o + <usize>j * 8), v128.load(bias + <usize>j * 8)));
    }
  }
}

/** Q and K of every row under the current M; returns ½λ‖M‖². */
function projections(): f64 {
  const dd = <usize>D * <usize>DH * 8;
  const reg = maskPack(pWq, pM, pWQp) + maskPack(pWk, pM + dd, pWKp);
  projectInto(pWQp, pBq, pQ);
  projectInto(pWKp, pBk, pK);
  return LAMBDA > 0 ? 0.5 * LAMBDA * reg : 0;
}

/** S (len×TP row-major, at pS) = Q_seq K_seqᵀ of the sequence starting at row `start`; not yet scaled. */
function logits(start: i32, len: i32): void {
  const hp = <usize>DHP;
  const panels = (len + 3) >> 2;
  // The last panel's lanes past len must be zero (a longer sequence may have left values there).
  memory.fill(pKTp + <usize>(panels - 1) * hp * 32, 0, hp * 32);
  packPanelsT(pK + <usize>start * hp * 8, len, DHP, pKTp);
  gemm(pQ + <usize>start * hp * 8, hp * 8, 8, pKTp, hp * 32, pS, <usize>TP * 8, 32, len, DHP, panels, CAUSAL ? CAUSAL_COLS : PLAIN);
}

/** Offset of sequence s's F₀ (Σ of the earlier sequences' len²). */
function f0Of(s: i32): usize {
  let at: usize = pF0;
  for (let i = 0; i < s; i++) {
    const l = <usize>seqLen(i);
    at += l * l * 8;
  }
  return at;
}

/**
 * Softmax of row i of S (scaled first) into out; entries past the causal diagonal stay as they
 * are (0). For F₀ and the metrics' F: where s − max < −708, rowExp's exp gives 0 and
 * Math.exp a subnormal; a KL divergence needs the latter (0 against a subnormal is infinite).
 */
@inline function softmaxRow(s: usize, out: usize, end: i32): void {
  rowScale(s, end, SCALE);
  const mx = rowMax(s, end);
  const sum = rowExp(s, out, end, mx);
  for (let j = 0; j < end; j++) {
    const x = load<f64>(s + <usize>j * 8) - mx;
    if (x < -708.0) store<f64>(out + <usize>j * 8, Math.exp(x));
  }
  rowScale(out, end, 1.0 / sum);
}

/**
 * F₀, in calls JS makes in turn (write X, W, b and the lengths first): initProjections(),
 * then initSequence(q) for every sequence. Several calls rather than one because V8 runs a
 * call in the code it had when the call began: the first calls run its baseline compiler's
 * code, and only later ones the optimised code (a GPT-2 head's F₀ in one call ran ~3× slower).
 */
export function initProjections(): void {
  if (GRAD) packPanels(pX, N, D, pXp);
  const dd = <usize>D * <usize>DH;
  for (let i: usize = 0; i < 2 * dd; i++) store<f64>(pM + i * 8, 1.0);
  projections();
}

/** F₀ of sequence `seq` under the projections of initProjections(). */
export function initSequence(seq: i32): void {
  let start = 0;
  for (let q = 0; q < seq; q++) start += seqLen(q);
  const len = seqLen(seq);
  const f0 = f0Of(seq);
  logits(start, len);
  for (let i = 0; i < len; i++) {
    softmaxRow(pS + <usize>i * <usize>TP * 8, f0 + <usize>i * <usize>len * 8, CAUSAL ? i + 1 : len);
  }
}

/** Q and K under the M at mOffset(), for attentionOf. */
export function project(): void {
  projections();
}

/**
 * The attention of sequence `seq` under the Q and K of the last project() into fOffset()
 * (len×len row-major, zeros past the causal diagonal); F₀ of that sequence at the returned offset.
 */
export function attentionOf(seq: i32): usize {
  let start = 0;
  for (let q = 0; q < seq; q++) start += seqLen(q);
  const len = seqLen(seq);
  logits(start, len);
  memory.fill(pF, 0, <usize>len * <usize>len * 8);
  for (let i = 0; i < len; i++) {
    softmaxRow(pS + <usize>i * <usize>TP * 8, pF + <usize>i * <usize>len * 8, CAUSAL ? i + 1 : len);
  }
  return f0Of(seq);
}

/** ‖F₀‖² over every sequence. */
export function f0Norm2(): f64 {
  let entries: usize = 0;
  for (let q = 0; q < NSEQ; q++) entries += <usize>seqLen(q) * <usize>seqLen(q);
  let sv = f64x2.splat(0);
  let i: usize = 0;
  for (; i + 2 <= entries; i += 2) {
    const v = v128.load(pF0 + i * 8);
    sv = f64x2.add(sv, f64x2.mul(v, v));
  }
  let s = f64x2.extract_lane(sv, 0) + f64x2.extract_lane(sv, 1);
  if (i < entries) s += load<f64>(pF0 + i * 8) * load<f64>(pF0 + i * 8);
  return s;
}

// ---------------------------------------------------------------- evaluate

/**
 * L(M) for the M at mOffset(); with withGrad ≠ 0 also ∇L into gradOffset() (setup with
 * gradients only). attentionLoss() returns ½Σ‖F − F₀‖².
 */
export function evaluate(withGrad: i32): f64 {
  const reg = projections();
  return finishEvaluate(reg, withGrad);
}

/** The loss (and P, and with withGrad the gradient) from the Q and K in place. */
function finishEvaluate(reg: f64, withGrad: i32): f64 {
  const tp = <usize>TP;
  let attn = 0.0;
  let start = 0;
  let f0 = pF0;
  let pAt = pP;
  for (let q = 0; q < NSEQ; q++) {
    const len = seqLen(q);
    const ll = <usize>len;
    logits(start, len);
    for (let i = 0; i < len; i++) {
      const end = CAUSAL ? i + 1 : len;
      const s = pS + <usize>i * tp * 8;
      rowScale(s, end, SCALE);
      attn += lossRow(s, pF + <usize>i * ll * 8, f0 + <usize>i * ll * 8, end, GRAD);
      if (GRAD) {
        // Row i of P, kept for backward(); zeros past the causal diagonal (the packed products read up to the 4-block edge).
        const row = pAt + <usize>i * ll * 8;
        memory.copy(row, s, <usize>end * 8);
        if (end < len) memory.fill(row + <usize>end * 8, 0, <usize>(len - end) * 8);
      }
    }
    f0 += ll * ll * 8;
    pAt += ll * ll * 8;
    start += len;
  }
  attn *= 0.5;
  attnLoss = attn;
  fullLoss = attn + reg;
  if (withGrad != 0 && GRAD) backward();
  return fullLoss;
}

/**
 * Armijo's trial steps along one direction (setup with gradients only). setDirection()
 * keeps the Q and K of the last evaluate, at M, and projects the direction V written at
 * dirOffset(): V_Q = X (V∘W_Q), V_K = X (V∘W_K). Then evaluateStep(s), for the M − sV
 * written at mOffset(), takes Q − sV_Q and K − sV_K instead of projecting X again (which is
 * two thirds of an evaluation on a GPT-2 head): the same loss to round-off, and the P and
 * gradient of that point as evaluate gives them.
 */
export function setDirection(): void {
  const dd = <usize>D * <usize>DH * 8;
  memory.copy(pQM, pQ, <usize>N * <usize>DHP * 8);
  memory.copy(pKM, pK, <usize>N * <usize>DHP * 8);
  maskPack(pWq, pDir, pWQp);
  maskPack(pWk, pDir + dd, pWKp);
  const hp = <usize>DHP;
  gemm(pX, <usize>D * 8, 8, pWQp, <usize>D * 32, pDQ, hp * 8, 32, N, D, DHP >> 2, PLAIN);
  gemm(pX, <usize>D * 8, 8, pWKp, <usize>D * 32, pDK, hp * 8, 32, N, D, DHP >> 2, PLAIN);
}

/** L at M − sV (written at mOffset()) from the kept Q, K and the direction's projections; withGrad as in evaluate. */
export function evaluateStep(step: f64, withGrad: i32): f64 {
  const sv = f64x2.splat(step);
  const count = <usize>N * <usize>DHP;
  for (let i: usize = 0; i < count; i += 2) {
    const o = i * 8;
    v128.store(pQ + o, f64x2.sub(v128.load(pQM + o), f64x2.mul(sv, v128.load(pDQ + o))));
    v128.store(pK + o, f64x2.sub(v128.load(pKM + o), f64x2.mul(sv, v128.load(pDK + o))));
  }
  let reg = 0.0;
  if (LAMBDA > 0) {
    const total = <usize>2 * <usize>D * <usize>DH;
    for (let i: usize = 0; i < total; i++) {
      const m = load<f64>(pM + i * 8);
      reg += m * m;
    }
    reg *= 0.5 * LAMBDA;
  }
  return finishEvaluate(reg, withGrad);
}

/** ∇L at the M of the last evaluate into gradOffset() (setup with gradients only). */
export function backward(): void {
  const hp = <usize>DHP;
  const nt = <usize>NT;
  let start = 0;
  let pAt = pP;
  for (let q = 0; q < NSEQ; q++) {
    const len = seqLen(q);
    const ll = <usize>len;
    const at = <usize>start;
    const panels = (len + 3) >> 2;
    // The last panel's lanes past len must be zero (a longer sequence may have left values there).
    memory.fill(pPp + <usize>(panels - 1) * ll * 32, 0, ll * 32);
    // (P K)ᵀ = K_seqᵀ · Pᵀ: b(k, j) = P[j, k], packed by rows of P.
    packPanelsT(pAt, len, len, pPp);
    mulPanels(pK + at * hp * 8, pPp, ll * 32, pTQ + at * 8, len, panels, false);
    memory.fill(pPp + <usize>(panels - 1) * ll * 32, 0, ll * 32);
    // (Pᵀ Q)ᵀ = Q_seqᵀ · P: b(k, j) = P[k, j].
    packPanels(pAt, len, len, pPp);
    mulPanels(pQ + at * hp * 8, pPp, ll * 32, pTK + at * 8, len, panels, true);
    pAt += ll * ll * 8;
    start += len;
  }
  // Gᵀ = Tᵀ... : (dhp × n) · X, X packed.
  const dp = <usize>DP;
  gemmPanelsOuter(pTQ, nt * 8, 8, pXp, <usize>N * 32, pGQ, dp * 8, 32, DHP, N, DP >> 2);
  gemmPanelsOuter(pTK, nt * 8, 8, pXp, <usize>N * 32, pGK, dp * 8, 32, DHP, N, DP >> 2);
  const dd = <usize>D * <usize>DH * 8;
  gradient(pWq, pGQ, pM, pGrad);
  gradient(pWk, pGK, pM + dd, pGrad + dd);
}

/**
 * out (dhp × len, row stride NT) = Aᵀ · b for A = a sequence's Q or K (len × dhp row-major,
 * read transposed: a short stride), b = P or Pᵀ packed; causal: only b's nonzero rows.
 */
function mulPanels(a: usize, b: usize, bps: usize, out: usize, len: i32, panels: i32, upper: bool): void {
  const hp = <usize>DHP;
  const nt = <usize>NT;
  if (CAUSAL) gemmCausalPanels(a, 8, hp * 8, b, bps, out, nt * 8, 32, DHP, len, panels, upper);
  else gemm(a, 8, hp * 8, b, bps, out, nt * 8, 32, DHP, len, panels, PLAIN);
}

/** out = W ∘ G/√d_h + λM, G read from Gᵀ (dhp × dp row-major). */
function gradient(w: usize, gt: usize, m: usize, out: usize): void {
  const dp = <usize>DP;
  for (let r = 0; r < D; r++) {
    const o = <usize>r * <usize>DH * 8;
    for (let j = 0; j < DH; j++) {
      const oj = o + <usize>j * 8;
      const g = load<f64>(gt + (<usize>j * dp + <usize>r) * 8);
      store<f64>(out + oj, load<f64>(w + oj) * g * SCALE + LAMBDA * load<f64>(m + oj));
    }
  }
}
