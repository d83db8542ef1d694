/**
 * The command-line entry (SPEC §8): `npm run --silent cli -- <command> [options]`.
 * stdout carries only the requested output; progress and errors go to stderr;
 * bad input exits non-zero with one line, never a stack trace.
 */
import { solveCommand } from './solveCommand.ts';
import { synthCommand } from './synthCommand.ts';
import { benchCommand } from './benchCommand.ts';
import { dataCommand, evalCommand } from './modelCommands.ts';
import { generatePrunedCommand, modelPruneCommand, sweepCommand } from './pruneCommands.ts';
import { UsageError } from './args.ts';
import { DivergenceError } from '../core/gd.ts';

type Command = (argv: readonly string[]) => string | Promise<string>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  solve: { run: solveCommand, help: 'solve --problem P.json --method gd|magnitude|wanda|sparsegpt|exhaustive --sparsity p [--nm N:M] [--lambda l] [--eta e] [--iters T] [--tol t] [--clip] [--causal] [--out R.json]' },
  synth: { run: synthCommand, help: 'synth --n 64 --d 16 [--seed 1] [--scale 1] [--causal] [--out P.json]   (a Gaussian problem file)' },
  bench: { run: benchCommand, help: 'bench [--quick]   (JSON timings of the solvers)' },
  data: { run: dataCommand, help: 'data --model brown-char|induction --split train|val   (the exact text of that split)' },
  eval: { run: evalCommand, help: 'eval --model brown-char|induction [--split val|train] [--limit N]   (JSON: cross-entropy, perplexity or accuracy, tokens)' },
  generate: { run: generatePrunedCommand, help: 'generate --model brown-char|induction --prompt "..." [--tokens 200] [--seed 1] [--temperature 0.8] [--prune R.json]' },
  'model-prune': { run: modelPruneCommand, help: 'model-prune --model M --method gd|magnitude|wanda|sparsegpt --sparsity p [--mode merged|factored] [--nm 2:4] [--calib-seqs 8] [--calib-text FILE] [--eval-seqs N] [--seed s] [--lambda l --eta e --iters T] [--out R.json]' },
  sweep: { run: sweepCommand, help: 'sweep --model M [--methods gd,magnitude,wanda,sparsegpt] [--sparsities 0.3,0.5,0.7,0.9] [--mode merged|factored] [--nm 2:4] [--format json|csv]' },
};

function usage(): string {
  return ['usage: npm run --silent cli -- <command> [options]', ...Object.values(COMMANDS).map((c) => `  ${c.help}`)].join('\n');
}

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(usage() + '\n');
    return command ? 0 : 1;
  }
  const entry = COMMANDS[command];
  if (!entry) {
    process.stderr.write(`error: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 1;
  }
  try {
    const out = await entry.run(rest);
    if (out) process.stdout.write(out.endsWith('\n') ? out : out + '\n');
    return 0;
  } catch (e) {
    const err = e as Error;
    const oneLine = (err.message ?? String(e)).replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`error: ${oneLine}\n`);
    // 1: bad input; 2: the numbers failed (divergence, Cholesky); 3: a bug.
    if (err instanceof UsageError) return 1;
    if (err instanceof DivergenceError || /Cholesky|diverge|exhaustive search refused|bad N:M|sparsity|shape/i.test(err.message)) return 2;
    if (process.env.DEBUG) process.stderr.write(`${err.stack}\n`);
    return 3;
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
