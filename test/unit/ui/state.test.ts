import { describe, expect, it } from 'vitest';
import { defaults, readState, writeState, type Schema } from '../../../src/ui/state.ts';

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
