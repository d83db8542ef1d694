import { describe, expect, it } from 'vitest';
import { defaults, fitsInLink, linkLength, parseDecimal, readState, settleSwitches, switchValue, writeState, type Schema } from '../../../src/ui/state.ts';
import { GD_FIELDS } from '../../../src/ui/fields.ts';
import { gdFormField, gdSwitch } from '../../../src/ui/gdForm.ts';
import { REFITS_FIELD, upgradeRetiredMethods } from '../../../src/ui/recipes.ts';
import { MODEL_METHOD_IDS, PAGE_DEFAULT_METHODS, RETIRED_METHOD_IDS } from '../../../src/core/methods.ts';

const schema = {
  n: { kind: 'int', label: 'tokens n', default: 64, min: 2, max: 512 },
  eta: { kind: 'float', label: 'step η', default: 0.05, min: 1e-6, max: 100 },
  causal: { kind: 'bool', label: 'causal', default: false },
  method: { kind: 'enum', label: 'method', default: 'gd', options: ['gd', 'wanda'] },
} as const satisfies Schema;

describe('URL state', () => {
  it('round-trips every kind of field, writing only non-defaults', () => {
    const state = { ...defaults(schema), n: 128, causal: true, method: 'wanda' as const };
    const params = new URLSearchParams('other=keep');
    writeState(schema, state, params, 'lab');
    expect(params.toString()).toBe('other=keep&lab.n=128&lab.causal=1&lab.method=wanda');
    const back = readState(schema, params, 'lab');
    expect(back.state).toEqual(state);
    expect(back.notes).toEqual([]);
  });

  it('falls back to defaults on garbage and says why', () => {
    const params = new URLSearchParams('lab.n=1e9&lab.eta=abc&lab.causal=maybe&lab.method=%3Cscript%3E&lab.n2=5');
    const { state, notes } = readState(schema, params, 'lab');
    expect(state).toEqual(defaults(schema));
    expect(notes).toHaveLength(4);
    expect(notes[0]).toMatch(/tokens n.*outside 2…512/);
    expect(notes[1]).toMatch(/not a number/);
  });

  it('rejects fractional integers and keeps other widgets apart', () => {
    const params = new URLSearchParams('lab.n=3.5&other.n=7');
    const { state, notes } = readState(schema, params, 'lab');
    expect(state.n).toBe(64);
    expect(notes[0]).toMatch(/whole number/);
    expect(readState(schema, params, 'other').state.n).toBe(7);
  });
});

describe('strict numbers in the URL', () => {
  it.each([
    ['0x10', /only decimal/],
    ['0b11', /only decimal/],
    ['0o7', /only decimal/],
    [' 8 ', /spaces/],
    ['8 ', /spaces/],
    ['1e', /not a number/],
    ['1e+', /not a number/],
    ['e5', /not a number/],
    ['.', /not a number/],
    ['Infinity', /not a number/],
    ['-Infinity', /not a number/],
    ['NaN', /not a number/],
    ['1e999', /too large/],
    ['', /empty/],
    ['8%', /not a number/],
    ['1,5', /not a number/],
    ['٣', /not a number/],
    ['８', /not a number/],
    ['1_000', /not a number/],
    ['+-1', /not a number/],
  ])('rejects %j with a note and keeps the default', (raw, why) => {
    const params = new URLSearchParams();
    params.set('lab.n', raw);
    params.set('lab.eta', raw);
    const { state, notes } = readState(schema, params, 'lab');
    expect(state.n).toBe(64);
    expect(state.eta).toBe(0.05);
    expect(notes).toHaveLength(2);
    for (const n of notes) expect(n).toMatch(why);
  });

  it.each([
    ['8', 8],
    ['+8', 8],
    ['64.0', 64],
    ['1e2', 100],
    ['2E+2', 200],
    ['5e1', 50],
  ])('accepts the decimal %j as %d', (raw, value) => {
    const { state, notes } = readState(schema, new URLSearchParams(`lab.n=${encodeURIComponent(raw)}`), 'lab');
    expect(notes).toEqual([]);
    expect(state.n).toBe(value);
  });

  it.each([
    ['.5', 0.5],
    ['0.25', 0.25],
    ['1e-3', 0.001],
    ['5.', 5],
    ['-0', -0],
  ])('parseDecimal reads %j as %d', (raw, value) => {
    expect(parseDecimal(raw)).toBe(value);
  });

  it('keeps the existing checks: range, whole numbers, notes naming the field', () => {
    const { notes } = readState(schema, new URLSearchParams('lab.n=1e9&lab.eta=0.5%25'), 'lab');
    expect(notes[0]).toMatch(/tokens n.*outside 2…512/);
    expect(notes[1]).toMatch(/step η = "0\.5%".*not a number/);
  });

  it('malformed escapes and markup in a link are values, not errors', () => {
    // URLSearchParams decodes leniently: "%ff" and a lone "%" stay as text, and fall back with a note.
    const { state, notes } = readState(schema, new URLSearchParams('lab.n=%ff&lab.eta=0.5%&lab.method=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E'), 'lab');
    expect(state).toEqual(defaults(schema));
    expect(notes).toHaveLength(3);
    expect(notes[2]).toContain('"<img src=x onerror=alert…"');
  });
});

