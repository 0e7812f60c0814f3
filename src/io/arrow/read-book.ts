/**
 * An Arrow IPC book (schemas/book.arrow.md) read into a columnar book (src/model/book-columns.ts): record batch by
 * record batch, each account's list of positions and balances checked where it lies in the Arrow buffers and copied
 * into the book's columns, no object per position. An account that breaks a rule, or holds two rows on one
 * instrument (netted), is read as the JSON account it stands for and goes through the JSON validator itself: the same
 * rule, the same netting, the same message at the same path (`accounts[17].positions[3].quantity`).
 */
import type { FileHandle } from 'node:fs/promises';
import type { Data, Field, RecordBatch, Schema } from 'apache-arrow';
import { InputError, type InputProblem, ProblemList } from '../../errors.js';
import { type BookChunk, type BookColumns, columnarBook } from '../../model/book-columns.js';
import type { InstrumentTerms } from '../../model/netting.js';
import { strictJsonProblems } from '../../model/json-strict.js';
import { unknownFieldMessage } from '../../model/checks.js';
import { nettingTerms } from '../../model/validate.js';
import type { ValidatedBook } from '../../model/types.js';
import { checkMasters } from '../../model/validate-masters.js';
import { InstrumentRows, readAccount, readInstruments } from '../../model/validate-book.js';
import { ACCOUNT_COLUMNS, BALANCE_FIELDS, INSTRUMENTS_KEY, listOfStruct, POSITION_FIELDS, typeProblem } from './book-schema.js';
import { type AccountSource, BatchAccounts, checkBatch } from './batch-accounts.js';
import { ByteKeys } from './byte-keys.js';
import { type AccountIds, IdIndex } from './id-index.js';
import { IdHashes } from './id-hashes.js';
import type { SuspectId } from './batch-accounts.js';
import { stringColumn } from './columns.js';
import { IpcChunks, unendedStream } from './ipc-chunks.js';
import { loadArrow } from './load.js';
import { rowRange } from './row-range.js';

export interface ArrowBookOptions {
  /** Unknown columns and struct fields become warnings instead of problems (as `lenient` does for JSON). */
  lenient?: boolean | undefined;
}

/**
 * Reads and validates an Arrow IPC book (file or stream format) held in memory; InputError listing every problem with
 * its path. Its messages are framed and checked as a file's are (ipc-chunks.ts) before apache-arrow decodes them: a
 * corrupt message is an InputError, never a loop in the decoder.
 */
