/**
 * Numbered citations, per chapter.
 *
 *   <Cite key="liang2025"/>                  → [1]
 *   <Cite key="frantar2023, sun2023"/>        → [2, 3]
 *   <Cite key="liang2025" note="Algorithm 1"/> → [1, Algorithm 1]
 *
 * Works are numbered in the order of their first citation in the chapter. The
 * element is rewritten to `<Cite keys="…" nums="…" note="…"/>` (JSX treats
 * `key` as special, so it must not reach the component), and the ordered list of
 * cited keys is stored in the chapter's remark frontmatter as `citations`, from
 * which the layout draws the reference list. An unknown key fails the build.
 */
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import { REFERENCES } from './references.ts';
import { isJsxElement, location, setAttributes, stringAttribute, astroFrontmatter } from './jsx-attributes.ts';

interface VFileLike {
  path?: string;
  history?: string[];
  data: Record<string, unknown>;
}

export default function remarkCitations() {
  return (tree: Root, file: VFileLike) => {
    const order: string[] = [];
    visit(tree, (node) => {
      if (!isJsxElement(node) || node.name !== 'Cite') return;
      const where = location(file, node);
      const text = stringAttribute(node, 'key', where) ?? stringAttribute(node, 'keys', where);
      if (!text) throw new Error(`${where}: <Cite> needs key="…"`);
      const keys = text
        .split(',')
        .map((k) => k.trim())
        .filter(Boolean);
      if (keys.length === 0) throw new Error(`${where}: <Cite key="${text}"> names no work`);
      const nums = keys.map((k) => {
        if (!Object.hasOwn(REFERENCES, k)) {
          throw new Error(`${where}: unknown citation key "${k}" (add it to content/references.json)`);
        }
        let i = order.indexOf(k);
        if (i < 0) i = order.push(k) - 1;
        return i + 1;
      });
      const note = stringAttribute(node, 'note', where);
      setAttributes(node, { keys: keys.join(','), nums: nums.join(','), ...(note ? { note } : {}) });
    });
    astroFrontmatter(file).citations = order;
  };
}
