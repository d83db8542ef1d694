/**
 * Chapter 3's cloud, in numbers: the masks near each method's mask on many heads and at
 * several weight scales, with the widget's own defaults (n = 32, d = 8, sparsity 0.5,
 * 40 neighbours per method). The prose quotes these numbers and nothing else; each
 * qualitative sentence is a claim() the build checks.
 *
 *   npx tsx src/site/numbers/nearCloud.ts
 */
import { syntheticProblem } from '../../core/synthetic.ts';
import { solve } from '../../core/solve.ts';
import { PRUNING_METHOD_IDS, methodInfo, methodLabel, updatesWeights } from '../../core/methods.ts';
import { maskPruneLowestGlobal, applyMask, prunedCount } from '../../core/mask.ts';
import { linearError } from '../../core/linear.ts';
import { compareAttention } from '../../core/attention.ts';
import { zeros } from '../../core/matrix.ts';
import { gaussian, mulberry32 } from '../../core/random.ts';
import { agreement, cloudCentres, MAX_SWAPS, nearCloud } from '../../jobs/nearCloud.ts';
import { claimsFor } from './claims.ts';

const claim = claimsFor('src/site/numbers/nearCloud.ts');

/** The widget's defaults: the figure opens on the first of these heads at the middle scale. */
export const CLOUD_SPEC = { n: 32, d: 8, sparsity: 0.5, perMethod: 40, random: 100 } as const;
export const CLOUD_SCALES = [1, 2, 3] as const;
export const CLOUD_SEEDS = 10;

const sortedMedian = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

/** One head: the methods, their neighbours, and random masks (as the widget's job computes them). */
export function cloudOfHead(scale: number, seed: number) {
  const { n, d, sparsity, perMethod } = CLOUD_SPEC;
  const problem = syntheticProblem({ n, d, seed, scale });
  // The methods, not chance: the random masks are drawn below (the registry's 'random' is one of them).
  const methods = PRUNING_METHOD_IDS.filter((m) => methodInfo(m).family !== 'chance').map((method) => {
    const r = solve(problem, method, { sparsity, granularity: { kind: 'unstructured' } });
    return { method, mask: r.mask.data, linear: linearError(problem.X, problem.W, r.wPruned), attention: r.metrics.attentionError };
  });
  const near = nearCloud(problem, cloudCentres(methods), { perMethod, seed });
  // Random masks, drawn as the scatter job draws them.
  const normal = gaussian(mulberry32(seed));
  const scores = zeros(d, d);
  const random: { linear: number; attention: number }[] = [];
  for (let s = 0; s < CLOUD_SPEC.random; s++) {
    for (let i = 0; i < scores.data.length; i++) scores.data[i] = normal();
    const w = applyMask(maskPruneLowestGlobal(scores, prunedCount(d, sparsity)), problem.W);
    random.push({ linear: linearError(problem.X, problem.W, w), attention: compareAttention(problem, w).attentionError });
  }
  const a = agreement(
    near.map((p) => p.linear),
    near.map((p) => p.attention),
  );
  const worstMethod = Math.max(...methods.map((m) => m.attention));
  return {
    spearman: a.spearman,
    discordant: a.discordant,
    disagreeShare: near.filter((p) => p.disagrees).length / near.length,
    randomSpearman: agreement(
      random.map((p) => p.linear),
      random.map((p) => p.attention),
    ).spearman,
    randomBelowWorstMethod: random.filter((p) => p.attention < worstMethod).length,
  };
}

export function cloudStudy() {
  const byScale = CLOUD_SCALES.map((scale) => {
    const heads = Array.from({ length: CLOUD_SEEDS }, (_, i) => cloudOfHead(scale, i + 1));
    const sp = heads.map((h) => h.spearman);
    return {
      scale,
      spearmanMedian: sortedMedian(sp),
      spearmanMin: Math.min(...sp),
      spearmanMax: Math.max(...sp),
      discordantMedian: sortedMedian(heads.map((h) => h.discordant)),
      disagreeMedian: sortedMedian(heads.map((h) => h.disagreeShare)),
      randomSpearmanMedian: sortedMedian(heads.map((h) => h.randomSpearman)),
      randomBelowWorst: heads.reduce((s, h) => s + h.randomBelowWorstMethod, 0),
    };
  });
  const [low, mid, high] = byScale;
  claim(
    byScale.every((s) => s.randomBelowWorst === 0),
    'no random mask has a smaller attention error than the worst method, at any scale',
  );
  claim(
    byScale.every((s) => s.spearmanMedian > 0.4 && s.spearmanMedian < 0.85),
    'near the methods the two errors are related but far from interchangeable (median rank correlation between 0.4 and 0.85)',
  );
  claim(mid.discordantMedian > 0.25, 'at the middle scale the two errors order more than one pair of masks in four oppositely');
  claim(low.spearmanMedian > high.spearmanMedian, 'the median rank correlation is lower at the largest scale than at the smallest');
  claim(
    low.spearmanMedian - high.spearmanMedian < high.spearmanMax - high.spearmanMin,
    'the weight scale moves the median less than the heads differ at one scale',
  );
  return {
    ...CLOUD_SPEC,
    seeds: CLOUD_SEEDS,
    maxSwaps: MAX_SWAPS,
    methods: PRUNING_METHOD_IDS.length,
    centres: PRUNING_METHOD_IDS.filter((m) => !updatesWeights(m)).map((m) => methodLabel(m)),
    byScale,
    low,
    mid,
    high,
  };
}

const isMain = typeof process !== 'undefined' && process.argv[1] !== undefined && /nearCloud\.ts$/.test(process.argv[1]);
if (isMain) process.stdout.write(`${JSON.stringify(cloudStudy(), null, 2)}\n`);
