/**
 * Books written as Arrow IPC (schemas/book.arrow.md): record batches of accounts, their positions and balances as
 * lists of structs with dictionary-encoded instrument and asset names, the instruments' JSON in the schema metadata.
 * `ArrowBookBatches` makes the batches of a stream of accounts (the sample generator writes a million accounts a batch
 * at a time); `writeArrowBook` writes a whole book to bytes.
 */
import type { Data, RecordBatch, Schema, Vector } from 'apache-arrow';
import type { Account, Book, Instrument, ValidatedBook } from '../../model/types.js';
import { BOOK_VERSION, INSTRUMENTS_KEY, VERSION_KEY } from './book-schema.js';
import { type Arrow, loadArrow } from './load.js';
import { utf8Data } from './utf8.js';
import { describeValue, InputError } from '../../errors.js';
import { isValidatedBook } from '../../model/brand.js';
import { isRecord } from '../../model/checks.js';
import { optionProblems } from '../../model/options-check.js';
import { validateBook } from '../../model/validate.js';

/** Which optional columns the book has (every batch has the same schema). */
export interface ArrowBookShape {
  /** Every asset symbol a balance may name (the asset dictionary, shared by the batches). */
  assets: readonly string[];
  masters?: boolean | undefined;
  methods?: boolean | undefined;
  /** A `marginCurrency` column: some account is margined in an asset. */
  marginCurrencies?: boolean | undefined;
  isolatedMargin?: boolean | undefined;
  locations?: boolean | undefined;
}

/** A record batch's accounts in columns: positions and balances in CSR (offsets per account + 1). */
export interface BookBatchArrays {
  ids: readonly string[];
  positionOffsets: Int32Array;
  /** Row in the writer's instruments. */
  instrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  /** With the shape's isolatedMargin: values, and their validity bitmap (bit p set: position p has one). */
  isolated?: Float64Array | undefined;
  isolatedValid?: Uint8Array | undefined;
  balanceOffsets: Int32Array;
  /** Index in the shape's assets. */
  asset: Int32Array;
  amount: Float64Array;
  /** With the shape's locations. */
  locations?: (string | null)[] | undefined;
  cash: Float64Array;
  /** With the shape's masters / methods / margin currencies. */
  masters?: (string | null)[] | undefined;
  methods?: (string | null)[] | undefined;
  marginCurrencies?: (string | null)[] | undefined;
}

/** Accounts per record batch by default. */
export const ACCOUNTS_PER_BATCH = 65_536;

export class ArrowBookBatches {
  readonly schema: Schema;
  private readonly instrumentRow: Map<string, number>;
  private readonly assetRow: Map<string, number>;
  private readonly instrumentNames: Vector;
  private readonly assetNames: Vector;

  constructor(private readonly arrow: Arrow, instruments: readonly Instrument[], private readonly shape: ArrowBookShape) {
    const A = arrow;
    this.instrumentRow = new Map(instruments.map((instrument, i) => [instrument.id, i]));
    this.assetRow = new Map(shape.assets.map((asset, i) => [asset, i]));
    this.instrumentNames = A.vectorFromArray(instruments.map((i) => i.id), new A.Utf8());
    this.assetNames = A.vectorFromArray([...shape.assets], new A.Utf8());
    const positionFields = [
      new A.Field('instrument', new A.Dictionary(new A.Utf8(), new A.Int32(), 0), false),
      new A.Field('quantity', new A.Float64(), false),
      new A.Field('entryPrice', new A.Float64(), false),
      ...(shape.isolatedMargin ? [new A.Field('isolatedMargin', new A.Float64(), true)] : []),
    ];
    const balanceFields = [
      new A.Field('asset', new A.Dictionary(new A.Utf8(), new A.Int32(), 1), false),
      new A.Field('amount', new A.Float64(), false),
      ...(shape.locations ? [new A.Field('location', new A.Utf8(), true)] : []),
    ];
    this.schema = new A.Schema([
      new A.Field('id', new A.Utf8(), false),
      new A.Field('positions', new A.List(new A.Field('item', new A.Struct(positionFields), false)), false),
      new A.Field('collateral', new A.List(new A.Field('item', new A.Struct(balanceFields), false)), false),
      new A.Field('cashUsd', new A.Float64(), false),
      ...(shape.masters ? [new A.Field('master', new A.Utf8(), true)] : []),
      ...(shape.methods ? [new A.Field('method', new A.Utf8(), true)] : []),
      ...(shape.marginCurrencies ? [new A.Field('marginCurrency', new A.Utf8(), true)] : []),
    ], new Map([[VERSION_KEY, BOOK_VERSION], [INSTRUMENTS_KEY, JSON.stringify(instruments)]]));
  }

