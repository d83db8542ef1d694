/**
 * The browser side of the answer log (src/teaching/answerLog.ts): where the records live
 * (localStorage, when the browser allows it), the event an exercise sends after storing
 * one, and the export panel of the teachers' chapter and the lab sheet: a count, and
 * buttons that download every checked answer as one JSON or CSV file, or forget them.
 * Everything stays in the browser: a student sends the file to the teacher.
 */
import { type AnswerRecord, answersCsv, answersJson, clearAnswers, readAnswers, recordAnswer } from '../teaching/answerLog.ts';

/** Sent on document after an answer is stored, so an export panel on the page can update its count. */
export const ANSWER_RECORDED_EVENT = 'answer-recorded';

/** localStorage, or undefined where reading it throws (storage disabled, a sandboxed frame). */
export function browserStore(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    return undefined;
  }
}

/** Store one checked answer; returns false when this browser keeps nothing. */
export function logAnswer(record: AnswerRecord): boolean {
  const store = browserStore();
  const stored = store ? recordAnswer(store, record) : false;
  document.dispatchEvent(new CustomEvent(ANSWER_RECORDED_EVENT));
  return stored;
}

function download(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Wire one export panel (see AnswerExport.astro): its count line and its three buttons. */
function wirePanel(panel: HTMLElement): void {
  const count = panel.querySelector<HTMLElement>('[data-answer-count]');
  const buttons = [...panel.querySelectorAll<HTMLButtonElement>('button[data-export]')];
  const refresh = (): void => {
    const store = browserStore();
    const n = store ? readAnswers(store).length : 0;
    if (count) {
      count.textContent = !store
        ? 'This browser does not let the page store anything, so no answers are kept here.'
        : n === 0
          ? 'No answers checked in this browser yet.'
          : `${n} checked answer${n === 1 ? '' : 's'} stored in this browser.`;
    }
    for (const b of buttons) b.disabled = n === 0;
  };
  for (const b of buttons) {
    b.addEventListener('click', () => {
      const store = browserStore();
      if (!store) return;
      const stamp = new Date().toISOString();
      const day = stamp.slice(0, 10);
      if (b.dataset.export === 'json') download(`pruning-attention-answers-${day}.json`, 'application/json', answersJson(readAnswers(store), stamp));
      else if (b.dataset.export === 'csv') download(`pruning-attention-answers-${day}.csv`, 'text/csv', answersCsv(readAnswers(store)));
      else if (b.dataset.export === 'clear' && window.confirm('Forget every answer stored in this browser?')) clearAnswers(store);
      refresh();
    });
  }
  document.addEventListener(ANSWER_RECORDED_EVENT, refresh);
  window.addEventListener('storage', refresh);
  panel.hidden = false;
  refresh();
}

for (const panel of document.querySelectorAll<HTMLElement>('[data-answer-export]')) wirePanel(panel);