describe('text that does not travel in the link', () => {
  const textSchema = {
    prompt: { kind: 'text', label: 'prompt', default: '', maxLength: 64 },
    pasted: { kind: 'text', label: 'pasted', default: '', maxLength: 20_000, linkMaxLength: 100 },
  } as const satisfies Schema;

  it('writes short text, leaves out text longer than linkMaxLength (as written in a link)', () => {
    const params = new URLSearchParams();
    writeState(textSchema, { prompt: 'a b', pasted: 'x'.repeat(100) }, params, 'p');
    expect(params.get('p.pasted')).toBe('x'.repeat(100));
    writeState(textSchema, { prompt: 'a b', pasted: 'x'.repeat(101) }, params, 'p');
    expect(params.has('p.pasted')).toBe(false);
    // 34 "é" are 34 characters but 204 in a link.
    writeState(textSchema, { prompt: 'a b', pasted: 'é'.repeat(34) }, params, 'p');
    expect(params.has('p.pasted')).toBe(false);
    expect(linkLength('é'.repeat(34))).toBe(204);
    expect(fitsInLink(textSchema.pasted, 'é'.repeat(16))).toBe(true);
    expect(fitsInLink(textSchema.prompt, 'x'.repeat(10_000))).toBe(true);
  });
});

describe('notes', () => {
  it('cut a long value between code points, never inside an emoji', () => {
    const { notes } = readState(schema, new URLSearchParams({ 'lab.method': `${'a'.repeat(23)}🙂🙂` }), 'lab');
    expect(notes[0]).toContain(`"${'a'.repeat(23)}🙂…"`);
    expect(notes[0]).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});

describe('a switch over several fields (paper’s form / our defaults)', () => {
  const gdSchema = {
    gdForm: gdFormField('ours'),
    lambda: GD_FIELDS.lambda,
    eta: GD_FIELDS.eta,
    iters: GD_FIELDS.iters,
    step: GD_FIELDS.step,
    score: GD_FIELDS.score,
  } as const satisfies Schema;
  const switches = [gdSwitch()];
  const paper = { lambda: 0.1, eta: 0.05, iters: 300, step: 'fixed', score: 'relaxed' };

  it('its default agrees with the fields’ defaults', () => {
    expect(readState(gdSchema, new URLSearchParams(), 'w', switches).state).toEqual(defaults(gdSchema));
    expect(switchValue(switches[0], defaults(gdSchema))).toBe('ours');
  });

  it('a link naming the paper’s form sets every field of it; fields the link gives win, and the switch then says custom', () => {
    expect(readState(gdSchema, new URLSearchParams('w.gdForm=paper'), 'w', switches).state).toEqual({ gdForm: 'paper', ...paper });
    const edited = readState(gdSchema, new URLSearchParams('w.gdForm=paper&w.iters=50'), 'w', switches).state;
    expect(edited).toEqual({ ...paper, iters: 50, gdForm: 'custom' });
    // The fields alone, matching the paper's form, show it by name.
    const fields = new URLSearchParams(Object.entries(paper).map(([k, v]) => [`w.${k}`, String(v)]));
    expect(readState(gdSchema, fields, 'w', switches).state.gdForm).toBe('paper');
  });

  it('choosing a form sets its fields; editing one afterwards makes it custom; a patch setting both keeps its fields', () => {
    const start = defaults(gdSchema);
    const toPaper = settleSwitches(switches, { ...start, gdForm: 'paper' as const }, ['gdForm']);
    expect(toPaper).toEqual({ gdForm: 'paper', ...paper });
    expect(settleSwitches(switches, { ...toPaper, lambda: 0.2 }, ['lambda']).gdForm).toBe('custom');
    const preset = settleSwitches(switches, { ...toPaper, gdForm: 'paper' as const, eta: 0.5 }, ['gdForm', 'eta']);
    expect(preset).toEqual({ ...paper, eta: 0.5, gdForm: 'custom' });
    expect(settleSwitches(switches, { ...toPaper, gdForm: 'ours' as const }, ['gdForm'])).toEqual(start);
  });
});

describe('old links naming a retired method id', () => {
  const modelSchema = {
    methods: { kind: 'set', label: 'methods', default: PAGE_DEFAULT_METHODS, options: MODEL_METHOD_IDS },
    refits: REFITS_FIELD,
  } as const satisfies Schema;
  const open = (query: string) => {
    const params = new URLSearchParams(query);
    const upgraded = upgradeRetiredMethods(params, 'pruner');
    return { ...readState(modelSchema, params, 'pruner'), upgraded };
  };

  it('swap-recon alone opens as the swap search with the attention refit', () => {
    const r = open('pruner.methods=swap-recon');
    expect(r.state).toEqual({ methods: 'swap', refits: 'attention' });
    expect(r.notes).toEqual([]);
    expect(r.upgraded[0]).toMatch(/“swap-recon” is now Attention swap search \+ attention refit/);
  });

  it('sparsegpt-recon beside other methods: they keep no refit, the attention refit is added (each method runs with each)', () => {
    const r = open(`pruner.methods=${encodeURIComponent('gd,magnitude,wanda,sparsegpt,sparsegpt-recon,swap-recon')}`);
    expect(r.state).toEqual({ methods: 'gd,magnitude,wanda,sparsegpt,swap', refits: 'none,attention' });
    expect(RETIRED_METHOD_IDS['sparsegpt-recon']).toEqual({ method: 'sparsegpt', refit: 'attention' });
  });

  it('a link without retired ids is left alone', () => {
    const r = open('pruner.methods=gd,swap&pruner.refits=linear');
    expect(r.upgraded).toEqual([]);
    expect(r.state).toEqual({ methods: 'gd,swap', refits: 'linear' });
  });
});
