/**
 * A widget's state as one typed object, serialised to the page URL (seed included),
 * in the manner of TensorFlow Playground: a shared link reproduces exactly what the
 * reader saw. Invalid or out-of-range URL values fall back to their defaults and
 * produce a note the widget shows, so a garbled link never breaks a page.
 *
 * Several widgets share one URL: each writes its keys under its own prefix
 * ("lab.n=64&lab.seed=3").
 */

import type { SliderSpec } from './slider.ts';

export type FieldSpec =
  /** `slider`: the slider beside the number box (see slider.ts: by default linear for floats, none for seeds). */
  | { kind: 'int'; label: string; default: number; min: number; max: number; slider?: SliderSpec | false }
  | { kind: 'float'; label: string; default: number; min: number; max: number; slider?: SliderSpec | false }
  | { kind: 'bool'; label: string; default: boolean }
  /** `labels`: how the control names an option (the URL keeps the option itself). */
  | { kind: 'enum'; label: string; default: string; options: readonly string[]; labels?: Readonly<Record<string, string>> }
  /** A non-empty subset of options, kept in the options' order; in the URL as "a,b". */
  | { kind: 'set'; label: string; default: string; options: readonly string[] }
  /**
   * Free text (a prompt, pasted calibration text); `multiline` shows a text area.
   * `linkMaxLength`: the longest value (as written in a link, percent-encoded) that is
   * put into the shareable link; a longer one is used on the page but left out of the
   * link, because servers refuse long addresses (HTTP 414/431 from about 8 000 characters).
   */
  | { kind: 'text'; label: string; default: string; maxLength: number; multiline?: boolean; linkMaxLength?: number };

export type Schema = Readonly<Record<string, FieldSpec>>;

/**
 * The typed state of a schema: booleans, numbers, text, and for an enum the union of
 * its options (declare the schema `as const` so the options keep their literal types).
 */
export type StateOf<S extends Schema> = {
  -readonly [K in keyof S]: S[K] extends { kind: 'bool' }
    ? boolean
    : S[K] extends { kind: 'enum'; options: readonly (infer O)[] }
      ? O
      : S[K] extends { kind: 'set' | 'text' }
        ? string
        : number;
};

export function defaults<S extends Schema>(schema: S): StateOf<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(schema)) out[key] = spec.default;
  return out as StateOf<S>;
}

/** Check one value against its field; returns the value or an explanation. */
export function coerce(spec: FieldSpec, raw: string): { ok: true; value: number | boolean | string } | { ok: false; why: string } {
  switch (spec.kind) {
    case 'bool':
      if (raw === '1' || raw === 'true') return { ok: true, value: true };
      if (raw === '0' || raw === 'false') return { ok: true, value: false };
      return { ok: false, why: 'expected true or false' };
    case 'enum':
      return spec.options.includes(raw) ? { ok: true, value: raw } : { ok: false, why: `expected one of ${spec.options.join(', ')}` };
    case 'set': {
      const picked = raw.split(',').filter((x) => x !== '');
      const unknown = picked.filter((x) => !spec.options.includes(x));
      if (unknown.length) return { ok: false, why: `unknown ${unknown.join(', ')}; expected some of ${spec.options.join(', ')}` };
      if (picked.length === 0) return { ok: false, why: 'choose at least one' };
      return { ok: true, value: setValue(spec.options, picked) };
    }
    case 'text':
      return raw.length <= spec.maxLength ? { ok: true, value: raw } : { ok: false, why: `longer than ${spec.maxLength} characters` };
    case 'int':
    case 'float': {
      const v = parseDecimal(raw);
      if (v === undefined) return { ok: false, why: numberProblem(raw) };
      if (spec.kind === 'int' && !Number.isInteger(v)) return { ok: false, why: 'not a whole number' };
      if (v < spec.min || v > spec.max) return { ok: false, why: `outside ${spec.min}…${spec.max}` };
      return { ok: true, value: v };
    }
  }
}

/**
 * A number written the way the page writes numbers: decimal digits with an optional sign,
 * point and exponent ("8", "-0.5", ".5", "1e-3", "2E+2"). `Number()` alone would also take
 * "0x10", "0b11", "0o7", " 8 ", "" and "Infinity"; a link holding those is garbled, so it
 * falls back to the default with a note. Returns undefined when `raw` is not such a number
 * or is not finite.
 */
export function parseDecimal(raw: string): number | undefined {
  if (!DECIMAL.test(raw)) return undefined;
  const v = Number(raw);
  return Number.isFinite(v) ? v : undefined;
}

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Why `raw` is not a number, in words. */
function numberProblem(raw: string): string {
  if (raw.trim() === '') return 'not a number: empty';
  if (raw.trim() !== raw) return 'not a number: spaces around it';
  if (/^[+-]?0[xXbBoO]/.test(raw)) return 'not a number: only decimal numbers are accepted';
  if (DECIMAL.test(raw)) return 'not a number: too large';
  return 'not a number';
}

