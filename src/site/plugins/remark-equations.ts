/**
 * Numbered display equations, per chapter.
 *
 *   $$
 *   L(M) = \tfrac12\|F(M) - F_0\|_F^2 \label{eq:loss}
 *   $$
 *
 * A display equation with `\label{eq:…}` gets the next number: the label is
 * removed from the formula, and the block is wrapped in
 * `<div class="equation" id="eq-…">` followed by `<span class="eq-num">(n)</span>`,
 * so that links can reach it and the number stays visible beside a long formula.
 * Display equations without a label are not numbered.
 *
 * References:
 *  - in prose, `<Eq ref="eq:loss"/>` is rewritten to `<Eq label="eq:loss" n="1"/>`,
 *    which the Eq component renders as the link "(1)";
 *  - inside math, `\eqref{eq:loss}` becomes `\href{#eq-loss}{(1)}`.
 * An unknown or duplicate label fails the build with the file and line.
 * Runs after remark-math (it needs its `math` / `inlineMath` nodes).
 */
import type { Root, Parent, RootContent } from 'mdast';
import type {} from 'mdast-util-math';
import { visit } from 'unist-util-visit';
import { isJsxElement, location, setAttributes, stringAttribute, astroFrontmatter } from './jsx-attributes.ts';

const LABEL = /\\label\{([^}]*)\}/g;
const EQREF = /\\eqref\{([^}]*)\}/g;
const VALID = /^[A-Za-z][A-Za-z0-9:_.-]*$/;

/** The element id of an equation label: "eq:loss" → "eq-loss". */
export function equationId(label: string): string {
  return 'eq-' + label.replace(/^eq:/, '').replace(/[^A-Za-z0-9_-]/g, '-');
}

interface MathNode {
  value: string;
  data?: { hChildren?: unknown[] };
}

/**
 * mdast-util-math also stores the formula as the text of `data.hChildren` (what
 * becomes the HTML that rehype-katex reads), so both must change together.
 */
function setMathValue(node: MathNode, value: string): void {
  node.value = value;
  const fix = (children: unknown[] | undefined): void => {
    for (const c of children ?? []) {
      const child = c as { type: string; value?: string; children?: unknown[] };
      if (child.type === 'text') child.value = value;
      else fix(child.children);
    }
  };
  fix(node.data?.hChildren);
}

interface VFileLike {
  path?: string;
  history?: string[];
  data: Record<string, unknown>;
}

export default function remarkEquations() {
  return (tree: Root, file: VFileLike) => {
    const numbers = new Map<string, number>();

    // Pass 1: number the labelled display equations in document order.
    visit(tree, 'math', (node, index, parent) => {
      const labels = [...node.value.matchAll(LABEL)].map((m) => m[1].trim());
      if (labels.length === 0) return;
      const where = location(file, node);
      if (labels.length > 1) throw new Error(`${where}: one \\label per display equation (found ${labels.join(', ')})`);
      const label = labels[0];
      if (!VALID.test(label)) throw new Error(`${where}: bad equation label "${label}" (letters, digits, : _ . -)`);
      if (numbers.has(label)) throw new Error(`${where}: equation label "${label}" is used twice`);
      const n = numbers.size + 1;
      numbers.set(label, n);
      setMathValue(node, node.value.replace(LABEL, '').trimEnd());
      if (parent && index !== undefined) {
        // Nodes unknown to mdast-util-to-hast become the element named by data.hName. The number
        // sits beside the formula, not inside it, so a long formula can scroll in its own box
        // while its number stays in view (KaTeX's \tag would overlap it on a narrow screen).
        const number = {
          type: 'equationNumber',
          data: { hName: 'span', hProperties: { className: ['eq-num'] }, hChildren: [{ type: 'text', value: `(${n})` }] },
        };
        const wrapper = {
          type: 'equationBlock',
          data: { hName: 'div', hProperties: { id: equationId(label), className: ['equation'] } },
          children: [node, number],
        } as unknown as RootContent;
        (parent as Parent).children[index] = wrapper;
      }
    });

    // Pass 2: resolve references (forward references are fine).
    const resolve = (label: string, where: string): number => {
      const n = numbers.get(label.trim());
      if (n === undefined) {
        const known = [...numbers.keys()].join(', ') || 'none';
        throw new Error(`${where}: no display equation has \\label{${label}} in this chapter (labels: ${known})`);
      }
      return n;
    };
    visit(tree, (node) => {
      if (node.type === 'math' || node.type === 'inlineMath') {
        const m = node as MathNode;
        if (m.value.includes('\\eqref'))
          setMathValue(
            m,
            m.value.replace(EQREF, (_, label: string) => `\\href{#${equationId(label.trim())}}{(${resolve(label, location(file, node))})}`),
          );
        return;
      }
      if (isJsxElement(node) && node.name === 'Eq') {
        const where = location(file, node);
        const label = stringAttribute(node, 'ref', where) ?? stringAttribute(node, 'label', where);
        if (!label) throw new Error(`${where}: <Eq> needs ref="eq:…"`);
        setAttributes(node, { label: label.trim(), n: String(resolve(label, where)), target: equationId(label.trim()) });
      }
    });

    astroFrontmatter(file).equations = Object.fromEntries(numbers);
  };
}
