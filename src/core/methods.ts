/**
 * The one registry of pruning methods: every list of methods, every label and every
 * colour on the site, in the CLI and in the tests comes from here. It is plain data
 * (no solver code), so a page can import it without pulling in the solvers; the
 * solvers are bound to these ids in `methodRunners.ts` by tables the compiler checks
 * against `PruningMethodId` (a method missing there is a type error).
 *
 * Adding a method: one entry below, its solver file, and its line in each table of
 * `methodRunners.ts` (merged and factored).
 */

export type MethodFamily =
  /** Chooses the mask for the softmax attention matrix (this paper's objective). */
  | 'attention'
  /** Chooses the mask so that the linear map XW stays close (SparseGPT, Wanda) or data-free. */
  | 'linear'
  /** A reference that only small problems can afford (every mask tried). */
  | 'reference'
  /** Chance: a seeded uniform mask of the same count or N:M pattern (no objective at all). */
  | 'chance';

/** Where a method comes from: the paper, a published baseline, this project, or a reference point. */
export type MethodOrigin = 'paper' | 'baseline' | 'ours' | 'reference';

/** The options a method reads (beyond the sparsity and the N:M pattern every method takes). */
export type MethodOption = 'gd' | 'budget';

export interface MethodInfo {
  readonly id: string;
  readonly family: MethodFamily;
  readonly origin: MethodOrigin;
  /** How prose and tables name it. */
  readonly label: string;
  /** For legends and narrow columns. */
  readonly short: string;
  /** One colour wherever the method is drawn. */
  readonly colour: string;
  readonly options: readonly MethodOption[];
  /** Whether it prunes a whole model's heads (`model-prune`, the page's model widgets). */
  readonly model: boolean;
  /** A phrase that says what it does, for guides and help text. */
  readonly summary: string;
  /** The paper's Algorithm 1 and the baselines the paper compares it with (chapters 2–7 use these). */
  readonly inPaper: boolean;
  /**
   * The objective its mask search lowers: the attention error, the linear error ‖XW − XW'‖,
   * or none (a score, or chance). Twins share everything but this.
   */
  readonly objective: 'attention' | 'linear' | 'none';
  /** The same search on the other objective (the control a sceptical reader asks for). */
  readonly twin?: string;
}

export const METHOD_REGISTRY = [
  {
    id: 'gd',
    family: 'attention',
    origin: 'paper',
    label: 'Gradient descent',
    short: 'GD',
    colour: '#d9480f',
    options: ['gd'],
    model: true,
    summary: 'this paper’s Algorithm 1: gradient descent on a relaxed mask for the attention error, then rounding',
    inPaper: true,
    objective: 'attention',
  },
  {
    id: 'magnitude',
    family: 'linear',
    origin: 'baseline',
    label: 'Magnitude',
    short: 'Magnitude',
    colour: '#1c7ed6',
    options: [],
    model: true,
    summary: 'keeps the largest |W| entries; uses no data',
    inPaper: true,
    objective: 'none',
  },
  {
    id: 'wanda',
    family: 'linear',
    origin: 'baseline',
    label: 'Wanda',
    short: 'Wanda',
    colour: '#2b8a3e',
    options: [],
    model: true,
    summary: 'keeps the largest |W_ij|·‖X_i‖ within each output column',
    inPaper: true,
    objective: 'none',
  },
  {
    id: 'sparsegpt',
    family: 'linear',
    origin: 'baseline',
    label: 'SparseGPT',
    short: 'SparseGPT',
    colour: '#9c36b5',
    options: [],
    model: true,
    summary: 'prunes column by column and updates the kept weights so that XW stays close',
    inPaper: true,
    objective: 'linear',
  },
  {
    id: 'ria',
    family: 'linear',
    origin: 'baseline',
    label: 'RIA',
    short: 'RIA',
    colour: '#66a80f',
    options: [],
    model: true,
    summary:
      'Relative Importance and Activations (Zhang et al., ICLR 2024): |W_ij| relative to its row’s and its column’s total, times ‖X_i‖^½, compared over the whole matrix',
    inPaper: false,
    objective: 'none',
  },
  {
    id: 'random',
    family: 'chance',
    origin: 'reference',
    label: 'Random mask',
    short: 'Random',
    colour: '#868e96',
    options: [],
    model: true,
    summary: 'a seeded uniform mask with the same number of pruned entries (or the same N:M pattern): the level of chance',
    inPaper: false,
    objective: 'none',
  },
  {
    id: 'gradual',
    family: 'attention',
    origin: 'ours',
    label: 'Gradual gradient descent',
    short: 'Gradual GD',
    colour: '#f59f00',
    options: ['gd', 'budget'],
    model: true,
    summary: 'raises the sparsity in stages; at each stage gradient descent (Armijo steps) re-optimises the survivors’ relaxed mask',
    inPaper: false,
    objective: 'attention',
  },
  {
    id: 'swap',
    family: 'attention',
    origin: 'ours',
    label: 'Attention swap search',
    short: 'Swap search',
    colour: '#0c8599',
    options: ['budget'],
    model: true,
    summary:
      'starts from the best baseline mask (by attention error) and swaps a kept and a pruned entry where ∂L/∂B suggests, keeping a swap only if the exact attention error falls',
    inPaper: false,
    objective: 'attention',
    twin: 'swap-linear',
  },
  {
    id: 'swap-linear',
    family: 'linear',
    origin: 'ours',
    label: 'Linear swap search',
    short: 'Linear swap',
    colour: '#74c0fc',
    options: ['budget'],
    model: true,
    summary:
      'the swap search’s linear twin: the same start rule, proposals and budget, but guided by ∂/∂B of the linear error ‖XW − XW′‖² and keeping a swap only if that error falls',
    inPaper: false,
    objective: 'linear',
    twin: 'swap',
  },
  {
    id: 'exhaustive',
    family: 'reference',
    origin: 'ours',
    label: 'Exhaustive optimum',
    short: 'Optimum',
    colour: '#495057',
    options: [],
    model: false,
    summary: 'tries every mask of a tiny problem and keeps the best',
    inPaper: false,
    objective: 'attention',
  },
] as const satisfies readonly MethodInfo[];

