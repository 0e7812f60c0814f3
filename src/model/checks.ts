/**
 * Small predicates and message builders shared by the validators, so every check words its problem
 * the same way (the messages are documented in docs/book-format.md).
 */

import { describeValue, type ProblemList } from '../errors.js';
import { DOMAIN, domainProblem } from './domain.js';

export type JsonRecord = Record<string, unknown>;

/** A plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // a plain object (JSON's, a literal's, Object.create(null)'s): at once; else one whose tag says Object (another
  // realm's plain object, a class instance), never a Map, Set, Date or Promise, whose entries are no fields (a Map of
  // options read as none had left every default in place)
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Object.prototype.toString.call(value) === '[object Object]';
}

export function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** A name (an id, a symbol): a non-empty string of well-formed UTF-16 ({@link isWellFormed}). */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && isWellFormed(value);
}

// With the u flag a surrogate pair is one code point: only a lone half is in the category Cs.
const LONE_SURROGATE = /\p{Cs}/u;
/** String.prototype.isWellFormed (ES2024; Node 20 has it, natively fast), where the runtime has it. */
const nativeWellFormed = (String.prototype as { isWellFormed?: (() => boolean) | undefined }).isWellFormed;

/**
 * No lone surrogate (a JSON escape such as "\ud800" with no partner): such a string has no UTF-8 form, so CSV, Arrow
 * and JSON reports and written books would print it as U+FFFD, and two ids as one. String.prototype.isWellFormed is
 * ES2024, later than the browsers the page is built for (ES2022): the regex where it is missing. Checked on every id
 * of a book: the native check keeps validation's cost (the regex added 10–15% to validating 200,000 accounts).
 */
export const isWellFormed: (text: string) => boolean = nativeWellFormed !== undefined
  ? (text) => nativeWellFormed.call(text)
  : (text) => !LONE_SURROGATE.test(text);

/** Message for a value that should have been a finite number. */
export function notFiniteMessage(value: unknown): string {
  if (value === undefined) return 'missing (expected a finite number)';
  return `not a finite number (got ${describeValue(value)})`;
}

/** Message for a value that should have been an object. */
export function notObjectMessage(value: unknown, what = 'an object'): string {
  return `expected ${what}, got ${describeValue(value)}`;
}

