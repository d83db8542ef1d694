/** The refit flags shared by solve, model-prune and sweep, and how they print what a run cost. */
import { REFIT_IDS, RETIRED_METHOD_IDS, isRefitId, type RefitId } from '../core/methods.ts';
import type { Compute } from '../core/methodRunners.ts';
import { UsageError, type ParsedArgs } from './args.ts';

function oneRefit(raw: string, flag: string): RefitId {
  const r = raw.trim();
  if (!isRefitId(r)) throw new UsageError(`${flag}: unknown refit "${r}" (expected one of ${REFIT_IDS.join(', ')})`);
  return r;
}

/** `--refit none|linear|attention` (default none). */
export function refitFlag(args: ParsedArgs): RefitId {
  const raw = args.values.get('refit');
  return raw === undefined ? 'none' : oneRefit(raw, '--refit');
}

/** `--refit none,attention` for a sweep: each method runs once per refit, in this order. */
export function refitListFlag(args: ParsedArgs): RefitId[] {
  const raw = args.values.get('refit');
  if (raw === undefined) return ['none'];
  const list = raw.split(',').map((r) => oneRefit(r, '--refit'));
  if (new Set(list).size !== list.length) throw new UsageError(`--refit: "${raw}" names a refit twice`);
  return list;
}

/** For a method id that no longer exists: what to write instead. */
export function retiredMethodHint(id: string): string {
  const r = RETIRED_METHOD_IDS[id];
  return r ? ` (it is now --method ${r.method} --refit ${r.refit})` : '';
}

/** What a run cost, as the JSON prints it. */
export function computeJson(c: Compute) {
  return {
    time_ms: Math.round(c.timeMs * 100) / 100,
    mask_evaluations: c.maskEvaluations,
    refit_evaluations: c.refitEvaluations,
    evaluations: c.maskEvaluations + c.refitEvaluations,
  };
}
