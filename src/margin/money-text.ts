/**
 * Money and significant digits as text: the display formatter's primitives (src/report/format.ts re-exports them),
 * kept in the margin core because a status reason ("equity for MM 655.31 < MM 567,970.00") is written with them.
 * Pure functions.
 */

/**
 * Grouped digits with a fixed number of decimals: 91500 → "91,500.00". The same text as
 * `toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d })` (rounding the shortest decimal
 * form half away from zero, as Intl does), without Intl: its cost per call would dominate a table of a million rows.
 */
export function money(x: number, decimals = 2): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'n/a' : x > 0 ? '∞' : '-∞'; // no number (an account in error), or unbounded
  const a = Math.abs(x);
  if ((decimals === 2 || decimals === 0) && a < 1e11) {
    const units = nearestUnits(a, decimals === 2 ? 100 : 1);
    if (units >= 0) {
      if (decimals === 0) return moneyText(x, String(units), '');
      const whole = Math.floor(units / 100), cents = units - whole * 100;
      return moneyText(x, String(whole), cents < 10 ? `0${cents}` : String(cents));
    }
  }
  const s = String(a);
  if (!(a < 1e21) || s.includes('e')) return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  const point = s.indexOf('.');
  const whole = point < 0 ? s : s.slice(0, point);
  const digits = whole + (point < 0 ? '' : s.slice(point + 1)).padEnd(decimals + 1, '0');
  let kept = digits.slice(0, whole.length + decimals);
  if (digits.charCodeAt(whole.length + decimals) >= 53) kept = incrementDecimal(kept); // the next digit ≥ 5
  return moneyText(x, kept.slice(0, kept.length - decimals) || '0', kept.slice(kept.length - decimals));
}

/**
 * `a` × `scale` (1 or 100) rounded to the nearest integer, when that is also the rounding of `a`'s shortest decimal
 * form d (−1: too near a half to tell without the digits). d is within half an ulp of a, and y = fl(a·scale) within
 * half an ulp of a·scale. With scale 100 an ulp of y is at least 64 ulps of a (y ≥ 64a), so y is within
 * 0.5 + 100/128 < 2 ulps of d·scale (with scale 1, within 1). y's fraction f is exact (y − ⌊y⌋, y < 2^53), so a
 * fraction farther than y·2^-50 (at least 4 ulps of y) from a half lies on the same side of it as d·scale's. The
 * margin grows with y: at 1e13 (1e11 in cents) it is 0.009.
 */
function nearestUnits(a: number, scale: number): number {
  const y = a * scale, whole = Math.floor(y), f = y - whole;
  if (Math.abs(f - 0.5) <= y * HALF_MARGIN) return -1;
  return f < 0.5 ? whole : whole + 1;
}

/** 2^-50: y·2^-50 is at least four ulps of y (nearestUnits). */
const HALF_MARGIN = 2 ** -50;

/** The text of an amount signed as `x` is: its whole part's digits grouped by thousands, then its decimals' digits (none: no point). */
function moneyText(x: number, whole: string, decimals: string): string {
  let grouped = whole.length % 3 === 0 ? '' : whole.slice(0, whole.length % 3);
  for (let i = whole.length % 3; i < whole.length; i += 3) grouped += `${grouped ? ',' : ''}${whole.slice(i, i + 3)}`;
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  return `${sign}${grouped}${decimals ? `.${decimals}` : ''}`;
}

/** A string of decimal digits plus one unit in its last place: "0999" → "1000", "999" → "1000". */
function incrementDecimal(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String.fromCharCode(digits.charCodeAt(i) + 1) + '0'.repeat(digits.length - i - 1);
}

/** Significant-digit format for Greeks of any magnitude: 0.000012345 → "1.2345e-5". */
export function sig(x: number, digits = 5): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e7 ? Number(x.toPrecision(digits)).toString() : x.toExponential(digits - 1);
}

/**
 * An amount of money inside a sentence ("equity for MM 655.31 < MM 567,970.00"): {@link money} with cents, or three
 * significant digits when it is not zero but below half a cent (so it does not read as 0.00).
 */
export function amount(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && a < 0.005) return sig(x, 3);
  return money(x);
}

/** Bytes {@link writeAmount} may write: a sign, 11 digits, 3 commas, a point and 2 decimals. */
export const AMOUNT_MAX_BYTES = 18;

/** The `digits` decimal digits of `n` (an integer), grouped by thousands, written backwards ending before `end`. */
function writeDigits(n: number, digits: number, out: Uint8Array, end: number): void {
  let i = end;
  for (let k = 0; k < digits; k++) {
    if (k > 0 && k % 3 === 0) out[--i] = 44; // ,
    const next = Math.floor(n / 10);
    out[--i] = 48 + (n - 10 * next);
    n = next;
  }
}

/**
 * {@link writeDigits} for an n below 2^31, in integer arithmetic: perf: per-row-text (docs/performance.md), the same
 * digits.
 */
function writeDigitsInt32(n: number, digits: number, out: Uint8Array, end: number): void {
  let i = end;
  for (let k = 0; k < digits; k++) {
    if (k > 0 && k % 3 === 0) out[--i] = 44; // ,
    const next = (n / 10) | 0;
    out[--i] = 48 + (n - 10 * next);
    n = next;
  }
}

/**
 * {@link amount}'s text written as ASCII bytes into `out` from `at` (room for {@link AMOUNT_MAX_BYTES}), for the usual
 * amount (cents below 1e11, not within 0.01 of a half cent, not a fraction of a cent): digit by digit from the nearest
 * number of cents, making no string. Returns where it ends, or −1 (nothing written) for any other amount.
 */
export function writeAmount(x: number, out: Uint8Array, at: number): number {
  const a = Math.abs(x);
  const cents = (a !== 0 && a < 0.005) || !(a < 1e11) ? -1 : nearestUnits(a, 100);
  if (cents < 0) return -1;
  if (x < 0 || Object.is(x, -0)) out[at++] = 45; // -
  const whole = Math.floor(cents / 100), rest = (cents - whole * 100) | 0, tens = (rest / 10) | 0;
  let digits = 1;
  for (let p = 10; p <= whole; p *= 10) digits++;
  const end = at + digits + Math.floor((digits - 1) / 3);
  if (whole <= 0x7fffffff) writeDigitsInt32(whole | 0, digits, out, end);
  else writeDigits(whole, digits, out, end);
  out[end] = 46; // .
  out[end + 1] = 48 + tens;
  out[end + 2] = 48 + (rest - 10 * tens);
  return end + 3;
}
