/**
 * The names of this widget, declared once: its custom element's tag and the prefix of its
 * keys in the page URL. It runs no worker job: it reads the precomputed sweep.
 */
export const WIDGET = {
  tag: 'exercise-model',
  prefix: 'ex-model',
  jobs: [],
} as const;
