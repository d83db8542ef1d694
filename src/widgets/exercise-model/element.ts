/**
 * Exercise "Keep the copying accuracy" (the lab sheet's task on a real model): the
 * project's induction transformer with every head pruned to 90 % (merged masks). The
 * reader picks the method that keeps the copying accuracy at or above 90 %, or "none";
 * Check reads public/data/page-sweeps.json (the sweep the CLI computed, which chapter 8's
 * sweep widget opens on) and judges with src/teaching/modelTask.ts.
 */
import { ExerciseBase, InputProblem, paragraph, type CheckOutcome } from '../../ui/exercise-base.ts';
import type { Schema } from '../../ui/state.ts';
import { MODEL_TASK, NONE, judgeModelTask, modelTaskAnswer, type ModelTaskAnswer, type SweepFileLike } from '../../teaching/modelTask.ts';
import { isMethodId, methodLabel } from '../../core/methods.ts';
import { percent } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { withBase } from '../../site/base.ts';
import { WIDGET } from './widget.ts';

const DATA_URL = withBase('/data/page-sweeps.json');
const schema = {} as const satisfies Schema;

export class ExerciseModel extends ExerciseBase<typeof schema> {
  protected readonly schema = schema;
  protected readonly legend = `Which method keeps the copying accuracy at or above ${percent(MODEL_TASK.threshold, 0)}?`;
  protected override readonly readyText = 'Pick a method (or none), then press Check.';
  private answer: ModelTaskAnswer | undefined;
  private choices!: HTMLFieldSetElement;

  protected buildInputs(fieldset: HTMLFieldSetElement): void {
    this.choices = document.createElement('fieldset');
    this.choices.className = 'exercise-choices';
    const legend = document.createElement('legend');
    legend.textContent = `Your answer (${MODEL_TASK.model} model, ${percent(MODEL_TASK.sparsity, 0)} sparsity, ${MODEL_TASK.mode} masks)`;
    this.choices.append(legend);
    for (const m of [...MODEL_TASK.methods, NONE]) {
      const label = document.createElement('label');
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'method';
      radio.value = m;
      label.append(radio, ` ${m === NONE ? 'none of them' : isMethodId(m) ? methodLabel(m) : m}`);
      this.choices.append(label);
    }
    fieldset.append(this.choices);
  }

  protected override async prepare(): Promise<void> {
    const response = await fetch(DATA_URL);
    if (!response.ok) throw new Error(`the precomputed sweep did not load (HTTP ${response.status})`);
    this.answer = modelTaskAnswer((await response.json()) as SweepFileLike);
    // Offer only the methods the file has.
    const offered = new Set([...this.answer.ranking.map((r) => r.method), NONE]);
    for (const radio of this.choices.querySelectorAll<HTMLInputElement>('input[name="method"]')) {
      if (!offered.has(radio.value)) radio.closest('label')?.remove();
    }
  }

  protected async check(): Promise<CheckOutcome> {
    const answer = this.answer;
    if (!answer) throw new Error('the sweep is not loaded yet');
    const picked = this.form.querySelector<HTMLInputElement>('input[name="method"]:checked');
    if (!picked) throw new InputProblem('Pick a method, or “none of them”, first.');
    const verdict = judgeModelTask(picked.value, answer);
    const name = (m: string): string => (m === NONE ? 'none of them' : (answer.ranking.find((r) => r.method === m)?.label ?? m));
    const right = answer.right.map(name).join(' and ');
    const headline =
      verdict === 'right'
        ? `Right: ${right === 'none of them' ? `no method keeps ${percent(MODEL_TASK.threshold, 0)}` : `${right} keeps the most accuracy, at least ${percent(MODEL_TASK.threshold, 0)}`}.`
        : `Not quite: the answer is ${right}.`;
    const rows = answer.ranking.map((r) => [r.label, percent(r.accuracy), r.accuracy >= MODEL_TASK.threshold ? 'yes' : 'no']);
    return {
      verdict,
      headline,
      body: [
        table({
          caption: `Copying accuracy of the ${MODEL_TASK.model} model at ${percent(MODEL_TASK.sparsity, 0)} sparsity, ${MODEL_TASK.mode} masks (dense: ${percent(answer.dense)}), highest first.`,
          head: ['Method', 'Accuracy', `≥ ${percent(MODEL_TASK.threshold, 0)}?`],
          rows,
        }),
        commandLine(answer.command),
      ],
    };
  }
}

/** Where the numbers come from, with the command that recomputes them (the file's own, shown as code). */
function commandLine(command: string): HTMLElement {
  const p = paragraph('These are the numbers of the precomputed sweep that chapter 8’s sweep widget opens on; the command line recomputes them with ');
  const code = document.createElement('code');
  code.textContent = command;
  p.append(code, '.');
  return p;
}

customElements.define(WIDGET.tag, ExerciseModel);
