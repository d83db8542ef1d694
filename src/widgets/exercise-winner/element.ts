/**
 * Exercise "Predict the winner": on a fixed synthetic head the reader picks the method
 * that will give the lowest attention error; Check runs the real comparison (the
 * worker's 'compare' job: solve() for every method, with the project's default
 * gradient-descent settings) and judges the pick. Each problem's comparison is run once
 * and kept, since it is deterministic.
 */
import { ExerciseBase, InputProblem, paragraph, type CheckOutcome } from '../../ui/exercise-base.ts';
import type { Schema } from '../../ui/state.ts';
import { judgeWinner, type WinnerJudgement } from '../../teaching/answers.ts';
import { WINNER_PRESETS, describeWinnerPreset, headToHeadLink, winnerJob, type WinnerPreset } from '../../teaching/presets.ts';
import { num } from '../../ui/format.ts';
import { table } from '../../ui/table.ts';
import { methodLabel } from '../../core/methods.ts';
import { SolverClient } from '../../worker/client.ts';
import type { CompareResult } from '../../jobs/protocol.ts';
import { PAPER_METHOD_IDS } from '../../core/methods.ts';
import { WIDGET } from './widget.ts';

type PruningMethod = (typeof PAPER_METHOD_IDS)[number];

const schema = {
  problem: { kind: 'enum', label: 'Problem', default: WINNER_PRESETS[0].id, options: WINNER_PRESETS.map((p) => p.id) },
} as const satisfies Schema;

export class ExerciseWinner extends ExerciseBase<typeof schema> {
  protected readonly schema = schema;
  protected readonly legend = 'Which method gives the lowest attention error?';
  protected override readonly readyText = 'Choose a problem and a method, then press Check.';
  private client = new SolverClient();
  private results = new Map<string, Promise<CompareResult>>();
  private describe!: HTMLElement;
  private link!: HTMLAnchorElement;

  disconnectedCallback(): void {
    this.client.dispose();
  }

  private get preset(): WinnerPreset {
    return WINNER_PRESETS.find((p) => p.id === this.state.problem) ?? WINNER_PRESETS[0];
  }

  protected buildInputs(fieldset: HTMLFieldSetElement): void {
    const menu = this.problemMenu(
      WINNER_PRESETS.map((p) => ({ value: p.id, text: `${p.id}: seed ${p.seed}, scale ${p.scale}, sparsity ${p.sparsity}` })),
      () => this.showPreset(),
    );
    this.describe = document.createElement('p');
    this.describe.className = 'exercise-data';
    this.link = document.createElement('a');

    const methods = document.createElement('fieldset');
    methods.className = 'exercise-choices';
    const legend = document.createElement('legend');
    legend.textContent = 'Your prediction';
    methods.append(legend);
    for (const m of PAPER_METHOD_IDS) {
      const label = document.createElement('label');
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'method';
      radio.value = m;
      label.append(radio, ` ${methodLabel(m)}${m === 'gd' ? ' (this paper’s Algorithm 1)' : ''}`);
      methods.append(label);
    }
    fieldset.append(menu, this.describe, methods);
    this.showPreset();
  }

  private showPreset(): void {
    const p = this.preset;
    this.link.href = headToHeadLink(p);
    this.link.textContent = 'open it in the head-to-head widget';
    this.describe.replaceChildren(
      `Problem ${p.id}: ${describeWinnerPreset(p)}; every method prunes the same share of the weights (Wanda, counting per column and rounding down, may remove a few fewer). Once you have checked, `,
      this.link,
      ' to see the attention maps.',
    );
  }

  private pick(): PruningMethod {
    const checked = this.form.querySelector<HTMLInputElement>('input[name="method"]:checked');
    if (!checked) throw new InputProblem('Pick one of the four methods first: which one do you expect to keep the attention closest to the dense head?');
    return checked.value as PruningMethod;
  }

