/** `cli -- synth`: write a seeded Gaussian problem file for `solve`. */
import { toNested } from '../core/matrix.ts';
import { syntheticProblem } from '../core/synthetic.ts';
import { integerFlag, numberFlag, parseArgs } from './args.ts';
import { checkOutputPath, stringifyFinite, writeOutputFile } from './io.ts';

export function synthCommand(argv: readonly string[]): string {
  const args = parseArgs(argv, { values: ['n', 'd', 'seed', 'scale', 'out'], booleans: ['causal'] });
  // --n, --d and --scale have documented upper limits (limits.ts FLAG_MAX), checked by the flag parser.
  const spec = {
    n: integerFlag(args, 'n', 64, 1),
    d: integerFlag(args, 'd', 16, 1),
    seed: integerFlag(args, 'seed', 1),
    scale: numberFlag(args, 'scale', 1, (v) => (v > 0 ? null : 'must be > 0')),
    causal: args.booleans.has('causal'),
  };
  const out = args.values.get('out');
  if (out !== undefined) checkOutputPath(out);
  const p = syntheticProblem(spec);
  const json = stringifyFinite({ X: toNested(p.X), W: toNested(p.W), causal: p.causal });
  if (out !== undefined) {
    writeOutputFile(out, json + '\n');
    return '';
  }
  return json;
}
