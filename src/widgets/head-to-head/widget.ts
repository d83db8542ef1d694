/**
 * The names of this widget, declared once: its custom element's tag, the prefix of its
 * keys in the page URL (the element's id: "h2h.seed=3"), and the worker jobs it runs.
 */
export const WIDGET = {
  tag: 'head-to-head',
  prefix: 'h2h',
  jobs: ['compare', 'sweep'],
} as const;
