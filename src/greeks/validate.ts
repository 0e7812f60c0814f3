import { describeValue, ProblemList } from '../errors.js';
import { GREEKS_LIMITS as L } from './limits.js';
import { type GreeksInput, type GreeksOutput, OUTPUT_FIELDS } from './types.js';

/** A Greeks input that passed validation: all columns present (carry filled with zeros if absent). */
export interface ValidGreeksInput {
  readonly n: number;
  readonly isCall: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly expiryYears: Float64Array;
  readonly vol: Float64Array;
  readonly rate: Float64Array;
  readonly carry: Float64Array;
}

type Check = (x: number) => string | null;

const finite = (x: number): string | null => (Number.isFinite(x) ? null : `not a finite number (${describeValue(x)})`);
const priceCheck: Check = (x) =>
  finite(x) ??
  (x > 0 ? null : `must be positive, got ${x}`) ??
  (x >= L.priceMin && x <= L.priceMax ? null : `${x} is outside the supported range [${L.priceMin}, ${L.priceMax}]`);
const CHECKS: Record<'spot' | 'strike' | 'expiryYears' | 'vol' | 'rate' | 'carry', Check> = {
  spot: priceCheck,
  strike: priceCheck,
  expiryYears: (x) => finite(x) ?? (x <= L.expiryYearsMax ? null : `${x} years is beyond the supported ${L.expiryYearsMax}`),
  vol: (x) => finite(x) ?? (x >= 0 ? null : `must not be negative, got ${x}`) ?? (x <= L.volMax ? null : `${x} is above the supported ${L.volMax}`),
  rate: (x) => finite(x) ?? (Math.abs(x) <= L.rateAbsMax ? null : `${x} is outside the supported range [-${L.rateAbsMax}, ${L.rateAbsMax}]`),
  carry: (x) => finite(x) ?? (Math.abs(x) <= L.rateAbsMax ? null : `${x} is outside the supported range [-${L.rateAbsMax}, ${L.rateAbsMax}]`),
};

/**
 * Checks a Greeks batch and throws one InputError naming every bad field and index
 * (e.g. `spot[17]: not a finite number (NaN)`). Runs one tight pass; messages are built only on failure.
 */
export function validateGreeksInput(input: unknown): ValidGreeksInput {
  const problems = new ProblemList();
  if (typeof input !== 'object' || input === null) {
    problems.add('input', `expected an object of typed arrays, got ${describeValue(input)}`);
    problems.throwIfAny();
  }
  const obj = input as Record<string, unknown>;
  const isCall = obj.isCall;
  if (!(isCall instanceof Uint8Array)) problems.add('isCall', `expected a Uint8Array (1 = call, 0 = put), got ${describeValue(isCall)}`);
  const n = isCall instanceof Uint8Array ? isCall.length : -1;
  const columns: Partial<Record<keyof typeof CHECKS, Float64Array>> = {};
  for (const field of Object.keys(CHECKS) as (keyof typeof CHECKS)[]) {
    const column = obj[field];
    if (field === 'carry' && column === undefined) continue;
    if (!(column instanceof Float64Array)) {
      problems.add(field, `expected a Float64Array, got ${describeValue(column)}`);
    } else if (n >= 0 && column.length !== n) {
      problems.add(field, `length ${column.length} does not match isCall's length ${n}`);
    } else columns[field] = column;
  }
  problems.throwIfAny();

  const spot = columns.spot!, strike = columns.strike!, expiry = columns.expiryYears!;
  const vol = columns.vol!, rate = columns.rate!;
  const carry = columns.carry ?? new Float64Array(n);
  const calls = isCall as Uint8Array;
  // Fast pass: comparisons written so that NaN fails them.
  let firstBad = -1;
  for (let i = 0; i < n; i++) {
    const s = spot[i], k = strike[i], t = expiry[i], v = vol[i], r = rate[i], q = carry[i];
    if (
      !(s >= L.priceMin && s <= L.priceMax && k >= L.priceMin && k <= L.priceMax) ||
      !(t <= L.expiryYearsMax && t >= -Number.MAX_VALUE) ||
      !(v >= 0 && v <= L.volMax) ||
      !(r >= -L.rateAbsMax && r <= L.rateAbsMax && q >= -L.rateAbsMax && q <= L.rateAbsMax) ||
      calls[i] > 1
    ) {
      firstBad = i;
      break;
    }
  }
  if (firstBad >= 0) {
    for (let i = firstBad; i < n && !problems.full; i++) {
      if (calls[i] > 1) problems.add(`isCall[${i}]`, `must be 1 (call) or 0 (put), got ${calls[i]}`);
      for (const field of Object.keys(CHECKS) as (keyof typeof CHECKS)[]) {
        const column = field === 'carry' ? carry : columns[field]!;
        const message = CHECKS[field](column[i]);
        if (message) problems.add(`${field}[${i}]`, message);
      }
    }
    problems.throwIfAny();
  }
  return { n, isCall: calls, spot, strike, expiryYears: expiry, vol, rate, carry };
}

/** Checks caller-provided output arrays: each a Float64Array of length n. */
export function validateGreeksOutput(out: unknown, n: number): GreeksOutput {
  const problems = new ProblemList();
  if (typeof out !== 'object' || out === null) {
    problems.add('out', `expected an object of Float64Arrays, got ${describeValue(out)}`);
    problems.throwIfAny();
  }
  const obj = out as Record<string, unknown>;
  for (const field of OUTPUT_FIELDS) {
    const column = obj[field];
    if (!(column instanceof Float64Array)) problems.add(`out.${field}`, `expected a Float64Array, got ${describeValue(column)}`);
    else if (column.length !== n) problems.add(`out.${field}`, `length ${column.length} does not match the input length ${n}`);
  }
  problems.throwIfAny();
  return out as GreeksOutput;
}
