/**
 * The data of the "For teachers" exercises, in one place: the chapter's check widgets,
 * the printable handout and the tests all read it, so the problem a student prints is
 * the problem the page checks. Only the questions live here; every answer is computed
 * by the project's core when a reader presses Check.
 *
 * Preset links open a chapter's widget with its URL state set (see state.ts: keys are
 * `<element id>.<field>`), so a class can look at the same problem in the full widget.
 */
import type { SyntheticSpec } from '../core/synthetic.ts';
import { GD_FIELDS } from '../ui/fields.ts';
import { withBase } from '../site/base.ts';
import type { JobOf } from '../jobs/protocol.ts';
import { PAPER_METHOD_IDS } from '../core/methods.ts';
import { GD_PAPER_FORM, type GdOptions } from '../core/gd.ts';

/** A synthetic head for "predict the winner": the head-to-head widget's problem fields. */
export interface WinnerPreset {
  id: string;
  n: number;
  d: number;
  seed: number;
  scale: number;
  sparsity: number;
}

/**
 * Four heads on which different methods come out on top, so that no single rule of
 * thumb ("the paper's method always wins") passes the exercise.
 */
export const WINNER_PRESETS: readonly WinnerPreset[] = [
  { id: 'A', n: 64, d: 16, seed: 4, scale: 1, sparsity: 0.5 },
  { id: 'B', n: 64, d: 16, seed: 1, scale: 3, sparsity: 0.5 },
  { id: 'C', n: 64, d: 16, seed: 3, scale: 3, sparsity: 0.3 },
  { id: 'D', n: 64, d: 16, seed: 1, scale: 3, sparsity: 0.3 },
];

export function winnerSpec(p: WinnerPreset): SyntheticSpec {
  return { n: p.n, d: p.d, seed: p.seed, scale: p.scale, causal: false };
}

export function describeWinnerPreset(p: WinnerPreset): string {
  return `n = ${p.n} tokens, d = ${p.d}, seed ${p.seed}, weight scale ${p.scale}, sparsity ${p.sparsity} (unstructured)`;
}

/** A tiny problem for computing ∇L(M) by hand (d = 2). Matrices are row by row. */
export interface GradientProblem {
  id: string;
  X: number[][];
  W: number[][];
  M: number[][];
  lambda: number;
}

/** The weight, mask and λ both gradient problems share: the two off-diagonal weights pruned. */
const PRUNED_OFF_DIAGONAL = {
  W: [
    [1, 2],
    [-1, 1],
  ],
  M: [
    [1, 0],
    [0, 1],
  ],
  lambda: 0.1,
};

/**
 * Two versions: with X = I the products by X drop out and the exercise is about the
 * softmax and P; the second keeps every step of the derivation busy.
 */
export const GRADIENT_PROBLEMS: readonly GradientProblem[] = [
  {
    id: '1',
    X: [
      [1, 0],
      [0, 1],
    ],
    ...PRUNED_OFF_DIAGONAL,
  },
  {
    id: '2',
    X: [
      [1, -1],
      [0, 1],
    ],
    ...PRUNED_OFF_DIAGONAL,
  },
];

/** An entry of the reader's gradient counts as right within this absolute difference. */
export const GRADIENT_TOLERANCE = 1e-3;

/**
 * The convergence lab's problem for "find a diverging step": the lab's default head,
 * run with the paper's fixed step (the lab's "divergence" preset).
 */
export const DIVERGENCE_PRESET = {
  n: 64,
  d: 16,
  seed: 1,
  scale: 3,
  // The paper-style run of the fixed-step lesson (chapter 5): λ = 0.1, T = 300.
  lambda: 0.1,
  iters: 300,
} as const;

export function divergenceSpec(): SyntheticSpec {
  const p = DIVERGENCE_PRESET;
  return { n: p.n, d: p.d, seed: p.seed, scale: p.scale, causal: false };
}

/** The reader's step: a positive number up to the lab's own limit, so the lab can replay it. */
export const MAX_READER_ETA = GD_FIELDS.eta.max;
/** Steps the η prompt and its messages suggest: positive, as the step must be. */
export const ETA_EXAMPLES = ['0.05', '2e-3'] as const;

/** Chapter slugs and widget element ids the preset links point into. */
const HEAD_TO_HEAD = { path: '/chapters/head-to-head/', id: 'h2h' };
const GRADIENT_CHECK = { path: '/chapters/attention-objective/', id: 'gradcheck' };
const LAB = { path: '/chapters/algorithm-and-convergence/', id: 'lab' };

/** A chapter's widget opened with the given URL state (`<id>.<field>=value`), scrolled to it. */
export function presetLink(target: { path: string; id: string }, fields: Record<string, string | number>): string {
  const query = Object.entries(fields)
    .map(([k, v]) => `${target.id}.${k}=${encodeURIComponent(String(v))}`)
    .join('&');
  return withBase(`${target.path}?${query}#${target.id}`);
}

/**
 * The head-to-head widget (chapter 7) on a winner preset, with every setting the answer
 * key used (winnerJob): the problem, the sparsity, no refit, and all of gradient descent's
 * options, so the page shows the answer key's numbers whatever the widget's defaults.
 */
export function headToHeadLink(p: WinnerPreset): string {
  const job = winnerJob(p);
  const gd = { ...GD_PAPER_FORM, ...job.gd };
  return presetLink(HEAD_TO_HEAD, {
    n: p.n,
    d: p.d,
    seed: p.seed,
    scale: p.scale,
    causal: job.spec.causal ? 1 : 0,
    sparsity: p.sparsity,
    pattern: 'unstructured',
    refit: job.refit ?? 'none',
    lambda: gd.lambda,
    eta: gd.eta,
    iters: gd.iters,
    step: gd.step,
    score: gd.score,
  });
}

/** The gradient check (chapter 4) on a random problem of the exercise's size and λ. */
export function gradientCheckLink(p: GradientProblem): string {
  return presetLink(GRADIENT_CHECK, { n: p.X.length, d: p.W.length, lambda: p.lambda });
}

/**
 * Gradient descent as exercise (c) runs it: the paper's fixed step with the preset's λ and
 * T, and the reader's η (the paper's 0.05 when none is given).
 */
export function divergenceGd(eta?: number): Required<GdOptions> {
  return { ...GD_PAPER_FORM, lambda: DIVERGENCE_PRESET.lambda, iters: DIVERGENCE_PRESET.iters, ...(eta !== undefined ? { eta } : {}) };
}

/** The convergence lab (chapter 5) on the divergence preset, with every gradient-descent setting (and the step η, if given). */
export function labLink(eta?: number): string {
  const p = DIVERGENCE_PRESET;
  const gd = divergenceGd(eta);
  return presetLink(LAB, {
    n: p.n,
    d: p.d,
    seed: p.seed,
    scale: p.scale,
    causal: 0,
    lambda: gd.lambda,
    eta: gd.eta,
    iters: gd.iters,
    step: gd.step,
    score: gd.score,
    clip: gd.clip ? 1 : 0,
  });
}

/** The job a winner preset runs, in the page's worker and for the answer key: the paper's four methods, GD in the paper's form. */
export function winnerJob(p: WinnerPreset): JobOf<'compare'> {
  return {
    kind: 'compare',
    spec: winnerSpec(p),
    sparsity: p.sparsity,
    granularity: { kind: 'unstructured' },
    methods: [...PAPER_METHOD_IDS],
    gd: { ...GD_PAPER_FORM },
  };
}
