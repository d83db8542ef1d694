#!/usr/bin/env python3
"""Cross-check the project's CLI (`npm run --silent cli -- solve ...`) against the
independent numpy reference in spec_reference.py.

Usage (from the repository root):
    python3 scripts/reference/compare.py [--seed S] [--jobs J] [--quick] [--only METHOD ...] [--keep]

Generates fresh random problems with numpy's RNG (the seed is printed; pass --seed to
reproduce), writes each as P.json into a temporary directory, runs the CLI on it for every
case, and compares:
  - mask: exact equality (1 = kept);
  - W_pruned, M (gd): normwise relative difference max|a-b| / max|ref|;
  - attention_error, attention_loss: relative difference |a-b| / |ref|;
  - loss_history (gd): length T+1 and elementwise relative difference |a-b| / |ref|;
  - echo fields n, d, causal, method.
Tolerance for numeric fields: 1e-4 relative. Exits 1 on any mismatch or CLI failure.
For gd with Armijo steps (the CLI's default) also: the echoed options, and that L never rose.
RIA is compared like the other baselines (mask exactly, W_pruned = mask o W).
For the SPEC §9 methods (gradual, swap, swap-linear, random) only their promises are checked
(see compare_new): exact pruned count / N:M, zeros of W_pruned, metrics of the CLI's own W_pruned
to 1e-9, the loss bounds (swap <= the best baseline mask by attention loss, swap-linear <= the best
by linear loss, each with a strictly decreasing history) and random's seed.  The refit stage
(`--refit linear|attention`, see compare_refit): the mask of the same method without a refit is
kept exactly; the linear refit equals a least-squares solve per output column (1e-6); the attention
refit does not raise the attention loss of the weights it starts from.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import spec_reference as ref  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
RTOL = 1e-4
SPARSITIES = (0.3, 0.5, 0.7)
RTOL_NEW = 1e-9      # new methods: metrics recomputed from the CLI's own W_pruned, and the loss bounds
_D = ref.GD_DEFAULTS  # armijo, lam 0.001, eta 0.05, T 60, wanda-weighted
# flags: which settings are passed on the command line (the rest must be the CLI's defaults)
GD_SETTINGS = {
    # the paper's rule: fixed eta, binarise by M_T (passed explicitly: no longer the defaults)
    "A": dict(lam=0.1, eta=0.05, iters=300, clip=False, step="fixed", score="relaxed",
              flags=("lam", "eta", "iters", "step", "score")),
    "B": dict(lam=0.5, eta=0.02, iters=100, clip=True, step="fixed", score="relaxed",
              flags=("lam", "eta", "iters", "step", "score")),
    # the CLI's defaults, no flag at all: armijo, lam 0.001, eta 0.05, T 60, wanda-weighted
    "D": dict(_D, clip=False, flags=()),
    # the defaults with each --score
    **{f"S-{sc}": dict(_D, score=sc, clip=False, flags=("score",)) for sc in ref.SCORES},
}
NEW_METHODS = ("gradual", "swap", "swap-linear", "random")
# the refit stage: which mask methods each refit is run after (every baseline family, chance and both searches)
REFIT_CASES = {"linear": ("magnitude", "sparsegpt", "ria", "random", "swap-linear", "swap"),
               "attention": ("swap", "sparsegpt")}
RTOL_REFIT = 1e-6    # the linear refit's W_pruned against the reference least squares
ERR_FLOOR = 1e-11    # relative errors (attention, linear) below which two float64 codes differ by round-off alone
                     # (near an exact fit the logits' round-off, ~|S|·eps, is all that is left of F' − F0)
SWAP_BUDGET = 300    # exact evaluations of a merged swap search (either objective), README "Choices"
# case groups accepted by --only (besides the method names; `gd` selects every gd group;
# `refit-linear` / `refit-attention` select every run with that refit, `swap+attention` one recipe)
GROUPS = (("magnitude", "wanda", "sparsegpt", "ria", "gd-fixed", "gd-armijo", "gd-score") + NEW_METHODS
          + tuple(f"refit-{r}" for r in REFIT_CASES) + tuple(f"{m}+{r}" for r, ms in REFIT_CASES.items() for m in ms))
QUICK_PROBLEMS = ("n12_d16_s3_causal(flag)", "n20_d16_s1_deadcol", "n20_d16_s3_ties", "n7_d5_s1")


# ---------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------

@dataclass
class Problem:
    name: str
    X: np.ndarray
    W: np.ndarray
    causal: bool
    causal_via_flag: bool  # True: JSON says false, --causal passed on the command line
    path: str = ""


def make_problems(rng: np.random.Generator, quick: bool) -> list[Problem]:
    # (name, n, d, scale, causal, causal_via_flag, variant)
    specs = [
        ("n12_d16_s1", 12, 16, 1, False, False, None),
        ("n12_d16_s3_causal(flag)", 12, 16, 3, True, True, None),
        ("n40_d24_s1_causal(json)", 40, 24, 1, True, False, None),
        ("n40_d24_s3", 40, 24, 3, False, False, None),
        ("n32_d64_s1_causal(json)", 32, 64, 1, True, False, None),   # n < d: rank-deficient H
        ("n96_d64_s3", 96, 64, 3, False, False, None),
        ("n160_d130_s1", 160, 130, 1, False, False, None),          # two SparseGPT blocks
        ("n64_d130_s3_causal(flag)", 64, 130, 3, True, True, None),
        ("n20_d16_s1_deadcol", 20, 16, 1, False, False, "dead"),     # X[:, 5] = 0
        ("n20_d16_s3_ties", 20, 16, 3, True, False, "ties"),         # W quantised: many |W| ties
        ("n7_d5_s1", 7, 5, 1, False, False, None),                  # odd d
    ]
    if quick:  # 4 small problems: causal via flag + scale 3, dead input, |W| ties, odd d
        specs = [s for s in specs if s[0] in QUICK_PROBLEMS]
    out = []
    for name, n, d, scale, causal, via_flag, variant in specs:
        X = rng.standard_normal((n, d))
        W = rng.standard_normal((d, d)) * scale / math.sqrt(d)
        if variant == "dead":
            X[:, 5] = 0.0
        if variant == "ties":
            W = np.round(W * 2.0) / 2.0
        out.append(Problem(name, X, W, causal, via_flag))
    return out


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

@dataclass
class Case:
    problem: Problem
    method: str
    sparsity: float
    nm: tuple | None = None
    gd: str | None = None  # key of GD_SETTINGS
    informational: bool = False  # not counted towards the exit status
    refit: str | None = None  # --refit linear|attention (None: no flag, the default 'none')
    seed: int | None = None   # --seed (random)
    result: dict = field(default_factory=dict)

    @property
    def groups(self):
        if self.refit:
            return {f"{self.method}+{self.refit}", f"refit-{self.refit}"}
        return {self.group}

    @property
    def group(self):
        if self.refit:
            return f"{self.method}+{self.refit}"
        if self.method != "gd":
            return self.method
        return {"A": "gd-fixed", "B": "gd-fixed", "D": "gd-armijo"}.get(self.gd, "gd-score")

    @property
    def label(self):
        s = self.method
        if self.gd:
            g = GD_SETTINGS[self.gd]
            if self.gd == "D":
                s += "[defaults=armijo]"
            elif self.gd.startswith("S-"):
                s += f"[armijo, --score {g['score']}]"
            else:
                s += f"[{g['step']},lam={g['lam']},eta={g['eta']},T={g['iters']}{',clip' if g['clip'] else ''},{g['score']}]"
        if self.refit:
            s += f" --refit {self.refit}"
        if self.seed is not None:
            s += f" --seed {self.seed}"
        if self.nm:
            s += f" {self.nm[0]}:{self.nm[1]}"
        return s

    def argv(self):
        a = ["npm", "run", "--silent", "cli", "--", "solve", "--problem", self.problem.path,
             "--method", self.method, "--sparsity", repr(self.sparsity)]
        if self.nm:
            a += ["--nm", f"{self.nm[0]}:{self.nm[1]}"]
        if self.gd:
            g = GD_SETTINGS[self.gd]
            fl = g["flags"]
            if "lam" in fl:
                a += ["--lambda", repr(g["lam"])]
            if "eta" in fl:
                a += ["--eta", repr(g["eta"])]
            if "iters" in fl:
                a += ["--iters", str(g["iters"])]
            if "step" in fl:
                a += ["--step", g["step"]]
            if "score" in fl:
                a += ["--score", g["score"]]
            if g["clip"]:
                a += ["--clip"]
        if self.refit:
            a += ["--refit", self.refit]
        if self.seed is not None:
            a += ["--seed", str(self.seed)]
        if self.problem.causal_via_flag:
            a += ["--causal"]
        return a


def make_cases(problems, only):
    cases = []
    for P in problems:
        d = P.W.shape[0]
        for p in SPARSITIES:
            for m in ("magnitude", "wanda", "sparsegpt"):
                cases.append(Case(P, m, p))
            for g in ("A", "B", "D"):
                cases.append(Case(P, "gd", p, gd=g))
            for sc in ref.SCORES:
                if sc != "wanda-weighted" or p == 0.5:  # wanda-weighted is also the default (case D)
                    cases.append(Case(P, "gd", p, gd=f"S-{sc}"))
            cases.append(Case(P, "ria", p))
            for m in NEW_METHODS:
                cases.append(Case(P, m, p))
            for r, ms in REFIT_CASES.items():
                for m in ms:
                    cases.append(Case(P, m, p, refit=r))
        if d % 4 == 0:  # CHOICE: N:M only where d is divisible by M (SPEC silent on remainders)
            cases.append(Case(P, "magnitude", 0.5, nm=(2, 4)))
            cases.append(Case(P, "wanda", 0.5, nm=(2, 4)))
            cases.append(Case(P, "gd", 0.5, nm=(2, 4), gd="A"))
            # SparseGPT N:M: the brief does not ask for it and SPEC §4 does not define its
            # scores precisely; checked against the official-code semantics, informational only.
            cases.append(Case(P, "sparsegpt", 0.5, nm=(2, 4), informational=True))
            cases.append(Case(P, "gd", 0.5, nm=(2, 4), gd="D"))
            cases.append(Case(P, "ria", 0.5, nm=(2, 4)))
            for m in NEW_METHODS:
                cases.append(Case(P, m, 0.5, nm=(2, 4)))
            for r, ms in REFIT_CASES.items():
                for m in ms:
                    cases.append(Case(P, m, 0.5, nm=(2, 4), refit=r))
    if only:
        cases = [c for c in cases if (c.method in only and not c.refit) or c.groups & set(only)]
    return cases


# ---------------------------------------------------------------------------
# Reference side (cached per problem / gd setting)
# ---------------------------------------------------------------------------

_gd_cache: dict = {}
_gd_lock = threading.Lock()
ARMIJO_MARGIN = 1e-9  # an Armijo acceptance test decided by less than this (relative to L) counts as ill-conditioned
PROBE_EPS = 1e-13     # relative perturbation of X and W for the conditioning probe
PROBE_TRUST = 1e-8    # loss_history entries are compared strictly while the probe moved them less than this


def _gd_reference(P: Problem, setting: str):
    """Reference GD run plus a conditioning probe: the same run on X o (1 + 1e-13 noise),
    W o (1 + 1e-13 noise), i.e. a perturbation the size of floating-point round-off
    (multiplicative, so exact zeros -- dead inputs, zero weights -- and therefore the exact
    ties in M that they create, which the stable tie rule must resolve, are preserved).
    If the probe's trajectory, M_T or masks differ from the unperturbed run beyond the
    tolerance, the problem is numerically ill-conditioned for this (eta, T): any two correct
    float64 implementations (different summation orders) may legitimately disagree, so only
    the trustworthy prefix of loss_history and the CLI's self-consistency are checked."""
    g = GD_SETTINGS[setting]
    key = (P.name, g["lam"], g["eta"], g["iters"], g["clip"], g["step"])  # the trajectory (score-independent)
    with _gd_lock:
        ent = _gd_cache.setdefault(key, [threading.Lock(), None])
    with ent[0]:
        if ent[1] is None:
            ent[1] = _gd_reference_run(P, g)
    return ent[1]


