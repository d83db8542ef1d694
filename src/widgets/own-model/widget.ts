/**
 * The names of this widget, declared once: its custom element's tag and the prefix of its
 * keys in the page URL (the element's id: "own.sparsity=0.7"). It runs no job of the
 * shared solver worker: the reader's model lives in its own workers (src/worker/ownModelPool.ts).
 */
export const WIDGET = {
  tag: 'own-model',
  prefix: 'own',
  jobs: [],
} as const;

/** The demo checkpoint Run uses when no file is chosen (public/data/): a copy of test/fixtures/gpt2/tiny-f16.safetensors, random weights. */
export const DEMO_FILE = 'gpt2-demo.safetensors';
