/**
 * The names of this widget, declared once: its custom element's tag, the prefix of its
 * keys in the page URL (the element's id: "induction.seed=3"), and the worker jobs it runs.
 */
export const WIDGET = {
  tag: 'induction-heads',
  prefix: 'induction',
  jobs: ['modelPrune'],
} as const;