  /** One record batch of `accounts` (book.json accounts; their instruments and assets must be the writer's). */
  batch(accounts: readonly Account[]): RecordBatch {
    for (const account of accounts) this.add(account);
    return this.take();
  }

  /** The rows added since the last {@link take}. */
  get pending(): number {
    return this.rows.n;
  }

  /**
   * Adds an account to the next batch: its values copied into the batch's columns at once, so a caller that makes
   * accounts one at a time (the sample generator) lets each go young (docs/performance.md, `die-young`), rather than
   * holding a batch of 65,536 accounts and their 1,300,000 positions as objects until the batch is made.
   */
  add(account: Account): void {
    const r = this.rows, a = r.n;
    r.ids.push(account.id);
    if (this.shape.masters) r.masters.push(account.master ?? null);
    if (this.shape.methods) r.methods.push(account.method ?? null);
    if (this.shape.marginCurrencies) r.marginCurrencies.push(account.marginCurrency ?? null);
    r.cash = room(r.cash, a + 1);
    r.cash[a] = account.cashUsd ?? 0;
    const positions = account.positions ?? [];
    let p = r.positionOffsets[a];
    r.instrument = room(r.instrument, p + positions.length);
    r.quantity = room(r.quantity, p + positions.length);
    r.entryPrice = room(r.entryPrice, p + positions.length);
    if (this.shape.isolatedMargin) {
      r.isolated = room(r.isolated, p + positions.length);
      r.isolatedValid = room(r.isolatedValid, (p + positions.length + 7) >> 3);
    }
    for (const position of positions) {
      const row = this.instrumentRow.get(position.instrument);
      if (row === undefined) throw new RangeError(`margin-core: account ${JSON.stringify(account.id)} holds ${JSON.stringify(position.instrument)}, not an instrument of the book`);
      r.instrument[p] = row;
      r.quantity[p] = position.quantity;
      r.entryPrice[p] = position.entryPrice;
      if (this.shape.isolatedMargin && position.isolatedMargin !== undefined) {
        r.isolated[p] = position.isolatedMargin;
        r.isolatedValid[p >> 3] |= 1 << (p & 7);
      }
      p++;
    }
    const balances = account.collateral ?? [];
    let b = r.balanceOffsets[a];
    r.asset = room(r.asset, b + balances.length);
    r.amount = room(r.amount, b + balances.length);
    for (const balance of balances) {
      const row = this.assetRow.get(balance.asset);
      if (row === undefined) throw new RangeError(`margin-core: account ${JSON.stringify(account.id)} holds ${JSON.stringify(balance.asset)}, not an asset of the book`);
      r.asset[b] = row;
      r.amount[b] = balance.amount;
      if (this.shape.locations) r.locations.push(balance.location ?? null);
      b++;
    }
    r.positionOffsets = room(r.positionOffsets, a + 2);
    r.balanceOffsets = room(r.balanceOffsets, a + 2);
    r.positionOffsets[a + 1] = p;
    r.balanceOffsets[a + 1] = b;
    r.n = a + 1;
  }