def _gd_reference_run(P: Problem, g: dict):
    if True:
        try:
            r = ref.gd_run(P.X, P.W, g["lam"], g["eta"], g["iters"], P.causal, g["clip"], g["step"])
            nrng = np.random.default_rng(0)
            Xp = P.X * (1.0 + PROBE_EPS * nrng.standard_normal(P.X.shape))
            Wq = P.W * (1.0 + PROBE_EPS * nrng.standard_normal(P.W.shape))
            probe = ref.gd_run(Xp, Wq, g["lam"], g["eta"], g["iters"], P.causal, g["clip"], g["step"])
            lr, lp = np.asarray(r.loss_history), np.asarray(probe.loss_history)
            if lp.size != lr.size:  # armijo: the probe stopped at a different iteration
                m = min(lp.size, lr.size)
                lp = np.concatenate([lp[:m], np.full(lr.size - m, np.inf)]) if lp.size < lr.size else lp[:lr.size]
            r.sens = np.abs(lp - lr) / np.abs(lr)            # per-t sensitivity of L(M_t)
            r.sens_M = rel_norm(probe.M, r.M)
            r.probe_M = probe.M
            return r
        except ref.Diverged as e:
            return e


def reference(case: Case):
    P = case.problem
    if case.method == "gd":
        r = _gd_reference(P, case.gd)
        if isinstance(r, ref.Diverged):
            return r

        def binar(M):
            return gd_binarise(case, M)
        mask = binar(r.M)
        Wp = mask * P.W
        out = {"mask": mask, "W_pruned": Wp, "loss_history": r.loss_history, "M": r.M}
        out.update(ref.metrics(P.X, P.W, Wp, P.causal))
        probe_mask_diff = int((binar(r.probe_M) != mask).sum())
        margin = getattr(r, "margin", math.inf)
        out["ill_conditioned"] = bool(r.sens.max() > RTOL / 100 or r.sens_M > RTOL / 100 or probe_mask_diff
                                      or margin < ARMIJO_MARGIN)
        out["probe"] = (f"round-off probe (X, W perturbed by {PROBE_EPS:g} relative): max rel change of loss_history "
                        f"{r.sens.max():.1e}, of M_T {r.sens_M:.1e}, mask entries flipped {probe_mask_diff}"
                        + (f"; closest Armijo decision {margin:.1e}" if math.isfinite(margin) else ""))
        if hasattr(r, "steps"):
            out["armijo"] = dict(steps=r.steps, stopped=r.stopped, evaluations=r.evaluations)
        out["sens"] = r.sens
        return out
    if case.method in NEW_METHODS or case.refit:
        return reference_new(case)
    return ref.solve(P.X, P.W, case.method, case.sparsity, causal=P.causal, nm=case.nm)