/** Message for a value that should have been a non-empty string. */
export function notStringMessage(value: unknown, what: string): string {
  if (value === undefined) return `missing (expected ${what})`;
  if (value === '') return `empty (expected ${what})`;
  if (typeof value === 'string' && !isWellFormed(value)) return `not well-formed Unicode: ${describeValue(value)} holds a lone surrogate, which no UTF-8 file can hold (expected ${what})`;
  return `expected ${what}, got ${describeValue(value)}`;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * `base.key` for identifier-like keys (`market.assets.BTC`), else `base["key"]` (`market.marks["BTC-PERP"]`);
 * with an empty base (the book's top level), `key` or `["key"]`.
 */
export function keyPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Own enumerable keys of a JSON object, as data (never inherited names like `toString`). */
export function ownEntries(record: JsonRecord): Array<[string, unknown]> {
  return Object.keys(record).map((key) => [key, record[key]]);
}

/**
 * Problem with a price (an asset's spot, a mark, an option's strike), or null: the domain's price bound
 * (src/model/domain.ts), checked in validation so that valuation never meets a value outside it and every
 * message names the book or market path.
 */
export function priceProblem(value: number): string | null {
  return domainProblem(DOMAIN.price, value);
}

/**
 * A value from the input, for a message, exactly as JavaScript reads it back (the shortest text that parses to the
 * same number: `-1234.5678` stays `-1234.5678`), so the user can search the file for it. Never rounded.
 */
export function formatNumber(value: number): string {
  return String(value);
}

/** A figure the engine computed (not found in any file), for a message: three significant digits, `-0.0312`, `1.2e-7`. */
export function formatComputed(value: number): string {
  if (!Number.isFinite(value) || value === 0) return String(value);
  return String(Number(value.toPrecision(3)));
}

/** The fields a kind of JSON object may have, for {@link checkFields}. */
export interface KnownFields {
  /** In documentation order (listed in messages). */
  readonly names: readonly string[];
  readonly set: ReadonlySet<string>;
}

export function knownFields(...names: string[]): KnownFields {
  return { names, set: new Set(names) };
}

/** Keys every JSON file may carry at its top level: annotations, not data (`$schema` names a JSON Schema). */
export const ANNOTATION_KEYS: readonly string[] = ['$schema'];

/**
 * Reports every own key of `record` that is not a known field: `instruments[3].multipler: unknown
 * field (did you mean "multiplier"?)` (a problem, or a warning under the lenient option). A misspelt
 * optional field must not be dropped silently: the result would change with no sign of why.
 *
 * `present` is how many known fields the caller found defined on `record`; see {@link hasMoreKeys}.
 */
export function checkFields(record: JsonRecord, known: KnownFields, present: number, path: string, problems: ProblemList): void {
  if (hasMoreKeys(record, present)) reportUnknownFields(record, known, path, problems);
}

/**
 * True when `record` has more keys than the `present` known fields the caller found defined on it,
 * i.e. when it may have an unknown one. The cheap test in front of {@link reportUnknownFields} on hot
 * paths (once per position, millions of times): it allocates nothing (perf: no-alloc-per-step, docs/performance.md).
 * It also counts inherited enumerable keys, which only sends a record to the exact check.
 */
export function hasMoreKeys(record: JsonRecord, present: number): boolean {
  let keys = 0;
  for (const _ in record) if (++keys > present) return true;
  return false;
}

/** The exact check behind {@link checkFields}: every own key that is not a known field, with a suggestion. */
export function reportUnknownFields(record: JsonRecord, known: KnownFields, path: string, problems: ProblemList): void {
  for (const key of Object.keys(record)) {
    if (!known.set.has(key)) problems.addUnknown(keyPath(path, key), unknownFieldMessage(key, known.names));
  }
}

/** How many of `fields` are defined (not undefined) on `record`: the `present` of {@link checkFields}. */
export function countDefined(record: JsonRecord, fields: readonly string[]): number {
  let n = 0;
  for (const field of fields) if (Object.hasOwn(record, field) && record[field] !== undefined) n++;
  return n;
}

/** `unknown field (did you mean "multiplier"?)`, or the list of fields when no name is close; `noun`: what a key names (an option's: `unknown option …`). */
export function unknownFieldMessage(key: string, names: readonly string[], noun = 'field'): string {
  const suggestion = nearestName(key, names);
  if (suggestion !== null) return `unknown ${noun} (did you mean ${JSON.stringify(suggestion)}?)`;
  const listed = names.filter((name) => !ANNOTATION_KEYS.includes(name));
  if (listed.length === 0) return `unknown ${noun} (no ${noun}s expected here)`;
  const list = listed.length === 1 ? listed[0] : `${listed.slice(0, -1).join(', ')} or ${listed[listed.length - 1]}`;
  return `unknown ${noun} (expected ${list})`;
}

/**
 * The name of `names` closest to `key`, if close enough to be a slip: equal ignoring case, or within
 * an edit distance (insertions, deletions, substitutions, adjacent swaps) of 1 for names of up to 4
 * characters, 2 up to 8, 3 beyond. Ties go to the earlier name.
 */
export function nearestName(key: string, names: readonly string[]): string | null {
  const lower = key.toLowerCase();
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const name of names) {
    if (name.toLowerCase() === lower) return name;
    const limit = name.length <= 4 ? 1 : name.length <= 8 ? 2 : 3;
    const d = editDistance(lower, name.toLowerCase(), limit);
    if (d <= limit && d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Known ids up to this many are searched for a misspelt id's nearest by edit distance (an error path: ~0.1 s at this size); beyond, by case only. */
const SUGGEST_WITHIN = 100_000;

/**
 * The known id a mistyped `id` most likely meant: the same ignoring case, else one slip away (one insertion, deletion,
 * substitution or adjacent swap: ids are names with numbers in them, where two edits make another real id, `XYZ-PERP`
 * is not `XRP-PERP`), else the one known id that starts with it (a venue's full name typed short: `BTC-PERPETUAL`
 * for `BTC-PERPETU`); null when none is, or when several are. Beyond {@link SUGGEST_WITHIN} ids, by case alone.
 */
export function nearestId(id: string, known: ReadonlyMap<string, unknown>): string | null {
  const lower = id.toLowerCase(), searched = known.size <= SUGGEST_WITHIN;
  let slip: string | null = null, slips = 0, prefixed: string | null = null, prefixes = 0;
  for (const name of known.keys()) {
    const other = name.toLowerCase();
    if (other === lower) return name;
    if (!searched) continue;
    if (editDistance(lower, other, 1) <= 1 && slips++ === 0) slip = name;
    if (lower.length >= 3 && other.startsWith(lower) && prefixes++ === 0) prefixed = name;
  }
  // only a guess no other id shares: a call and a put one letter apart, or acct-70 and acct-71 for acct-7, are not
  return slips === 1 ? slip : slips === 0 && prefixes === 1 ? prefixed : null;
}

/** ` (did you mean "BTC-PERPETUAL"?)` for an id {@link nearestId} finds, else nothing. */
export function didYouMean(id: string, known: ReadonlyMap<string, unknown>): string {
  const near = nearestId(id, known);
  return near === null ? '' : ` (did you mean ${JSON.stringify(near)}?)`;
}

/**
 * `unknown instrument "btc-perp" (did you mean "BTC-PERP"?)`: an instrument id the book does not list. The id meant is
 * searched only while `problems` keeps what it is given (a list keeps 100): a book whose million positions name
 * unknown ids searches a hundred times, not a million.
 */
export function unknownInstrumentMessage(id: string, known: ReadonlyMap<string, unknown>, problems?: { readonly full: boolean }): string {
  return `unknown instrument ${describeValue(id)}${problems?.full === true ? '' : didYouMean(id, known)}`;
}

/**
 * Optimal string alignment distance (Levenshtein with adjacent transpositions), or `limit + 1` as soon
 * as it must exceed `limit` (keys can be long strings from untrusted input).
 */
export function editDistance(a: string, b: string, limit = Infinity): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before = new Array<number>(b.length + 1).fill(0); // row i − 2
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j); // row i − 1
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, before[j - 2] + 1);
      current[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > limit) return limit + 1;
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length];
}

