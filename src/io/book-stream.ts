/**
 * A book.json file of any size read into a columnar book (src/model/book-columns.ts) as it streams: the accounts are
 * parsed ~1 MB at a time (json-stream.ts), each batch validated by the book validator and appended to the columns,
 * and dropped, so memory holds the book's columns and one batch of objects, never the whole book as objects. Every
 * problem is the validator's, at its path (unknown top-level fields are listed after the accounts' problems).
 *
 * The instruments must come before the accounts in the file (generated and exported books write them first); a
 * file with the accounts first is read whole, then validated, as before.
 */
import { type BytesRead, fileChunks } from './file-chunks.js';
import { ProblemList } from '../errors.js';
import { BookColumnsBuilder } from '../model/book-columns-builder.js';
import { accountCountOf, type BookChunk } from '../model/book-columns.js';
import { ANNOTATION_KEYS, checkFields, countDefined, knownFields } from '../model/checks.js';
import type { InstrumentTerms } from '../model/netting.js';
import type { ValidatedBook, ValidatedInstrument } from '../model/types.js';
import { nettingTerms, validateBook, type ValidationOptions } from '../model/validate.js';
import { checkMasters } from '../model/validate-masters.js';
import { InstrumentRows, readAccount, readInstruments } from '../model/validate-book.js';
import { isRecord } from '../model/checks.js';
import { FirstIndexById } from './first-index.js';
import { ObjectSplitter, TAKEN } from './json-stream.js';

const BOOK_FIELDS = knownFields('instruments', 'accounts', ...ANNOTATION_KEYS);
/** An account without a master, for the master checks (which read only the masters named and the namers' ids). */
const NO_MASTER = Object.freeze({ id: undefined, master: undefined });

/**
 * A subaccount (an account naming a master), or an account naming its own method, after accounts already handed out in
 * chunks: the book must be margined whole (a master is margined with its subaccounts, wherever they are; a report of
 * accounts under several methods is not merged from chunks). Thrown by {@link readBookChunks}.
 */
export class NeedsWholeBook extends Error {
  override readonly name: string = 'NeedsWholeBook';
  constructor(
    /** The index of the account naming a master (or a method), and how many accounts came before in chunks. */
    readonly account: number,
    readonly accountsInChunks: number,
    what: 'master' | 'method' = 'master',
  ) {
    super(`accounts[${account}] names a ${what} after ${accountsInChunks} accounts were read in chunks`);
  }
}

/**
 * The book in `path` read a chunk of about `chunkAccounts` accounts at a time, each chunk validated into a book of its
 * own over the book's instruments (memory holds one chunk's columns and the file's current piece), problems at the
 * book's paths (a chunk with problems throws before it is yielded; an id repeated across chunks is found; unknown
 * top-level fields come after the last chunk). A book with subaccounts (or accounts naming their own method) in its first
 * chunk comes as one chunk; one whose first such account comes later throws {@link NeedsWholeBook}. A file with its accounts before its instruments comes
 * whole, as one chunk. JsonSyntaxError for malformed JSON.
 */
export async function* readBookChunks(path: string, options: ChunkOptions = {}, chunkAccounts: number | ((chunk: number) => number) = 65_536, chunkBytes = 1 << 22, onBytes?: BytesRead): AsyncGenerator<BookChunk> {
  const reader = new StreamedBook(options, chunkAccounts);
  const splitter = new ObjectSplitter((key, elements, first, s) => reader.take(key, elements, first, s));
  for await (const chunk of fileChunks(path, chunkBytes, onBytes)) {
    splitter.push(chunk as Buffer);
    yield* reader.takeChunks();
  }
  const last = reader.finish(splitter.finish());
  yield* reader.takeChunks();
  if (reader.lastFirst === 0 || accountCountOf(last) > 0) yield { book: last, first: reader.lastFirst };
}

export interface ChunkOptions extends ValidationOptions {
  /**
   * Accounts naming their own method may come in any chunk (a caller that writes each chunk's rows as they come); by
   * default they make the book one chunk, as subaccounts do (src/cli/margin-chunks.ts does not merge their reports).
   */
  methodsInChunks?: boolean | undefined;
}

/** Reads and validates the book in `path`, streaming (see the module comment). JsonSyntaxError for malformed JSON. */
export async function readBookFile(path: string, options: ValidationOptions = {}, chunkBytes = 1 << 22, onBytes?: BytesRead): Promise<ValidatedBook> {
  const reader = new StreamedBook(options);
  const splitter = new ObjectSplitter((key, elements, first, s) => reader.take(key, elements, first, s));
  for await (const chunk of fileChunks(path, chunkBytes, onBytes)) splitter.push(chunk);
  return reader.finish(splitter.finish());
}

/**
 * The accounts read so far and the state their validation needs (validate-book.ts `readAccounts`, a batch at a time):
 * accounts as parsed JSON ({@link read}), or as columns a byte scan checked against the same rules ({@link readClean},
 * src/io/json-book/).
 */
export class StreamedBook {
  private readonly problems: ProblemList;
  private builder: BookColumnsBuilder | undefined;
  private index: ReadonlyMap<string, number> | null = null;
  private terms: InstrumentTerms | null = null;
  private readonly rows = new InstrumentRows();
  private readonly firstIndexById = new FirstIndexById();
  private readonly masters: { id: unknown; master: unknown }[] = [];
  private anyMaster = false;
  /** An account named a master or its own method: the book is one chunk (see NeedsWholeBook). */
  private oneChunk = false;
  /** Chunks cut and not yet handed out ({@link takeChunks}); the book's index of the first account not in one. */
  private readonly chunks: BookChunk[] = [];
  lastFirst = 0;

