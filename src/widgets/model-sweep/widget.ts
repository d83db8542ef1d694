/**
 * The names of this widget, declared once: its custom element's tag, the prefix of its
 * keys in the page URL (the element's id: "msweep.seed=3"), and the worker jobs it runs.
 */
export const WIDGET = {
  tag: 'model-sweep',
  prefix: 'msweep',
  jobs: ['modelSweep'],
} as const;
