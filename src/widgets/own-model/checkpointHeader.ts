/**
 * The reader's files, checked on the main thread from the safetensors header alone (a few
 * kilobytes read with Blob.slice): every rule of the loader that needs no tensor data (the
 * header, offsets, dtypes, every tensor GPT-2 needs and its shape, config.json, n_head), so a
 * bad file is explained at once, before anything is loaded, and the summary and the estimate
 * are shown before Run. The worker loads the same file with the same checks (loadGpt2).
 */
import { blobSource } from '../../model/gpt2/blobSource.ts';
import type { Gpt2Summary } from '../../model/gpt2/checkpoint.ts';

/** The loader's summary, from the header alone (parameters counted from the shapes), and the file's size. */
export type HeaderSummary = Pick<
  Gpt2Summary,
  'layers' | 'heads' | 'dModel' | 'dHead' | 'dMlp' | 'vocab' | 'positions' | 'parameters' | 'dtypes' | 'headsFrom' | 'tied'
> & {
  bytes: number;
};

/** config.json's text as JSON, or words saying why not. */
export function parseConfigText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigFileError(`config.json is not JSON (${(e as Error).message})`);
  }
}

export class ConfigFileError extends Error {
  override name = 'ConfigFileError';
}

/** The loader's refusals name the CLI's flag; the page names its own field. */
export function inPageWords(message: string): string {
  return message
    .replace(/give --n-head/g, 'enter the number of heads in the field “heads (when config.json is not given)”')
    .replace(/--n-head/g, 'the number of heads you entered');
}

export async function readCheckpointHeader(file: Blob, configJson: unknown, nHead: number | undefined): Promise<HeaderSummary> {
  const [{ readSafetensorsHeader }, { gpt2ConfigOf, expectedShapes }] = await Promise.all([
    import('../../model/gpt2/safetensors.ts'),
    import('../../model/gpt2/checkpoint.ts'),
  ]);
  const header = await readSafetensorsHeader(blobSource(file));
  const { config, summary } = gpt2ConfigOf(header, { configJson, nHead });
  const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
  const lm = [...header.tensors.values()].find((t) => /(^|\.)lm_head\.weight$/.test(t.name));
  const parameters = expectedShapes(config).reduce((a, [, shape]) => a + size(shape), 0) + (lm ? size(lm.shape) : 0);
  const dtypes = [...new Set([...header.tensors.values()].map((t) => t.dtype))];
  return {
    layers: summary.layers,
    heads: summary.heads,
    dModel: summary.dModel,
    dHead: summary.dHead,
    dMlp: summary.dMlp,
    vocab: summary.vocab,
    positions: summary.positions,
    parameters,
    dtypes,
    headsFrom: summary.headsFrom,
    // An lm_head equal to wte is tied too; only the loader, which reads the data, can tell.
    tied: lm === undefined,
    bytes: file.size,
  };
}
