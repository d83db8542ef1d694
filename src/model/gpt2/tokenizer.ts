/**
 * GPT-2's tokenizer: byte-level BPE with the r50k_base ranks, from js-tiktoken (its
 * `lite` entry and one rank file, both shipped in the package: nothing is fetched at run
 * time, and the same code bundles for the browser). No BOS token is added. The text
 * "<|endoftext|>" is encoded as the special token 50256, as Hugging Face's GPT-2
 * tokenizer does.
 */
import { Tiktoken } from 'js-tiktoken/lite';
import r50kBase from 'js-tiktoken/ranks/r50k_base';

/** GPT-2's vocabulary size and its one special token. */
export const GPT2_VOCAB_SIZE = 50_257;
export const END_OF_TEXT = 50_256;

let shared: Tiktoken | undefined;

export class Gpt2Tokenizer {
  private readonly bpe: Tiktoken;
  readonly size = GPT2_VOCAB_SIZE;

  constructor() {
    shared ??= new Tiktoken(r50kBase);
    this.bpe = shared;
  }

  encode(text: string): Int32Array {
    return Int32Array.from(this.bpe.encode(text, 'all'));
  }

  /** Text of token ids; a UTF-8 sequence cut between tokens decodes to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    const list = Array.from(ids);
    for (const id of list) {
      if (!(Number.isInteger(id) && id >= 0 && id < GPT2_VOCAB_SIZE)) throw new Error(`tokenizer: token id ${id} is outside GPT-2's vocabulary`);
    }
    return this.bpe.decode(list);
  }
}
