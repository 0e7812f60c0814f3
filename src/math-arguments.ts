/**
 * The argument checks of the public formulas (margin-core/math, src/math-checked.ts; margin-core/plugin,
 * src/plugin-checked.ts): small pure functions that add each problem to a ProblemList at the argument's path (`x`,
 * `a[5]`, `options.maxIterations`, `history.closes[2][4]`), in the validators' words (src/model/checks.ts,
 * src/model/domain.ts). The library's own callers call the unchecked functions: these run once per public call.
 *
 * The domains (docs/api.md, "margin-core/math"): a number is never NaN (±Infinity only where the formula takes it); a
 * book's or a market's number lies in its bound of src/model/domain.ts (a price in [1e-12, 1e12], …); any other figure
 * (a return, a matrix entry, a Greek) is finite and at most {@link FIGURE_MAX} in size, so that squares and sums of
 * millions of them stay far inside double precision; a matrix is n × n row-major numbers, n a whole number.
 */
import { describeValue, InputError, type ProblemList } from './errors.js';
import { isRecord, notFiniteMessage, notObjectMessage, type JsonRecord } from './model/checks.js';
import { addDomainProblem, DOMAIN, type MagnitudeBound } from './model/domain.js';
import { GREEKS_LIMITS } from './model/greeks-limits.js';

/** The largest magnitude of a figure with no bound of its own in src/model/domain.ts: its square, 1e200, times 1e9 terms is finite. */
export const FIGURE_MAX = 1e100;

const bound = (what: string, unit: string, sign: MagnitudeBound['sign'], min: number, max: number): MagnitudeBound =>
  ({ what, unit, sign, zero: sign !== 'positive', min, max, places: [] });

/**
 * The bounds of the formulas' arguments beside src/model/domain.ts's. A matrix entry has a nonzero floor too: below
 * 1e-100 the sums of squares the eigenvalue sweeps converge by underflow, and a matrix of such entries came back
 * factored as if it were diagonal.
 */
export const BOUNDS = {
  matrixEntry: bound('matrix entry', 'as given', 'signed', 1 / FIGURE_MAX, FIGURE_MAX),
  return: bound('return', 'per period, decimal', 'signed', 0, FIGURE_MAX),
  greek: bound('Greek', 'USD per unit of the underlying', 'signed', 0, FIGURE_MAX),
  /** A number with no bound but double precision's (a requirement model's figure: its products are checked after). */
  finite: bound('number', 'as given', 'signed', 0, Number.MAX_VALUE),
  variance: bound('variance', 'per period²', 'nonNegative', 0, Number.MAX_VALUE),
  positiveVariance: bound('variance', 'per period²', 'positive', 0, Number.MAX_VALUE),
  /** Coins of an inverse position: |quantity| × multiplier / price is at most 1e12 × 1e9 / 1e-12 = 1e33 in the domain. */
  sizeCoin: bound('size', 'coin', 'signed', 0, 1e33),
  /** A relative price move (above −1, checked apart): the domain's largest, 1e6, and no floor (a formula, not a cascade). */
  move: bound('move', 'relative, decimal', 'signed', 0, DOMAIN.move.max),
  /** Years to expiry: at most the 50 a market may price (GREEKS_LIMITS). */
  expiry: bound('expiry', 'years', 'nonNegative', 0, GREEKS_LIMITS.expiryYearsMax),
} as const;

/** One problem, thrown at once (a single-argument formula, or a wrapper's last word). */
export function refuse(path: string, message: string): never {
  throw new InputError([{ path, message }]);
}

/** Message for a value that should have been a number other than NaN (±Infinity is one). */
export function notNumberMessage(value: unknown): string {
  return value === undefined ? 'missing (expected a number)' : `not a number (got ${describeValue(value)})`;
}

/** Adds a problem unless `value` is a finite number within `within` (its message names the bound). */
export function checkWithin(value: unknown, path: string, within: MagnitudeBound, problems: ProblemList): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    problems.add(path, notFiniteMessage(value));
    return false;
  }
  return !addDomainProblem(within, value, path, problems);
}

/** Adds a problem unless `value` is a whole number at least `min`, or undefined when `optional`. */
export function checkWhole(value: unknown, path: string, min: number, problems: ProblemList, what = 'a whole number', optional = false): value is number {
  if (optional && value === undefined) return true;
  if (Number.isSafeInteger(value) && (value as number) >= min) return true;
  problems.add(path, `expected ${what} ≥ ${min}, got ${describeValue(value)}`);
  return false;
}

