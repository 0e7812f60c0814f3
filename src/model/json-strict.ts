/**
 * What JSON.parse accepts silently and margin-core refuses (docs/book-format.md, "JSON text"): a member name given
 * twice in one object (JSON.parse keeps the last) and a number that is not 0 but reads as 0 (`1e-400`, nearer 0 than
 * the smallest double: it underflows). Every reader of user JSON calls {@link strictJsonProblems} once JSON.parse has
 * accepted the text: the CLI's files, small (src/model/json-text.ts, also the page's dropped files) or streamed
 * (src/io/json-stream.ts, src/io/json-book/), the service's bodies (src/service/body.ts), an Arrow book's instruments.
 *
 * The common case costs a count, not a parse: the member names in the text (a `"` then `:`) against the keys of the
 * parsed value (a name given twice is one key); and, when the value holds a 0, a search of the text for a number that
 * could underflow (an exponent of −100 or below, or a run of 100 zeros). Only when either says so is the text scanned
 * for the problems and their paths.
 */
import { type InputProblem, MAX_PROBLEMS } from '../errors.js';
import { keyPath } from './checks.js';

/** A step of a path: a member name or an array index. */
export type JsonStep = string | number;

export interface StrictJsonOptions {
  /** The path of the text's value in the input (`accounts[17]` for one account of a book); default '' (the top). */
  base?: string | undefined;
  /** The path of the whole text when `base` is '' (a number alone): `--book`, `body`. */
  whole?: string | undefined;
  /** Paths from steps (default: under `base`, `accounts[17].positions[3].quantity`). */
  pathOf?: ((steps: readonly JsonStep[]) => string) | undefined;
  /** The top-level object in a message: default `the top-level object`. */
  top?: string | undefined;
  /** Where an offset of the text is, for the message (`book.json:5:38`, `line 1, column 60`); none: no place. */
  place?: ((offset: number) => string) | undefined;
  /** At most this many problems (default MAX_PROBLEMS). */
  max?: number | undefined;
}

/**
 * The problems of `text` (valid JSON, parsed by JSON.parse as `value`): each member name given twice, at the member's
 * path (`accounts[0].positions[0].quantity`), and each number that underflows, at its path and as written. Empty when
 * there is none.
 */
export function strictJsonProblems(text: string, value: unknown, options: StrictJsonOptions = {}): InputProblem[] {
  if (!mayHaveStrictProblems(text, value)) return [];
  return new StrictScan(text, options).problems();
}

/**
 * False when `text` (valid JSON, parsed as `value`) has neither problem, at the cost of a count (see the module
 * comment); true when it may have one (then scan it, or the parts of it whose paths are wanted).
 */
export function mayHaveStrictProblems(text: string, value: unknown): boolean {
  const { keys, zeros } = shapeOf(value);
  return memberNames(text) !== keys || (zeros > 0 && mayUnderflow(text)); // a number that underflows reads as 0
}

/** The message for member `name` given twice in `object` (`first`: where the first one is, if known). */
export function givenTwiceMessage(name: string, object: string, first?: string): string {
  return `${JSON.stringify(name)} is given twice in ${object}${first === undefined ? '' : ` (first at ${first})`}: JSON.parse would keep the last silently`;
}

/**
 * Whether `literal` (a JSON number) reads as `value` = 0 while one of its digits before the exponent is not 0: a
 * number too small for a double (a literal is zero only if its digits are all zeros).
 */
export function underflows(literal: string, value = Number(literal)): boolean {
  return value === 0 && NONZERO_MANTISSA.test(literal);
}

/** `accounts[17].positions[3].quantity` from `base` and steps (member names as identifiers or `["a b"]`). */
export function jsonPath(base: string, steps: readonly JsonStep[]): string {
  let path = base;
  for (const step of steps) path = typeof step === 'number' ? `${path}[${step}]` : keyPath(path, step);
  return path;
}

const NONZERO_MANTISSA = /^-?[0.]*[1-9]/;
const ZEROS = '0'.repeat(100);

/**
 * Whether `text` may hold a number that underflows: one nearer 0 than 2.5e-324 has an exponent of −100 or less after a
 * digit, or 100 zeros in a row (a fraction's leading zeros). Strings that look so only cost a scan. Found by indexOf,
 * which skips through a book's text faster than a regular expression does.
 */
function mayUnderflow(text: string): boolean {
  return text.includes(ZEROS) || exponentBelow100(text, 'e-') || exponentBelow100(text, 'E-');
}

