/**
 * Errors that margin-core throws on purpose. Every input problem carries the JSON-style path of the
 * offending value (e.g. `accounts[17].positions[3].quantity`, `spot[42]`), so callers can point a
 * user at it. Validation collects every problem it finds before throwing, not just the first.
 */

/** One problem with the input: where it is and what is wrong with it. */
export interface InputProblem {
  /** JSON-style path of the offending value, e.g. `accounts[17].positions[3].quantity`. */
  readonly path: string;
  /** What is wrong, in words, e.g. `not a finite number (NaN)`. */
  readonly message: string;
}

/** Thrown when inputs are rejected. `problems` lists every problem found (capped, see `truncated`). */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly problems: readonly InputProblem[];
  /** True when more problems existed than were kept (see {@link MAX_PROBLEMS}). */
  readonly truncated: boolean;

  constructor(given: readonly InputProblem[], cut = false) {
    // at most MAX_PROBLEMS whoever built the list (a check of its own may find thousands): the rest said to be there
    const truncated = cut || given.length > MAX_PROBLEMS;
    const problems = (given.length > MAX_PROBLEMS ? given.slice(0, MAX_PROBLEMS) : given).map(withShortPath);
    const head = problems.slice(0, 5).map((p) => `${p.path}: ${p.message}`).join('; ');
    // truncated: the list holds the first problems found, and more were not kept
    const more = truncated ? ` (and over ${problems.length - 5} more: validation stops after the first ${problems.length})` : problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    super(`invalid input: ${head}${more}`);
    this.problems = problems;
    this.truncated = truncated;
  }
}

/** Validation stops collecting after this many problems: a million bad rows need not make a million messages. */
export const MAX_PROBLEMS = 100;

/** The places a shared cause's problem lists before counting the rest ({@link ProblemList.addShared}). */
const SHARED_PATHS_LISTED = 3;

export interface ProblemListOptions {
  /**
   * Unknown fields (usually misspellings) become warnings instead of problems. Default false: a
   * misspelt optional field would otherwise be dropped silently and change the result.
   */
  lenient?: boolean | undefined;
  /**
   * An account with no positions, no collateral and no cash is taken (a book rebuilt from a layout that a liquidation
   * emptied: src/session/book-now.ts). Default false: in a file it is a mistake.
   */
  emptyAccounts?: boolean | undefined;
}

/**
 * Collects problems during validation; `throwIfAny` raises one {@link InputError} listing them all.
 * It also collects warnings: what validation let through or changed (unknown fields under the lenient
 * option, at most MAX_PROBLEMS of them; a correlation that is not PSD, or its repair).
 */
export class ProblemList {
  private readonly items: InputProblem[] = [];
  private overflow = false;
  private readonly warningItems: InputProblem[] = [];
  private unknownWarnings = 0;
  readonly lenient: boolean;
  readonly emptyAccounts: boolean;

  constructor(options: ProblemListOptions = {}) {
    this.lenient = options.lenient === true;
    this.emptyAccounts = options.emptyAccounts === true;
  }

  add(path: string, message: string): void {
    if (this.items.length < MAX_PROBLEMS) this.items.push({ path: shortPath(path), message });
    else this.overflow = true;
  }

  /** Whether a problem at `path` was added (its own validator said it: a bound walked later need not say it again). */
  hasPath(path: string): boolean {
    const short = shortPath(path);
    return this.items.some((p) => p.path === short);
  }

  /** The problems added so far, in order. */
  all(): readonly InputProblem[] {
    return this.items;
  }

  /** The first problem added (undefined: none yet). */
  first(): InputProblem | undefined {
    return this.items[0];
  }

  /**
   * A problem with one cause that many places share (a market without BTC: every instrument on BTC names it): the
   * first place is kept as a problem with `message`; each later place with the same `cause` only adds to the count
   * that message then ends with (`; 101 places need it: instruments[0].underlying, instruments[1].underlying, … and 98
   * more`; `places` says what they are: `positions hold it`). One cause, one problem.
   */
  addShared(cause: string, path: string, message: string, places = 'places need it'): void {
    path = shortPath(path);
    const seen = this.shared.get(cause);
    if (seen === undefined) {
      if (this.items.length >= MAX_PROBLEMS) {
        this.overflow = true;
        return;
      }
      this.shared.set(cause, { index: this.items.length, message, places, paths: [path], count: 1 });
      this.items.push({ path, message });
      return;
    }
    seen.count++;
    if (seen.paths.length < SHARED_PATHS_LISTED) seen.paths.push(path);
    const more = seen.count - seen.paths.length;
    this.items[seen.index] = { path: seen.paths[0], message: `${seen.message}; ${seen.count} ${seen.places}: ${seen.paths.join(', ')}${more > 0 ? `, … and ${more} more` : ''}` };
  }