  private compare(p: WinnerPreset): Promise<CompareResult> {
    let r = this.results.get(p.id);
    if (!r) {
      r = this.client.run(winnerJob(p), (progress) => {
        if ('total' in progress) this.progress(`Running the comparison: ${progress.done} of ${progress.total} methods…`);
      });
      const entry = r;
      this.results.set(p.id, entry);
      // A failed or cancelled run is not kept.
      entry.catch(() => {
        if (this.results.get(p.id) === entry) this.results.delete(p.id);
      });
    }
    return r;
  }

  protected async check(): Promise<CheckOutcome> {
    const pick = this.pick();
    const preset = this.preset;
    const result = await this.compare(preset);
    const scores = result.outcomes.map((o) => ({ method: o.method as PruningMethod, error: o.metrics.attentionError }));
    const j = judgeWinner(pick, scores);
    return { verdict: j.verdict, headline: headline(pick, j), body: this.explain(preset, result, j) };
  }

  private explain(p: WinnerPreset, r: CompareResult, j: WinnerJudgement<PruningMethod>): Node[] {
    const byLinear = [...r.outcomes].filter((o) => Number.isFinite(o.linearError)).sort((a, b) => a.linearError - b.linearError)[0];
    const best = j.ranking[0];
    const second = j.ranking[1];
    const notes: Node[] = [];
    if (second) {
      notes.push(
        paragraph(
          `${methodLabel(best.method)}'s attention error ${num(best.error)} is ${num(second.error / best.error, 3)} times smaller than the next best (${methodLabel(second.method)}, ${num(second.error)}).`,
        ),
      );
    }
    if (byLinear) {
      const agree = j.winners.includes(byLinear.method as PruningMethod);
      notes.push(
        paragraph(
          agree
            ? `${methodLabel(byLinear.method)} also has the smallest linear error ‖X(W − W′)‖/‖XW‖ (${num(byLinear.linearError)}): on this head, keeping the linear map close was a good guide to the attention.`
            : `The smallest linear error ‖X(W − W′)‖/‖XW‖ belongs to ${methodLabel(byLinear.method)} (${num(byLinear.linearError)}), not to the winner: on this head the linear view points to the wrong mask (chapter 3 shows why).`,
        ),
      );
    }
    const sparsegpt = r.outcomes.find((o) => o.method === 'sparsegpt');
    if (sparsegpt && j.winners.includes('sparsegpt')) {
      notes.push(paragraph('SparseGPT is the only method here that also updates the weights it keeps, which lets it repair part of the damage pruning does.'));
    }
    const rows = j.ranking.map((s) => {
      const o = r.outcomes.find((x) => x.method === s.method);
      return [methodLabel(s.method), num(s.error), o ? num(o.linearError) : '', o ? String(o.pruned) : ''];
    });
    const t = table({
      caption: `Problem ${p.id} (${describeWinnerPreset(p)}), lowest attention error first.`,
      head: ['Method', 'Attention error ‖F′ − F₀‖/‖F₀‖', 'Linear error', `Pruned (of ${r.d * r.d})`],
      rows,
    });
    notes.push(t, paragraph('Explore this head further:', { href: headToHeadLink(p), text: `problem ${p.id} in the head-to-head widget (chapter 7)` }));
    return notes;
  }
}

function headline(pick: PruningMethod, j: WinnerJudgement<PruningMethod>): string {
  const names = j.winners.map((m) => methodLabel(m)).join(' and ');
  if (j.verdict === 'right') {
    return j.winners.length > 1
      ? `Right: ${methodLabel(pick)} ties for the lowest attention error with ${names}.`
      : `Right: ${methodLabel(pick)} gives the lowest attention error on this head.`;
  }
  const place = j.pickPlace ? `it comes ${ordinal(j.pickPlace)} of ${j.ranking.length}` : 'it did not produce a finite error';
  return `Not quite: ${methodLabel(pick)} is not the winner (${place}); the lowest attention error comes from ${names}.`;
}

function ordinal(k: number): string {
  return ['first', 'second', 'third', 'fourth', 'fifth'][k - 1] ?? `${k}th`;
}

customElements.define(WIDGET.tag, ExerciseWinner);
