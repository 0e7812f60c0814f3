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
import { instrumentTermsOf, type InstrumentTerms } from '../model/netting.js';
import type { ValidatedBook } from '../model/types.js';
import { validateBook, type ValidationOptions } from '../model/validate.js';
import { checkMasters } from '../model/validate-masters.js';
import { InstrumentRows, readAccount, readInstruments } from '../model/validate-book.js';
import { isRecord } from '../model/checks.js';
import { ObjectSplitter, TAKEN } from './json-stream.js';

const BOOK_FIELDS = knownFields('instruments', 'accounts', ...ANNOTATION_KEYS);

/**
 * A subaccount (an account naming a master) after accounts already handed out in chunks: the book must be margined
 * whole (a master is margined with its subaccounts, wherever they are). Thrown by {@link readBookChunks}.
 */
export class NeedsWholeBook extends Error {
  override readonly name = 'NeedsWholeBook';
}

/**
 * The book in `path` read a chunk of about `chunkAccounts` accounts at a time, each chunk validated into a book of its
 * own over the book's instruments (memory holds one chunk's columns and the file's current piece), problems at the
 * book's paths (a chunk with problems throws before it is yielded; an id repeated across chunks is found; unknown
 * top-level fields come after the last chunk). A book with subaccounts in its first chunk comes as one chunk; one whose
 * first subaccount comes later throws {@link NeedsWholeBook}. A file with its accounts before its instruments comes
 * whole, as one chunk. JsonSyntaxError for malformed JSON.
 */
export async function* readBookChunks(path: string, options: ValidationOptions = {}, chunkAccounts = 65_536, chunkBytes = 1 << 22, onBytes?: BytesRead): AsyncGenerator<BookChunk> {
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

/** Reads and validates the book in `path`, streaming (see the module comment). JsonSyntaxError for malformed JSON. */
export async function readBookFile(path: string, options: ValidationOptions = {}, chunkBytes = 1 << 22, onBytes?: BytesRead): Promise<ValidatedBook> {
  const reader = new StreamedBook(options);
  const splitter = new ObjectSplitter((key, elements, first, s) => reader.take(key, elements, first, s));
  for await (const chunk of fileChunks(path, chunkBytes, onBytes)) splitter.push(chunk);
  return reader.finish(splitter.finish());
}

/** The accounts read so far and the state their validation needs (validate-book.ts `readAccounts`, a batch at a time). */
class StreamedBook {
  private readonly problems: ProblemList;
  private builder: BookColumnsBuilder | undefined;
  private index: ReadonlyMap<string, number> | null = null;
  private terms: InstrumentTerms | null = null;
  private readonly rows = new InstrumentRows();
  private readonly firstIndexById = new Map<string, number>();
  private readonly masters: { id: unknown; master: unknown }[] = [];
  private anyMaster = false;
  /** Chunks cut and not yet handed out ({@link takeChunks}); the book's index of the first account not in one. */
  private readonly chunks: BookChunk[] = [];
  lastFirst = 0;

  /** `chunkAccounts`: cut a chunk each time this many accounts are read (Infinity: the book is one chunk). */
  constructor(private readonly options: ValidationOptions, private readonly chunkAccounts = Infinity) {
    this.problems = new ProblemList(options);
  }

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
      const read = readInstruments(instruments, this.problems);
      this.builder = new BookColumnsBuilder(read.list);
      if (Array.isArray(instruments)) {
        this.index = read.indexById;
        this.terms = termsOf(read.list, read.indexById, instruments.length);
      }
    }
    for (let k = 0; k < elements.length && !this.problems.full; k++) {
      this.read(elements[k], first + k);
      if (this.builder.accounts >= this.chunkAccounts && !this.anyMaster) this.cut(first + k + 1);
    }
    return true;
  }

  /** The accounts read so far as a chunk of their own (accounts [lastFirst, next) of the book). */
  private cut(next: number): void {
    this.problems.throwIfAny();
    this.chunks.push({ book: this.builder!.book(this.problems.takeWarnings()), first: this.lastFirst });
    this.builder = new BookColumnsBuilder(this.builder!.instruments);
    this.lastFirst = next;
  }

  private read(raw: unknown, i: number): void {
    const rowsBefore = this.rows.length;
    const account = readAccount(raw, `accounts[${i}]`, this.index, this.problems, this.rows, this.terms);
    const id = isRecord(raw) ? raw.id : undefined;
    if (typeof id === 'string' && id.length > 0) {
      const earlier = this.firstIndexById.get(id);
      if (earlier !== undefined) this.problems.add(`accounts[${i}].id`, `duplicate account id ${JSON.stringify(id)} (first at accounts[${earlier}])`);
      else this.firstIndexById.set(id, i);
    }
    const master = isRecord(raw) ? raw.master : undefined;
    if (master !== undefined && this.lastFirst > 0) throw new NeedsWholeBook(`accounts[${i}] names a master after ${this.lastFirst} accounts were read in chunks`);
    this.anyMaster ||= master !== undefined;
    this.masters.push({ id, master });
    if (account && this.problems.size === 0) this.builder!.add(account, this.rows.toArray(), rowsBefore);
    // the rows of an account that was not kept are not needed again
    if (!account || this.problems.size > 0) this.rows.length = rowsBefore;
    else this.rows.length = 0;
  }

  finish(json: Record<string, unknown>): ValidatedBook {
    if (json.accounts !== TAKEN) return validateBook(json, this.options); // not streamed: the whole-book path
    const { problems } = this;
    const members = { ...json, accounts: [] };
    checkFields(members, BOOK_FIELDS, countDefined(members, BOOK_FIELDS.names), '', problems);
    if (this.masters.length === 0) problems.add('accounts', 'empty book (no accounts)');
    if (!problems.full && this.anyMaster) checkMasters(this.masters, this.firstIndexById, problems);
    problems.throwIfAny();
    return this.builder!.book(problems.takeWarnings());
  }
}

/** Netting terms by instrument row (validate.ts: NaN multiplier for the rows of instruments that failed). */
function termsOf(list: ReturnType<typeof readInstruments>['list'], indexById: ReadonlyMap<string, number>, rows: number): InstrumentTerms {
  const multiplier = new Float64Array(rows).fill(NaN);
  const linear = new Uint8Array(rows);
  for (const instrument of list) {
    const row = indexById.get(instrument.id) as number;
    if (!Number.isNaN(multiplier[row])) continue;
    multiplier[row] = instrument.multiplier;
    linear[row] = instrument.kind === 'option' ? 0 : 1;
  }
  return instrumentTermsOf(multiplier, linear);
}
