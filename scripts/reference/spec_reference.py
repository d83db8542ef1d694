#!/usr/bin/env python3
"""Independent reference implementation of docs/SPEC.md (sections 1-6, 8; §3 amended step rule and
binarisation scores; the promises of §9).

Written from the SPEC alone (not from the project's TypeScript sources), in plain
numpy float64, for cross-checking the project's CLI (see compare.py).

Conventions (SPEC §1, §4):
  X: (n, d) calibration activations, W: (d, d) merged query-key matrix.
  Logits S = X W X^T, attention F = rowsoftmax(S) (causal: entries j > i are -inf).
  A mask is (d, d) with 1 = kept, 0 = pruned, indexed like W.
  W as a linear layer Y = X W: rows of W are *inputs*, columns of W are *outputs*.

Choices where the SPEC is silent or ambiguous are marked "CHOICE:".

Run `python3 spec_reference.py` to execute the self-tests at the bottom.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

SPARSEGPT_BLOCK = 128
PERCDAMP = 0.01


# ---------------------------------------------------------------------------
# Counting helpers
# ---------------------------------------------------------------------------

def floor_count(p: float, total: int) -> int:
    """floor(p * total).

    CHOICE: the SPEC writes k = floor(p * d^2) (and floor(p*d), floor(p*rows*blockwidth)).
    We evaluate it in plain float64 as math.floor(p * total) with total an exact
    integer product.  `float_vs_decimal_floor_differs` lets callers detect the rare
    sparsities where this differs from the floor of the decimal value (e.g. p=0.7
    written in decimal), so such cases can be flagged as ambiguous.
    """
    return math.floor(p * total)


def float_vs_decimal_floor_differs(p: float, total: int) -> bool:
    return math.floor(p * total) != math.floor(Fraction(repr(p)) * total)


def stable_lowest(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices (into scores.ravel(), row-major) of the k lowest scores, ties by index."""
    return np.argsort(np.asarray(scores, dtype=np.float64).ravel(), kind="stable")[:k]


# ---------------------------------------------------------------------------
# Attention (SPEC §1)
# ---------------------------------------------------------------------------

def row_softmax(S: np.ndarray, causal: bool = False) -> np.ndarray:
    """Row-wise softmax with max subtraction; causal puts -inf above the diagonal."""
    S = np.array(S, dtype=np.float64, copy=True)
    if causal:
        n, m = S.shape
        above = np.triu(np.ones((n, m), dtype=bool), k=1)
        S[above] = -np.inf
    S = S - S.max(axis=1, keepdims=True)  # the diagonal is always finite, so the max is finite
    E = np.exp(S)  # exp(-inf) = 0 exactly
    return E / E.sum(axis=1, keepdims=True)


def attention(X: np.ndarray, W: np.ndarray, causal: bool = False) -> np.ndarray:
    """F = Softmax(X W X^T)."""
    return row_softmax(X @ W @ X.T, causal)


# ---------------------------------------------------------------------------
# Objective and closed-form gradient (SPEC §2)
# ---------------------------------------------------------------------------

def loss(M, X, W, F0, lam, causal=False) -> float:
    """L(M) = 1/2 ||F(M) - F0||_F^2 + 1/2 lam ||M||_F^2."""
    F = attention(X, M * W, causal)
    C = F - F0
    return 0.5 * float(np.sum(C * C)) + 0.5 * lam * float(np.sum(M * M))


def loss_and_grad(M, X, W, F0, lam, causal=False):
    """Returns (L(M), grad L(M)) with the SPEC §2 closed form:
        C = F - F0
        P = F o C - diag(rowsum(F o C)) F
        grad = W o (X^T P X) + lam M
    """
    F = attention(X, M * W, causal)
    C = F - F0
    FC = F * C
    P = FC - FC.sum(axis=1, keepdims=True) * F
    G = W * (X.T @ P @ X) + lam * M
    L = 0.5 * float(np.sum(C * C)) + 0.5 * lam * float(np.sum(M * M))
    return L, G


# ---------------------------------------------------------------------------
# Algorithm 1 (SPEC §3)
# ---------------------------------------------------------------------------

class Diverged(Exception):
    pass


@dataclass
class GDResult:
    M: np.ndarray                      # relaxed M_T
    loss_history: list = field(default_factory=list)  # L(M_t), t = 0..T
    mask: np.ndarray | None = None     # binary mask B (1 = kept)


def binarise(scores: np.ndarray, p: float) -> np.ndarray:
    """Keep the d^2 - k largest entries, k = floor(p d^2) pruned; the pruned ones are
    np.argsort(scores.ravel(), kind="stable")[:k] (ties: lower row-major index pruned first)."""
    k = floor_count(p, scores.size)
    mask = np.ones(scores.size, dtype=np.int64)
    mask[stable_lowest(scores, k)] = 0
    return mask.reshape(scores.shape)