  /** The accounts added since the last call as one record batch (its columns views of the rows' buffers). */
  take(): RecordBatch {
    const r = this.rows, shape = this.shape;
    this.rows = newRows();
    const n = r.n, positions = r.positionOffsets[n], balances = r.balanceOffsets[n];
    return this.fromArrays({
      ids: r.ids,
      positionOffsets: room(r.positionOffsets, n + 1).subarray(0, n + 1),
      instrument: r.instrument.subarray(0, positions), quantity: r.quantity.subarray(0, positions), entryPrice: r.entryPrice.subarray(0, positions),
      ...(shape.isolatedMargin ? { isolated: room(r.isolated, positions).subarray(0, positions), isolatedValid: room(r.isolatedValid, (positions + 7) >> 3).subarray(0, (positions + 7) >> 3) } : {}),
      balanceOffsets: room(r.balanceOffsets, n + 1).subarray(0, n + 1),
      asset: r.asset.subarray(0, balances), amount: r.amount.subarray(0, balances),
      ...(shape.locations ? { locations: r.locations } : {}),
      cash: room(r.cash, n).subarray(0, n),
      ...(shape.masters ? { masters: r.masters } : {}),
      ...(shape.methods ? { methods: r.methods } : {}),
      ...(shape.marginCurrencies ? { marginCurrencies: r.marginCurrencies } : {}),
    });
  }

  /**
   * One record batch of accounts already in columns (what {@link add} and {@link take} make of objects; a layout's
   * columns copied straight in): instrument rows and asset indices into the writer's instruments and assets, the
   * optional columns present exactly when the shape says so.
   */
  fromArrays(c: BookBatchArrays): RecordBatch {
    const A = this.arrow;
    const n = c.ids.length, positions = c.instrument.length, balances = c.asset.length;
    const { positionOffsets, instrument, quantity, entryPrice, isolated, isolatedValid, balanceOffsets, asset, amount, locations, cash } = c;
    const [, positionsField, collateralField] = this.schema.fields;
    const positionType = (positionsField.type as { children: { type: never }[] }).children[0].type;
    const balanceType = (collateralField.type as { children: { type: never }[] }).children[0].type;
    const f64 = (values: Float64Array, length: number, nullBitmap?: Uint8Array) => A.makeData({ type: new A.Float64(), length, data: values, nullBitmap });
    const positionChildren: Data[] = [
      A.makeData({ type: (positionType as { children: { type: never }[] }).children[0].type, length: positions, data: instrument, dictionary: this.instrumentNames } as never),
      f64(quantity, positions), f64(entryPrice, positions),
      ...(this.shape.isolatedMargin ? [f64(isolated ?? new Float64Array(positions), positions, isolatedValid ?? new Uint8Array((positions + 7) >> 3))] : []),
    ];
    const balanceChildren: Data[] = [
      A.makeData({ type: (balanceType as { children: { type: never }[] }).children[0].type, length: balances, data: asset, dictionary: this.assetNames } as never),
      f64(amount, balances),
      ...(this.shape.locations ? [utf8Data(A, locations ?? [])] : []),
    ];
    const list = (field: typeof positionsField, offsets: Int32Array, type: never, children: Data[], length: number) =>
      A.makeData({ type: field.type as never, length: n, valueOffsets: offsets, child: A.makeData({ type, length, children }) } as never);
    const strings = (values: readonly (string | null)[]) => utf8Data(A, values);
    const columns: Data[] = [
      strings(c.ids),
      list(positionsField, positionOffsets, positionType, positionChildren, positions),
      list(collateralField, balanceOffsets, balanceType, balanceChildren, balances),
      f64(cash, n),
      ...(this.shape.masters ? [strings(c.masters ?? [])] : []),
      ...(this.shape.methods ? [strings(c.methods ?? [])] : []),
      ...(this.shape.marginCurrencies ? [strings(c.marginCurrencies ?? [])] : []),
    ];
    return new A.RecordBatch(this.schema, A.makeData({ type: new A.Struct(this.schema.fields), length: n, children: columns }));
  }

  private rows = newRows();
}

/** The columns of the batch being built, grown as accounts are added ({@link ArrowBookBatches.add}). */
interface BatchRows {
  n: number;
  ids: string[];
  masters: (string | null)[];
  methods: (string | null)[];
  marginCurrencies: (string | null)[];
  locations: (string | null)[];
  cash: Float64Array;
  positionOffsets: Int32Array;
  balanceOffsets: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  isolated: Float64Array;
  isolatedValid: Uint8Array;
  asset: Int32Array;
  amount: Float64Array;
}