/** Adds a problem unless `value` is true, false or undefined (a flag). */
export function checkFlag(value: unknown, path: string, problems: ProblemList): void {
  if (value !== undefined && typeof value !== 'boolean') problems.add(path, `expected true or false, got ${describeValue(value)}`);
}

/** A plain array or a typed array of numbers (not of bigints): the lists the formulas read by index and length. */
export function isNumberList(value: unknown): value is ArrayLike<unknown> {
  if (Array.isArray(value)) return true;
  return ArrayBuffer.isView(value) && !(value instanceof DataView) && !(value instanceof BigInt64Array) && !(value instanceof BigUint64Array);
}

/** `value` as a list of numbers ({@link isNumberList}), else a problem at `path` and null. */
export function listOf(value: unknown, path: string, problems: ProblemList, what = 'a Float64Array or an array of numbers'): ArrayLike<number> | null {
  if (isNumberList(value)) return value as ArrayLike<number>;
  problems.add(path, value === undefined ? `missing (expected ${what})` : notObjectMessage(value, what));
  return null;
}

/** Adds a problem for each entry of `values` outside `within` at `path[k]` (stops once the list is full). */
export function checkEntries(values: ArrayLike<unknown>, path: string, within: MagnitudeBound, problems: ProblemList): void {
  for (let k = 0; k < values.length && !problems.full; k++) checkWithin(values[k], `${path}[${k}]`, within, problems);
}

/** {@link listOf} with every entry within `within` ({@link checkEntries}); null when it is no list. */
export function checkedList(value: unknown, path: string, within: MagnitudeBound, problems: ProblemList, what?: string): ArrayLike<number> | null {
  const list = listOf(value, path, problems, what);
  if (list !== null) checkEntries(list, path, within, problems);
  return list;
}

/** `value` as a plain array, else a problem at `path` and null. */
export function arrayOf(value: unknown, path: string, problems: ProblemList, what: string): readonly unknown[] | null {
  if (Array.isArray(value)) return value;
  problems.add(path, value === undefined ? `missing (expected ${what})` : notObjectMessage(value, what));
  return null;
}

/** `value` as a plain object, else a problem at `path` and null. */
export function recordOf(value: unknown, path: string, problems: ProblemList, what: string): JsonRecord | null {
  if (isRecord(value)) return value;
  problems.add(path, value === undefined ? `missing (expected ${what})` : notObjectMessage(value, what));
  return null;
}

/**
 * An n × n row-major matrix `a` of entries within {@link BOUNDS.matrixEntry}, n a whole number ≥ 0 (0: the empty
 * matrix): the order at `nPath` first, then the list, its length and its entries at `aPath[k]`. True when all hold.
 */
export function checkSquare(a: unknown, n: unknown, aPath: string, nPath: string, problems: ProblemList): a is ArrayLike<number> {
  const before = problems.size;
  const order = Number.isSafeInteger(n) && (n as number) >= 0;
  if (!order) problems.add(nPath, `expected the matrix's order, a whole number ≥ 0, got ${describeValue(n)}`);
  const list = listOf(a, aPath, problems);
  if (list === null || !order) return false;
  const size = (n as number) * (n as number);
  if (list.length !== size) problems.add(aPath, `expected ${n} × ${n} = ${size} entries (row-major), got ${list.length}`);
  else checkEntries(list, aPath, BOUNDS.matrixEntry, problems);
  return problems.size === before;
}

/**
 * Adds a problem at the first entry of the n × n `a` whose mirror differs from it by more than `relative` × its
 * largest entry in size (a symmetric matrix up to the rounding of a JSON file).
 */
export function checkSymmetric(a: ArrayLike<number>, n: number, path: string, relative: number, problems: ProblemList): void {
  let scale = 0;
  for (let k = 0; k < a.length; k++) scale = Math.max(scale, Math.abs(a[k]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const upper = a[i * n + j], lower = a[j * n + i];
      if (Math.abs(upper - lower) <= relative * scale) continue;
      problems.add(`${path}[${i * n + j}]`, `${upper} differs from its mirror ${path}[${j * n + i}] = ${lower}: the matrix must be symmetric (to ${relative} of its largest entry)`);
      return;
    }
  }
}
