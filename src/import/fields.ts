/** Reading venue JSON field by field, every problem with its path (the adapters' equivalent of src/model/checks.ts). */
import { describeValue, InputError, ProblemList } from '../errors.js';
import { checkFields, countDefined, isRecord, type JsonRecord, knownFields } from '../model/checks.js';
import { timestampOfMs } from '../model/time.js';

export { isRecord, type JsonRecord };

/** A finite number at `record[key]`, or undefined after adding a problem at `path.key` (or silently when optional and absent). */
export function numberAt(record: JsonRecord, key: string, path: string, problems: ProblemList, optional = false): number | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  problems.add(`${path}.${key}`, value === undefined ? 'missing (expected a finite number)' : `expected a finite number, got ${describeValue(value)}`);
  return undefined;
}

/** A non-empty string at `record[key]`, or undefined after adding a problem (or silently when optional and absent). */
export function stringAt(record: JsonRecord, key: string, path: string, problems: ProblemList, optional = false): string | undefined {
  const value = record[key];
  if (value === undefined && optional) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  problems.add(`${path}.${key}`, value === undefined ? 'missing (expected a string)' : `expected a non-empty string, got ${describeValue(value)}`);
  return undefined;
}

/** A number or null/absent (venues write null for "none"), without a problem for either. */
export function optionalNumber(record: JsonRecord, key: string): number | undefined {
  const value = record[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Each of `keys` that `record` holds is a finite number or null (a venue's "none"); anything else is a problem at its
 * path (`tickers.json[0].indexPrice: expected a finite number or null, got "91490"`), so that {@link optionalNumber}
 * reading it later never takes a value of the wrong type for an absent one.
 */
export function numbersOrNull(record: JsonRecord, path: string, keys: readonly string[], problems: ProblemList): void {
  for (const key of keys) {
    const value = record[key];
    if (value !== undefined && value !== null && !(typeof value === 'number' && Number.isFinite(value))) problems.add(`${path}.${key}`, `expected a finite number or null, got ${describeValue(value)}`);
  }
}

/**
 * A venue's timestamp at `record[key]` (epoch milliseconds) when it is a time a market's `valuationTime` can state
 * (time.ts timestampOfMs); absent or null: undefined; a value of another type, or any other number: NaN after
 * adding a problem, so that a latest timestamp taken over it is NaN, not a "no timestamp" (1e20 ms has no date, 1.5 ms
 * is not whole; -5 ms is 1969-12-31T23:59:59.995Z, kept).
 */
export function timestampAt(record: JsonRecord, key: string, path: string, problems: ProblemList): number | undefined {
  const value = record[key];
  // a value of another type is no "absent" timestamp: refused at its path, as a number that is no time is
  if (value !== undefined && value !== null && typeof value !== 'number') {
    problems.add(`${path}.${key}`, `expected whole epoch milliseconds or null, got ${describeValue(value)}`);
    return NaN;
  }
  const ms = optionalNumber(record, key);
  if (ms === undefined || timestampOfMs(ms) !== undefined) return ms;
  problems.add(`${path}.${key}`, `${describeValue(ms)} is not a time a market can state: expected whole epoch milliseconds of a date in the years 0000 to 9999 (a valuationTime's)`);
  return NaN;
}


/** `value` as a list of items with their paths: an array's elements, or the value itself when it is not an array. */
export function itemsOf(value: unknown, path: string): { value: unknown; path: string }[] {
  return Array.isArray(value) ? value.map((v, i) => ({ value: v, path: `${path}[${i}]` })) : [{ value, path }];
}

/**
 * The `result` of each JSON-RPC 2.0 response in `json` (one response, or an array of them: several currencies), with
 * the path of each result. An error response or anything else is a problem naming where it is.
 */
export function jsonRpcResults(json: unknown, file: string, problems: ProblemList): { result: unknown; path: string }[] {
  const out: { result: unknown; path: string }[] = [];
  for (const { value, path } of itemsOf(json, file)) {
    if (!isRecord(value)) {
      problems.add(path, `expected a JSON-RPC response {"jsonrpc": "2.0", "id": …, "result": …}, got ${describeValue(value)}`);
      continue;
    }
    if (isRecord(value.error)) {
      problems.add(`${path}.error`, `the venue answered an error (${describeValue(value.error.code)}: ${describeValue(value.error.message)}): save a successful response`);
      continue;
    }
    if (value.jsonrpc !== '2.0' || !Object.hasOwn(value, 'result')) {
      problems.add(path, 'expected a JSON-RPC response {"jsonrpc": "2.0", "id": …, "result": …} as the venue sent it');
      continue;
    }
    out.push({ result: value.result, path: `${path}.result` });
  }
  return out;
}

/** A percentage as a decimal, shifted in decimal (`54.8` → `0.548`, not 0.5479999999999999 as 54.8 / 100 gives). */
export function percentToDecimal(percent: number): number {
  return Number(`${percent}e-2`);
}

/**
 * The importer's input is an object of the venue's responses (`what` names its fields): anything else (null, an
 * array, a string read but not parsed) is an InputError at `path`, before any field is read.
 */
export function checkResponses(input: unknown, path: string, what: string, fields?: readonly string[]): void {
  if (!isRecord(input)) throw new InputError([{ path, message: `expected an object of ${what}, got ${describeValue(input)}` }]);
  if (fields !== undefined) checkOptionFields(input, fields, path);
}

/**
 * An importer's options (or responses) with a field it does not know are an InputError at that field: a misspelt
 * `venu` left unread would change what a balance's total is read as, with no word.
 */
export function checkOptionFields(options: unknown, fields: readonly string[], path: string): void {
  if (!isRecord(options)) {
    if (options === undefined) return;
    throw new InputError([{ path, message: `expected an object, got ${describeValue(options)}` }]);
  }
  const problems = new ProblemList();
  checkFields(options, knownFields(...fields), countDefined(options, fields), path, problems);
  problems.throwIfAny();
}
