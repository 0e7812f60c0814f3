import { describeValue, ProblemList } from '../errors.js';
import { unknownFieldMessage } from './checks.js';
import { GREEKS_LIMITS as L } from './greeks-limits.js';
import { type GreeksInput, type GreeksOutput, INPUT_F64_FIELDS, OUTPUT_FIELDS } from './greeks-types.js';

/**
 * Greeks input validation, in two steps so that values are checked while they are hot in cache:
 * {@link checkGreeksShapes} once per call (types and lengths), then {@link checkGreeksChunk} on each
 * chunk just before it is priced. A separate pass over a million options would read ~49 MB once
 * more, costing as much as pricing them. On failure the error lists every bad value (up to
 * MAX_PROBLEMS) from the first one on, e.g. `spot[17]: not a finite number (NaN)`.
 */

/** Input columns whose types and lengths are checked; values are checked per chunk. */
export interface GreeksColumnsIn {
  readonly n: number;
  readonly isCall: Uint8Array;
  readonly spot: Float64Array;
  readonly strike: Float64Array;
  readonly expiryYears: Float64Array;
  readonly vol: Float64Array;
  readonly rate: Float64Array;
  /** Absent means 0 for every option. */
  readonly carry: Float64Array | undefined;
}

type Field = (typeof INPUT_F64_FIELDS)[number];
const FIELDS: readonly Field[] = INPUT_F64_FIELDS;
/** Every input column, in the documentation's order (messages list them). */
const INPUT_NAMES: readonly string[] = ['isCall', ...INPUT_F64_FIELDS];
/** Accepted range per field; NaN fails every comparison. */
const RANGE: Record<Field, readonly [number, number]> = {
  spot: [L.priceMin, L.priceMax],
  strike: [L.priceMin, L.priceMax],
  expiryYears: [-Number.MAX_VALUE, L.expiryYearsMax],
  vol: [0, L.volMax],
  rate: [-L.rateAbsMax, L.rateAbsMax],
  carry: [-L.rateAbsMax, L.rateAbsMax],
};

/**
 * The ranges as [lo, hi] pairs in FIELDS order, for the WASM range check (assembly/pricing/check.ts),
 * which must flag exactly what {@link checkGreeksChunk} flags.
 */
export const RANGES_IN_FIELD_ORDER: Float64Array = Float64Array.from(FIELDS.flatMap((f) => RANGE[f]));

/** True when one option's inputs are all inside the ranges {@link checkGreeksChunk} accepts (NaN is not). */
export function inGreeksRange(spot: number, strike: number, expiryYears: number, vol: number, rate: number, carry: number): boolean {
  return inRange('spot', spot) && inRange('strike', strike) && inRange('expiryYears', expiryYears) && inRange('vol', vol) && inRange('rate', rate) && inRange('carry', carry);
}

function inRange(field: Field, x: number): boolean {
  return x >= RANGE[field][0] && x <= RANGE[field][1];
}

/** Why x is not acceptable for `field` (null when it is). */
function explain(field: Field, x: number): string | null {
  if (!Number.isFinite(x)) return `not a finite number (${describeValue(x)})`;
  if (inRange(field, x)) return null;
  const [lo, hi] = RANGE[field];
  switch (field) {
    case 'spot':
    case 'strike':
      return x <= 0 ? `must be positive, got ${x}` : `${x} is outside the supported range [${lo}, ${hi}]`;
    case 'expiryYears':
      return `${x} years is beyond the supported ${hi}`;
    case 'vol':
      return x < 0 ? `must not be negative, got ${x}` : `${x} is above the supported ${hi}`;
    default:
      return `${x} is outside the supported range [${lo}, ${hi}]`;
  }
}

/** Checks that the input is an object of typed arrays of one length; throws InputError otherwise. */
export function checkGreeksShapes(input: unknown): GreeksColumnsIn {
  const problems = new ProblemList();
  if (typeof input !== 'object' || input === null) {
    problems.add('input', `expected an object of typed arrays, got ${describeValue(input)}`);
    problems.throwIfAny();
  }
  const obj = input as Record<string, unknown>;
  // a misspelt optional column (`dividend`, `Carry`) would otherwise be dropped and price every option at carry 0
  for (const key of Object.keys(obj)) if (key !== 'isCall' && !(FIELDS as readonly string[]).includes(key)) problems.add(key, unknownFieldMessage(key, INPUT_NAMES));
  const isCall = obj.isCall;
  if (!(isCall instanceof Uint8Array)) problems.add('isCall', `expected a Uint8Array (1 = call, 0 = put), got ${describeValue(isCall)}`);
  const n = isCall instanceof Uint8Array ? isCall.length : -1;
  for (const field of FIELDS) {
    const column = obj[field];
    if (field === 'carry' && column === undefined) continue;
    if (!(column instanceof Float64Array)) problems.add(field, `expected a Float64Array, got ${describeValue(column)}`);
    else if (n >= 0 && column.length !== n) problems.add(field, `length ${column.length} does not match isCall's length ${n}`);
  }
  problems.throwIfAny();
  const i = input as GreeksInput;
  return { n, isCall: i.isCall, spot: i.spot, strike: i.strike, expiryYears: i.expiryYears, vol: i.vol, rate: i.rate, carry: i.carry };
}

/** Index of the first entry of [start, end) outside [lo, hi] (or NaN), or `end`. */
function firstOutside(column: Float64Array, start: number, end: number, lo: number, hi: number): number {
  for (let i = start; i < end; i++) {
    const x = column[i];
    if (!(x >= lo && x <= hi)) return i;
  }
  return end;
}

/**
 * Checks the values of options [start, end). On failure throws one InputError listing every bad
 * value from the first one to the end of the input (capped), so a caller sees all of them at once.
 */
export function checkGreeksChunk(c: GreeksColumnsIn, start: number, end: number): void {
  let bad = end;
  for (const field of FIELDS) {
    const column = c[field];
    if (column) bad = Math.min(bad, firstOutside(column, start, bad, RANGE[field][0], RANGE[field][1]));
  }
  const isCall = c.isCall;
  for (let i = start; i < bad; i++) {
    if (isCall[i] > 1) {
      bad = i;
      break;
    }
  }
  if (bad === end) return;
  const problems = new ProblemList();
  for (let i = bad; i < c.n && !problems.full; i++) {
    if (isCall[i] > 1) problems.add(`isCall[${i}]`, `must be 1 (call) or 0 (put), got ${isCall[i]}`);
    for (const field of FIELDS) {
      const column = c[field];
      const message = column ? explain(field, column[i]) : null;
      if (message) problems.add(`${field}[${i}]`, message);
    }
  }
  problems.throwIfAny();
}

/** Checks caller-provided output arrays: each a Float64Array of length n. */
export function checkGreeksOutput(out: unknown, n: number): GreeksOutput {
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
