/**
 * The names of this widget, declared once: its custom element's tag, the prefix of its
 * keys in the page URL (the element's id: "exhaustive.seed=3"), and the worker jobs it runs.
 */
export const WIDGET = {
  tag: 'exhaustive-search',
  prefix: 'exhaustive',
  jobs: ['exhaustive'],
} as const;
