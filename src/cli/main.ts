/**
 * The command-line entry (SPEC §8): `npm run --silent cli -- <command> [options]`.
 * stdout carries only the requested output; progress and errors go to stderr;
 * bad input exits non-zero with one line, never a stack trace.
 *
 * Each command's module is loaded only when it runs, so `solve` and every usage error
 * start without TensorFlow.js or the models.
 */
import { InputError, NumericalError } from '../core/errors.ts';
import { METHOD_IDS, MODEL_METHOD_IDS, REFIT_IDS } from '../core/methods.ts';
import { BINARISE_SCORES } from '../core/binarise.ts';
import { limitsText } from './limits.ts';

type Command = (argv: readonly string[]) => string | Promise<string>;

interface Entry {
  load: () => Promise<Command>;
  /** The command on a reader's GPT-2 (`--checkpoint F.safetensors`) rather than a shipped model. */
  checkpoint?: () => Promise<Command>;
  help: string;
}

function givesCheckpoint(argv: readonly string[]): boolean {
  return argv.some((a) => a === '--checkpoint' || a.startsWith('--checkpoint='));
}

const COMMANDS: Record<string, Entry> = {
  solve: {
    load: async () => (await import('./solveCommand.ts')).solveCommand,
    help: `solve --problem P.json --method ${METHOD_IDS.join('|')} --sparsity p [--nm N:M] [--refit ${REFIT_IDS.join('|')}] [--seed s] [--lambda l] [--eta e] [--iters T] [--step armijo|fixed] [--score ${BINARISE_SCORES.join('|')}] [--tol t] [--clip] [--causal] [--out R.json]`,
  },
  synth: {
    load: async () => (await import('./synthCommand.ts')).synthCommand,
    help: 'synth --n 64 --d 16 [--seed 1] [--scale 1] [--causal] [--out P.json]   (a Gaussian problem file)',
  },
  bench: { load: async () => (await import('./benchCommand.ts')).benchCommand, help: 'bench [--quick]   (JSON timings of the solvers)' },
  data: {
    load: async () => (await import('./modelCommands.ts')).dataCommand,
    help: 'data --model brown-char|brown-word|induction --split train|val   (the exact text of that split)',
  },
  eval: {
    load: async () => (await import('./modelCommands.ts')).evalCommand,
    checkpoint: async () => (await import('./checkpointCommands.ts')).checkpointEvalCommand,
    help: [
      'eval --model brown-char|brown-word|induction [--split val|train] [--limit N]   (JSON: cross-entropy, perplexity or accuracy, tokens)',
      '  eval --checkpoint F.safetensors [--config config.json] [--n-head H] --text T.txt [--window N]   (a GPT-2: JSON tokens, cross_entropy, perplexity)',
    ].join('\n'),
  },
  generate: {
    load: async () => (await import('./pruneCommands.ts')).generatePrunedCommand,
    checkpoint: async () => (await import('./checkpointCommands.ts')).checkpointGenerateCommand,
    help: [
      'generate --model brown-char|brown-word|induction --prompt "..." [--tokens 200] [--seed 1] [--temperature 0.8] [--prune R.json [--compare [--eval-seqs N]]]   (--compare: JSON with the dense text, first_departure, top1_agreement)',
      '  generate --checkpoint F.safetensors [--config config.json] [--n-head H] --prompt "..." [--tokens 20] [--temperature 0 (greedy)] [--seed 1] [--prune R.json (model-prune --checkpoint --out)]',
    ].join('\n'),
  },
  'model-prune': {
    load: async () => (await import('./pruneCommands.ts')).modelPruneCommand,
    checkpoint: async () => (await import('./checkpointPrune.ts')).checkpointModelPruneCommand,
    help: [
      `model-prune --model M --method ${MODEL_METHOD_IDS.join('|')} --sparsity p [--refit ${REFIT_IDS.join('|')}] [--mode merged|factored] [--nm 2:4] [--calib-seqs 8] [--calib-text FILE] [--eval-seqs N] [--seed s] [--lambda l --eta e --iters T --step armijo|fixed --score S] [--out R.json]`,
      '  model-prune --checkpoint F.safetensors [--config C.json] [--n-head H] --method M --sparsity p [--nm N:M] [--refit R] [--mode factored|merged] [--layers 0,3 | --heads 3.0,3.5 (layer.head)] --calib-text T [--calib-seqs 8] --eval-text E [--window N] [--threads N (default: every core; 1 = in the main thread)] [--save-checkpoint P.safetensors] [--out R.json]   (a GPT-2)',
    ].join('\n'),
  },
  sweep: {
    load: async () => (await import('./pruneCommands.ts')).sweepCommand,
    help: `sweep --model M [--methods ${MODEL_METHOD_IDS.join(',')}] [--refit ${REFIT_IDS.join(',')}] [--sparsities 0.3,0.5,0.7,0.9] [--mode merged|factored] [--nm 2:4] [--format json|csv]`,
  },
};

export function usage(): string {
  return ['usage: npm run --silent cli -- <command> [options]', ...Object.values(COMMANDS).map((c) => `  ${c.help}`), limitsText()].join('\n');
}

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const PROCESS_IO: Io = { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) };

/** The exit code of a failure: 1 bad input, 2 the numbers failed, 3 a bug. */
export async function exitCodeOf(e: unknown): Promise<1 | 2 | 3> {
  if (e instanceof InputError) return 1;
  if (e instanceof NumericalError) return 2;
  // Divergence is a numerical failure; gd.ts declares its own error type.
  const { DivergenceError } = await import('../core/gd.ts');
  if (e instanceof DivergenceError) return 2;
  return 3;
}

/** Run one command line; returns the exit code. */
export async function runCli(argv: readonly string[], io: Io = PROCESS_IO): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command.trim() === '') {
    // Missing (or an empty argument, `cli -- ''`): usage is the error message, on stderr.
    io.stderr(`error: no command given\n${usage()}\n`);
    return 1;
  }
  if (command === '--help' || command === 'help') {
    // Asked for: usage on stdout, success.
    io.stdout(usage() + '\n');
    return 0;
  }
  const entry = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!entry) {
    io.stderr(`error: unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})\n`);
    return 1;
  }
  try {
    const run = await (entry.checkpoint && givesCheckpoint(rest) ? entry.checkpoint : entry.load)();
    const out = await run(rest);
    if (out) io.stdout(out.endsWith('\n') ? out : out + '\n');
    return 0;
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr(`error: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
    const code = await exitCodeOf(e);
    if (code === 3 && process.env.DEBUG) io.stderr(`${err.stack}\n`);
    return code;
  }
}

const isEntry = process.argv[1] !== undefined && /src[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
