/** `cli -- synth`: write a seeded Gaussian problem file for `solve`. */
import { writeFileSync } from 'node:fs';
import { toNested } from '../core/matrix.ts';
import { syntheticProblem } from '../core/synthetic.ts';
import { integerFlag, numberFlag, parseArgs } from './args.ts';

export function synthCommand(argv: readonly string[]): string {
  const args = parseArgs(argv, { values: ['n', 'd', 'seed', 'scale', 'out'], booleans: ['causal'] });
  const p = syntheticProblem({
    n: integerFlag(args, 'n', 64, 1),
    d: integerFlag(args, 'd', 16, 1),
    seed: integerFlag(args, 'seed', 1),
    scale: numberFlag(args, 'scale', 1, (v) => (v > 0 ? null : 'must be > 0')),
    causal: args.booleans.has('causal'),
  });
  const json = JSON.stringify({ X: toNested(p.X), W: toNested(p.W), causal: p.causal });
  const out = args.values.get('out');
  if (out) {
    writeFileSync(out, json + '\n');
    return '';
  }
  return json;
}