def gd_binarise(case: Case, M):
    g = GD_SETTINGS[case.gd]
    return ref.gd_binarise(M, case.problem.X, case.problem.W, case.sparsity, g["score"], case.nm)


_lin_cache: dict = {}


def reference_new(case: Case):
    """What the reference knows about a §9 method: the pruned count k, the linear masks
    (mask o W) with their losses, and SparseGPT (mask, updated weight, loss)."""
    P = case.problem
    key = (P.name, case.sparsity, case.nm)
    if key not in _lin_cache:
        lin = ref.linear_masks(P.X, P.W, case.sparsity, P.causal, case.nm)
        sg = ref.sparsegpt(P.X, P.W, case.sparsity, case.nm)
        _lin_cache[key] = {"linear": lin, "sparsegpt": sg,
                           "sparsegpt_metrics": ref.metrics(P.X, P.W, sg.W_pruned, P.causal),
                           "k": ref.floor_count(case.sparsity, P.W.size)}
    return _lin_cache[key]


# ---------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------

def rel_scalar(a, b):
    return abs(a - b) / max(abs(b), 1e-300)


def rel_norm(a, b):
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def compare_case(case: Case, cli: dict, R: dict):
    """Returns (problems: list[str], rels: dict name -> max relative diff)."""
    if case.refit:
        return compare_refit(case, cli, R)
    if case.method in NEW_METHODS:
        return compare_new(case, cli, R)
    if case.method == "gd":
        extra = gd_option_checks(case, cli)
        probs, rels = (compare_ill_conditioned if R.get("ill_conditioned") else compare_main)(case, cli, R)
        return extra + probs, rels
    return compare_main(case, cli, R)


def gd_option_checks(case: Case, cli: dict):
    """The echoed options are the ones the case means (so the defaults are what the spec says),
    and an Armijo run never raised L (SPEC §3 amended)."""
    g = GD_SETTINGS[case.gd]
    probs = []
    opt = cli.get("options")
    if isinstance(opt, dict):
        for k, v in (("lambda", g["lam"]), ("eta", g["eta"]), ("iters", g["iters"]), ("step", g["step"]),
                     ("score", g["score"]), ("clip", g["clip"])):
            if k in opt and opt[k] != v:
                probs.append(f"options.{k} = {opt[k]!r}, expected {v!r}")
    elif g["flags"] != ("lam", "eta", "iters", "step", "score"):
        probs.append("options missing (needed to confirm the defaults)")
    if g["step"] == "armijo":
        lh = np.asarray(cli.get("loss_history", []), dtype=np.float64)
        if lh.size > 1 and np.any(np.diff(lh) > 0):
            t = int(np.nonzero(np.diff(lh) > 0)[0][0]) + 1
            probs.append(f"armijo run raised L at t={t}: {lh[t - 1]:.12g} -> {lh[t]:.12g}")
        conv = cli.get("convergence")
        if isinstance(conv, dict) and conv.get("steps_that_raised_L", 0) != 0:
            probs.append(f"convergence.steps_that_raised_L = {conv['steps_that_raised_L']}")
    return probs


def compare_main(case: Case, cli: dict, R: dict):
    P = case.problem
    probs, rels = [], {}
    d = P.W.shape[0]
    n = P.X.shape[0]
    for k, v in (("n", n), ("d", d), ("causal", P.causal), ("method", case.method)):
        if k in cli and cli[k] != v:
            probs.append(f"field {k}: cli={cli[k]!r} expected {v!r}")
    # mask
    try:
        mc = np.asarray(cli["mask"], dtype=np.float64)
    except Exception as e:  # noqa: BLE001
        probs.append(f"mask missing/unreadable: {e}")
        mc = None
    if mc is not None:
        if mc.shape != (d, d):
            probs.append(f"mask shape {mc.shape} != {(d, d)}")
        else:
            mr = R["mask"]
            diff = np.argwhere(mc != mr)
            npr_c, npr_r = int((mc == 0).sum()), int((mr == 0).sum())
            if len(diff):
                msg = (f"mask differs in {len(diff)} entries (pruned: cli {npr_c}, ref {npr_r}); first: "
                       + ", ".join(f"({i},{j}) cli={int(mc[i, j])} ref={int(mr[i, j])}" for i, j in diff[:6]))
                probs.append(msg)
                probs.extend(mask_diagnostics(case, cli, R, diff))
    # W_pruned
    if "W_pruned" in cli:
        wc = np.asarray(cli["W_pruned"], dtype=np.float64)
        if wc.shape == (d, d):
            r = rel_norm(wc, R["W_pruned"])
            rels["W_pruned"] = r
            if not r <= RTOL:
                idx = np.unravel_index(np.argmax(np.abs(wc - R["W_pruned"])), wc.shape)
                probs.append(f"W_pruned rel diff {r:.3e}; worst at {tuple(int(x) for x in idx)}: "
                             f"cli={wc[idx]:.9g} ref={R['W_pruned'][idx]:.9g}")
        else:
            probs.append(f"W_pruned shape {wc.shape}")
    else:
        probs.append("W_pruned missing")
    for key in ("attention_error", "attention_loss"):
        if key not in cli:
            probs.append(f"{key} missing")
            continue
        r = rel_scalar(float(cli[key]), R[key])
        rels[key] = r
        if not r <= RTOL:
            probs.append(f"{key}: cli={cli[key]:.9g} ref={R[key]:.9g} (rel {r:.3e})")
    if case.method == "gd":
        lh = cli.get("loss_history")
        if lh is None:
            probs.append("loss_history missing")
        else:
            lr = np.asarray(R["loss_history"])
            lc = np.asarray(lh, dtype=np.float64)
            if lc.shape != lr.shape:
                probs.append(f"loss_history length {lc.size} != {lr.size} (T+1)")
                m = min(lc.size, lr.size)
                if m:
                    probs.append("  first entries cli=" + str(lc[:3].tolist()) + " ref=" + str(lr[:3].tolist()))
            else:
                re = np.abs(lc - lr) / np.maximum(np.abs(lr), 1e-300)
                rels["loss_history"] = float(re.max())
                if not re.max() <= RTOL:
                    bad = np.nonzero(re > RTOL)[0]
                    probs.append(f"loss_history rel diff {re.max():.3e}; first differing t: "
                                 + ", ".join(f"t={t}: cli={lc[t]:.9g} ref={lr[t]:.9g}" for t in bad[:4]))
        if "M" in cli:
            Mc = np.asarray(cli["M"], dtype=np.float64)
            r = rel_norm(Mc, R["M"])
            rels["M"] = r
            if not r <= RTOL:
                probs.append(f"M rel diff {r:.3e}")
        else:
            probs.append("M missing")
    return probs, rels