/** Whether `mark` (`e-`) follows a digit and precedes an exponent of 100 or more (leading zeros aside) somewhere in `text`. */
function exponentBelow100(text: string, mark: string): boolean {
  for (let i = text.indexOf(mark, 1); i >= 0; i = text.indexOf(mark, i + 2)) {
    if (!isDigit(text.charCodeAt(i - 1))) continue;
    let j = i + 2;
    while (text.charCodeAt(j) === 0x30) j++;
    if (isDigit(text.charCodeAt(j)) && isDigit(text.charCodeAt(j + 1)) && isDigit(text.charCodeAt(j + 2))) return true;
  }
  return false;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** Member names in valid JSON text: colons after a closing quote (a colon inside a string follows no `"`, but `\":`). */
function memberNames(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let j = i - 1, c = text.charCodeAt(j);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(--j);
    if (c === 0x22) count++;
  }
  return count;
}

/** The keys of every object in a parsed JSON value, and its numbers that are 0 (walked with a stack of its own: any depth). */
function shapeOf(value: unknown): { keys: number; zeros: number } {
  let keys = 0, zeros = value === 0 ? 1 : 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let k = 0; k < v.length; k++) {
        const e: unknown = v[k];
        if (typeof e === 'object' && e !== null) stack.push(e);
        else if (e === 0) zeros++;
      }
      continue;
    }
    const record = v as Record<string, unknown>;
    for (const key in record) {
      keys++;
      const e = record[key];
      if (typeof e === 'object' && e !== null) stack.push(e);
      else if (e === 0) zeros++;
    }
  }
  return { keys, zeros };
}

/** An object or array being scanned: an object's names so far (with the offset of each), the member or element at. */
interface Open {
  names: Map<string, number> | null;
  step: JsonStep;
}

/** A scan of valid JSON text for the problems, with the path of each (containers on a stack of its own: any depth). */
class StrictScan {
  private readonly open: Open[] = [];
  private readonly found: InputProblem[] = [];
  private readonly max: number;

  constructor(private readonly text: string, private readonly options: StrictJsonOptions) {
    this.max = options.max ?? MAX_PROBLEMS;
  }

  problems(): InputProblem[] {
    const s = this.text, n = s.length;
    for (let i = 0; i < n && this.found.length < this.max; ) {
      const c = s.charCodeAt(i);
      if (c === 0x22) i = this.string(i);
      else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) i = this.number(i);
      else {
        if (c === 0x7b || c === 0x5b) this.open.push({ names: c === 0x7b ? new Map() : null, step: c === 0x7b ? '' : 0 });
        else if (c === 0x7d || c === 0x5d) this.open.pop();
        else if (c === 0x2c) {
          const top = this.open.at(-1)!;
          if (top.names === null) (top.step as number)++;
        }
        i++;
      }
    }
    return this.found;
  }

  /** The string at i (a member name when a colon follows): the offset after it. */
  private string(i: number): number {
    const s = this.text;
    let end = i + 1, escaped = false;
    for (let c = s.charCodeAt(end); c !== 0x22 && end < s.length; c = s.charCodeAt(++end)) {
      if (c === 0x5c) {
        escaped = true;
        end++;
      }
    }
    end++;
    let after = end;
    while (after < s.length && s.charCodeAt(after) <= 0x20) after++;
    const top = this.open.at(-1);
    if (s.charCodeAt(after) !== 0x3a || top?.names == null) return end;
    const name = escaped ? (JSON.parse(s.slice(i, end)) as string) : s.slice(i + 1, end - 1);
    top.step = name;
    const first = top.names.get(name);
    if (first === undefined) top.names.set(name, i);
    else this.add(i, givenTwiceMessage(name, this.objectName(), this.options.place?.(first)));
    return end;
  }

  /** The number at i: the offset after it. */
  private number(i: number): number {
    const s = this.text;
    let end = i + 1;
    for (let c = s.charCodeAt(end); (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === 0x2d; c = s.charCodeAt(++end));
    const literal = s.slice(i, end);
    if (underflows(literal)) this.add(i, `${literal} is not 0 but nearer 0 than the smallest number (5e-324): it would be read as 0`);
    return end;
  }

  private add(offset: number, what: string): void {
    const { place, whole = '' } = this.options;
    this.found.push({ path: this.pathOf(this.open.map((o) => o.step)) || whole, message: place ? `${place(offset)}: ${what}` : what });
  }

  /** The object whose member is being read: its path, or `the top-level object`. */
  private objectName(): string {
    const steps = this.open.slice(0, -1).map((o) => o.step);
    if (steps.length === 0 && !this.options.base) return this.options.top ?? 'the top-level object';
    return this.pathOf(steps);
  }

  private pathOf(steps: readonly JsonStep[]): string {
    return this.options.pathOf ? this.options.pathOf(steps) : jsonPath(this.options.base ?? '', steps);
  }
}