export type MethodId = (typeof METHOD_REGISTRY)[number]['id'];
/** The methods that produce a mask on their own (the exhaustive search ranks them). */
export type PruningMethodId = Exclude<MethodId, 'exhaustive'>;
/** The methods that prune a shipped model's heads. */
export type ModelMethodId = Extract<(typeof METHOD_REGISTRY)[number], { model: true }>['id'];

export const METHOD_IDS: readonly MethodId[] = METHOD_REGISTRY.map((m) => m.id);
export const PRUNING_METHOD_IDS = METHOD_REGISTRY.filter((m) => m.family !== 'reference').map((m) => m.id) as readonly PruningMethodId[];
export const MODEL_METHOD_IDS = METHOD_REGISTRY.filter((m) => m.model).map((m) => m.id) as readonly ModelMethodId[];
/** The paper's Algorithm 1 and the three baselines it is compared with (the chapters on the paper use these). */
export type PaperMethodId = Extract<(typeof METHOD_REGISTRY)[number], { inPaper: true }>['id'];
export const PAPER_METHOD_IDS = METHOD_REGISTRY.filter((m) => m.inPaper).map((m) => m.id) as readonly PaperMethodId[];
/**
 * The published training-free baselines (the paper's three and RIA): every "best baseline"
 * and the swap searches' start rule read this list, so a baseline added here is never left out.
 */
export type BaselineMethodId = Extract<(typeof METHOD_REGISTRY)[number], { origin: 'baseline' }>['id'];
export const BASELINE_METHOD_IDS = METHOD_REGISTRY.filter((m) => m.origin === 'baseline').map((m) => m.id) as readonly BaselineMethodId[];

/** Methods whose mask stage already changes the kept weights (so their loss can beat every enumerated mask). */
export function updatesWeights(id: MethodId): boolean {
  return id === 'sparsegpt';
}

const BY_ID = new Map<string, MethodInfo>(METHOD_REGISTRY.map((m) => [m.id, m]));

export function isMethodId(s: string): s is MethodId {
  return BY_ID.has(s);
}

export function methodInfo(id: MethodId): MethodInfo {
  const m = BY_ID.get(id);
  if (!m) throw new Error(`unknown method ${id}`);
  return m;
}

export const methodLabel = (id: MethodId): string => methodInfo(id).label;
export const methodShort = (id: MethodId): string => methodInfo(id).short;
export const methodColour = (id: MethodId): string => methodInfo(id).colour;

/**
 * The methods the page's model widgets run by default: the paper's and the three
 * baselines. The fair fight (PAGE_FAIR_FIGHT: six runs, each a search and a refit) is one
 * preset away: on a 2-core machine it takes longer than the four together, and the chapter's widgets
 * at their defaults must stay within ~15 s of worker time in all.
 */
export const PAGE_DEFAULT_METHODS = 'gd,magnitude,wanda,sparsegpt';
/**
 * The "fair fight" preset (issue 17): SparseGPT, the linear swap search and the attention
 * swap search, each with the linear and with the attention refit, so that the objective
 * is the only difference between twins (set values in the registry's order).
 */
export const PAGE_FAIR_FIGHT = { methods: 'sparsegpt,swap,swap-linear', refits: 'linear,attention' } as const;

// ---------------------------------------------------------------------------
// Refits: a second stage after any mask method (SPEC §9). The mask is kept exactly;
// only the kept weights move.

export const REFIT_REGISTRY = [
  {
    id: 'none',
    label: 'no refit',
    short: 'no refit',
    summary: 'the method’s own weights on its support (B ∘ W; SparseGPT keeps its own update)',
    objective: 'none',
  },
  {
    id: 'linear',
    label: 'linear refit',
    short: '+ LS refit',
    summary: 'the kept weights of each output column refitted by exact least squares on ‖XW − XW′‖ (support fixed)',
    objective: 'linear',
  },
  {
    id: 'attention',
    label: 'attention refit',
    short: '+ attn refit',
    summary: 'the kept weights refitted to the attention error by Armijo gradient steps (support fixed), stopped on held-out calibration windows',
    objective: 'attention',
  },
] as const;

export type RefitId = (typeof REFIT_REGISTRY)[number]['id'];
export const REFIT_IDS: readonly RefitId[] = REFIT_REGISTRY.map((r) => r.id);

export function isRefitId(s: string): s is RefitId {
  return (REFIT_IDS as readonly string[]).includes(s);
}

export function refitInfo(id: RefitId) {
  const r = REFIT_REGISTRY.find((x) => x.id === id);
  if (!r) throw new Error(`unknown refit ${id}`);
  return r;
}

/** A mask method and a refit: how a table row or a legend names the pair ("Swap search + attention refit"). */
export function recipeLabel(method: MethodId, refit: RefitId): string {
  return refit === 'none' ? methodLabel(method) : `${methodLabel(method)} + ${refitInfo(refit).label}`;
}

/**
 * Ids retired when the refit became a stage of its own: old links and files that name
 * them still mean the same recipe.
 */
export const RETIRED_METHOD_IDS: Readonly<Record<string, { method: MethodId; refit: RefitId }>> = {
  'swap-recon': { method: 'swap', refit: 'attention' },
  'sparsegpt-recon': { method: 'sparsegpt', refit: 'attention' },
};