/**
 * The own value of `key` in a JSON object used as a map (assets, marks, rules by asset), never an
 * inherited one: an asset named `constructor` or `toString` is data, not `Object.prototype`'s method.
 */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A new empty map-like object with no prototype: any key, `__proto__` included, is a plain entry. */
export function dataRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A finite number within bounds (open or closed), or a problem at `path` (undefined when absent and not required). */
export function boundedNumber(v: unknown, path: string, problems: ProblemList, b: { min?: number | undefined; max?: number | undefined; minOpen?: boolean | undefined; maxOpen?: boolean | undefined; required?: boolean | undefined }): number | undefined {
  if (v === undefined && !b.required) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    problems.add(path, v === undefined ? 'missing (expected a finite number)' : `not a finite number (got ${describeValue(v)})`);
    return undefined;
  }
  if (b.min !== undefined && (b.minOpen ? !(v > b.min) : !(v >= b.min))) {
    problems.add(path, `${v} is ${b.minOpen ? 'not above' : 'below'} ${b.min}`);
    return undefined;
  }
  if (b.max !== undefined && (b.maxOpen ? !(v < b.max) : !(v <= b.max))) {
    problems.add(path, `${v} is ${b.maxOpen ? 'not below' : 'above'} ${b.max}`);
    return undefined;
  }
  return v;
}
