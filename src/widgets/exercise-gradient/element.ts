/**
 * Exercise "A 2×2 gradient by hand": the reader computes ∇L(M) for a tiny problem
 * (shown above the form by the site, with a worked solution in a closed <details>)
 * and types its four entries. Check compares them with the core's closed-form gradient
 * (AttentionObjective.evaluate), entry by entry within GRADIENT_TOLERANCE, and names
 * the wrong entries and any slip it recognises, without giving the values away.
 */
import { ExerciseBase, InputProblem, paragraph, type CheckOutcome } from '../../ui/exercise-base.ts';
import type { Schema } from '../../ui/state.ts';
import { judgeMatrix, parseReaderNumber, type MatrixJudgement } from '../../teaching/answers.ts';
import { GRADIENT_PROBLEMS, GRADIENT_TOLERANCE, gradientCheckLink, type GradientProblem } from '../../teaching/presets.ts';
import { closedFormGradient } from '../../teaching/gradientSolution.ts';
import { WIDGET } from './widget.ts';

const schema = {
  problem: { kind: 'enum', label: 'Problem', default: GRADIENT_PROBLEMS[0].id, options: GRADIENT_PROBLEMS.map((p) => p.id) },
} as const satisfies Schema;

/** "(1, 2)": the mathematician's 1-based row and column. */
const entryName = (row: number, col: number): string => `(${row + 1}, ${col + 1})`;

export class ExerciseGradient extends ExerciseBase<typeof schema> {
  protected readonly schema = schema;
  protected readonly legend = 'Your gradient ∇L(M), entry by entry';
  protected override readonly readyText = `Enter the four entries of ∇L(M) (to within ${GRADIENT_TOLERANCE}), then press Check.`;
  private inputs: HTMLInputElement[] = [];

  private get problem(): GradientProblem {
    return GRADIENT_PROBLEMS.find((p) => p.id === this.state.problem) ?? GRADIENT_PROBLEMS[0];
  }

  protected buildInputs(fieldset: HTMLFieldSetElement): void {
    if (GRADIENT_PROBLEMS.length > 1) {
      const menu = this.problemMenu(
        GRADIENT_PROBLEMS.map((p) => ({ value: p.id, text: `Problem ${p.id}` })),
        () => {
          this.showProblem();
          for (const input of this.inputs) {
            input.value = '';
            input.removeAttribute('aria-invalid');
          }
        },
      );
      // Above the statements it switches between, outside the answer's form.
      menu.classList.add('exercise-problem-menu');
      this.prepend(menu);
    }
    const d = this.problem.W.length;
    const grid = document.createElement('div');
    grid.className = 'exercise-matrix-inputs';
    grid.style.setProperty('--cols', String(d));
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const input = document.createElement('input');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.autocomplete = 'off';
        input.spellcheck = false;
        input.id = `${this.id}-g${i + 1}${j + 1}`;
        input.name = `g${i + 1}${j + 1}`;
        input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
        this.inputs.push(input);
        grid.append(this.field(`entry ${entryName(i, j)}`, input));
      }
    }
    const mark = document.createElement('p');
    mark.className = 'exercise-hint';
    mark.textContent = 'Each entry is a number with a point as the decimal mark: −0.125, 0.5 or 1.5e-2 (a comma is refused).';
    fieldset.append(grid, mark);
    this.showProblem();
  }

  /** Show the chosen problem's statement and worked solution (rendered by the site). */
  private showProblem(): void {
    for (const el of this.querySelectorAll<HTMLElement>('[data-variant]')) el.hidden = el.dataset.variant !== this.problem.id;
  }

  private answer(): number[] {
    const values: number[] = [];
    const bad: string[] = [];
    const d = this.problem.W.length;
    this.inputs.forEach((input, k) => {
      const r = parseReaderNumber(input.value);
      if (r.ok) {
        values.push(r.value);
        input.removeAttribute('aria-invalid');
      } else {
        bad.push(`Entry ${entryName(Math.floor(k / d), k % d)} ${r.why}.`);
        input.setAttribute('aria-invalid', 'true');
      }
    });
    if (bad.length) throw new InputProblem(bad.join(' '));
    return values;
  }

  protected async check(): Promise<CheckOutcome> {
    const given = this.answer();
    const p = this.problem;
    const { gradient, withoutRegulariser } = closedFormGradient(p);
    const j = judgeMatrix(given, gradient, p.W.length, GRADIENT_TOLERANCE, withoutRegulariser);
    return { verdict: j.allRight ? 'right' : 'wrong', headline: headline(j), body: explain(p, j) };
  }
}

function headline(j: MatrixJudgement): string {
  if (j.allRight) return `Right: all ${j.entries.length} entries agree with the closed-form gradient to within ${GRADIENT_TOLERANCE}.`;
  const wrong = j.entries.filter((e) => !e.ok).map((e) => entryName(e.row, e.col));
  const list = wrong.length === 1 ? `entry ${wrong[0]} is` : `entries ${wrong.slice(0, -1).join(', ')} and ${wrong.at(-1)} are`;
  return `Not quite: ${list} off by more than ${GRADIENT_TOLERANCE}.`;
}

function explain(p: GradientProblem, j: MatrixJudgement): Node[] {
  const out: Node[] = [];
  if (j.allRight) {
    out.push(paragraph('The check computed ∇L(M) = W ∘ (Xᵀ P X) + λM with the same code the solvers run (AttentionObjective in src/core/objective.ts).'));
  } else {
    const list = document.createElement('ul');
    for (const e of j.entries.filter((x) => !x.ok)) {
      const li = document.createElement('li');
      li.textContent = `Entry ${entryName(e.row, e.col)}: ${e.direction}${e.hint ? `; ${e.hint}` : ''}.`;
      list.append(li);
    }
    out.push(list);
    if (j.overall) out.push(paragraph(j.overall));
    const right = j.entries.filter((e) => e.ok).length;
    out.push(
      paragraph(
        `${right} of ${j.entries.length} entries are right. The worked solution below shows every intermediate matrix, if you want to compare step by step.`,
      ),
    );
  }
  out.push(
    paragraph('The same formula, checked against finite differences on a random problem of this size:', {
      href: gradientCheckLink(p),
      text: 'the gradient check (chapter 4)',
    }),
  );
  return out;
}

customElements.define(WIDGET.tag, ExerciseGradient);