def compare_ill_conditioned(case: Case, cli: dict, R: dict):
    """GD where round-off alone changes the result (see _gd_reference): check
    (a) loss_history on the prefix where the round-off probe moved it by < PROBE_TRUST,
    (b) the CLI's mask is the reference binarisation of the CLI's own M,
    (c) W_pruned = mask o W and the metrics recomputed from the CLI's W_pruned."""
    P = case.problem
    probs, rels = [], {}
    d = P.W.shape[0]
    try:
        Mc = np.asarray(cli["M"], dtype=np.float64)
        mc = np.asarray(cli["mask"], dtype=np.float64)
        wc = np.asarray(cli["W_pruned"], dtype=np.float64)
        lc = np.asarray(cli["loss_history"], dtype=np.float64)
    except Exception as e:  # noqa: BLE001
        return [f"missing/unreadable field: {e}"], rels
    lr = np.asarray(R["loss_history"])
    sens = R["sens"]
    lens = ""
    if lc.shape != lr.shape and GD_SETTINGS[case.gd]["step"] == "armijo":
        # an Armijo run may stop early (no acceptable step); on an ill-conditioned run the
        # stopping iteration itself may depend on round-off: compare the common prefix
        m = min(lc.size, lr.size)
        lens = f"loss_history lengths cli {lc.size}, ref {lr.size} (common prefix compared); "
        lc, lr, sens = lc[:m], lr[:m], sens[:m]
    if lc.shape != lr.shape:
        probs.append(f"loss_history length {lc.size} != {lr.size} (T+1)")
    else:
        trusted = np.nonzero(sens > PROBE_TRUST)[0]
        t_end = int(trusted[0]) if len(trusted) else lr.size
        re = np.abs(lc[:t_end] - lr[:t_end]) / np.abs(lr[:t_end])
        rels["loss_history"] = float(re.max()) if t_end else 0.0
        if t_end and re.max() > RTOL:
            bad = np.nonzero(re > RTOL)[0]
            probs.append(f"loss_history (trusted prefix t<{t_end}) rel diff {re.max():.3e}; first: "
                         + ", ".join(f"t={t}: cli={lc[t]:.9g} ref={lr[t]:.9g}" for t in bad[:4]))
        full = float((np.abs(lc - lr) / np.abs(lr)).max())
        nmask = int((np.asarray(cli["mask"]) != R["mask"]).sum())
        R["_note"] = (f"ill-conditioned: {R['probe']}; {lens}loss_history compared strictly for t < {t_end}; "
                      f"(for information, CLI vs reference over all t: loss_history rel {full:.1e}, "
                      f"M_T rel {rel_norm(Mc, R['M']):.1e}, mask entries differing {nmask})")
    if Mc.shape != (d, d) or mc.shape != (d, d) or wc.shape != (d, d):
        return probs + ["shape mismatch"], rels
    remask = gd_binarise(case, Mc)
    nd = int((remask != mc).sum())
    if nd:
        probs.append(f"CLI mask is not the SPEC binarisation of the CLI's own M ({nd} entries differ)")
    r = rel_norm(wc, mc * P.W)
    rels["W_pruned"] = r
    if r > RTOL:
        probs.append(f"W_pruned != mask o W (rel {r:.3e})")
    m = ref.metrics(P.X, P.W, wc, P.causal)
    for key in ("attention_error", "attention_loss"):
        rr = rel_scalar(float(cli[key]), m[key])
        rels[key] = rr
        if rr > RTOL:
            probs.append(f"{key}: cli={cli[key]:.9g}, reference metric of the CLI's W_pruned={m[key]:.9g}")
    return probs, rels


def _loss_of(P: Problem, Wp) -> float:
    return ref.metrics(P.X, P.W, np.asarray(Wp, dtype=np.float64), P.causal)["attention_loss"]


def _check_history(name, h, probs, strict=True):
    h = np.asarray(h, dtype=np.float64)
    if h.size == 0 or not np.all(np.isfinite(h)):
        probs.append(f"{name} empty or not finite")
        return h
    bad = np.nonzero(np.diff(h) >= 0 if strict else np.diff(h) > 0)[0]
    if len(bad):
        t = int(bad[0])
        probs.append(f"{name} not strictly decreasing at {t}->{t + 1}: {h[t]:.15g} -> {h[t + 1]:.15g}")
    return h


def _common_mask_checks(case: Case, cli: dict, R: dict):
    """Echoed fields, shapes, a 0/1 mask with exactly k pruned (or N:M), `pruned`, zeros of
    W_pruned off the mask, `compute`, and the metrics of the CLI's own W_pruned (1e-9).
    Returns (problems, rels, notes, got) with got = (mask, W_pruned, metrics), or None when
    the output cannot be read."""
    probs, rels = [], {}
    notes = case.result.setdefault("notes", [])
    got = _mask_checks(case, cli, R, probs, rels)
    if got is not None:
        case.result["loss"] = got[2]["attention_loss"]
    return probs, rels, notes, got