  private readonly shared = new Map<string, { index: number; message: string; places: string; paths: string[]; count: number }>();

  /** Whether a problem with this shared `cause` was added ({@link addShared}): a later check it explains need not add its own. */
  hasCause(cause: string): boolean {
    return this.shared.has(cause);
  }

  /** An unknown field: a problem, or a warning under the lenient option (at most {@link MAX_PROBLEMS} kept). */
  addUnknown(path: string, message: string): void {
    if (!this.lenient) this.add(path, message);
    else if (this.unknownWarnings++ < MAX_PROBLEMS) this.warningItems.push({ path: shortPath(path), message });
  }

  /** Something accepted but worth saying, e.g. a repaired correlation matrix (always kept). */
  warn(path: string, message: string): void {
    this.warningItems.push({ path: shortPath(path), message });
  }

  /**
   * The warnings so far, with a last entry counting unknown fields beyond {@link MAX_PROBLEMS}, and
   * starts a new list (so that one list can validate a book, then a market, each with its own warnings).
   */
  takeWarnings(): InputProblem[] {
    const out = this.warningItems.splice(0);
    if (this.unknownWarnings > MAX_PROBLEMS) {
      out.push({ path: '(input)', message: `${this.unknownWarnings - MAX_PROBLEMS} more unknown fields not listed` });
    }
    this.unknownWarnings = 0;
    return out;
  }

  get size(): number {
    return this.items.length;
  }

  /** True when no more problems will be kept; lets long loops stop early. */
  get full(): boolean {
    return this.overflow;
  }

  /**
   * A problem that may turn out not to be one (an id whose hash matched an earlier one's: src/io/arrow/id-hashes.ts),
   * kept in its place in the list until {@link settle}d; its index, or −1 when the list is full.
   */
  addPending(path: string, message: string): number {
    if (this.items.length >= MAX_PROBLEMS) {
      this.overflow = true;
      return -1;
    }
    return this.items.push({ path, message }) - 1;
  }

  /** A pending problem made final with `message`, or removed (undefined); settle the later ones first. */
  settle(index: number, message: string | undefined): void {
    if (index < 0) return;
    if (message === undefined) this.items.splice(index, 1);
    else this.items[index] = { path: this.items[index].path, message };
  }

  throwIfAny(): void {
    if (this.items.length > 0) throw new InputError(this.items, this.overflow);
  }
}

/** Characters of a string an error message quotes: a longer one (a whole file's text passed as a value) is cut there. */
export const QUOTED_STRING_CHARS = 200;

/** Describes a value for an error message: `NaN`, `Infinity`, `-3`, `"abc"`, `an Array`; a long string cut, with its length. */
/**
 * `path` with each name in it longer than {@link QUOTED_STRING_CHARS} cut there, its length said (`tick.assets.qqq…(a
 * name of 5,000 characters)`), as {@link describeValue} cuts a value: a path names a place, and a key of megabytes
 * made every message that names it as long.
 */
export function shortPath(path: string): string {
  if (path.length <= QUOTED_STRING_CHARS) return path;
  return path.replace(LONG_NAME, (name) => `${name.slice(0, QUOTED_STRING_CHARS)}…(a name of ${name.length.toLocaleString('en-US')} characters)`);
}

/**
 * A run of a path's characters between its separators (`.`, `[`, `]`) longer than {@link QUOTED_STRING_CHARS}; a cut
 * name's `…` ends a run too, so a path cut once is not cut again.
 */
const LONG_NAME = new RegExp(`[^.[\\]…]{${QUOTED_STRING_CHARS + 1},}`, 'g');

function withShortPath(p: InputProblem): InputProblem {
  const path = shortPath(p.path);
  return path === p.path ? p : { ...p, path };
}

export function describeValue(value: unknown): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN' : String(value);
  if (typeof value === 'string') {
    if (value.length <= QUOTED_STRING_CHARS) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, QUOTED_STRING_CHARS))}… (a string of ${value.length.toLocaleString('en-US')} characters)`;
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'object') {
    const name = (value as object).constructor?.name ?? 'Object';
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
  }
  return String(value);
}