export async function readArrowBook(bytes: Uint8Array | ArrayBuffer, options: ArrowBookOptions = {}): Promise<ValidatedBook> {
  const ipc = await IpcChunks.open(await loadArrow(), bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
  const accounts = new ArrowAccounts(ipc.schema, options);
  if (ipc.unended) accounts.warn(unendedStream(ipc.rows));
  const batches: RecordBatch[] = [];
  for await (const table of ipc.tables(Infinity, false)) batches.push(...table.batches);
  return accounts.read(batches, 0, true);
}

/** Accounts per chunk of {@link readArrowBookChunks}: whole record batches are gathered up to at least this many. */
export const CHUNK_ACCOUNTS = 65_536;
/**
 * A book of several chunks has its first chunk read in parts of FIRST_PART_ACCOUNTS accounts, doubling (row-range.ts):
 * its first accounts reach the caller after a part's reading, not a whole chunk's on code not yet optimised, so a
 * caller margins them while the rest is read (the CLI's book reader thread).
 */
const FIRST_PART_ACCOUNTS = 4_096;

/**
 * An Arrow IPC book read from a file a chunk of accounts at a time (record batches gathered to at least
 * `chunkAccounts`), each chunk a validated book of its own over the book's instruments: memory holds one chunk's
 * batches and columns, not the book, and the chunk after next is read into the same memory (ipc-chunks.ts; the
 * columns are those of the chunk before), so a chunk's book is valid until the next one is asked for. Problems name the book's paths (`accounts[70001].positions[3].quantity`), and a
 * chunk with problems throws before it is yielded; an id repeated across chunks is found. A book with a `master` or
 * a `method` column comes as one chunk (as book.json's stream does: margin-chunks.ts merges no report of either). A book of
 * several chunks has its first chunk come in parts of `firstPart` accounts, doubling (FIRST_PART_ACCOUNTS).
 */
export async function* readArrowBookChunks(file: FileHandle, options: ArrowBookOptions = {}, chunkAccounts = CHUNK_ACCOUNTS, onRows?: (done: number, total: number) => void, firstPart = FIRST_PART_ACCOUNTS): AsyncGenerator<BookChunk> {
  const ipc = await IpcChunks.open(await loadArrow(), file);
  const total = onRows ? ipc.rows : 0;
  const accounts = new ArrowAccounts(ipc.schema, options, true, ipc.rows);
  if (ipc.unended) accounts.warn(unendedStream(ipc.rows));
  if (ipc.schema.fields.some((f) => f.name === 'master' || f.name === 'method')) {
    // one chunk: a master is margined with its subaccounts, which may be anywhere in the book, and accounts of their own
    // methods are margined by each method apart, their rows as objects (a chunk's report is not merged: margin-chunks.ts)
    const batches: RecordBatch[] = [];
    for await (const table of ipc.tables(Infinity, false)) batches.push(...table.batches);
    const read = accounts.readProblems(batches, 0, true);
    if (read.suspects.length > 0) await settleSuspects(file, read.suspects, read.problems);
    yield { book: accounts.finish(read.columns, read.problems), first: 0 };
    return;
  }
  let first = 0;
  const inParts = ipc.rows > chunkAccounts;
  for await (const table of ipc.tables(chunkAccounts)) {
    const rows = table.numRows;
    for (let from = 0, size = first === 0 && inParts ? firstPart : rows; from < rows; from += size, size *= 2) {
      const to = Math.min(rows, from + size);
      // the chunk's columns are copied out of the shared buffer before the next chunk is read into it
      const read = accounts.readProblems(rowRange(table.batches, from, to), first, false);
      if (read.suspects.length > 0) await settleSuspects(file, read.suspects, read.problems);
      yield { book: accounts.finish(read.columns, read.problems), first };
      first += to - from;
      onRows?.(first, total); // told once the caller is done with the chunk
    }
  }
  if (first === 0) yield { book: accounts.read([], 0, true), first };
}

/**
 * The instruments of the last Arrow book read whose instruments table had neither problem nor warning, by its metadata
 * text: a live shard decodes 64 checkpoints that carry the same table, and validating it (every option's expiry parsed
 * and printed again) costs the same in each. Validated instruments are never changed after they are read.
 */
let lastInstruments: { text: string; instruments: ReturnType<typeof readInstruments>; keys: ByteKeys; terms: InstrumentTerms } | null = null;

/**
 * What reading a book's batches shares: the schema checked once, the instruments from its metadata, the ids seen so
 * far (a repeat is a problem, across chunks too) and each account's master for the master checks.
 */
class ArrowAccounts {
  private readonly instruments: ReturnType<typeof readInstruments>;
  private readonly terms: InstrumentTerms;
  private readonly instrumentKeys: ByteKeys;
  private readonly columns: ColumnStore;
  private readonly ids: AccountIds;
  private readonly suspects: SuspectId[] = [];
  private readonly masters: { id: unknown; master: unknown }[] = [];
  /** AccountSource.settled. */
  private readonly settled?: Uint8Array;
  /** A batch's instrument rows, written again by the next batch (AccountSource.instrumentRows). */
  private instrumentRowScratch = new Int32Array(0);
  private warnings: readonly InputProblem[] = [];
  private accounts = 0;

  /**
   * `chunked`: each chunk is read into the last one's typed columns, or is views of its own buffers (either way valid
   * until the next chunk is read).
   */
  /** `accounts`: how many the book has, when known (its ids' table is sized for them). */
  constructor(schema: Schema, private readonly options: ArrowBookOptions, private readonly chunked = false, accounts = 0) {
    this.columns = new ColumnStore(chunked);
    // a book read in chunks keeps its ids' hashes only (id-hashes.ts): its chunks' ids are let go with them
    this.ids = chunked ? new IdHashes(accounts) : new IdIndex(accounts);
    const problems = new ProblemList(options);
    const text = schema.metadata.get(INSTRUMENTS_KEY);
    const known = lastInstruments !== null && text !== undefined && lastInstruments.text === text ? lastInstruments : null;
    this.instruments = known?.instruments ?? readInstrumentMetadata(schema, problems);
    // neither problem nor warning (instruments warn only of unknown fields, under lenient): safe to hand out again
    const clean = problems.size === 0 && !problems.lenient;
    checkSchema(schema.fields, problems);
    problems.throwIfAny();
    this.warnings = problems.takeWarnings();
    const list = this.instruments.list;
    this.instrumentKeys = known?.keys ?? new ByteKeys(this.instruments.indexById);
    // the JSON reader's terms: inverse netting and the settlement rules apply to an Arrow book's accounts too
    this.terms = known?.terms ?? nettingTerms(list, this.instruments.indexById, list.length);
    if (known === null && clean && text !== undefined) lastInstruments = { text, instruments: this.instruments, keys: this.instrumentKeys, terms: this.terms };
    if (list.some((i) => i.settlement !== undefined)) this.settled = Uint8Array.from(list, (i) => (i.settlement !== undefined ? 1 : 0));
  }

  /** A warning on the book, given with the first chunk's. */
  warn(warning: InputProblem): void {
    this.warnings = [...this.warnings, warning];
  }

  /**
   * The accounts of `batches` (the book's accounts from `first` on) as a validated book; InputError with the book's
   * paths. `last`: the book's last accounts, after which the checks across the book run (masters naming accounts).
   */
  read(batches: readonly RecordBatch[], first: number, last: boolean): ValidatedBook {
    const { columns, problems } = this.readProblems(batches, first, last);
    return this.finish(columns, problems);
  }

  /**
   * {@link read} up to its problems: the accounts' columns, their problems, and the accounts whose ids may repeat
   * earlier ones (to settle before {@link finish}: {@link settleSuspects}).
   */
  readProblems(batches: readonly RecordBatch[], first: number, last: boolean): { columns: BookColumns; problems: ProblemList; suspects: SuspectId[] } {
    const problems = new ProblemList(this.options);
    if (this.accounts + batches.reduce((n, b) => n + b.numRows, 0) === 0) problems.add('accounts', 'empty book (no accounts)');
    const columns = readAccounts(batches, first, {
      instruments: this.instruments, terms: this.terms, instrumentKeys: this.instrumentKeys, columns: this.columns, ids: this.ids, masters: this.masters,
      instrumentRows: (length) => (this.instrumentRowScratch.length >= length ? this.instrumentRowScratch : (this.instrumentRowScratch = new Int32Array(length))),
      views: this.chunked, suspects: this.suspects, ...(this.settled ? { settled: this.settled } : {}),
    }, problems);
    this.accounts += columns.accountIds.length;
    if (last && !problems.full) this.checkMasters(problems);
    return { columns, problems, suspects: this.suspects.splice(0) };
  }

  /** The chunk's book, once its problems are final (InputError when there are any). */
  finish(columns: BookColumns, problems: ProblemList): ValidatedBook {
    problems.throwIfAny();
    const warnings = [...this.warnings, ...problems.takeWarnings()];
    this.warnings = [];
    return columnarBook(columns, warnings);
  }

  /** Masters that name accounts anywhere in the book (after its last accounts). */
  private checkMasters(problems: ProblemList): void {
    if (!this.masters.some((m) => m.master !== undefined)) return;
    const firstIndexById = new Map<string, number>();
    this.masters.forEach((m, a) => typeof m.id === 'string' && m.id !== '' && !firstIndexById.has(m.id) && firstIndexById.set(m.id, a));
    checkMasters(this.masters, firstIndexById, problems);
  }
}

/**
 * Accounts whose ids' hashes matched earlier ones' (id-hashes.ts), settled exactly: the book's ids are read again from
 * the start up to the last of them, and each pending problem becomes `duplicate account id "x" (first at
 * accounts[j])`, the JSON validator's words, when an earlier account has the same id, or goes (two ids sharing a hash).
 */
export async function settleSuspects(file: FileHandle, suspects: readonly SuspectId[], problems: ProblemList): Promise<void> {
  const firstAt = new Map<string, number>();
  for (const s of suspects) firstAt.set(s.id, -1);
  const last = Math.max(...suspects.map((s) => s.account));
  const ipc = await IpcChunks.open(await loadArrow(), file);
  let at = 0;
  scan: for await (const table of ipc.tables(CHUNK_ACCOUNTS)) {
    for (const batch of table.batches) {
      const ids = stringColumn(batch.getChild('id')!.data[0]);
      for (let i = 0; i < batch.numRows; i++, at++) {
        if (at >= last) break scan;
        const id = ids.get(i);
        if (id !== null && firstAt.get(id) === -1) firstAt.set(id, at);
      }
    }
  }
  // later problems first: a removed one moves those after it
  for (const s of [...suspects].sort((x, y) => y.problem - x.problem)) {
    const first = firstAt.get(s.id)!;
    problems.settle(s.problem, first >= 0 && first < s.account ? `duplicate account id ${JSON.stringify(s.id)} (first at accounts[${first}])` : undefined);
  }
}

function readInstrumentMetadata(schema: Schema, problems: ProblemList): ReturnType<typeof readInstruments> {
  const text = schema.metadata.get(INSTRUMENTS_KEY);
  if (text === undefined) {
    problems.add('instruments', `missing: the schema metadata has no ${JSON.stringify(INSTRUMENTS_KEY)} (the JSON array of the book's instruments)`);
    return readInstruments([], new ProblemList());
  }
  // apache-arrow decodes the metadata with U+FFFD in place of bytes that are not UTF-8 (the raw bytes are not kept):
  // refused, as a column's string that is not UTF-8 is, rather than read as another id
  if (text.includes('\uFFFD')) {
    problems.add('instruments', `the schema metadata ${JSON.stringify(INSTRUMENTS_KEY)} is not valid UTF-8 (U+FFFD where its bytes were not)`);
    return readInstruments([], new ProblemList());
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.add('instruments', `the schema metadata ${JSON.stringify(INSTRUMENTS_KEY)} is not valid JSON: ${(error as Error).message}`);
    return readInstruments([], new ProblemList());
  }
  const strict = strictJsonProblems(text, json, { base: 'instruments' }); // a name given twice, a number that underflows
  for (const p of strict) problems.add(p.path, p.message);
  return readInstruments(strict.length > 0 ? [] : json, strict.length > 0 ? new ProblemList() : problems);
}

/** Columns and struct fields: known, of their type, the required ones there (paths `columns.<name>`). */
function checkSchema(fields: readonly Field[], problems: ProblemList): void {
  const names = new Set(fields.map((f) => f.name));
  // a name given twice: the reader would take the first silently, as JSON.parse keeps the last (book.json refuses both)
  twice(fields, (name) => `columns.${name}`, 'column', problems);
  for (const [name, spec] of Object.entries(ACCOUNT_COLUMNS)) if (spec.required && !names.has(name)) problems.add(`columns.${name}`, 'missing column');
  for (const field of fields) {
    const spec = Object.hasOwn(ACCOUNT_COLUMNS, field.name) ? ACCOUNT_COLUMNS[field.name] : undefined;
    const path = `columns.${field.name}`;
    if (!spec) {
      problems.addUnknown(path, unknownFieldMessage(field.name, Object.keys(ACCOUNT_COLUMNS), 'column'));
      continue;
    }
    if (spec.kind === 'string' || spec.kind === 'float64') {
      const wrong = typeProblem(field.type, spec.kind);
      if (wrong) problems.add(path, wrong);
      continue;
    }
    const children = listOfStruct(field);
    if (typeof children === 'string') {
      problems.add(path, children);
      continue;
    }
    const specs = spec.kind === 'positions' ? POSITION_FIELDS : BALANCE_FIELDS;
    twice(children, (name) => `${path}.${name}`, 'field', problems);
    const present = new Set(children.map((c) => c.name));
    for (const [name, s] of Object.entries(specs)) if (s.required && !present.has(name)) problems.add(`${path}.${name}`, 'missing field');
    for (const child of children) {
      const s = Object.hasOwn(specs, child.name) ? specs[child.name] : undefined;
      if (!s) problems.addUnknown(`${path}.${child.name}`, unknownFieldMessage(child.name, Object.keys(specs)));
      else {
        const wrong = typeProblem(child.type, s.kind);
        if (wrong) problems.add(`${path}.${child.name}`, wrong);
      }
    }
  }
}

/** A problem at each name `fields` give more than once (its path by `pathOf`). */
function twice(fields: readonly Field[], pathOf: (name: string) => string, what: 'column' | 'field', problems: ProblemList): void {
  const seen = new Set<string>();
  for (const { name } of fields) {
    if (seen.has(name)) problems.add(pathOf(name), `the ${what} ${JSON.stringify(name)} is given twice (which one is meant cannot be told)`);
    seen.add(name);
  }
}

/** What the chunks of one book share while their accounts are read. */
interface BookReadState {
  instruments: ReturnType<typeof readInstruments>;
  terms: InstrumentTerms;
  instrumentKeys: ByteKeys;
  columns: ColumnStore;
  ids: AccountIds;
  suspects: SuspectId[];
  masters: { id: unknown; master: unknown }[];
  /** AccountSource.instrumentRows. */
  instrumentRows(length: number): Int32Array;
  /** A chunk of one clean batch may be returned as views of its buffers (chunks valid until the next is read). */
  views: boolean;
  settled?: Uint8Array | undefined;
}

/** The batches' accounts (the book's from `first` on) into columns (sized by the rows the batches hold: netting only shrinks them). */
function readAccounts(batches: readonly RecordBatch[], first: number, state: BookReadState, problems: ProblemList): BookColumns {
  let accounts = 0, positions = 0, balances = 0;
  for (const batch of batches) {
    checkBatch(batch, first + accounts);
    accounts += batch.numRows;
    positions += childRows(batch, 'positions');
    balances += childRows(batch, 'collateral');
    // a coin-margined account's netting realizes P&L into its coin's balance, one it may not have held: room for one each
    if (batch.getChild('marginCurrency')) balances += batch.numRows;
  }
  const { instruments } = state;
  const out: AccountSource['out'] = { instruments: instruments.list, accountIds: [], balanceAssets: [], positionsUsed: 0, balancesUsed: 0, assetIndex: new Map(), ...noColumns() };
  const source: AccountSource = {
    instruments: instruments.list, instrumentIndex: instruments.indexById, instrumentKeys: state.instrumentKeys, terms: state.terms, problems,
    out, rows: new InstrumentRows(), ids: state.ids, suspects: state.suspects, masters: state.masters, instrumentRows: state.instrumentRows,
    ...(state.settled ? { settled: state.settled } : {}),
  };
  const typed = () => Object.assign(out, state.columns.take(accounts, positions, balances));
  if (state.views && batches.length === 1) {
    // a chunk of one clean batch is its own columns (views of the chunk's buffer, valid as long as the chunk)
    const reader = new BatchAccounts(batches[0], first, source);
    const viewed = reader.viewAll();
    if (viewed) return viewed;
    typed();
    reader.readAll();
    return finishColumns(source);
  }
  typed();
  let at = first;
  for (const batch of batches) {
    if (problems.full) break;
    new BatchAccounts(batch, at, source).readAll();
    at += batch.numRows;
  }
  return finishColumns(source);
}

/** No typed columns yet (a batch viewed whole needs none). */
function noColumns(): TypedColumns {
  const f64 = new Float64Array(0), i32 = new Int32Array(0);
  return { cashUsd: f64, positionStart: i32, positionInstrument: i32, quantity: f64, entryPrice: f64, balanceStart: i32, balanceAsset: i32, amount: f64 };
}

function childRows(batch: RecordBatch, name: string): number {
  const data = batch.getChild(name)?.data[0] as Data | undefined;
  if (!data) return 0;
  const offsets = data.valueOffsets as Int32Array;
  return offsets[data.offset + data.length] - offsets[data.offset];
}

type TypedColumns = Pick<AccountSource['out'], 'cashUsd' | 'positionStart' | 'positionInstrument' | 'quantity' | 'entryPrice' | 'balanceStart' | 'balanceAsset' | 'amount'>;

/**
 * The typed columns a chunk is read into, kept for the next chunk when `reuse` (each column grown when a chunk needs
 * more): a chunk's book is laid out and released before the next is read, and writing the same memory again is
 * cheaper than touching new memory for every chunk.
 */
class ColumnStore {
  private kept: TypedColumns | undefined;

  constructor(private readonly reuse: boolean) {}

  /** Columns sized for every row, filled by {@link BatchAccounts}; trimmed by {@link finishColumns}. */
  take(accounts: number, positions: number, balances: number): TypedColumns {
    const k = this.kept;
    const f64 = (have: Float64Array | undefined, n: number) => (have && have.length >= n ? have.fill(0, 0, n) : new Float64Array(n));
    const i32 = (have: Int32Array | undefined, n: number) => (have && have.length >= n ? have.fill(0, 0, n) : new Int32Array(n));
    const columns = {
      cashUsd: f64(k?.cashUsd, accounts), positionStart: i32(k?.positionStart, accounts + 1), positionInstrument: i32(k?.positionInstrument, positions),
      quantity: f64(k?.quantity, positions), entryPrice: f64(k?.entryPrice, positions), balanceStart: i32(k?.balanceStart, accounts + 1),
      balanceAsset: i32(k?.balanceAsset, balances), amount: f64(k?.amount, balances),
    };
    if (this.reuse) this.kept = columns;
    return columns;
  }
}

function finishColumns(source: AccountSource): BookColumns {
  const o = source.out;
  const n = o.accountIds.length, p = o.positionsUsed, b = o.balancesUsed;
  return {
    instruments: o.instruments, accountIds: o.accountIds, cashUsd: o.cashUsd.subarray(0, n),
    ...(o.masters ? { masters: o.masters } : {}), ...(o.methods ? { methods: o.methods } : {}),
    ...(o.marginCurrencies ? { marginCurrencies: o.marginCurrencies } : {}),
    positionStart: o.positionStart.subarray(0, n + 1), positionInstrument: o.positionInstrument.subarray(0, p), quantity: o.quantity.subarray(0, p),
    entryPrice: o.entryPrice.subarray(0, p), ...(o.isolatedMargin ? { isolatedMargin: o.isolatedMargin.subarray(0, p) } : {}),
    balanceStart: o.balanceStart.subarray(0, n + 1), balanceAsset: o.balanceAsset.subarray(0, b), balanceAssets: o.balanceAssets, amount: o.amount.subarray(0, b),
    ...(o.locations ? { locations: o.locations } : {}),
  };
}

export type { InputProblem };
