/**
 * Widget slots. A chapter marks where an interactive widget goes with an MDX comment
 * on a line of its own:
 *
 *   {/* WIDGET: convergence-lab *\/}
 *
 * This plugin turns each marker into `<Widget id="convergence-lab"/>`; the Widget
 * component renders the widget whose file is named after the id (see
 * src/components/Widget.astro), or a labelled placeholder while none exists.
 * Every slot must be listed in the chapter's frontmatter `widgets`, and every
 * listed widget must have a slot, so the two cannot drift apart.
 */
import type { Root, Parent, RootContent } from 'mdast';
import type {} from 'mdast-util-mdx-expression';
import { visit, SKIP } from 'unist-util-visit';
import { location, astroFrontmatter } from './jsx-attributes.ts';

const MARKER = /^\s*\/\*\s*WIDGET:\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*\*\/\s*$/;

interface VFileLike {
  path?: string;
  history?: string[];
  data: Record<string, unknown>;
}

export default function remarkWidgetSlots() {
  return (tree: Root, file: VFileLike) => {
    const slots: string[] = [];
    visit(tree, 'mdxFlowExpression', (node, index, parent) => {
      const match = MARKER.exec(node.value);
      if (!match || !parent || index === undefined) return;
      const id = match[1];
      if (slots.includes(id)) throw new Error(`${location(file, node)}: widget slot "${id}" appears twice`);
      slots.push(id);
      const element = {
        type: 'mdxJsxFlowElement',
        name: 'Widget',
        attributes: [{ type: 'mdxJsxAttribute', name: 'id', value: id }],
        children: [],
        position: node.position,
      } as unknown as RootContent;
      (parent as Parent).children[index] = element;
      return SKIP;
    });

    const fm = astroFrontmatter(file);
    const declared = Array.isArray(fm.widgets) ? (fm.widgets as unknown[]).map(String) : [];
    const path = file.path ?? '<mdx>';
    for (const id of slots) {
      if (!declared.includes(id)) throw new Error(`${path}: widget slot "${id}" is not listed in the frontmatter's widgets`);
    }
    for (const id of declared) {
      if (!slots.includes(id)) throw new Error(`${path}: frontmatter lists widget "${id}" but the chapter has no {/* WIDGET: ${id} */} slot`);
    }
    fm.widgetSlots = slots;
  };
}