/**
 * A switch: an enum field whose named values each set several other fields at once
 * ("paper’s form" sets λ, η, T, the step rule and the rounding). When those fields match
 * no named value, the switch shows `custom`. It travels in the URL like any enum.
 */
export interface FieldSwitch {
  key: string;
  /** Each named value and the fields it sets. */
  forms: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The value shown when the fields match no form. */
  custom: string;
}

/** The switch's value for a state: the first form all of whose fields the state has, else `custom`. */
export function switchValue(sw: FieldSwitch, state: Readonly<Record<string, unknown>>): string {
  for (const [name, fields] of Object.entries(sw.forms)) if (Object.entries(fields).every(([k, v]) => state[k] === v)) return name;
  return sw.custom;
}

/**
 * The state after `key` changed: a switch set to a form sets that form's fields; every
 * switch then shows what its fields are now (a field edited away from a form makes it `custom`).
 */
export function settleSwitches<T>(switches: readonly FieldSwitch[], state: T, changed: readonly string[] = []): T {
  let out = { ...state } as Record<string, unknown>;
  for (const sw of switches) {
    const form = sw.forms[String(out[sw.key])];
    // A patch that sets the switch and some of its fields (a preset) keeps its fields.
    if (changed.includes(sw.key) && form && !Object.keys(form).some((k) => changed.includes(k))) out = { ...out, ...form };
  }
  for (const sw of switches) out[sw.key] = switchValue(sw, out);
  return out as T;
}

/** Read a widget's state from URL parameters; notes explain every value that was ignored. */
export function readState<S extends Schema>(
  schema: S,
  params: URLSearchParams,
  prefix: string,
  switches: readonly FieldSwitch[] = [],
): { state: StateOf<S>; notes: string[] } {
  const state = defaults(schema) as Record<string, unknown>;
  const notes: string[] = [];
  const given = new Set<string>();
  for (const [key, spec] of Object.entries(schema)) {
    const raw = params.get(`${prefix}.${key}`);
    if (raw === null) continue;
    const r = coerce(spec, raw);
    if (r.ok) {
      state[key] = r.value;
      given.add(key);
    } else notes.push(`Ignored ${spec.label} = "${truncate(raw)}" from the link (${r.why}); using the default ${String(spec.default)}.`);
  }
  // A switch named in the link sets its form's fields, except those the link gives itself.
  for (const sw of switches) {
    const form = given.has(sw.key) ? sw.forms[String(state[sw.key])] : undefined;
    if (form) for (const [k, v] of Object.entries(form)) if (!given.has(k)) state[k] = v;
  }
  return { state: settleSwitches(switches, state) as StateOf<S>, notes };
}

/** Write a widget's state into URL parameters: only values that differ from the default. */
export function writeState<S extends Schema>(schema: S, state: StateOf<S>, params: URLSearchParams, prefix: string): void {
  for (const [key, spec] of Object.entries(schema)) {
    const name = `${prefix}.${key}`;
    const value = (state as Record<string, unknown>)[key];
    if (value === spec.default) params.delete(name);
    else if (spec.kind === 'text' && !fitsInLink(spec, String(value))) params.delete(name);
    else params.set(name, typeof value === 'boolean' ? (value ? '1' : '0') : String(value));
  }
}

/** How many characters `value` takes in a link's query string (percent-encoded). */
export function linkLength(value: string): number {
  return new URLSearchParams({ x: value }).toString().length - 2;
}

/** Whether a text field's value is put into the shareable link (see `linkMaxLength`). */
export function fitsInLink(spec: FieldSpec, value: string): boolean {
  return spec.kind !== 'text' || spec.linkMaxLength === undefined || linkLength(value) <= spec.linkMaxLength;
}

/** A set field's value from picked options: the options' order, no duplicates. */
export function setValue(options: readonly string[], picked: readonly string[]): string {
  return options.filter((o) => picked.includes(o)).join(',');
}

/** A set field's value as a list. */
export function setItems(value: string): string[] {
  return value.split(',').filter((x) => x !== '');
}

/** The first 24 characters of a value for a note, cut between code points (an emoji stays whole). */
function truncate(s: string): string {
  const chars = Array.from(s);
  return chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : s;
}

/** A set field's value as the options it picks, typed by the options (in their order). */
export function pickedOptions<O extends string>(options: readonly O[], value: string): O[] {
  const picked = setItems(value);
  return options.filter((o) => picked.includes(o));
}
