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
  | 'reference';

/** Where a method comes from: the paper, a published baseline, or this project. */
export type MethodOrigin = 'paper' | 'baseline' | 'ours';

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
      'starts from the best linear mask and swaps a kept and a pruned entry where ∂L/∂B suggests, keeping a swap only if the exact attention error falls',
  },
  {
    id: 'swap-recon',
    family: 'attention',
    origin: 'ours',
    label: 'Swap search + reconstruction',
    short: 'Swap + refit',
    colour: '#c2255c',
    options: ['budget'],
    model: true,
    summary: 'the swap search’s mask, then the kept weights refitted to the attention error (support fixed, stopped on held-out windows)',
  },
  {
    id: 'sparsegpt-recon',
    family: 'attention',
    origin: 'ours',
    label: 'SparseGPT + reconstruction',
    short: 'SparseGPT + refit',
    colour: '#5f3dc4',
    options: ['budget'],
    model: true,
    summary: 'SparseGPT’s mask and weights, then the kept weights refitted to the attention error (support fixed, stopped on held-out windows)',
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
export type PaperMethodId = Extract<(typeof METHOD_REGISTRY)[number], { origin: 'paper' | 'baseline' }>['id'];
export const PAPER_METHOD_IDS = METHOD_REGISTRY.filter((m) => m.origin !== 'ours').map((m) => m.id) as readonly PaperMethodId[];

/** Methods that change the kept weights (so their loss can beat every enumerated mask). */
export function updatesWeights(id: MethodId): boolean {
  return id === 'sparsegpt' || id === 'swap-recon' || id === 'sparsegpt-recon';
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
 * baselines. Our best (swap search + reconstruction) is one preset away: on a 2-core
 * machine it alone takes as long as the four together, and the chapter's widgets at
 * their defaults must stay within ~15 s of worker time in all.
 */
export const PAGE_DEFAULT_METHODS = 'gd,magnitude,wanda,sparsegpt';
/** The defaults and our best method, for the model widgets' preset. */
export const PAGE_METHODS_WITH_OURS = `${PAGE_DEFAULT_METHODS},swap-recon`;
