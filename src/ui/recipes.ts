/**
 * How the page shows a recipe (a mask method, then a refit) and carries it in a link.
 * One colour per METHOD everywhere (the registry's); the refit is told apart by the
 * line's dash and the point's symbol in charts, and by a suffix in tables and legends
 * ("Swap search + attention refit", recipeLabel). No refit: a solid line and a circle.
 */
import {
  MODEL_METHOD_IDS,
  PAGE_DEFAULT_METHODS,
  PAGE_FAIR_FIGHT,
  REFIT_IDS,
  RETIRED_METHOD_IDS,
  methodColour,
  recipeLabel,
  refitInfo,
  type MethodId,
  type RefitId,
} from '../core/methods.ts';
import { setItems, setValue } from './state.ts';
import { count } from './format.ts';
import type { Compute } from '../core/methodRunners.ts';

/** Line dash (SVG stroke-dasharray; undefined = solid) and point symbol per refit. */
export const REFIT_STYLE: Readonly<Record<RefitId, { dash: string | undefined; symbol: 'circle' | 'square' | 'triangle' }>> = {
  none: { dash: undefined, symbol: 'circle' },
  linear: { dash: '6,3', symbol: 'square' },
  attention: { dash: '2,2', symbol: 'triangle' },
};

/** A recipe's key in data attributes and CSV ("swap", "swap+attention"): the method alone without refit. */
export function recipeKey(method: MethodId, refit: RefitId): string {
  return refit === 'none' ? method : `${method}+${refit}`;
}

/** A recipe's colour: its method's, whatever the refit. */
export const recipeColour = (method: MethodId, _refit: RefitId): string => methodColour(method);

/** The refit control of the model widgets: a set of refits, each chosen method runs with each. */
export const REFITS_FIELD = {
  kind: 'set',
  label: 'refits',
  default: 'none',
  options: REFIT_IDS,
} as const;

export const REFITS_HELP = `Each chosen method runs once with each ticked refit. ${REFIT_IDS.map((r) => `${r}: ${refitInfo(r).summary}`).join('. ')}.`;

/**
 * An old link's retired method ids (`swap-recon`, `sparsegpt-recon`) as the recipe they
 * always were: the method, with the attention refit added to the link's refits (the
 * methods it also names then run with both). Rewrites `params` in place; returns a note
 * for the reader, or nothing when the link names no retired id.
 */
export function upgradeRetiredMethods(params: URLSearchParams, prefix: string): string[] {
  const methodsKey = `${prefix}.methods`;
  const raw = params.get(methodsKey);
  if (raw === null) return [];
  const picked = setItems(raw);
  const retired = picked.filter((m) => m in RETIRED_METHOD_IDS);
  if (retired.length === 0) return [];
  const kept = picked.filter((m) => !(m in RETIRED_METHOD_IDS));
  const upgraded = retired.map((m) => RETIRED_METHOD_IDS[m]);
  const methods = setValue(MODEL_METHOD_IDS, [...kept, ...upgraded.map((u) => u.method)]);
  const refitsKey = `${prefix}.refits`;
  const given = params.get(refitsKey);
  // With other methods beside the retired ones, they keep the link's refits (none by default).
  const base = kept.length ? setItems(given ?? 'none') : setItems(given ?? '');
  const refits = setValue(REFIT_IDS, [...base, ...upgraded.map((u) => u.refit)]);
  params.set(methodsKey, methods);
  params.set(refitsKey, refits);
  const words = retired.map((m) => `“${m}” is now ${recipeLabel(RETIRED_METHOD_IDS[m].method, RETIRED_METHOD_IDS[m].refit)}`).join('; ');
  return [
    `This link names a retired method id: ${words}. It opens with methods ${methods.split(',').join(', ')} and refits ${refits.split(',').join(', ')}${kept.length ? ' (each method runs with each refit)' : ''}.`,
  ];
}

/** A run's exact objective evaluations for a table: the mask stage's, plus the refit's when it made any ("1,234 (1,000 + 234 refit)"). */
export function evaluationsText(c: Compute | undefined): string {
  if (!c) return '—';
  const total = count(c.maskEvaluations + c.refitEvaluations);
  return c.refitEvaluations > 0 ? `${total} (${count(c.maskEvaluations)} + ${count(c.refitEvaluations)} refit)` : total;
}

/**
 * The model widgets' two presets: the defaults (the paper's four, no refit) and the fair
 * fight (SparseGPT and both swap searches, each with the linear and the attention refit);
 * `look` says what to look for in that widget.
 */
export function methodPresets(look: string): { label: string; state: { methods: string; refits: string }; note?: string }[] {
  return [
    { label: 'the defaults', state: { methods: PAGE_DEFAULT_METHODS, refits: 'none' } },
    {
      label: 'fair fight',
      state: { ...PAGE_FAIR_FIGHT },
      note: `SparseGPT, the linear swap search and the attention swap search, each with the linear and with the attention refit: twins differ only in the objective. ${look}`,
    },
  ];
}
