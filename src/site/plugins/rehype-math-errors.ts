/**
 * Runs after rehype-katex: KaTeX reports a formula it cannot render as a vfile
 * message and draws a red `.katex-error` instead. A chapter must never ship one,
 * so this turns any such message into a build error with the file and line.
 */
interface VFileLike {
  path?: string;
  messages: { source?: string | null; reason: string; line?: number | null; cause?: unknown }[];
}

export default function rehypeMathErrors() {
  return (_tree: unknown, file: VFileLike) => {
    const bad = file.messages.filter((m) => m.source === 'rehype-katex');
    if (bad.length === 0) return;
    const lines = bad.map((m) => `${file.path ?? '<mdx>'}:${m.line ?? '?'}: ${m.cause instanceof Error ? m.cause.message : m.reason}`);
    throw new Error(`KaTeX could not render ${bad.length} formula(s):\n${lines.join('\n')}`);
  };
}
