/**
 * What the "For teachers" chapter, the handout and the embed pages know beyond the
 * chapters themselves: a course plan (lessons that group chapters, with class time and
 * an activity), what each widget demonstrates, and BibTeX built from
 * content/references.json. Chapters are looked up by slug at build time, so a lesson
 * that names a chapter not written yet shows it as "in preparation" instead of a
 * broken link, and a chapter no lesson names still appears in the plan.
 */
import type { Reference } from './plugins/references.ts';

export interface Lesson {
  title: string;
  /** Suggested class time in minutes (the reading is extra; the plan shows it per chapter). */
  minutes: number;
  /** Chapter slugs (file names in content/). */
  chapters: string[];
  /** What to do in class. */
  activity: string;
}

export const LESSONS: readonly Lesson[] = [
  {
    title: 'Sparsity, and the linear view of pruning',
    minutes: 60,
    chapters: ['why-prune-attention', 'linear-view'],
    activity:
      'Draw unstructured and 2:4 sparsity on the board and ask which one a GPU can use. Then derive the three linear methods from one objective: magnitude ignores the data, Wanda keeps the diagonal of XᵀX, SparseGPT uses all of it.',
  },
  {
    title: 'Where the linear view breaks',
    minutes: 45,
    chapters: ['where-linear-breaks'],
    activity:
      'Work the chapter’s three-token example by hand, then run its widget at weight scale 1 and at 6 and ask the class why the cloud of random masks changes shape.',
  },
  {
    title: 'The attention objective and its gradient',
    minutes: 60,
    chapters: ['attention-objective'],
    activity:
      'Derive ∇L together in five steps, then let pairs do exercise (b) below. Close with the gradient check: why does the error grow again when h gets very small?',
  },
  {
    title: 'Algorithm 1 and step sizes',
    minutes: 45,
    chapters: ['algorithm-and-convergence'],
    activity:
      'Exercise (c) as a race: who finds a diverging step first, and how far above the smoothness bound 1/β is it? Then discuss why a safe bound can be this loose.',
  },
  {
    title: 'How good are the masks?',
    minutes: 60,
    chapters: ['near-optimal', 'head-to-head'],
    activity:
      'Collect the class’s predictions for exercise (a) before anyone presses Check, then run the head-to-head widget on each problem and look for the pattern in who wins.',
  },
  {
    title: 'Real transformers and the paper’s claim',
    minutes: 60,
    chapters: ['pruning-a-real-transformer', 'reproducing-the-paper'],
    activity:
      'Prune the project’s small models in the browser, compare perplexity against attention error per head, and read the paper’s result next to ours: where do they agree, and why might they not?',
  },
];

export interface WidgetInfo {
  name: string;
  /** What the widget lets a class see, in one or two sentences. */
  shows: string;
  /** A height for its iframe, in CSS pixels. */
  embedHeight: number;
}

