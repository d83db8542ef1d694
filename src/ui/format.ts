/**
 * Every number a reader sees goes through this module: the widgets, the chapters'
 * build-time numbers, the handout and the home page. Pure functions, no DOM, unit
 * tested (test/unit/ui/format.test.ts).
 *
 * Conventions:
 * - Scientific notation is written "1.5 × 10⁻⁷" (never "1.5e-7" in prose or tables;
 *   axis ticks that must stay short use `compact`).
 * - Infinities are "∞" and "−∞"; a NaN is a bug upstream and throws, so it can never
 *   reach a page as "NaN" (the widget then reports an error in words).
 * - Percentages carry a non-breaking space before "%".
 */

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  '-': '⁻',
  '+': '',
  '0': '⁰',
  '1': '¹',
  '2': '²',
  '3': '³',
  '4': '⁴',
  '5': '⁵',
  '6': '⁶',
  '7': '⁷',
  '8': '⁸',
  '9': '⁹',
};

export class NotANumberError extends Error {
  constructor(where: string) {
    super(`${where}: got NaN, which no page may show (a computation upstream failed)`);
    this.name = 'NotANumberError';
  }
}

function refuseNaN(x: number, where: string): void {
  if (Number.isNaN(x)) throw new NotANumberError(where);
}

/** "-7" → "⁻⁷". */
export function superscript(s: string | number): string {
  return String(s).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
}

/** 10ᵏ as text: "10⁻⁵". */
export function power10(k: number): string {
  return `10${superscript(k)}`;
}

function infinity(x: number): string {
  return x > 0 ? '∞' : '−∞';
}

/** x in scientific notation with `digits` significant digits: "1.5 × 10⁻⁷", "10⁶". */
export function scientific(x: number, digits = 3): string {
  refuseNaN(x, 'scientific');
  if (!Number.isFinite(x)) return infinity(x);
  if (x === 0) return '0';
  const [mantissa, exponent] = x.toExponential(Math.max(0, digits - 1)).split('e');
  const m = Number(mantissa).toString();
  const e = superscript(exponent);
  return m === '1' ? `10${e}` : `${m} × 10${e}`;
}

/**
 * A number with `digits` significant digits, in scientific notation below 10⁻³ or from
 * 10⁵ on: 0.0123, 17.99, 1.5 × 10⁻⁷. The one general-purpose format.
 */
export function num(x: number, digits = 3): string {
  refuseNaN(x, 'num');
  if (!Number.isFinite(x)) return infinity(x);
  if (x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5)) return scientific(x, digits);
  return Number(x.toPrecision(digits)).toString();
}

/**
 * The chapters' prose form: plain from 10⁻² to below 10⁴, else "1.6 × 10⁻⁶" with a
 * fixed number of mantissa digits (so neighbouring numbers line up).
 */
export function sci(x: number, digits = 2): string {
  refuseNaN(x, 'sci');
  if (!Number.isFinite(x)) return infinity(x);
  if (x === 0) return '0';
  const e = Math.floor(Math.log10(Math.abs(x)));
  if (e >= -2 && e < 4) return Number(x.toPrecision(digits)).toString();
  return `${(x / 10 ** e).toFixed(digits - 1)} × ${power10(e)}`;
}

/** A fixed number of decimals (tables of errors and perplexities): 0.078, 6.45. */
export function fixed(x: number, decimals: number): string {
  refuseNaN(x, 'fixed');
  if (!Number.isFinite(x)) return infinity(x);
  return x.toFixed(decimals);
}

/** A fraction as a percentage: 0.375 → "37.5 %". */
export function percent(fraction: number, decimals = 1): string {
  refuseNaN(fraction, 'percent');
  if (!Number.isFinite(fraction)) return `${infinity(fraction)}\u00a0%`;
  return `${(100 * fraction).toFixed(decimals)}\u00a0%`;
}

/** A fraction as a percentage that may be negative, with a true minus sign: −0.115 → "−11.5 %". */
export function signedPercent(fraction: number, decimals = 1): string {
  return percent(fraction, decimals).replace(/^-/, '−');
}

/** A value already in percent (0–100): 0.25 → "0.25 %". */
export function percentValue(x: number, decimals = 2): string {
  refuseNaN(x, 'percentValue');
  return `${x.toFixed(decimals)}\u00a0%`;
}

