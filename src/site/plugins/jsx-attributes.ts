/**
 * Small helpers for the remark plugins that read and rewrite MDX JSX elements
 * (`<Cite key="…"/>`, `<Eq ref="…"/>`). Only plain string attributes are
 * supported: a citation key or an equation label written as an expression would
 * be invisible at build time, so it is rejected with a clear message.
 */
import type { MdxJsxFlowElement, MdxJsxTextElement } from 'mdast-util-mdx-jsx';

export type JsxElement = MdxJsxFlowElement | MdxJsxTextElement;

export function isJsxElement(node: { type: string }): node is JsxElement {
  return node.type === 'mdxJsxTextElement' || node.type === 'mdxJsxFlowElement';
}

/** The string value of attribute `name`, undefined when absent; throws if it is an expression. */
export function stringAttribute(el: JsxElement, name: string, where: string): string | undefined {
  for (const a of el.attributes) {
    if (a.type !== 'mdxJsxAttribute' || a.name !== name) continue;
    if (typeof a.value === 'string') return a.value;
    throw new Error(`${where}: <${el.name} ${name}=…> must be a plain string, like ${name}="…"`);
  }
  return undefined;
}

/** Replace every attribute of `el` by the given string attributes. */
export function setAttributes(el: JsxElement, attrs: Record<string, string>): void {
  el.attributes = Object.entries(attrs).map(([name, value]) => ({ type: 'mdxJsxAttribute', name, value }));
}

/** A human-readable location for error messages: file and line. */
export function location(file: { path?: string; history?: string[] }, node: { position?: { start: { line: number } } }): string {
  const path = file.path ?? file.history?.[0] ?? '<mdx>';
  return node.position ? `${path}:${node.position.start.line}` : path;
}

/** Astro's frontmatter object on a vfile (created when missing), shared with render(). */
export function astroFrontmatter(file: { data: Record<string, unknown> }): Record<string, unknown> {
  const data = file.data as { astro?: { frontmatter?: Record<string, unknown> } };
  data.astro ??= {};
  data.astro.frontmatter ??= {};
  return data.astro.frontmatter;
}