export const WIDGET_GUIDE: Readonly<Record<string, WidgetInfo>> = {
  'linear-vs-attention': {
    name: 'Linear error against attention error',
    shows:
      'Each method’s mask and masks a few swaps away from it, placed by linear error and by attention error, with the rank correlation: where good masks are ordered differently by the two errors, the linear view is the wrong guide.',
    embedHeight: 1800,
  },
  'gradient-check': {
    name: 'Gradient check',
    shows:
      'The closed-form gradient against central finite differences on a problem you choose, and how the difference depends on the step h (truncation against round-off).',
    embedHeight: 2100,
  },
  'convergence-lab': {
    name: 'Convergence lab',
    shows:
      'Algorithm 1 running live: the loss curve and, with Play or the scrubber, the relaxed mask, the rounded mask, F′ and |F′ − F₀| at every iteration on fixed colour scales. Too large a step is drawn until it diverges, with the bound 1/β; λ = 0 shows the stationary point.',
    embedHeight: 3100,
  },
  exhaustive: {
    name: 'Exhaustive search',
    shows:
      'Every mask of a 4×4 weight: the distribution of their attention losses, where each method’s mask ranks, and SparseGPT beating the best mask by updating weights.',
    embedHeight: 1800,
  },
  'head-to-head': {
    name: 'Head to head',
    shows:
      'Every method on the same synthetic head at any sparsity or N:M pattern, drawn as each finishes: F′ and |F′ − F₀| per method on shared square-root scales, and a sweep over sparsities.',
    embedHeight: 7100,
  },
  'model-pruner': {
    name: 'Model pruner',
    shows: 'Every attention head of one of the project’s small transformers pruned in the browser, with the dense and pruned perplexity (or copying accuracy).',
    embedHeight: 1100,
  },
  'generated-text': {
    name: 'Generated text',
    shows:
      'One prompt continued by the dense word model (brown-word; the character model is one field away) and by the model pruned with each method, greedily (or sampled with the same random draws), side by side: where each pruned text first departs from the dense one, its top-1 agreement with the dense model and its perplexity.',
    embedHeight: 1300,
  },
  'model-sweep': {
    name: 'Sparsity sweep on the model',
    shows:
      'Perplexity (or copying accuracy) against sparsity for every method, with the dense model as a reference line; it opens on the sweep the command line computed, and a rerun in the browser checks it cell by cell.',
    embedHeight: 1200,
  },
  'induction-heads': {
    name: 'Induction heads under pruning',
    shows:
      'The attention of the heads that copy a repeated segment, dense and after each method, with the positions they should attend to marked: which method keeps the induction heads working, and the copying accuracy that follows.',
    embedHeight: 1300,
  },
  'own-model': {
    name: 'Your own model',
    shows:
      'A GPT-2 checkpoint the reader brings (model.safetensors, read on their device only): its summary, dense perplexity, chosen layers pruned by every method and refit, perplexity and top-1 agreement, one head’s attention, greedy text side by side, and the pruned checkpoint to download.',
    embedHeight: 2400,
  },
  'exercise-winner': {
    name: 'Exercise: predict the winner',
    shows: 'Students predict which method keeps the attention closest on a fixed head; the check runs the real comparison.',
    embedHeight: 800,
  },
  'exercise-gradient': {
    name: 'Exercise: a 2×2 gradient by hand',
    shows: 'Students compute ∇L(M) for a tiny problem; the check compares each entry with the project’s closed-form gradient.',
    embedHeight: 800,
  },
  'exercise-divergence': {
    name: 'Exercise: find a diverging step',
    shows: 'Students look for a step size that makes gradient descent diverge; the check runs it and locates the true threshold.',
    embedHeight: 800,
  },
};

/** A widget's display name: from the guide, else its id in words ("model-pruner" → "Model pruner"). */
export function widgetName(id: string): string {
  const known = WIDGET_GUIDE[id]?.name;
  if (known) return known;
  const words = id.replace(/-/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Yingyu Liang" → "Liang, Yingyu"; "et al." → "others" (BibTeX's own spelling). */
function bibtexName(name: string): string {
  if (name === 'et al.') return 'others';
  const parts = name.trim().split(/\s+/);
  if (parts.length < 2) return name;
  return `${parts[parts.length - 1]}, ${parts.slice(0, -1).join(' ')}`;
}

/** Escape the characters BibTeX and LaTeX treat specially in a field value. */
function bibtexValue(s: string): string {
  return s.replace(/[&%$#_]/g, (c) => `\\${c}`);
}

function bibtexEntry(type: string, key: string, fields: [string, string | undefined][]): string {
  const present = fields.filter((f): f is [string, string] => f[1] !== undefined);
  const width = Math.max(...present.map(([k]) => k.length));
  const lines = present.map(([k, v]) => `  ${k.padEnd(width)} = {${v}}`);
  return `@${type}{${key},\n${lines.join(',\n')}\n}`;
}

/** A BibTeX entry for a reference of content/references.json. */
export function bibtex(key: string, ref: Reference): string {
  const atConference = /conference|proceedings|advances in neural|workshop/i.test(ref.venue);
  return bibtexEntry(atConference ? 'inproceedings' : 'misc', key, [
    ['title', `{${bibtexValue(ref.title)}}`],
    ['author', ref.authors.map(bibtexName).join(' and ')],
    [atConference ? 'booktitle' : 'howpublished', bibtexValue(ref.venue)],
    ['year', String(ref.year)],
    ['eprint', ref.arxiv],
    ['archiveprefix', ref.arxiv ? 'arXiv' : undefined],
    ['note', ref.note ? bibtexValue(ref.note) : undefined],
  ]);
}

/** A BibTeX entry for this site, at the address it is read from, dated by the build. */
export function siteBibtex(url: string, built: Date): string {
  const day = built.toISOString().slice(0, 10);
  return bibtexEntry('misc', 'pruningattention', [
    ['title', '{Pruning attention, beyond linear approximations}: an interactive explainer'],
    ['howpublished', `\\url{${url}}`],
    ['year', String(built.getUTCFullYear())],
    ['note', `Interactive explainer of Liang et al., ICLR 2025 (arXiv:2410.11261); version built ${day}`],
  ]);
}