/**
 * A percentage (0–100) for prose and tables, without the sign: more digits near 0 and
 * 100, where they matter (0.004, 0.25, 37.5, 99.98).
 */
export function percentAdaptive(x: number): string {
  refuseNaN(x, 'percentAdaptive');
  if (!Number.isFinite(x)) return infinity(x);
  if (x === 0 || x === 100) return String(x);
  if (x < 0.01) return Number(x.toPrecision(1)).toString();
  if (x < 1) return x.toFixed(2);
  if (x > 99) return Math.min(x, 99.99).toFixed(2);
  return x.toFixed(1);
}

/** 12870 → "12 870" (narrow no-break spaces group the thousands, as in the prose). */
export function count(x: number): string {
  refuseNaN(x, 'count');
  if (!Number.isFinite(x)) return infinity(x);
  return x.toLocaleString('en-GB').replace(/,/g, '\u202f');
}

/** Axis ticks: plain numbers near 1, "10⁻⁵"-style powers far from it (never SI prefixes). */
export function tick(x: number): string {
  refuseNaN(x, 'tick');
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5) ? scientific(x, 1) : String(Number(x.toPrecision(3)));
}

/**
 * The tick format of an axis or colour legend over [lo, hi]: like `tick`, with as many
 * significant digits as ticks about (hi − lo)/`count` apart need to differ (a relaxed
 * mask spanning 0.9981–0.9986 reads 0.9982, 0.9984, not "0.998" four times).
 */
export function ticksOver(lo: number, hi: number, count = 5): (x: number) => string {
  const step = Math.abs(hi - lo) / Math.max(1, count);
  if (!(step > 0) || !Number.isFinite(step)) return tick;
  const resolution = Math.floor(Math.log10(step));
  return (x: number): string => {
    refuseNaN(x, 'ticksOver');
    if (x === 0 || !Number.isFinite(x)) return x === 0 ? '0' : infinity(x);
    const digits = Math.min(15, Math.max(1, Math.floor(Math.log10(Math.abs(x))) - resolution + 1));
    return Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? scientific(x, digits) : String(Number(x.toPrecision(digits)));
  };
}

/**
 * A value among values spanning [lo, hi] (a hover tip on a heatmap): `num` with at least
 * `digits` significant digits, and up to 6 where the span is narrow, so that neighbouring
 * cells of a mask spanning 0.9981–0.9986 read 0.9982 and 0.9985, not "0.998" twice.
 */
export function numAmong(lo: number, hi: number, digits = 3): (x: number) => string {
  const span = Math.abs(hi - lo);
  const resolution = span > 0 && Number.isFinite(span) ? Math.floor(Math.log10(span / 100)) : Number.POSITIVE_INFINITY;
  return (x: number): string => {
    if (!Number.isFinite(x) || x === 0 || !Number.isFinite(resolution)) return num(x, digits);
    return num(x, Math.min(6, Math.max(digits, Math.floor(Math.log10(Math.abs(x))) - resolution + 1)));
  };
}

/** Short labels at any magnitude (legend ticks, matrix cells): 0.25, −1.5e−10. */
export function compact(x: number): string {
  refuseNaN(x, 'compact');
  if (!Number.isFinite(x)) return infinity(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  const text = a >= 1e-3 && a < 1e4 ? String(Number(x.toPrecision(3))) : x.toExponential(1).replace('e+', 'e');
  return text.replace(/-/g, '−');
}

/** Tick labels of a log axis: "10⁻⁵" at whole powers of ten, nothing in between. */
export function powerOfTenTick(v: number): string {
  const k = Math.log10(v);
  const r = Math.round(k);
  return Math.abs(k - r) < 1e-9 ? power10(r) : '';
}

/** A signed number with a true minus sign: −0.1234 (for matrices a student copies). */
export function signed(x: number, decimals: number): string {
  return fixed(x, decimals).replace('-', '\u2212');
}

/** `num(x)`, or the given words where there is no value (a metric not defined for this case). */
export function numOr(x: number | null | undefined, missing: string, digits = 3): string {
  return x === null || x === undefined ? missing : num(x, digits);
}

/** Matrix cells a reader compares at a glance: 3 significant digits, "1.2e-5" outside 0.01–1000. */
export function cell(x: number): string {
  refuseNaN(x, 'cell');
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 0.01 && a < 1000) return Number(x.toPrecision(3)).toString();
  return x.toExponential(1);
}
