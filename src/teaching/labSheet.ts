/**
 * The 90-minute lab sheet (/lab/): its timetable and the links of its tasks. Each link
 * carries every setting of the widget it opens (the full URL state, defaults included),
 * so a printed address opens exactly the problem the task describes even if a widget's
 * defaults change; a browser test opens each one and compares the widget's state with it.
 * The problems themselves come from presets.ts, shared with the exercises and the handout.
 */
import { GD_PAPER_FORM } from '../core/gd.ts';
import { MODEL_METHOD_IDS } from '../core/methods.ts';
import { switchValue } from '../ui/state.ts';
import { gdSwitch } from '../ui/gdForm.ts';
import { DIVERGENCE_PRESET, WINNER_PRESETS, presetLink, type WinnerPreset } from './presets.ts';
import { MODEL_TASK } from './modelTask.ts';
import { percent } from '../ui/format.ts';

/** One block of the session. */
export interface LabBlock {
  minutes: number;
  title: string;
  /** What the class does, in one sentence. */
  what: string;
}

export const LAB_BLOCKS: readonly LabBlock[] = [
  { minutes: 10, title: 'Start', what: 'Open the site, read the task list, and predict the answers of tasks 1 and 4 on paper.' },
  { minutes: 20, title: 'Task 1: who wins on a head?', what: 'Predict, then run the head-to-head widget on two heads and compare your prediction.' },
  { minutes: 20, title: 'Task 2: the gradient by hand', what: 'Compute a 2×2 gradient on paper; the teachers’ chapter checks it.' },
  { minutes: 15, title: 'Task 3: a step too large', what: 'Find a diverging step with the fixed rule, then watch Armijo steps survive it.' },
  {
    minutes: 15,
    title: 'Task 4: a real model',
    what: `Which method keeps the ${MODEL_TASK.model} model copying at ${percent(MODEL_TASK.sparsity, 0)} sparsity? The page checks it.`,
  },
  { minutes: 10, title: 'Hand in and discuss', what: 'Download your checked answers as one file and hand it in; discuss what surprised you.' },
];

/** The session's length, from the blocks (the sheet promises 90 minutes; a unit test holds it to that). */
export const LAB_MINUTES = LAB_BLOCKS.reduce((a, b) => a + b.minutes, 0);

/** The synthetic problem's fields (the widgets' `n, d, scale, seed, causal`), causal off. */
const problemFields = (p: { n: number; d: number; scale: number; seed: number }) => ({ n: p.n, d: p.d, scale: p.scale, seed: p.seed, causal: 0 });

/** The head-to-head widget (chapter 7) on a winner preset, every setting given: Algorithm 1 in the paper's form. */
export function labHeadToHeadLink(p: WinnerPreset): string {
  const g = GD_PAPER_FORM;
  return presetLink(
    { path: '/chapters/head-to-head/', id: 'h2h' },
    {
      ...problemFields(p),
      sparsity: p.sparsity,
      pattern: 'unstructured',
      refit: 'none',
      lambda: g.lambda,
      eta: g.eta,
      iters: g.iters,
      step: g.step,
      score: g.score,
      // The paper's form / our defaults switch the widget shows for these fields.
      gdForm: switchValue(gdSwitch(), g),
    },
  );
}

/** The convergence lab (chapter 5) on the divergence exercise's head with step η and step rule, every setting given. */
export function labConvergenceLink(eta: number, step: 'fixed' | 'armijo'): string {
  const p = DIVERGENCE_PRESET;
  return presetLink(
    { path: '/chapters/algorithm-and-convergence/', id: 'lab' },
    {
      ...problemFields(p),
      sparsity: 0.5,
      lambda: p.lambda,
      eta,
      iters: p.iters,
      step,
      score: GD_PAPER_FORM.score,
      clip: 0,
      engine: 'f64',
      gdForm: switchValue(gdSwitch(['lambda', 'eta', 'iters', 'step', 'score', 'clip']), {
        lambda: p.lambda,
        eta,
        iters: p.iters,
        step,
        score: GD_PAPER_FORM.score,
        clip: false,
      }),
    },
  );
}

/** Chapter 8's sparsity sweep on the task's model and masks, with the task's methods. */
export function labSweepLink(): string {
  const methods = MODEL_METHOD_IDS.filter((m) => MODEL_TASK.methods.includes(m));
  return presetLink(
    { path: '/chapters/pruning-a-real-transformer/', id: 'msweep' },
    // Masks alone, with our gradient-descent defaults: the settings page-sweeps.json was computed with.
    { model: MODEL_TASK.model, mode: MODEL_TASK.mode, methods: methods.join(','), refits: 'none', gdForm: 'ours' },
  );
}

/** The two heads of task 1: exercise (a)'s first two problems. */
export const LAB_HEADS: readonly WinnerPreset[] = WINNER_PRESETS.slice(0, 2);
