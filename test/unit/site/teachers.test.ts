import { describe, expect, it } from 'vitest';
import { LESSONS, WIDGET_GUIDE, bibtex, siteBibtex, widgetName } from '../../../src/site/teachers.ts';
import { REFERENCES } from '../../../src/site/plugins/references.ts';
import { WINNER_PRESETS, headToHeadLink, labLink } from '../../../src/teaching/presets.ts';

describe('BibTeX', () => {
  it('writes the paper as an ICLR proceedings entry with every author, surname first', () => {
    const b = bibtex('liang2025', REFERENCES.liang2025);
    expect(b.startsWith('@inproceedings{liang2025,\n')).toBe(true);
    expect(b).toMatch(/title\s+= \{\{Beyond Linear Approximations: A Novel Pruning Approach for Attention Matrix\}\}/);
    expect(b).toMatch(/author\s+= \{Liang, Yingyu and Long, Jiangxuan and Shi, Zhenmei and Song, Zhao and Zhou, Yufa\}/);
    expect(b).toMatch(/booktitle\s+= \{International Conference on Learning Representations \(ICLR\)\}/);
    expect(b).toMatch(/year\s+= \{2025\}/);
    expect(b).toMatch(/eprint\s+= \{2410\.11261\}/);
    expect(b.trim().endsWith('}')).toBe(true);
  });

  it('turns "et al." into "others", escapes &, and uses misc for a preprint', () => {
    const b = bibtex('x', { authors: ['Ann B. Carter', 'et al.'], title: 'Fast & Sparse', venue: 'arXiv preprint', year: 2021 });
    expect(b.startsWith('@misc{x,')).toBe(true);
    expect(b).toContain('{Carter, Ann B. and others}');
    expect(b).toContain('Fast \\& Sparse');
    expect(b).toContain('howpublished = {arXiv preprint}');
    expect(b).not.toContain('eprint ');
  });

  it('cites the site at its address, dated by the build', () => {
    const b = siteBibtex('https://example.org/', new Date('2026-11-28T12:00:00Z'));
    expect(b).toContain('\\url{https://example.org/}');
    expect(b).toMatch(/year\s+= \{2026\}/);
    expect(b).toContain('2026-11-28');
  });
});

describe('course plan and widget guide', () => {
  it('no chapter is planned twice and every lesson has a time', () => {
    const slugs = LESSONS.flatMap((l) => l.chapters);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const l of LESSONS) expect(l.minutes).toBeGreaterThan(0);
  });

  it('names widgets from the guide or from their id', () => {
    expect(widgetName('convergence-lab')).toBe(WIDGET_GUIDE['convergence-lab'].name);
    expect(widgetName('attention-inspector')).toBe('Attention inspector');
  });
});

describe('preset links', () => {
  it('carry the problem in the widget URL state and scroll to the widget', () => {
    const p = WINNER_PRESETS[1];
    const url = new URL(headToHeadLink(p), 'http://x');
    expect(url.pathname).toBe('/chapters/head-to-head/');
    expect(url.hash).toBe('#h2h');
    // The problem, and every other setting the answer key used (test/unit/teaching/links.test.ts reads them back).
    expect(Object.fromEntries(url.searchParams)).toEqual({
      'h2h.n': String(p.n),
      'h2h.d': String(p.d),
      'h2h.seed': String(p.seed),
      'h2h.scale': String(p.scale),
      'h2h.causal': '0',
      'h2h.sparsity': String(p.sparsity),
      'h2h.pattern': 'unstructured',
      'h2h.refit': 'none',
      'h2h.lambda': '0.1',
      'h2h.eta': '0.05',
      'h2h.iters': '300',
      'h2h.step': 'fixed',
      'h2h.score': 'relaxed',
    });
    expect(new URL(labLink(0.25), 'http://x').searchParams.get('lab.eta')).toBe('0.25');
    // Without a step, the link still names the exercise's (the paper's η), so the lab shows exactly that run.
    expect(new URL(labLink(), 'http://x').searchParams.get('lab.eta')).toBe('0.05');
    expect(new URL(labLink(), 'http://x').searchParams.get('lab.step')).toBe('fixed');
  });
});
