/**
 * The names of this widget, declared once: its custom element's tag, the prefix of its
 * keys in the page URL (the element's id: "lab.seed=3"), and the worker jobs it runs.
 */
export const WIDGET = {
  tag: 'convergence-lab',
  prefix: 'lab',
  jobs: ['lab'],
} as const;

/**
 * The run chapter 5's prose discusses, which the lab opens on: the home page's head
 * (HOME_PROBLEM in src/site/numbers/examples.ts) under Algorithm 1 in the paper's form
 * (GD_PAPER_FORM), pruned to half. Plain data here so the page bundle does not pull in
 * the build-time numbers; test/unit/widgets/convergence-lab.test.ts checks that it is
 * the same run.
 */
export const LAB_EXAMPLE = {
  n: 64,
  d: 16,
  seed: 7,
  scale: 3,
  sparsity: 0.5,
  lambda: 0.1,
  eta: 0.05,
  iters: 300,
  step: 'fixed',
  score: 'relaxed',
} as const;

/** The step the prose's divergence example uses (convergence().badEta). */
export const LAB_DIVERGENT_ETA = 0.5;

/** The sparsity of the "high sparsity" preset. */
export const LAB_HIGH_SPARSITY = 0.9;

/**
 * The "to the plateau" preset's T: with Armijo steps the example's head falls to within
 * 10⁻¹³ of its floor by t = 3 000 (about 10⁻⁹ at 2 000), so L(M_t) is flat by the end.
 */
export const LAB_PLATEAU_ITERS = 3000;