def _mask_checks(case: Case, cli: dict, R: dict, probs: list, rels: dict):
    P = case.problem
    d, n = P.W.shape[0], P.X.shape[0]
    for k, v in (("n", n), ("d", d), ("causal", P.causal), ("method", case.method), ("refit", case.refit or "none")):
        if k in cli and cli[k] != v:
            probs.append(f"field {k}: cli={cli[k]!r} expected {v!r}")
    if "refit" not in cli:
        probs.append("field refit missing")
    try:
        mc = np.asarray(cli["mask"], dtype=np.float64)
        wc = np.asarray(cli["W_pruned"], dtype=np.float64)
    except Exception as e:  # noqa: BLE001
        probs.append(f"mask/W_pruned missing or unreadable: {e}")
        return None
    if mc.shape != (d, d) or wc.shape != (d, d):
        probs.append(f"shapes mask {mc.shape}, W_pruned {wc.shape}, expected {(d, d)}")
        return None
    if not np.all((mc == 0) | (mc == 1)):
        probs.append("mask has entries other than 0/1")
    if not np.all(np.isfinite(wc)):
        probs.append("W_pruned not finite")
        return None
    npr = int((mc == 0).sum())
    if case.nm:
        N, Mg = case.nm
        zeros = (mc == 0).reshape(d // Mg, Mg, d).sum(axis=1)  # [group, column]
        if not np.all(zeros == N):
            g, j = np.argwhere(zeros != N)[0]
            probs.append(f"not {N}:{Mg}: column {j}, rows {g * Mg}..{g * Mg + Mg - 1} have {zeros[g, j]} pruned")
    elif npr != R["k"]:
        probs.append(f"pruned {npr} entries, expected k = floor({case.sparsity}*{d * d}) = {R['k']}")
    if "pruned" in cli and cli["pruned"] != npr:
        probs.append(f"field pruned = {cli['pruned']} but the mask has {npr} zeros")
    nz = int(np.count_nonzero(wc[mc == 0]))
    if nz:
        probs.append(f"W_pruned nonzero at {nz} pruned positions (the support is not kept)")
    m = ref.metrics(P.X, P.W, wc, P.causal)
    f0 = float(np.linalg.norm(ref.attention(P.X, P.W, P.causal)))
    for key in ("attention_error", "attention_loss"):
        if key not in cli:
            probs.append(f"{key} missing")
            continue
        rr = rel_scalar(float(cli[key]), m[key])
        rels[key] = rr
        # ‖F' − F0‖ near an exact fit is round-off: compare it (not its square) with an absolute floor
        a, b = (float(cli[key]), m[key]) if key == "attention_error" else (math.sqrt(2 * max(float(cli[key]), 0.0)) / f0, math.sqrt(2 * m[key]) / f0)
        if rr > RTOL_NEW and abs(a - b) > RTOL_NEW * b + ERR_FLOOR:
            probs.append(f"{key}: cli={cli[key]:.15g}, reference metric of the CLI's W_pruned={m[key]:.15g} (rel {rr:.2e})")
    _compute_checks(cli, probs)
    return mc, wc, m


def _compute_checks(cli: dict, probs: list):
    """SPEC §8: `compute` = {time_ms, mask_evaluations, refit_evaluations, evaluations}."""
    c = cli.get("compute")
    if not isinstance(c, dict):
        probs.append("compute missing")
        return
    for k in ("time_ms", "mask_evaluations", "refit_evaluations", "evaluations"):
        if not isinstance(c.get(k), (int, float)) or c[k] < 0:
            probs.append(f"compute.{k} = {c.get(k)!r}")
            return
    if c["evaluations"] != c["mask_evaluations"] + c["refit_evaluations"]:
        probs.append(f"compute.evaluations {c['evaluations']} != mask {c['mask_evaluations']} + refit {c['refit_evaluations']}")


def _bound_candidates(case: Case, R: dict):
    """The baseline masks a swap search's bound may use: those with exactly k pruned
    (Wanda prunes d*floor(p d), fewer when p d is not an integer: left out), and for N:M the
    spec-defined ones (SPEC §4 does not define SparseGPT N:M)."""
    return {nm_: v for nm_, v in R["linear"].items()
            if (case.nm is None and v[1] == R["k"]) or (case.nm is not None and nm_ != "sparsegpt")}


def compare_new(case: Case, cli: dict, R: dict):
    """The SPEC §9 promises for gradual / swap / swap-linear / random (their search paths
    are not fixed by the spec, so they are not recomputed):
      - the mask prunes exactly k = floor(p d^2) (or obeys N:M), entries in {0, 1};
      - W_pruned = mask o W (no refit); metrics equal the reference metrics of the CLI's W_pruned (1e-9);
      - swap: attention loss <= the best baseline mask (mask o W, magnitude / Wanda / SparseGPT's
        support / RIA, those that prune exactly k); swap-linear: the same with the linear loss
        1/2||XW - X(B o W)||^2; search.lossHistory strictly decreasing, its last entry the loss of
        the final mask, its first the loss of the named start when that mask is spec-defined;
      - random: the same --seed gives the same mask; another seed another mask.
    Further consistency of the descriptive fields goes to case.result['notes'] (printed, not counted)."""
    P = case.problem
    probs, rels, notes, got = _common_mask_checks(case, cli, R)
    if got is None:
        return probs, rels
    mc, wc, m = got
    r = rel_norm(wc, mc * P.W)
    rels["W_pruned"] = r
    if r > 1e-12:
        probs.append(f"W_pruned != mask o W (rel {r:.3e})")
    elif r:
        notes.append(f"W_pruned = mask o W only to {r:.1e} (not bit-exact)")
    loss = m["attention_loss"]
    lin = R["linear"]
    slack = 1 + RTOL_NEW

    if case.method in ("swap", "swap-linear"):
        linear = case.method == "swap-linear"
        idx = 3 if linear else 2        # which loss of linear_masks the search lowers
        own = ref.linear_loss(P.X, P.W, wc) if linear else loss
        what = "linear" if linear else "attention"
        srch = cli.get("search")
        if not isinstance(srch, dict) or "lossHistory" not in srch:
            probs.append("search.lossHistory missing")
            h = np.zeros(0)
        else:
            h = _check_history("search.lossHistory", srch["lossHistory"], probs)
            if "accepted" in srch and srch["accepted"] != h.size - 1:
                notes.append(f"search.accepted = {srch['accepted']} but lossHistory has {h.size} entries")
        cand = _bound_candidates(case, R)
        best_name = min(cand, key=lambda k_: cand[k_][idx]) if cand else None
        if best_name:
            bound = cand[best_name][idx]
            rels["bound_ratio"] = own / bound if bound > 0 else (0.0 if own == 0 else math.inf)
            if not own <= bound * slack:
                probs.append(f"{case.method} {what} loss {own:.12g} > best baseline mask ({best_name}, mask o W) {what} loss {bound:.12g}")
        info = ", ".join(f"{k_} {v[idx]:.6g} ({v[1]} pruned{'' if k_ in cand else ', not in the bound'})" for k_, v in lin.items())
        case.result["bound"] = f"{what} loss of the baseline masks (mask o W): {info}; {case.method} {own:.6g}"
        if case.nm is not None and own > lin["sparsegpt"][idx] * slack:
            notes.append(f"{case.method} {what} loss {own:.6g} > the reference's official-code SparseGPT {case.nm[0]}:{case.nm[1]} mask's "
                         f"{lin['sparsegpt'][idx]:.6g} (informational: SPEC §4 does not define SparseGPT N:M)")
        if h.size:
            # the history is of the search's own objective: its ends are counted (they define it)
            if rel_scalar(h[-1], own) > RTOL_NEW:
                probs.append(f"search.lossHistory[-1] = {h[-1]:.15g} != the {what} loss of the final mask {own:.15g}")
            st = srch.get("start")
            if st in cand:
                if rel_scalar(h[0], lin[st][idx]) > RTOL_NEW:
                    probs.append(f"search.lossHistory[0] = {h[0]:.12g} but the reference {what} loss of the {st} mask is {lin[st][idx]:.12g}")
            elif st not in lin:
                probs.append(f"search.start = {st!r} is not a baseline")
            if best_name and h[0] > cand[best_name][idx] * slack:
                probs.append(f"search.lossHistory[0] = {h[0]:.6g} (start {st}) is above the best baseline mask's "
                             f"{what} loss ({best_name}, {cand[best_name][idx]:.6g}): the start rule is not 'best by its own objective'")
        c = cli.get("compute")
        if isinstance(c, dict) and isinstance(srch, dict) and c.get("mask_evaluations") != srch.get("evaluations"):
            probs.append(f"compute.mask_evaluations {c.get('mask_evaluations')} != search.evaluations {srch.get('evaluations')}")
        # the twins share one budget (README: 300 exact evaluations per merged head, the start choice included)
        if isinstance(srch, dict) and not (isinstance(srch.get("evaluations"), int) and srch["evaluations"] <= SWAP_BUDGET):
            probs.append(f"search.evaluations = {srch.get('evaluations')!r}, above the budget of {SWAP_BUDGET}")
    if case.method == "random":
        _random_seed_checks(case, mc, probs, notes)
    if case.method == "gradual":
        if not isinstance(cli.get("options"), dict):
            notes.append("options missing")
    return probs, rels


def _random_seed_checks(case: Case, mc, probs, notes):
    """`random` is reproducible by seed: a second run with the same --seed gives the same mask
    (counted), a run with another seed gives another mask (counted where the masks are many)."""
    again, err, _ = run_cli(case)  # not cached: a fresh process
    if err is not None:
        probs.append(f"second run with the same seed failed ({err})")
    elif not np.array_equal(np.asarray(again["mask"]), mc):
        probs.append("a second run with the same seed gave another mask")
    other = Case(case.problem, case.method, case.sparsity, nm=case.nm, seed=(case.seed or 1) + 1)
    ocli, oerr, _ = cached_cli(other)
    if oerr is not None:
        probs.append(f"the run with --seed {other.seed} failed ({oerr})")
        return
    d = case.problem.W.shape[0]
    if case.nm:
        N, Mg = case.nm
        log_masks = (d // Mg) * d * math.log(math.comb(Mg, N))
    else:
        log_masks = math.log(math.comb(d * d, ref.floor_count(case.sparsity, d * d)))
    same = np.array_equal(np.asarray(ocli["mask"]), mc)
    if same and log_masks > math.log(1e6):
        probs.append(f"--seed {other.seed} gave the same mask as seed {case.seed or 1} (of e^{log_masks:.0f} masks)")
    elif same:
        notes.append(f"--seed {other.seed} gave the same mask (only e^{log_masks:.1f} masks exist)")
    if not ref.random_mask_count_ok(np.asarray(ocli["mask"]), case.sparsity, case.nm):
        probs.append(f"the --seed {other.seed} mask does not prune exactly k / N:M")


def compare_refit(case: Case, cli: dict, R: dict):
    """The refit stage (SPEC §9): `--refit linear|attention` after any mask method.
      - the mask is exactly the same method's mask without a refit (the no-refit run, same
        problem and seed), and W_pruned is 0 off it (the support is kept);
      - linear: per output column, the kept weights are the least-squares solution of
        min ||X_S w - X W_:,j|| (reference: SVD lstsq), to 1e-6 relative where X_S has full
        column rank; where it has not (n < |S|, a dead input) the solution is not unique and the
        column's residual is compared instead (1e-6 of ||X W_:,j||^2); linear_refit.linear_error_after
        is the reference's linear error of the CLI's W_pruned; the linear loss is not above the
        no-refit weights';
      - attention: the attention loss is not above the no-refit weights' (the refit starts
        there and accepts only descent steps on the calibration rows; solve has no held-out
        windows, so the calibration loss is the reported one); `reconstruction` present and its
        calibration error did not rise."""
    P = case.problem
    probs, rels, notes, got = _common_mask_checks(case, cli, R)
    if got is None:
        return probs, rels
    mc, wc, m = got
    loss = m["attention_loss"]
    base = Case(P, case.method, case.sparsity, nm=case.nm, seed=case.seed)
    bcli, berr, _ = cached_cli(base)
    if berr is not None:
        return probs + [f"the same method without a refit failed ({berr}); cannot check the support"], rels
    bmask = np.asarray(bcli["mask"], dtype=np.float64)
    bw = np.asarray(bcli["W_pruned"], dtype=np.float64)
    if not np.array_equal(bmask, mc):
        probs.append(f"the refit changed the mask: {int((bmask != mc).sum())} entries differ from {case.method} without a refit")
    c = cli.get("compute")
    if isinstance(c, dict) and isinstance(bcli.get("compute"), dict) and c.get("mask_evaluations") != bcli["compute"].get("mask_evaluations"):
        notes.append(f"compute.mask_evaluations {c.get('mask_evaluations')} != the no-refit run's {bcli['compute'].get('mask_evaluations')}")
    slack = 1 + RTOL_NEW
    if case.refit == "linear":
        lr = ref.linear_refit(P.X, P.W, mc)
        U = lr.unique
        if U.any():
            r = rel_norm(wc[:, U], lr.W_pruned[:, U])
            rels["W_pruned"] = r
            if r > RTOL_REFIT:
                j = int(np.argmax(np.abs(wc[:, U] - lr.W_pruned[:, U]).max(axis=0)))
                probs.append(f"linear refit W_pruned rel diff {r:.3e} from the least-squares solution (worst full-rank column {np.nonzero(U)[0][j]})")
        Y = P.X @ P.W
        worst = 0.0
        for j in np.nonzero(~U)[0]:
            rc = float(np.sum((P.X @ wc[:, j] - Y[:, j]) ** 2))
            rr = float(np.sum((P.X @ lr.W_pruned[:, j] - Y[:, j]) ** 2))
            worst = max(worst, abs(rc - rr) / max(float(np.sum(Y[:, j] ** 2)), 1e-300))
        if (~U).any():
            rels["lin_resid"] = worst
            notes.append(f"{int((~U).sum())} of {U.size} columns rank-deficient (minimiser not unique): residuals compared, max diff {worst:.1e} of ||XW_j||^2")
            if worst > RTOL_REFIT:
                probs.append(f"linear refit residual of a rank-deficient column differs from the least squares' by {worst:.3e} of ||XW_j||^2")
        lin_after, lin_base = ref.linear_loss(P.X, P.W, wc), ref.linear_loss(P.X, P.W, bw)
        rels["bound_ratio"] = lin_after / lin_base if lin_base > 0 else 0.0
        case.result["bound"] = f"linear loss without the refit {lin_base:.6g}, with {lin_after:.6g}"
        if lin_after > lin_base * slack + 1e-12 * ref.linear_loss(P.X, P.W, np.zeros_like(P.W)):
            probs.append(f"linear refit raised the linear loss {lin_base:.12g} -> {lin_after:.12g}")
        lrj = cli.get("linear_refit")
        if not isinstance(lrj, dict):
            probs.append("linear_refit missing")
        else:
            ea, eb = lrj.get("linear_error_after"), lrj.get("linear_error_before")
            e_ref = ref.linear_error(P.X, P.W, wc)
            if not isinstance(ea, (int, float)) or abs(ea - e_ref) > RTOL_REFIT * e_ref + ERR_FLOOR:
                probs.append(f"linear_refit.linear_error_after = {ea!r}, reference linear error of W_pruned {e_ref:.12g}")
            eb_ref = ref.linear_error(P.X, P.W, bw)
            if not isinstance(eb, (int, float)) or rel_scalar(eb, eb_ref) > RTOL_REFIT:
                notes.append(f"linear_refit.linear_error_before = {eb!r}, reference linear error of the no-refit weights {eb_ref:.12g}")
        if isinstance(c, dict) and c.get("refit_evaluations") != 0:
            notes.append(f"compute.refit_evaluations = {c.get('refit_evaluations')} for the closed-form linear refit")
    else:
        bloss = ref.metrics(P.X, P.W, bw, P.causal)["attention_loss"]
        rels["bound_ratio"] = loss / bloss if bloss > 0 else 0.0
        case.result["bound"] = f"{case.method} without a refit {bloss:.6g}, with the attention refit {loss:.6g}"
        if not loss <= bloss * slack:
            probs.append(f"attention refit raised the attention loss: {case.method} {bloss:.12g} -> {loss:.12g}")
        if case.method == "sparsegpt" and case.nm is None:
            sgm = R["sparsegpt_metrics"]
            if not loss <= sgm["attention_loss"] * slack:
                probs.append(f"sparsegpt --refit attention loss {loss:.12g} > reference SparseGPT loss {sgm['attention_loss']:.12g}")
            if not np.array_equal(R["sparsegpt"].mask, mc):
                notes.append(f"sparsegpt --refit attention mask differs from the reference SparseGPT mask in {int((R['sparsegpt'].mask != mc).sum())} entries")
        _recon_notes(cli, m, ref.metrics(P.X, P.W, bw, P.causal), probs, notes)
        if isinstance(c, dict) and isinstance(cli.get("reconstruction"), dict):
            ev = cli["reconstruction"].get("evaluations")
            if ev is not None and c.get("refit_evaluations") != ev:
                probs.append(f"compute.refit_evaluations {c.get('refit_evaluations')} != reconstruction.evaluations {ev}")
    return probs, rels


def _recon_notes(cli, m_after, m_before, probs, notes):
    rc = cli.get("reconstruction")
    if not isinstance(rc, dict):
        probs.append("reconstruction missing")
        return
    ca, cb = rc.get("calibration_after"), rc.get("calibration_before")
    if isinstance(ca, (int, float)) and rel_scalar(ca, m_after["attention_error"]) > RTOL_NEW:
        notes.append(f"reconstruction.calibration_after {ca:.12g} != attention_error {m_after['attention_error']:.12g}")
    if m_before is not None and isinstance(cb, (int, float)) and rel_scalar(cb, m_before["attention_error"]) > RTOL_NEW:
        notes.append(f"reconstruction.calibration_before {cb:.12g} != attention error of the starting weight {m_before['attention_error']:.12g}")
    if isinstance(ca, (int, float)) and isinstance(cb, (int, float)) and ca > cb * (1 + RTOL_NEW):
        probs.append(f"reconstruction raised the calibration error {cb:.12g} -> {ca:.12g}")
    if rc.get("steps_that_raised_L", 0) != 0:
        notes.append(f"reconstruction.steps_that_raised_L = {rc['steps_that_raised_L']}")


def mask_diagnostics(case, cli, R, diff):
    """Extra hints on why masks differ."""
    out = []
    P = case.problem
    if case.method == "gd" and "M" in cli:
        Mc = np.asarray(cli["M"], dtype=np.float64)
        remask = gd_binarise(case, Mc)
        same = bool((remask == np.asarray(cli["mask"])).all())
        out.append(f"  hint: reference binarisation of the CLI's own M {'reproduces' if same else 'does NOT reproduce'} the CLI mask")
        i, j = diff[0]
        out.append(f"  hint: at ({i},{j}) ref M={R['M'][i, j]:.12g} cli M={Mc[i, j]:.12g}")
    if case.method == "magnitude":
        A = np.abs(P.W)
        i, j = diff[0]
        out.append(f"  hint: |W| at ({i},{j}) = {A[i, j]:.12g}; ties with it: {int((A == A[i, j]).sum()) - 1}")
    if case.method == "wanda":
        S = ref.wanda_scores(P.X, P.W)
        i, j = diff[0]
        col = np.sort(S[:, j])
        k = ref.floor_count(case.sparsity, P.W.shape[0])
        out.append(f"  hint: column {j}: score({i},{j})={S[i, j]:.9g}, k={k}, k-th/k+1-th lowest="
                   f"{col[k - 1] if k else float('nan'):.9g}/{col[k] if k < len(col) else float('nan'):.9g}")
    return out


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def _stderr_summary(stderr: str) -> str:
    lines = [l.strip() for l in stderr.strip().splitlines() if l.strip()]
    if not lines:
        return "(no stderr)"
    errs = [l for l in lines if re.search(r"error", l, re.I)]
    return " | ".join((errs or lines[-1:])[:2])[:400]


def run_cli(case: Case, retries: int = 1):
    """Runs the CLI; a failing run is retried once after a pause (the repository is edited
    concurrently, so a transient crash is possible); the retry is recorded."""
    t0 = time.time()
    first_err = None
    for attempt in range(retries + 1):
        try:
            pr = subprocess.run(case.argv(), cwd=REPO, capture_output=True, text=True, timeout=900)
        except subprocess.TimeoutExpired:
            return None, "timeout after 900 s", time.time() - t0
        if pr.returncode == 0 or attempt == retries:
            break
        first_err = f"exit {pr.returncode}: {_stderr_summary(pr.stderr)}"
        time.sleep(10)
    dt = time.time() - t0
    if first_err is not None:
        case.result["retried"] = first_err
    if pr.returncode != 0:
        return None, f"exit {pr.returncode}: {_stderr_summary(pr.stderr)}", dt
    try:
        return json.loads(pr.stdout), None, dt
    except json.JSONDecodeError as e:
        return None, f"stdout is not JSON ({e}); first 200 chars: {pr.stdout[:200]!r}", dt


_cli_cache: dict = {}
_cli_lock = threading.Lock()


def cached_cli(case: Case):
    """run_cli, once per distinct command line (a refit's check reuses the no-refit run)."""
    key = tuple(case.argv())
    with _cli_lock:
        ent = _cli_cache.setdefault(key, [threading.Lock(), None])
    with ent[0]:
        if ent[1] is None:
            ent[1] = run_cli(case)
    return ent[1]


def evaluate(case: Case):
    R = reference(case)
    cli, err, dt = cached_cli(case)
    res = {"time": dt, "problems": [], "rels": {}, "notes": []}
    if "retried" in case.result:
        res["retried"] = case.result["retried"]
    if isinstance(R, ref.Diverged):
        # SPEC §3: divergence must be detected and reported, never a silent NaN.
        if err is None:
            res["problems"].append(f"reference diverged ({R}) but CLI exited 0 "
                                   f"(loss_history[-1]={cli.get('loss_history', [None])[-1]!r}, divergence not reported)")
        else:
            res["note"] = f"diverged in reference; CLI reported: {err}"
        case.result = res
        return case
    if err is not None:
        res["problems"].append("CLI failed: " + err)
    else:
        case.result = res
        probs, rels = compare_case(case, cli, R)
        res["problems"] += probs
        res["rels"] = rels
        if "_note" in R:
            res["illcond"] = R["_note"]
    case.result = res
    return case


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="only 4 small problems (d = 16, 16, 16, 5)")
    ap.add_argument("--only", nargs="*", help="methods or case groups to run: magnitude wanda sparsegpt gd "
                    "(= gd-fixed gd-armijo gd-score) ria gradual swap swap-linear random, refit-linear refit-attention, "
                    "or one recipe such as swap+attention")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir with the problem files")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(4), "little")
    print(f"seed {seed} (reproduce with --seed {seed}); repo {REPO}", flush=True)
    rng = np.random.default_rng(seed)
    problems = make_problems(rng, args.quick)
    tmp = tempfile.mkdtemp(prefix="spec-ref-")
    for i, P in enumerate(problems):
        P.path = os.path.join(tmp, f"P{i:02d}.json")
        with open(P.path, "w") as f:
            json.dump({"X": P.X.tolist(), "W": P.W.tolist(),
                       "causal": bool(P.causal and not P.causal_via_flag)}, f)
    cases = make_cases(problems, args.only)
    # ambiguity check: float floor vs decimal floor of p*d^2 etc.
    for P in problems:
        d = P.W.shape[0]
        for p in SPARSITIES:
            for tot in {d * d, d} | {d * (min(i + 128, d) - i) for i in range(0, d, 128)}:
                if ref.float_vs_decimal_floor_differs(p, tot):
                    print(f"WARNING: floor(p*{tot}) ambiguous for p={p} in {P.name}")
    print(f"{len(problems)} problems, {len(cases)} CLI runs, {args.jobs} in parallel; temp dir {tmp}", flush=True)

    t0 = time.time()
    done = 0
    with ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for c in ex.map(evaluate, cases):
            done += 1
            status = "ok" if not c.result["problems"] else ("INFO-DIFF" if c.informational else "FAIL")
            if c.result.get("notes") and not c.result["problems"]:
                status += "*"
            if "illcond" in c.result:
                status += "(ill)"
            print(f"[{done:3d}/{len(cases)}] {status:9s} {c.problem.name:26s} {c.label:40s} p={c.sparsity}"
                  f"  {c.result['time']:.1f}s", flush=True)
    elapsed = time.time() - t0

    # summary table per method label
    groups: dict = {}
    for c in cases:
        g = groups.setdefault(c.label, {"runs": 0, "pass": 0, "fail": 0, "diverged": 0, "ill": 0, "rels": {}, "info": c.informational})
        g["runs"] += 1
        if "note" in c.result:
            g["diverged"] += 1
        if "illcond" in c.result:
            g["ill"] += 1
        if c.result["problems"]:
            g["fail"] += 1
        else:
            g["pass"] += 1
        for k, v in c.result["rels"].items():
            g["rels"][k] = max(g["rels"].get(k, 0.0), v)
    print()
    print(f"{'method / setting':44s} {'runs':>4s} {'pass':>4s} {'fail':>4s} {'div':>4s} {'ill':>4s}  "
          f"{'W_pruned':>9s} {'att_err':>9s} {'att_loss':>9s} {'loss_hist':>9s} {'M':>9s} {'max L/bnd':>9s}")
    for label, g in groups.items():
        r = g["rels"]

        def f(k):
            return f"{r[k]:9.2e}" if k in r else f"{'-':>9s}"
        print(f"{label + (' (info)' if g['info'] else ''):44s} {g['runs']:4d} {g['pass']:4d} {g['fail']:4d} {g['diverged']:4d} {g['ill']:4d}  "
              f"{f('W_pruned')} {f('attention_error')} {f('attention_loss')} {f('loss_history')} {f('M')} {f('bound_ratio')}")
    print("(columns: max relative difference seen over all runs, including failing ones; for gradual/swap/\n"
          " swap-linear/random and the refits the att_err/att_loss columns compare with the reference metrics\n"
          " of the CLI's own W_pruned (tolerance 1e-9); W_pruned of a linear refit is against the reference least\n"
          " squares (full-rank columns, 1e-6); 'max L/bnd' is the largest ratio of the run's loss to its promised\n"
          " bound (swap: best baseline mask by attention loss; swap-linear: best by linear loss; a refit: the same\n"
          " method without it, by the refit's own loss; must be <= 1);\n"
          " 'ill' = gd runs\n"
          " where a round-off-sized perturbation of X, W already changes the reference result beyond 1e-4:\n"
          " for those only the trusted loss_history prefix and the CLI's self-consistency are checked,\n"
          " and their W_pruned/metric columns measure that self-consistency)")
    ill = [c for c in cases if "illcond" in c.result]
    if ill:
        print(f"\nIll-conditioned gd runs ({len(ill)}):")
        for c in ill:
            print(f"  {c.problem.name} | {c.label} | p={c.sparsity}: {c.result['illcond']}")

    withb = [c for c in cases if "bound" in c.result]
    if withb:
        print(f"\nLoss bounds of the SPEC §9 methods and the refits ({len(withb)} runs):")
        for c in withb:
            print(f"  {c.problem.name} | {c.label} | p={c.sparsity}: {c.result['bound']}")
    noted = [c for c in cases if c.result.get("notes")]
    if noted:
        print(f"\nNotes on descriptive fields (not counted; {len(noted)} runs):")
        for c in noted:
            for nt in c.result["notes"]:
                print(f"  {c.problem.name} | {c.label} | p={c.sparsity}: {nt}")

    notes = [c for c in cases if "note" in c.result]
    if notes:
        print("\nDivergent gd runs (reference loss non-finite):")
        for c in notes:
            print(f"  {c.problem.name} {c.label} p={c.sparsity}: {c.result['note']}")

    failing = [c for c in cases if c.result["problems"]]
    if failing:
        print(f"\nDifferences ({len(failing)} runs):")
        for c in failing:
            tag = " (informational)" if c.informational else ""
            print(f"- {c.problem.name} | {c.label} | p={c.sparsity}{tag}")
            print("    cmd: " + " ".join(c.argv()))
            for p in c.result["problems"][:8]:
                print("    " + p)
    retried = [c for c in cases if "retried" in c.result]
    if retried:
        print(f"\nCLI runs that failed once and were retried ({len(retried)}):")
        for c in retried:
            print(f"  {c.problem.name} | {c.label} | p={c.sparsity}: first attempt {c.result['retried']}")
    hard = [c for c in failing if not c.informational]
    print(f"\n{len(cases) - len(failing)}/{len(cases)} runs agree; {len(hard)} counted failures; {elapsed:.0f} s")
    if not args.keep and not hard:
        for P in problems:
            os.remove(P.path)
        os.rmdir(tmp)
    return 1 if hard else 0


if __name__ == "__main__":
    raise SystemExit(main())