function newRows(): BatchRows {
  const f64 = () => new Float64Array(0), i32 = () => new Int32Array(0);
  return {
    n: 0, ids: [], masters: [], methods: [], marginCurrencies: [], locations: [], cash: f64(), positionOffsets: new Int32Array(1), balanceOffsets: new Int32Array(1),
    instrument: i32(), quantity: f64(), entryPrice: f64(), isolated: f64(), isolatedValid: new Uint8Array(0), asset: i32(), amount: f64(),
  };
}

/** `array`, or a copy of it twice as long or `length` (whichever is more) when it is shorter than `length`; new room is 0. */
function room<T extends Float64Array | Int32Array | Uint8Array>(array: T, length: number): T {
  if (array.length >= length) return array;
  const grown = new (array.constructor as new (n: number) => T)(Math.max(length, 2 * array.length, 16));
  grown.set(array);
  return grown;
}

/** The shape a whole book needs: its assets, and whether any account uses each optional column. */
export function shapeOf(book: Book | ValidatedBook): ArrowBookShape {
  const assets = new Set<string>();
  let masters = false, methods = false, marginCurrencies = false, isolatedMargin = false, locations = false;
  for (const account of book.accounts as readonly Account[]) {
    masters ||= account.master !== undefined;
    methods ||= account.method !== undefined;
    marginCurrencies ||= account.marginCurrency !== undefined;
    for (const p of account.positions ?? []) isolatedMargin ||= p.isolatedMargin !== undefined;
    for (const c of account.collateral ?? []) {
      assets.add(c.asset);
      locations ||= c.location !== undefined;
    }
  }
  return { assets: [...assets].sort(), masters, methods, marginCurrencies, isolatedMargin, locations };
}

/** A book (JSON or validated) as Arrow IPC bytes (`file` format: random access, what `.arrow` files hold). */
export async function writeArrowBook(book: Book | ValidatedBook, options: { format?: 'file' | 'stream' | undefined; accountsPerBatch?: number | undefined } = {}): Promise<Uint8Array> {
  checkWriteOptions(options);
  // a book outside its domain is refused at its paths, as every reader would refuse the file (a numeric id was written
  // as "", a NaN quantity as it is); a validated one is certified
  if (!isValidatedBook(book)) validateBook(book);
  return arrowBookBytes(book, options);
}

/**
 * {@link writeArrowBook} with nothing checked: the readers' tests write books outside the domain with it, to see them
 * refused on reading (not part of the package's API).
 */
export async function arrowBookBytes(book: Book | ValidatedBook, options: { format?: 'file' | 'stream' | undefined; accountsPerBatch?: number | undefined } = {}): Promise<Uint8Array> {
  const A = await loadArrow();
  const batches = new ArrowBookBatches(A, book.instruments as Instrument[], shapeOf(book));
  const size = options.accountsPerBatch ?? ACCOUNTS_PER_BATCH;
  const accounts = book.accounts as readonly Account[];
  const list: RecordBatch[] = [];
  for (let a = 0; a < accounts.length; a += size) list.push(batches.batch(accounts.slice(a, a + size)));
  return A.tableToIPC(new A.Table(batches.schema, list), options.format ?? 'file');
}

/** Most accounts in one record batch (a batch is built whole in memory). */
const MAX_ACCOUNTS_PER_BATCH = 10_000_000;

/** writeArrowBook's options in their domain, else one InputError (0 accounts a batch looped until memory ran out). */
function checkWriteOptions(options: unknown): void {
  const problems = optionProblems(options, { format: 'any', accountsPerBatch: 'any' });
  const o = (isRecord(options) ? options : {}) as { format?: unknown; accountsPerBatch?: unknown };
  if (o.format !== undefined && o.format !== 'file' && o.format !== 'stream') problems.push({ path: 'options.format', message: `expected "file" or "stream", got ${describeValue(o.format)}` });
  const n = o.accountsPerBatch;
  if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_ACCOUNTS_PER_BATCH)) {
    problems.push({ path: 'options.accountsPerBatch', message: `expected a whole number of accounts from 1 to ${MAX_ACCOUNTS_PER_BATCH.toLocaleString('en-US')}, got ${describeValue(n)}` });
  }
  if (problems.length > 0) throw new InputError(problems);
}