  /**
   * `chunkAccounts`: cut a chunk each time this many accounts are read (Infinity: the book is one chunk), or the size of
   * chunk k.
   */
  constructor(private readonly options: ChunkOptions, chunkAccounts: number | ((chunk: number) => number) = Infinity) {
    this.problems = new ProblemList(options);
    this.chunkSize = typeof chunkAccounts === 'number' ? () => chunkAccounts : chunkAccounts;
    this.chunkAccounts = this.chunkSize(0);
  }

  private readonly chunkSize: (chunk: number) => number;
  /** The size of the chunk being read. */
  chunkAccounts: number;
  private cuts = 0;

  /** The chunks cut since the last call. */
  *takeChunks(): Generator<BookChunk> {
    while (this.chunks.length > 0) yield this.chunks.shift()!;
  }

  /** ObjectSplitter's hook: validates a batch of accounts once the instruments are known; refuses anything else. */
  take(key: string, elements: unknown[], first: number, splitter: ObjectSplitter): boolean {
    if (key !== 'accounts') return false;
    if (!this.builder) {
      const instruments = splitter.member('instruments');
      if (instruments === undefined) return false; // accounts before instruments: read whole (finish)
      this.begin(instruments);
    }
    for (let k = 0; k < elements.length && !this.problems.full; k++) {
      this.read(elements[k], first + k);
      this.cutIfDue(first + k + 1);
    }
    return true;
  }

  /** The book's instruments (JSON), read before its first account. */
  begin(instruments: unknown): { list: readonly ValidatedInstrument[]; indexById: ReadonlyMap<string, number>; terms: InstrumentTerms | null } {
    const read = readInstruments(instruments, this.problems);
    this.builder = new BookColumnsBuilder(read.list);
    if (Array.isArray(instruments)) {
      this.index = read.indexById;
      this.terms = nettingTerms(read.list, read.indexById, instruments.length); // book.json's: currency rules, inverse netting
    }
    return { list: read.list, indexById: read.indexById, terms: this.terms };
  }

  /** Whether the problems so far fill the list (reading stops). */
  get full(): boolean {
    return this.problems.full;
  }

  /** After account `next` − 1: the accounts so far as a chunk when it is full (never once a master was read); whether it was. */
  cutIfDue(next: number): boolean {
    if (this.builder!.accounts < this.chunkAccounts || this.oneChunk) return false;
    this.cut(next);
    return true;
  }

  /** The accounts read so far as a chunk of their own (accounts [lastFirst, next) of the book). */
  private cut(next: number): void {
    this.problems.throwIfAny();
    this.chunks.push({ book: this.builder!.book(this.problems.takeWarnings()), first: this.lastFirst });
    this.builder = new BookColumnsBuilder(this.builder!.instruments, this.builder!.size); // room for a chunk like this one
    this.lastFirst = next;
    this.chunkAccounts = this.chunkSize(++this.cuts);
  }

  /** Account i as parsed JSON, validated (its problems at `accounts[i]…`) and appended. */
  read(raw: unknown, i: number): void {
    const rowsBefore = this.rows.length;
    const account = readAccount(raw, `accounts[${i}]`, this.index, this.problems, this.rows, this.terms);
    const id = isRecord(raw) ? raw.id : undefined;
    if (typeof id === 'string' && id.length > 0) {
      const earlier = this.firstIndexById.firstOrAdd(id, i);
      if (earlier >= 0) this.problems.add(`accounts[${i}].id`, `duplicate account id ${JSON.stringify(id)} (first at accounts[${earlier}])`);
    }
    const master = isRecord(raw) ? raw.master : undefined, method = isRecord(raw) && !this.options.methodsInChunks ? raw.method : undefined;
    if ((master !== undefined || method !== undefined) && this.lastFirst > 0) throw new NeedsWholeBook(i, this.lastFirst, master !== undefined ? 'master' : 'method');
    this.anyMaster ||= master !== undefined;
    this.oneChunk ||= master !== undefined || method !== undefined;
    this.masters.push({ id, master });
    if (account && this.problems.size === 0) this.builder!.add(account, this.rows.toArray(), rowsBefore);
    // the rows of an account that was not kept are not needed again
    if (!account || this.problems.size > 0) this.rows.length = rowsBefore;
    else this.rows.length = 0;
  }

  /**
   * Account i read by a byte scan that found it clean (src/io/json-book/scanned-accounts.ts: what readAccount accepts as
   * it is, with nothing to net), after the same check of its id: the builder the caller appends it to as it is, or
   * undefined once the book has a problem (its accounts are then only checked).
   */
  readClean(i: number, id: string): BookColumnsBuilder | undefined {
    const earlier = this.firstIndexById.firstOrAdd(id, i);
    if (earlier >= 0) this.problems.add(`accounts[${i}].id`, `duplicate account id ${JSON.stringify(id)} (first at accounts[${earlier}])`);
    this.masters.push(NO_MASTER);
    return this.problems.size === 0 ? this.builder! : undefined;
  }

  finish(json: Record<string, unknown>): ValidatedBook {
    if (json.accounts !== TAKEN) return validateBook(json, { lenient: this.options.lenient === true }); // not streamed: the whole-book path
    const { problems } = this;
    const members = { ...json, accounts: [] };
    checkFields(members, BOOK_FIELDS, countDefined(members, BOOK_FIELDS.names), '', problems);
    if (this.masters.length === 0) problems.add('accounts', 'empty book (no accounts)');
    if (!problems.full && this.anyMaster) checkMasters(this.masters, this.firstIndexById, problems);
    problems.throwIfAny();
    return this.builder!.book(problems.takeWarnings());
  }
}