def gradient_descent(X, W, lam, eta, T, causal=False, clip=False) -> GDResult:
    """M0 = ones; M_t = M_{t-1} - eta grad L(M_{t-1}); optional clip to [0,1] after each step.

    loss_history[t] = L(M_t) for t = 0..T (length T+1), L including the lambda term.
    CHOICE: with --clip, L(M_t) is evaluated on the clipped M_t (clipping is part of the step).
    CHOICE: no early stopping (SPEC: off by default).
    Raises Diverged if a loss or M becomes non-finite.
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    F0 = attention(X, W, causal)
    M = np.ones_like(W)
    L, G = loss_and_grad(M, X, W, F0, lam, causal)
    hist = [L]
    for t in range(1, T + 1):
        M = M - eta * G
        if clip:
            M = np.clip(M, 0.0, 1.0)
        L, G = loss_and_grad(M, X, W, F0, lam, causal)
        if not (math.isfinite(L) and np.all(np.isfinite(M))):
            raise Diverged(f"non-finite loss at iteration {t}")
        hist.append(L)
    return GDResult(M=M, loss_history=hist)


ARMIJO_C = 1e-4
ARMIJO_TRIES = 61
GD_DEFAULTS = dict(lam=0.001, eta=0.05, iters=60, step="armijo", score="wanda-weighted")


def gradient_descent_armijo(X, W, lam, eta, T, causal=False, clip=False) -> GDResult:
    """Algorithm 1 with Armijo (backtracking) steps, SPEC §3 "Step rule (amended)", as
    described in the brief:

      M_0 = 1.  For t = 1..T, with g = grad L(M_{t-1}):
        if g is exactly 0: stop;
        trial s = eta on the first iteration, else 2 x the last accepted step;
        up to 61 tries s, s/2, s/4, ...: M' = M - s g (clipped to [0,1] with clip);
          accept the first M' with L(M') <= L(M) - 1e-4 <g, M - M'>;
        if none is accepted: stop.
        Record L(M_t).

    loss_history[t] = L(M_t) for the iterations actually taken (length <= T+1).
    Extra attributes on the result: steps (accepted s per iteration), stopped
    ("iterations" | "zero-gradient" | "no-step"), margin (the smallest relative distance
    |L(M') - threshold| / |L(M)| over all acceptance tests, i.e. how close a round-off
    error would come to flipping a decision), evaluations (loss evaluations incl. M_0).
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    F0 = attention(X, W, causal)
    M = np.ones_like(W)
    L, G = loss_and_grad(M, X, W, F0, lam, causal)
    hist, steps, margin, evals, stopped = [L], [], math.inf, 1, "iterations"
    last = None
    for t in range(1, T + 1):
        if not np.any(G != 0):
            stopped = "zero-gradient"
            break
        s = eta if last is None else 2.0 * last
        accepted = None
        for _ in range(ARMIJO_TRIES):
            Mn = M - s * G
            if clip:
                Mn = np.clip(Mn, 0.0, 1.0)
            Ln = loss(Mn, X, W, F0, lam, causal)
            evals += 1
            thr = L - ARMIJO_C * float(np.sum(G * (M - Mn)))
            if math.isfinite(Ln):
                margin = min(margin, abs(Ln - thr) / max(abs(L), 1e-300))
            if Ln <= thr:
                accepted = s
                break
            s = s / 2.0
        if accepted is None:
            stopped = "no-step"
            break
        last = accepted
        M = Mn
        L, G = loss_and_grad(M, X, W, F0, lam, causal)
        if not (math.isfinite(L) and np.all(np.isfinite(M))):
            raise Diverged(f"non-finite loss at iteration {t}")
        hist.append(L)
        steps.append(accepted)
    r = GDResult(M=M, loss_history=hist)
    r.steps, r.stopped, r.margin, r.evaluations = steps, stopped, margin, evals
    return r


def gd_run(X, W, lam, eta, T, causal=False, clip=False, step="fixed") -> GDResult:
    if step == "fixed":
        return gradient_descent(X, W, lam, eta, T, causal, clip)
    if step == "armijo":
        return gradient_descent_armijo(X, W, lam, eta, T, causal, clip)
    raise ValueError(step)


SCORES = ("relaxed", "magnitude-weighted", "wanda-weighted")


def gd_scores(M, X, W, score):
    """Binarisation scores of the relaxed mask (SPEC §3 amended, `--score`):
      relaxed:            M_T
      magnitude-weighted: |M_T o W|
      wanda-weighted:     |M_T,ij W_ij| * ||X[:, i]||_2   (i = row of W = input feature)."""
    M = np.asarray(M, dtype=np.float64)
    if score == "relaxed":
        return M
    A = np.abs(M * np.asarray(W, dtype=np.float64))
    if score == "magnitude-weighted":
        return A
    if score == "wanda-weighted":
        return A * np.linalg.norm(np.asarray(X, dtype=np.float64), axis=0)[:, None]
    raise ValueError(score)


def gd_binarise(M, X, W, p, score="relaxed", nm=None):
    """Global stable rule (k = floor(p d^2) lowest scores pruned) or N:M within groups."""
    S = gd_scores(M, X, W, score)
    return nm_mask(S, *nm) if nm is not None else binarise(S, p)


# ---------------------------------------------------------------------------
# N:M selection (SPEC §4 last bullet)
# ---------------------------------------------------------------------------

def nm_mask(scores: np.ndarray, N: int, Mgrp: int) -> np.ndarray:
    """In each output column j of W (scores indexed like W), in each group of Mgrp
    consecutive input rows, prune the N lowest-scoring entries (stable: lower row
    index first on ties).

    CHOICE: d must be divisible by Mgrp (SPEC does not say what to do with a remainder);
    otherwise ValueError.
    """
    d_in, d_out = scores.shape
    if d_in % Mgrp != 0:
        raise ValueError(f"N:M needs the number of input rows ({d_in}) divisible by M={Mgrp}")
    mask = np.ones(scores.shape, dtype=np.int64)
    for j in range(d_out):
        for g0 in range(0, d_in, Mgrp):
            grp = scores[g0:g0 + Mgrp, j]
            low = np.argsort(grp, kind="stable")[:N]
            mask[g0 + low, j] = 0
    return mask


# ---------------------------------------------------------------------------
# Baselines (SPEC §4)
# ---------------------------------------------------------------------------

def magnitude_mask(W, p, nm=None):
    """Global: prune the k = floor(p d^2) entries of smallest |W| (stable argsort of |W|.ravel())."""
    A = np.abs(np.asarray(W, dtype=np.float64))
    if nm is not None:
        return nm_mask(A, *nm)
    return binarise(A, p)


def wanda_scores(X, W):
    """S_ij = |W_ij| * ||X[:, i]||_2 (i = input row of W)."""
    norms = np.linalg.norm(np.asarray(X, dtype=np.float64), axis=0)
    return np.abs(np.asarray(W, dtype=np.float64)) * norms[:, None]


def wanda_mask(X, W, p, nm=None):
    """Per output column j: prune the floor(p d) lowest-scoring entries over the rows i,
    stable argsort within the column."""
    S = wanda_scores(X, W)
    if nm is not None:
        return nm_mask(S, *nm)
    d_in, d_out = S.shape
    k = floor_count(p, d_in)
    mask = np.ones(S.shape, dtype=np.int64)
    for j in range(d_out):
        low = np.argsort(S[:, j], kind="stable")[:k]
        mask[low, j] = 0
    return mask


# ---------------------------------------------------------------------------
# RIA, Relative Importance and Activations (Zhang et al., ICLR 2024; SPEC §4)
# ---------------------------------------------------------------------------

RIA_A = 0.5  # the official code's default `--a 0.5` (main.py)


def ria_scores(X, W, a=RIA_A):
    """S_ij = (|W_ij| / sum_j' |W_ij'| + |W_ij| / sum_i' |W_i'j|) * ||X[:, i]||_2^a.

    From the paper's definition (relative importance: a weight's size relative to the
    total of its input channel and of its output channel; activations: the input's norm
    to the power a).  Here W maps inputs (rows) to outputs (columns).
    CHOICE: a channel whose |W| total is 0 contributes 0 (the official code would divide
    0 by 0); all its entries then score 0.
    """
    A = np.abs(np.asarray(W, dtype=np.float64))
    rs = A.sum(axis=1, keepdims=True)  # per input i: its total over outputs
    cs = A.sum(axis=0, keepdims=True)  # per output j: its total over inputs
    rel = np.divide(A, rs, out=np.zeros_like(A), where=rs > 0) + np.divide(A, cs, out=np.zeros_like(A), where=cs > 0)
    act = np.linalg.norm(np.asarray(X, dtype=np.float64), axis=0) ** a
    return rel * act[:, None]


def ria_mask(X, W, p, nm=None):
    """Unstructured: one comparison group, the whole matrix, exactly k = floor(p d^2) pruned
    (stable).  N:M: per output column, per M consecutive inputs (as the official code's
    `prune_n != 0` path without reallocation)."""
    S = ria_scores(X, W)
    if nm is not None:
        return nm_mask(S, *nm)
    return binarise(S, p)


def ria_official_mask(X, W, p, nm=None, a=RIA_A):
    """A transcription of the official `prune_ria` (lib/prune.py, default flags) in numpy,
    on the torch layout Wt = W^T (rows = outputs, columns = inputs), with `scaler_row` =
    sum over tokens of x^2 / nsamples (WrappedGPT.add_batch; one sample here):
        W_metric = (|Wt| / sum(|Wt|, dim=0) + |Wt| / sum(|Wt|, dim=1)[:, None]) * sqrt(scaler_row)^a
        unstructured: thresh = sort(W_metric.flatten())[int(rows*cols*p)]; prune W_metric <= thresh
        N:M: for every M consecutive input columns, the N smallest of each output row (topk).
    Used only by the self-test, to measure how ours differs (the `<=` prunes one more)."""
    Wt = np.asarray(W, dtype=np.float64).T
    X = np.asarray(X, dtype=np.float64)
    A = np.abs(Wt)
    scaler_row = (X ** 2).sum(axis=0) / 1.0
    metric = (A / A.sum(axis=0) + A / A.sum(axis=1).reshape(-1, 1)) * np.sqrt(scaler_row).reshape(1, -1) ** a
    pruned = np.zeros_like(metric, dtype=bool)
    if nm is not None:
        N, Mg = nm
        for ii in range(0, metric.shape[1], Mg):
            blk = metric[:, ii:ii + Mg]
            low = np.argpartition(blk, N - 1, axis=1)[:, :N]
            np.put_along_axis(pruned[:, ii:ii + Mg], low, True, axis=1)
    else:
        thresh = np.sort(metric.ravel())[int(metric.size * p)]
        pruned = metric <= thresh
    return (~pruned).astype(np.int64).T.copy()


def random_mask_count_ok(mask, p, nm=None):
    """The promise of `random` (SPEC §4): exactly k pruned, or the N:M pattern."""
    mask = np.asarray(mask)
    d_in = mask.shape[0]
    if nm is not None:
        N, Mg = nm
        return bool(np.all((mask == 0).reshape(d_in // Mg, Mg, -1).sum(axis=1) == N))
    return int((mask == 0).sum()) == floor_count(p, mask.size)


# ---------------------------------------------------------------------------
# The linear objective and the linear refit (SPEC §9, the refit stage)
# ---------------------------------------------------------------------------

def linear_loss(X, W, W_pruned) -> float:
    """1/2 ||X W - X W'||_F^2 (the calibration rows stacked: a linear map has no sequences)."""
    D = np.asarray(X, dtype=np.float64) @ (np.asarray(W_pruned, dtype=np.float64) - np.asarray(W, dtype=np.float64))
    return 0.5 * float(np.sum(D * D))


def linear_error(X, W, W_pruned) -> float:
    """||X (W' - W)||_F / ||X W||_F."""
    den = float(np.linalg.norm(np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64)))
    return math.sqrt(2 * linear_loss(X, W, W_pruned)) / den if den > 0 else 0.0


@dataclass
class LinearRefit:
    W_pruned: np.ndarray
    unique: np.ndarray  # per output column: X restricted to the kept inputs has full column rank


def linear_refit(X, W, mask) -> LinearRefit:
    """Per output column j, with S = {i : mask_ij = 1}: w'_S = argmin ||X_S w - X W_{:,j}||_2,
    w' = 0 off S.  Solved by numpy's SVD-based lstsq on X_S itself (not the normal
    equations): the minimum-norm solution.
    CHOICE: where X_S is rank-deficient (fewer independent calibration rows than kept
    inputs, a dead input) the minimiser is not unique; we take the minimum-norm one and
    flag the column (`unique` False): only its residual is then defined by the spec."""
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    mask = np.asarray(mask)
    out = np.zeros_like(W)
    unique = np.ones(W.shape[1], dtype=bool)
    Y = X @ W
    for j in range(W.shape[1]):
        S = np.nonzero(mask[:, j] != 0)[0]
        if S.size == 0:
            continue
        XS = X[:, S]
        w, _res, rank, _sv = np.linalg.lstsq(XS, Y[:, j], rcond=None)
        out[S, j] = w
        unique[j] = rank == S.size
    return LinearRefit(out, unique)


@dataclass
class SparseGPTResult:
    W_pruned: np.ndarray   # (d, d), indexed like W (inputs x outputs)
    mask: np.ndarray       # (d, d), 1 = kept, indexed like W
    damp: float


def _sparsegpt_prepare(X, W):
    """Steps 1-3 of SPEC §4 SparseGPT. Returns (Wt, U, damp)."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    Wt = np.array(np.asarray(W, dtype=np.float64).T, copy=True)  # rows = outputs, cols = inputs
    H = (2.0 / n) * (X.T @ X)
    dead = np.diag(H) == 0
    H[dead, dead] = 1.0
    Wt[:, dead] = 0.0
    damp = PERCDAMP * float(np.mean(np.diag(H)))
    # CHOICE: the SPEC says "if [Cholesky] fails, raise damping stepwise"; the step schedule
    # is unspecified.  We never expect this for the test problems (H is damped PSD), and
    # simply raise if it happens.
    Hd = H + damp * np.eye(d)
    Hinv = np.linalg.inv(Hd)
    Hinv = 0.5 * (Hinv + Hinv.T)
    # Upper factor U with U^T U = Hinv: numpy gives lower L with L L^T = Hinv, so U = L^T.
    U = np.linalg.cholesky(Hinv).T
    return Wt, U, damp


def sparsegpt(X, W, p, nm=None, block=SPARSEGPT_BLOCK) -> SparseGPTResult:
    """SparseGPT exactly as SPEC §4 (unstructured), float64.

    For each block of `block` input columns of Wt: scores Wt_ij^2 / U_jj^2 over the block
    (using the block's weights as updated by earlier blocks), prune exactly
    floor(p * rows * blockwidth) lowest via a stable argsort of the flattened row-major
    (rows = outputs) block scores.  Then column by column: q = w with pruned entries zeroed,
    err = (w - q) / U_jj, W_block[:, j:] -= err (x) U[j, j:]; after the block propagate
    Err @ U[block, later] into the later columns.

    N:M (nm=(N, M)) is NOT covered by SPEC §4 beyond "option for every method".
    CHOICE (informational only): like the official SparseGPT code, the N:M mask of each
    group of M input columns is chosen when the column loop reaches the group's first
    column, from the *current* (already error-updated) weights, scores w^2 / U_jj^2,
    N lowest per output row, stable.
    """
    Wt, U, damp = _sparsegpt_prepare(X, W)
    rows, cols = Wt.shape
    pruned = np.zeros((rows, cols), dtype=bool)
    for i1 in range(0, cols, block):
        i2 = min(i1 + block, cols)
        count = i2 - i1
        W1 = Wt[:, i1:i2].copy()
        Q1 = np.zeros_like(W1)
        Err1 = np.zeros_like(W1)
        U1 = U[i1:i2, i1:i2]
        dU = np.diag(U1)
        mask1 = np.zeros((rows, count), dtype=bool)  # True = pruned
        if nm is None:
            scores = W1 ** 2 / (dU[None, :] ** 2)
            k = floor_count(p, rows * count)
            flat = np.zeros(rows * count, dtype=bool)
            flat[stable_lowest(scores, k)] = True
            mask1 = flat.reshape(rows, count)
        for i in range(count):
            if nm is not None:
                N, Mg = nm
                if i % Mg == 0:
                    sc = W1[:, i:i + Mg] ** 2 / (dU[None, i:i + Mg] ** 2)
                    for r in range(rows):
                        low = np.argsort(sc[r], kind="stable")[:N]
                        mask1[r, i + low] = True
            w = W1[:, i]
            dd = U1[i, i]
            q = w.copy()
            q[mask1[:, i]] = 0.0
            Q1[:, i] = q
            err = (w - q) / dd
            W1[:, i:] -= np.outer(err, U1[i, i:])
            Err1[:, i] = err
        Wt[:, i1:i2] = Q1
        Wt[:, i2:] -= Err1 @ U[i1:i2, i2:]
        pruned[:, i1:i2] = mask1
    mask_t = (~pruned).astype(np.int64)
    return SparseGPTResult(W_pruned=Wt.T.copy(), mask=mask_t.T.copy(), damp=damp)


def sparsegpt_naive(X, W, p, block=SPARSEGPT_BLOCK) -> np.ndarray:
    """Slow, differently-organised SparseGPT used only in the self-test: per output row,
    sequential optimal-brain-surgeon updates solved directly from the damped Hessian
    (no Cholesky, no lazy batching).  Mask of each block chosen from the weights at the
    start of the block with scores w_j^2 / [H_F^{-1}]_jj, H_F = H restricted to the
    not-yet-frozen columns F = j.. (this equals U_jj^2)."""
    X = np.asarray(X, dtype=np.float64)
    n, d = X.shape
    Wt = np.array(np.asarray(W, dtype=np.float64).T, copy=True)
    H = (2.0 / n) * (X.T @ X)
    dead = np.diag(H) == 0
    H[dead, dead] = 1.0
    Wt[:, dead] = 0.0
    H = H + PERCDAMP * float(np.mean(np.diag(H))) * np.eye(d)
    inv_diag = np.array([np.linalg.inv(H[j:, j:])[0, 0] for j in range(d)])  # = U_jj^2
    rows = Wt.shape[0]
    for i1 in range(0, d, block):
        i2 = min(i1 + block, d)
        scores = Wt[:, i1:i2] ** 2 / inv_diag[None, i1:i2]
        k = floor_count(p, rows * (i2 - i1))
        flat = np.zeros(rows * (i2 - i1), dtype=bool)
        flat[stable_lowest(scores, k)] = True
        pr = flat.reshape(rows, i2 - i1)
        for j in range(i1, i2):
            Hinv_F = np.linalg.inv(H[j:, j:])
            for r in range(rows):
                if pr[r, j - i1]:
                    # OBS: remove w_j, optimally adjust w_{j+1..}: delta = -w_j/[Hinv]_00 * Hinv[0,:]
                    wj = Wt[r, j]
                    Wt[r, j:] -= wj / Hinv_F[0, 0] * Hinv_F[0, :]
                    Wt[r, j] = 0.0
    return Wt.T.copy()


# ---------------------------------------------------------------------------
# Metrics (SPEC §5)
# ---------------------------------------------------------------------------

def metrics(X, W, W_pruned, causal=False):
    F0 = attention(X, W, causal)
    F1 = attention(X, W_pruned, causal)
    D = F1 - F0
    fro = float(np.linalg.norm(D))
    return {
        "attention_error": fro / float(np.linalg.norm(F0)),
        "attention_loss": 0.5 * fro * fro,
    }


# ---------------------------------------------------------------------------
# The `solve` command, reference version (SPEC §8 fields)
# ---------------------------------------------------------------------------

def solve(X, W, method, sparsity, causal=False, nm=None, lam=0.0, eta=0.05, iters=300, clip=False,
          step="fixed", score="relaxed"):
    """Returns a dict with the SPEC §8 output fields that compare.py checks.

    CHOICE: with nm given, `sparsity` is ignored for the selection (N:M fixes it at N/M).
    """
    X = np.asarray(X, dtype=np.float64)
    W = np.asarray(W, dtype=np.float64)
    out = {}
    if method == "magnitude":
        mask = magnitude_mask(W, sparsity, nm)
        Wp = mask * W
    elif method == "wanda":
        mask = wanda_mask(X, W, sparsity, nm)
        Wp = mask * W
    elif method == "ria":
        mask = ria_mask(X, W, sparsity, nm)
        Wp = mask * W
    elif method == "sparsegpt":
        r = sparsegpt(X, W, sparsity, nm)
        mask, Wp = r.mask, r.W_pruned
    elif method == "gd":
        r = gd_run(X, W, lam, eta, iters, causal, clip, step)
        mask = gd_binarise(r.M, X, W, sparsity, score, nm)
        Wp = mask * W
        out["loss_history"] = r.loss_history
        out["M"] = r.M
    else:
        # gradual, swap, swap-recon, sparsegpt-recon: the SPEC (§9) fixes their promises,
        # not their search paths; compare.py checks those promises (see linear_masks).
        raise ValueError(method)
    out["mask"] = mask
    out["W_pruned"] = Wp
    out.update(metrics(X, W, Wp, causal))
    return out


BASELINES = ("magnitude", "wanda", "sparsegpt", "ria")  # the published training-free baselines (SPEC §4)


def linear_masks(X, W, p, causal=False, nm=None):
    """The baselines' masks (SPEC §4: magnitude, Wanda, SparseGPT, RIA) applied as mask o W
    (no weight update), with their pruned counts, attention losses and linear losses:
    {name: (mask, pruned, attention loss, linear loss)}.  Used for the SPEC §9 promise that
    a swap search (which starts from the best baseline mask by its own objective and accepts
    only exact improvements) ends no worse than the best of them.  SparseGPT's *mask* is
    used (its weight update is not part of a mask)."""
    out = {}
    for name in BASELINES:
        if name == "magnitude":
            m = magnitude_mask(W, p, nm)
        elif name == "wanda":
            m = wanda_mask(X, W, p, nm)
        elif name == "ria":
            m = ria_mask(X, W, p, nm)
        else:
            m = sparsegpt(X, W, p, nm).mask
        out[name] = (m, int((m == 0).sum()), metrics(X, W, m * W, causal)["attention_loss"], linear_loss(X, W, m * W))
    return out


def _loss_slow(M, X, W, F0, lam, causal):
    """Loss written entry by entry (python loops): used only by the Armijo self-test."""
    n, d = X.shape
    total = 0.0
    MW = [[M[a, b] * W[a, b] for b in range(d)] for a in range(d)]
    for i in range(n):
        logits = []
        for j in range(n):
            if causal and j > i:
                logits.append(None)
                continue
            v = 0.0
            for a in range(d):
                for b in range(d):
                    v += X[i, a] * MW[a][b] * X[j, b]
            logits.append(v)
        mx = max(v for v in logits if v is not None)
        ex = [0.0 if v is None else math.exp(v - mx) for v in logits]
        z = sum(ex)
        for j in range(n):
            total += 0.5 * (ex[j] / z - F0[i, j]) ** 2
    return total + 0.5 * lam * sum(M[a, b] ** 2 for a in range(d) for b in range(d))


def _grad_slow(M, X, W, F0, lam, causal):
    """Gradient by the chain rule with explicit per-row softmax Jacobians
    J_i = diag(f_i) - f_i f_i^T (not the SPEC's P formula): dL/dS_i = J_i c_i,
    dL/dM = W o (X^T (dL/dS) X) + lam M."""
    F = attention(X, M * W, causal)
    n = X.shape[0]
    dS = np.zeros((n, n))
    for i in range(n):
        f = F[i]
        J = np.diag(f) - np.outer(f, f)
        dS[i] = J @ (F[i] - F0[i])
    G = np.zeros_like(M)
    for i in range(n):
        for j in range(n):
            if dS[i, j] != 0.0:
                G += dS[i, j] * np.outer(X[i], X[j])
    return W * G + lam * M


def armijo_slow(X, W, lam, eta, T, causal=False, clip=False):
    """Direct, slow transcription of the Armijo rule (loss by loops, gradient by explicit
    Jacobians), for the self-test.  Returns (loss_history, M)."""
    F0 = attention(X, W, causal)
    M = np.ones_like(W)
    hist = [_loss_slow(M, X, W, F0, lam, causal)]
    s_last = None
    for _t in range(T):
        g = _grad_slow(M, X, W, F0, lam, causal)
        if np.all(g == 0):
            break
        s = eta if s_last is None else 2 * s_last
        L = hist[-1]
        for _try in range(61):
            Mn = M - s * g
            if clip:
                Mn = np.minimum(np.maximum(Mn, 0.0), 1.0)
            Ln = _loss_slow(Mn, X, W, F0, lam, causal)
            if Ln <= L - 1e-4 * float(np.sum(g * (M - Mn))):
                break
            s /= 2
        else:
            break
        s_last = s
        M = Mn
        hist.append(Ln)
    return hist, M


# ---------------------------------------------------------------------------
# Self-tests
# ---------------------------------------------------------------------------

def _selftest():
    rng = np.random.default_rng(12345)
    ok = True

    def check(name, cond, info=""):
        nonlocal ok
        print(f"  [{'ok' if cond else 'FAIL'}] {name} {info}")
        ok = ok and bool(cond)

    # softmax rows sum to 1, causal zeros above diagonal
    S = rng.normal(size=(6, 6)) * 30
    F = row_softmax(S, causal=True)
    check("causal softmax", np.allclose(F.sum(1), 1) and np.all(np.triu(F, 1) == 0))

    # gradient vs central finite differences
    for causal in (False, True):
        n, d = 7, 5
        X = rng.normal(size=(n, d))
        W = rng.normal(size=(d, d)) * 2 / math.sqrt(d)
        F0 = attention(X, W, causal)
        M = rng.uniform(0, 1.2, size=(d, d))
        lam = 0.3
        _, G = loss_and_grad(M, X, W, F0, lam, causal)
        Gfd = np.zeros_like(G)
        h = 1e-6
        for i in range(d):
            for j in range(d):
                E = np.zeros_like(M)
                E[i, j] = h
                Gfd[i, j] = (loss(M + E, X, W, F0, lam, causal) - loss(M - E, X, W, F0, lam, causal)) / (2 * h)
        err = np.max(np.abs(G - Gfd)) / np.max(np.abs(Gfd))
        check(f"gradient vs finite differences (causal={causal})", err < 1e-6, f"rel={err:.2e}")
        _, G1 = loss_and_grad(np.ones((d, d)), X, W, F0, 0.0, causal)
        check(f"gradient zero at M=1, lam=0 (causal={causal})", np.max(np.abs(G1)) < 1e-14)

    # SparseGPT: blocked/Cholesky version vs naive OBS, one and two blocks (small block size)
    for (n, d, blk, p) in [(30, 12, 128, 0.5), (9, 12, 5, 0.3), (40, 10, 4, 0.7)]:
        X = rng.normal(size=(n, d))
        X[:, 3] = 0.0  # a dead input
        W = rng.normal(size=(d, d)) / math.sqrt(d)
        a = sparsegpt(X, W, p, block=blk)
        b = sparsegpt_naive(X, W, p, block=blk)
        err = np.max(np.abs(a.W_pruned - b)) / np.max(np.abs(b))
        check(f"sparsegpt blocked vs naive OBS (n={n} d={d} block={blk} p={p})", err < 1e-10, f"rel={err:.2e}")
        expect = sum(floor_count(p, d * (min(i + blk, d) - i)) for i in range(0, d, blk))
        check("  pruned count", int((a.mask == 0).sum()) == expect)
        check("  pruned entries are zero", np.all(a.W_pruned[a.mask == 0] == 0))
        check("  dead input row zeroed", np.all(a.W_pruned[3, :] == 0))
    X = rng.normal(size=(20, 8))
    W = rng.normal(size=(8, 8))
    a = sparsegpt(X, W, 0.0)
    check("sparsegpt p=0 keeps W", np.allclose(a.W_pruned, W, atol=1e-12) and a.mask.all())

    # stable ties
    Wt = np.array([[1.0, -1.0], [1.0, 2.0]])
    m = magnitude_mask(Wt, 0.5)
    check("magnitude stable ties", (m == np.array([[0, 0], [1, 1]])).all(), str(m.tolist()))
    m = nm_mask(np.array([[1.0], [1.0], [1.0], [0.5]]), 2, 4)
    check("N:M stable ties", (m.ravel() == np.array([0, 1, 1, 0])).all(), str(m.ravel().tolist()))

    # gd: loss history length and monotone decrease for small eta
    X = rng.normal(size=(10, 6))
    W = rng.normal(size=(6, 6)) / math.sqrt(6)
    r = gradient_descent(X, W, 0.1, 0.05, 50)
    check("gd history length", len(r.loss_history) == 51)
    check("gd L(M_0) = lam d^2 / 2", abs(r.loss_history[0] - 0.5 * 0.1 * 36) < 1e-12)
    check("gd decreasing", all(b <= a + 1e-15 for a, b in zip(r.loss_history, r.loss_history[1:])))
    # Armijo: never raises L (several problems, incl. scale 3 and clip), equals a slow direct version
    for (n, d, scale, lam, eta, T, causal, clip) in [(10, 6, 1, 0.001, 0.05, 60, False, False),
                                                     (12, 8, 3, 0.001, 0.05, 60, True, False),
                                                     (9, 5, 3, 0.1, 0.5, 40, False, True),
                                                     (16, 8, 5, 0.01, 50.0, 30, True, False)]:
        X = rng.normal(size=(n, d))
        W = rng.normal(size=(d, d)) * scale / math.sqrt(d)
        r = gradient_descent_armijo(X, W, lam, eta, T, causal, clip)
        h = np.asarray(r.loss_history)
        tag = f"(n={n} d={d} scale={scale} lam={lam} eta={eta} causal={causal} clip={clip})"
        check(f"armijo never raises L {tag}", np.all(np.diff(h) <= 0), f"len={h.size} stop={r.stopped} max dL={np.diff(h).max() if h.size > 1 else 0:.2e}")
        # the acceptance rule itself, recomputed from the steps
        F0 = attention(X, W, causal)
        Mre = np.ones_like(W)
        okrule = True
        for t, s_acc in enumerate(r.steps):
            Lm, g = loss_and_grad(Mre, X, W, F0, lam, causal)
            Mn = Mre - s_acc * g
            if clip:
                Mn = np.clip(Mn, 0, 1)
            okrule &= loss(Mn, X, W, F0, lam, causal) <= Lm - 1e-4 * float(np.sum(g * (Mre - Mn)))
            Mre = Mn
        check("  armijo condition holds at every accepted step", okrule)
        hs, Ms = armijo_slow(X, W, lam, eta, T, causal, clip)
        same_len = len(hs) == h.size
        errh = float(np.max(np.abs(np.asarray(hs) - h) / np.maximum(np.abs(h), 1e-300))) if same_len else math.inf
        errM = rel_M = float(np.max(np.abs(Ms - r.M)) / np.max(np.abs(r.M)))
        check("  armijo equals slow direct implementation", same_len and errh < 1e-10 and errM < 1e-10,
              f"len {len(hs)} vs {h.size}, rel hist {errh:.1e}, rel M {rel_M:.1e}")
    # lam = 0: the gradient at M = 1 is exactly 0, so Armijo stops at once
    X = rng.normal(size=(8, 4))
    W = rng.normal(size=(4, 4))
    r = gradient_descent_armijo(X, W, 0.0, 0.05, 60)
    check("armijo stops on an exactly zero gradient", r.stopped == "zero-gradient" and len(r.loss_history) == 1)
    # first trial step is eta, later ones start from 2x the last accepted
    X = rng.normal(size=(10, 6))
    W = rng.normal(size=(6, 6)) / math.sqrt(6)
    r = gradient_descent_armijo(X, W, 0.001, 0.05, 10)
    check("armijo step sizes are eta * 2^j", all(abs(math.log2(s / 0.05) - round(math.log2(s / 0.05))) < 1e-12 for s in r.steps)
          and r.steps[0] <= 0.05, str(r.steps))

    # binarisation scores
    M = np.array([[1.0, 0.5], [0.25, 2.0]])
    W2 = np.array([[1.0, 4.0], [-8.0, 0.5]])
    X2 = np.array([[3.0, 0.0], [4.0, 1.0]])  # column norms 5, 1
    check("score relaxed", np.array_equal(gd_scores(M, X2, W2, "relaxed"), M))
    check("score magnitude-weighted", np.array_equal(gd_scores(M, X2, W2, "magnitude-weighted"), np.array([[1.0, 2.0], [2.0, 1.0]])))
    check("score wanda-weighted (row i scaled by ||X[:, i]||)",
          np.array_equal(gd_scores(M, X2, W2, "wanda-weighted"), np.array([[5.0, 10.0], [2.0, 1.0]])))
    check("score ties stable", np.array_equal(gd_binarise(M, X2, W2, 0.5, "magnitude-weighted"), np.array([[0, 1], [1, 0]])))
    check("score N:M", np.array_equal(gd_binarise(np.ones((4, 1)), np.ones((3, 4)), np.array([[1.0], [-3.0], [2.0], [0.5]]),
                                                  0.5, "wanda-weighted", (2, 4)).ravel(), np.array([0, 1, 1, 0])))
    # a dead input column gives wanda-weighted scores of exactly 0 in that row
    X3 = rng.normal(size=(6, 4)); X3[:, 1] = 0
    sc = gd_scores(np.ones((4, 4)), X3, rng.normal(size=(4, 4)), "wanda-weighted")
    check("wanda-weighted: dead input row scores 0 and is pruned first",
          np.all(sc[1] == 0) and np.all(gd_binarise(np.ones((4, 4)), X3, np.ones((4, 4)) + sc, 0.25, "wanda-weighted")[1] == 0))

    # RIA: a hand-computed case.  W (inputs x outputs) = [[1, 3], [2, 2]], ||X[:, 0]|| = 9, ||X[:, 1]|| = 1:
    # row totals 4, 4; column totals 3, 5; S = (|W|/row + |W|/col) * norm^0.5
    #   = [[(1/4 + 1/3)·3, (3/4 + 3/5)·3], [2/4 + 2/3, 2/4 + 2/5]] = [[1.75, 4.05], [1.1667, 0.9]]
    Wr = np.array([[1.0, 3.0], [2.0, 2.0]])
    Xr = np.array([[9.0, 0.0], [0.0, 1.0]])
    hand = np.array([[1.75, 4.05], [7 / 6, 0.9]])
    check("RIA scores, hand-computed 2x2", np.allclose(ria_scores(Xr, Wr), hand, rtol=0, atol=1e-14), str(ria_scores(Xr, Wr).tolist()))
    check("RIA mask at 50%: the second input row (1.1667, 0.9) pruned",
          np.array_equal(ria_mask(Xr, Wr, 0.5), np.array([[1, 1], [0, 0]])))
    # RIA against the official formula (lib/prune.py prune_ria) on random matrices: the official
    # scores are ours times one positive constant (its 1/nsamples), so the order is the same;
    # unstructured, its `<= thresh` prunes our k plus the (k+1)-th lowest; N:M agrees exactly.
    extra_ok, nm_ok = True, True
    for t in range(20):
        d = int(rng.choice([8, 12, 16]))
        X = rng.normal(size=(int(rng.integers(5, 40)), d))
        W = rng.normal(size=(d, d)) * rng.uniform(0.2, 3)
        p = float(rng.choice([0.3, 0.5, 0.7]))
        ours, off = ria_mask(X, W, p), ria_official_mask(X, W, p)
        k = floor_count(p, d * d)
        extra_ok &= bool(np.all(off <= ours)) and int((off == 0).sum()) == k + 1
        nm_ok &= bool(np.array_equal(ria_mask(X, W, p, (2, 4)), ria_official_mask(X, W, p, (2, 4))))
    check("RIA vs the official code: unstructured prunes our k + 1 (its `<=`), ours a subset", extra_ok)
    check("RIA vs the official code: 2:4 masks identical", nm_ok)
    # linear refit: equals the normal equations where X_S has full rank, is optimal (the residual is
    # orthogonal to the kept inputs), keeps the support, and never raises the linear error of mask o W
    for (n, d, dead) in [(30, 8, False), (30, 8, True), (6, 8, False)]:
        X = rng.normal(size=(n, d))
        if dead:
            X[:, 2] = 0.0
        W = rng.normal(size=(d, d))
        mask = magnitude_mask(W, 0.5)
        r = linear_refit(X, W, mask)
        okne, okorth = True, True
        for j in range(d):
            S = np.nonzero(mask[:, j])[0]
            XS = X[:, S]
            resid = XS @ r.W_pruned[S, j] - X @ W[:, j]
            okorth &= float(np.max(np.abs(XS.T @ resid))) <= 1e-9 * max(1.0, float(np.max(np.abs(XS.T @ (X @ W[:, j])))))
            if r.unique[j]:
                ne = np.linalg.solve(XS.T @ XS, XS.T @ (X @ W[:, j]))
                okne &= float(np.max(np.abs(ne - r.W_pruned[S, j]))) <= 1e-9 * max(1.0, float(np.max(np.abs(ne))))
        tag = f"(n={n} d={d} dead={dead}; unique columns {int(r.unique.sum())}/{d})"
        check(f"linear refit = normal equations on full-rank columns {tag}", okne)
        check("  residual orthogonal to the kept inputs (optimal)", okorth)
        check("  support kept", np.all(r.W_pruned[mask == 0] == 0))
        check("  linear error not above mask o W's", linear_loss(X, W, r.W_pruned) <= linear_loss(X, W, mask * W) * (1 + 1e-12))
        if dead:
            check("  a dead input's kept weights are 0 (minimum norm)", float(np.max(np.abs(r.W_pruned[2]))) < 1e-12)
    print("self-test", "PASSED" if ok else "FAILED")
    return ok


if __name__ == "__main__":
    raise SystemExit(0 if _selftest() else 1)
