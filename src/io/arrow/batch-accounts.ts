/**
 * One record batch's accounts into the book's columns (read-book.ts). An account whose every value obeys the book's
 * rules and whose positions are on distinct instruments is copied from the Arrow buffers as it is; any other is
 * rebuilt as the JSON account it stands for and read by the JSON validator (`readAccount`), so its problems, and its
 * netting, are exactly those of the same account in book.json.
 */
import type { Data, RecordBatch } from 'apache-arrow';
import { InputError, type ProblemList } from '../../errors.js';
import type { InstrumentTerms } from '../../model/netting.js';
import type { ValidatedAccount, ValidatedInstrument } from '../../model/types.js';
import { asciiIdText, type BookColumns } from '../../model/book-columns.js';
import { type InstrumentRows, readAccount } from '../../model/validate-book.js';
import { checkList, checkRows, float64Values, indexedColumn, isValid, itemPath, listColumn, type ListColumn, type StringColumn, stringAt } from './columns.js';
import type { ByteKeys } from './byte-keys.js';
import type { AccountIds } from './id-index.js';
import { SUSPECT } from './id-hashes.js';
import { DOMAIN, isWithin } from '../../model/domain.js';
import { cleanAccounts, withoutSettled } from './clean-accounts.js';

const EMPTY = new Float64Array(0);

/** The columns being filled, with how far. */
export interface ColumnsOut {
  instruments: readonly ValidatedInstrument[];
  accountIds: string[];
  cashUsd: Float64Array;
  masters?: (string | undefined)[] | undefined;
  methods?: (string | undefined)[] | undefined;
  marginCurrencies?: (string | undefined)[] | undefined;
  positionStart: Int32Array;
  positionInstrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  isolatedMargin?: Float64Array | undefined;
  balanceStart: Int32Array;
  balanceAsset: Int32Array;
  balanceAssets: string[];
  assetIndex: Map<string, number>;
  amount: Float64Array;
  locations?: (string | undefined)[] | undefined;
  positionsUsed: number;
  balancesUsed: number;
}

/** What the batches share while being read. */
export interface AccountSource {
  instruments: readonly ValidatedInstrument[];
  instrumentIndex: ReadonlyMap<string, number>;
  /** The same index by the ids' UTF-8 bytes. */
  instrumentKeys: ByteKeys;
  terms: InstrumentTerms;
  problems: ProblemList;
  out: ColumnsOut;
  rows: InstrumentRows;
  /** The ids seen so far (a repeat is a problem). */
  ids: AccountIds;
  /**
   * Accounts whose id's hash matched an earlier one's (IdHashes): each with the index of its placeholder problem, which
   * the reader settles once it has looked the id up in the book (read-book.ts).
   */
  suspects?: SuspectId[] | undefined;
  /** An array of at least `length` for a batch's instrument rows, reused by the next batch (read after this one is copied). */
  instrumentRows(length: number): Int32Array;
  /** Each account's id and master, for the master checks (src/model/validate-masters.ts). */
  masters: { id: unknown; master: unknown }[];
  /**
   * Per instrument row, 1 when it is settled in an asset (absent: none is): an account holding one is read by the JSON
   * validator, whose currency rules decide whether its account may hold it (src/model/settlement.ts).
   */
  settled?: Uint8Array | undefined;
}

/** An account whose id may repeat an earlier one's (see AccountSource.suspects). */
export interface SuspectId {
  account: number;
  id: string;
  /** Its problem in the chunk's list (a placeholder until settled), or −1 when the list was full. */
  problem: number;
}

/**
 * A record batch's shape, before anything is sized from it: each column of the batch's row count, list offsets within
 * their items, buffers holding the rows they claim. InputError at the column's or the account's path otherwise.
 */
export function checkBatch(batch: RecordBatch, first: number): void {
  for (const field of batch.schema.fields) {
    const data = batch.getChild(field.name)?.data[0] as Data | undefined;
    if (!data) continue;
    const path = `columns.${field.name}`;
    if (data.length !== batch.numRows) throw new InputError([{ path, message: `${data.length} rows in a record batch of ${batch.numRows} (a malformed Arrow file)` }]);
    if (field.name === 'positions' || field.name === 'collateral') checkList(data, (row) => `accounts[${first + row}].${field.name}`, path);
    else checkRows(data, path);
  }
}

/** One record batch's accounts, read (its shape checked first: {@link checkBatch}). */
export class BatchAccounts {
  private readonly ids: StringColumn;
  private readonly cash?: Data;
  private readonly master?: StringColumn;
  private readonly method?: StringColumn;
  private readonly marginCurrency?: StringColumn;
  private readonly positions?: ListColumn;
  private readonly instrument?: Int32Array;
  private readonly instrumentText?: StringColumn;
  private readonly quantity?: Data;
  private readonly entry?: Data;
  private readonly isolated?: Data;
  private readonly balances?: ListColumn;
  private readonly asset?: Int32Array;
  private readonly assetText?: StringColumn;
  private readonly amount?: Data;
  private readonly location?: StringColumn;
  /** Scratch: the account index that last used each instrument row (repeats need netting). */
  private readonly seen: Int32Array;
  /** The Float64 values of the columns, read once (null-free columns skip the validity checks). */
  private readonly q: Float64Array = EMPTY;
  private readonly e: Float64Array = EMPTY;
  private readonly amounts: Float64Array = EMPTY;
  private readonly cashValues: Float64Array = EMPTY;
  private readonly nullFree: boolean;

  constructor(private readonly batch: RecordBatch, private readonly first: number, private readonly source: AccountSource) {
    const child = (name: string) => batch.getChild(name)?.data[0] as Data | undefined;
    const accountPath = (name: string) => (row: number) => `accounts[${first + row}].${name}`;
    this.ids = stringAt(child('id')!, accountPath('id'), 'columns.id');
    if (this.ids.raw) source.ids.batch(first, this.ids.raw.bytes, this.ids.raw.offsets);
    this.cash = child('cashUsd');
    const string = (name: string) => (child(name) ? stringAt(child(name)!, accountPath(name), `columns.${name}`) : undefined);
    this.master = string('master');
    this.method = string('method');
    this.marginCurrency = string('marginCurrency');
    this.positions = listColumn(child('positions'));
    if (this.positions) {
      const data = this.positions.field('instrument')!;
      this.instrumentText = stringAt(data, itemPath(this.positions, first, 'positions', 'instrument'), 'columns.positions.instrument');
      const rows = indexedColumn(this.instrumentText, data.length, source.instrumentIndex, source.instrumentKeys, source.instrumentRows(data.length));
      this.instrument = source.settled ? withoutSettled(rows, source.settled, source.instrumentRows(data.length)) : rows;
      this.quantity = this.positions.field('quantity');
      this.entry = this.positions.field('entryPrice');
      this.isolated = this.positions.field('isolatedMargin');
    }
    this.balances = listColumn(child('collateral'));
    if (this.balances) {
      const data = this.balances.field('asset')!;
      this.assetText = stringAt(data, itemPath(this.balances, first, 'collateral', 'asset'), 'columns.collateral.asset');
      this.asset = assetIndices(this.assetText, data.length, source.out);
      this.amount = this.balances.field('amount');
      const location = this.balances.field('location');
      this.location = location ? stringAt(location, itemPath(this.balances, first, 'collateral', 'location'), 'columns.collateral.location') : undefined;
    }
    this.seen = new Int32Array(source.instruments.length).fill(-1);
    // values from each column's first row: a batch cut from a bigger one (row-range.ts) starts its columns at an offset
    if (this.quantity) this.q = float64Values(this.quantity);
    if (this.entry) this.e = float64Values(this.entry);
    if (this.amount) this.amounts = float64Values(this.amount);
    if (this.cash) this.cashValues = float64Values(this.cash);
    const nulls = (data: Data | undefined) => (data ? data.nullCount : 0);
    this.nullFree = [this.cash, this.positions?.list, this.positions?.item, this.quantity, this.entry, this.balances?.list, this.balances?.item, this.amount]
      .every((d) => nulls(d) === 0) && !this.isolated && !this.location && !this.master && !this.method && !this.marginCurrency;
  }

  readAll(): void {
    const { problems } = this.source;
    const n = this.batch.numRows;
    if (this.cleanWhole()) {
      this.copyBatch(n);
      return;
    }
    for (let i = 0; i < n && !problems.full; i++) this.readOne(i);
  }

  /**
   * The batch's accounts as book columns that are views of its Arrow buffers, when it is clean as a whole (no nulls,
   * nothing to net, ids unique: what {@link copyBatch} copies): nothing is copied, and the columns live as long as the
   * batch's buffers. Undefined (nothing read) otherwise: read it with {@link readAll} into `source.out`'s columns.
   * Only `source.out`'s ids, asset names and index are written.
   */
  viewAll(): BookColumns | undefined {
    if (!this.cleanWhole()) return undefined;
    const o = this.source.out, n = this.batch.numRows;
    this.readIds(n);
    const p = this.positions, b = this.balances;
    const pFrom = p ? p.offsets[0] : 0, pTo = p ? p.offsets[n] : 0, bFrom = b ? b.offsets[0] : 0, bTo = b ? b.offsets[n] : 0;
    const raw = this.ids.raw!; // a clean batch's ids are plain Utf8 (allClean)
    const idText = asciiIdText(raw.bytes, raw.offsets.subarray(0, n + 1));
    return {
      instruments: o.instruments, accountIds: o.accountIds, ...(idText ? { idText } : {}), cashUsd: this.cash ? this.cashValues.subarray(0, n) : new Float64Array(n),
      positionStart: p ? startsOf(p.offsets, n) : new Int32Array(n + 1), positionInstrument: p ? this.instrument!.subarray(pFrom, pTo) : new Int32Array(0),
      quantity: this.q.subarray(pFrom, pTo), entryPrice: this.e.subarray(pFrom, pTo),
      balanceStart: b ? startsOf(b.offsets, n) : new Int32Array(n + 1), balanceAsset: b ? this.asset!.subarray(bFrom, bTo) : new Int32Array(0),
      balanceAssets: o.balanceAssets, amount: this.amounts.subarray(bFrom, bTo),
    };
  }

  /**
   * The batch's ids (clean: plain Utf8 ids, none empty or null: allClean) appended to the book's, each checked against
   * the ids before it.
   */
  private readIds(n: number): void {
    const ids = this.source.out.accountIds, from = ids.length;
    for (let i = 0; i < n; i++) ids.push(this.ids.get(i) as string);
    // the table's probes in a loop of their own: their cache misses overlap (perf: loop-alone, docs/performance.md)
    const earlier = this.source.ids.addRows(this.first, n);
    for (let i = 0; i < n; i++) if (earlier[i] !== -1) this.repeated(this.first + i, ids[from + i], earlier[i]);
  }

  /** Whether the batch can be taken whole (copied or viewed): no nulls and every account clean (found once). */
  private cleanWhole(): boolean {
    this.wholeClean ??= this.nullFree && this.allClean(this.batch.numRows);
    return this.wholeClean;
  }

  private wholeClean: boolean | undefined;

  /** Whether every account of the batch is clean (and so the batch is copied whole). */
  private allClean(n: number): boolean {
    const raw = this.ids.raw;
    if (!raw || !this.ids.nullFree) return false;
    for (let i = 0; i < n; i++) if (raw.offsets[i + 1] === raw.offsets[i]) return false;
    const clean = this.cleanRange(0, n);
    // the accounts are read one by one next, each checked again: what this pass marked must not read as a repeat
    if (!clean) this.seen.fill(-1);
    return clean;
  }

  /** A batch of clean accounts, each column copied in one piece (no nulls, nothing to net, ids unique). */
  private copyBatch(n: number): void {
    const o = this.source.out;
    const a0 = o.accountIds.length, p0 = o.positionsUsed, b0 = o.balancesUsed;
    this.readIds(n);
    if (this.cash) o.cashUsd.set(this.cashValues.subarray(0, n), a0);
    const p = this.positions, b = this.balances;
    if (p) {
      const from = p.offsets[0], to = p.offsets[n];
      o.positionInstrument.set(this.instrument!.subarray(from, to), p0);
      o.quantity.set(this.q.subarray(from, to), p0);
      o.entryPrice.set(this.e.subarray(from, to), p0);
      for (let i = 0; i < n; i++) o.positionStart[a0 + i + 1] = p0 + p.offsets[i + 1] - from;
      o.positionsUsed += to - from;
    } else o.positionStart.fill(p0, a0 + 1, a0 + n + 1);
    if (b) {
      const from = b.offsets[0], to = b.offsets[n];
      o.balanceAsset.set(this.asset!.subarray(from, to), b0);
      o.amount.set(this.amounts.subarray(from, to), b0);
      for (let i = 0; i < n; i++) o.balanceStart[a0 + i + 1] = b0 + b.offsets[i + 1] - from;
      o.balancesUsed += to - from;
    } else o.balanceStart.fill(b0, a0 + 1, a0 + n + 1);
    if (o.masters) for (let i = 0; i < n; i++) o.masters.push(undefined);
    if (o.methods) for (let i = 0; i < n; i++) o.methods.push(undefined);
    if (o.marginCurrencies) for (let i = 0; i < n; i++) o.marginCurrencies.push(undefined);
    if (o.locations) for (let k = b0; k < o.balancesUsed; k++) o.locations.push(undefined);
    if (o.isolatedMargin) o.isolatedMargin.fill(NaN, p0, o.positionsUsed);
  }

  private readOne(i: number): void {
    const { source } = this;
    const a = this.first + i;
    const id = this.ids.get(i);
    const master = this.master?.get(i) ?? undefined, method = this.method?.get(i) ?? undefined;
    if (this.master) source.masters.push({ id: id ?? undefined, master }); // every batch has the column, or none
    if (this.clean(i, id)) this.copy(i, id as string, master, method);
    else {
      const before = source.rows.length;
      const account = readAccount(this.json(i, id, master, method), `accounts[${a}]`, source.instrumentIndex, source.problems, source.rows, source.terms);
      if (account) this.append(account, before);
    }
    // after the account's own problems, as the JSON validator reports them
    if (id !== null && id !== '') this.checkRepeat(a, i, id);
  }

  /** A problem when account a (row i) repeats an earlier account's id, as the JSON validator words it. */
  private checkRepeat(a: number, i: number, id: string): void {
    const earlier = this.ids.raw ? this.source.ids.add(a, i) : this.source.ids.addString(a, id);
    if (earlier !== -1) this.repeated(a, id, earlier);
  }

  /** The problem of account a, whose id was seen before (`earlier`: its account, or SUSPECT). */
  private repeated(a: number, id: string, earlier: number): void {
    if (earlier === SUSPECT) {
      const problem = this.source.problems.addPending(`accounts[${a}].id`, `duplicate account id ${JSON.stringify(id)}`);
      (this.source.suspects ??= []).push({ account: a, id, problem });
    } else if (earlier >= 0) this.source.problems.add(`accounts[${a}].id`, `duplicate account id ${JSON.stringify(id)} (first at accounts[${earlier}])`);
  }

  /** Whether account i obeys every rule with nothing to net: its values can be copied as they are. */
  private clean(i: number, id: string | null): boolean {
    if (id === null || id === '') return false;
    if (this.nullFree) return this.cleanNullFree(i);
    if (this.cash && isValid(this.cash, i) && !isWithin(DOMAIN.cashUsd, this.cashValues[i])) return false;
    if (this.master?.get(i) === '' || this.method?.get(i) === '') return false;
    // a coin-margined account (or any currency named) is read by the validator: the currency rules are there
    if (this.marginCurrency !== undefined && this.marginCurrency.get(i) !== null) return false;
    let held = 0;
    const p = this.positions;
    if (p && isValid(p.list, i)) {
      const q = this.q, e = this.e, iso = this.isolated;
      for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++) {
        const row = this.instrument![r];
        if (row < 0 || !isValid(p.item, r) || !isValid(this.quantity!, r) || !isValid(this.entry!, r)) return false;
        if (!isWithin(DOMAIN.quantity, q[r]) || !isWithin(DOMAIN.entryPrice, e[r])) return false;
        // (a negative allocation is a loss realized on it: the validator reads it)
        if (iso && isValid(iso, r)) {
          const m = (iso.values as Float64Array)[iso.offset + r];
          if (!isWithin(DOMAIN.isolatedMargin, m) || m < 0) return false;
        }
        if (this.seen[row] === i) return false; // a second row on this instrument: netted by the validator
        this.seen[row] = i;
        held++;
      }
    }
    const b = this.balances;
    if (b && isValid(b.list, i)) {
      const amount = this.amounts;
      for (let r = b.offsets[i]; r < b.offsets[i + 1]; r++) {
        if (this.asset![r] < 0 || !isValid(b.item, r) || !isValid(this.amount!, r) || !isWithin(DOMAIN.amount, amount[r])) return false;
        if (this.location?.get(r) === '') return false;
        for (let s = b.offsets[i]; s < r; s++) if (this.asset![s] === this.asset![r]) return false;
        held++;
      }
    }
    return held > 0;
  }

  /**
   * {@link clean} for a batch without nulls, isolated margins, locations, masters, methods or margin currencies: the
   * same rules, without a validity lookup per value (a million accounts' positions are checked here).
   */
  private cleanNullFree(i: number): boolean {
    return this.cleanRange(i, i + 1);
  }

  /** Whether accounts from … to − 1 are each clean ({@link cleanNullFree}). */
  private cleanRange(from: number, to: number): boolean {
    const p = this.positions, b = this.balances;
    return cleanAccounts(from, to, this.cash ? this.cashValues : undefined, p?.offsets, this.instrument, this.q, this.e, this.seen, b?.offsets, this.asset, this.amounts);
  }

  private copy(i: number, id: string, master: string | undefined, method: string | undefined): void {
    const o = this.source.out;
    const a = o.accountIds.length;
    this.pushAccount(id, this.cash && isValid(this.cash, i) ? this.cashValues[i] : 0, master, method);
    const p = this.positions;
    if (p && isValid(p.list, i)) {
      const from = p.offsets[i], to = p.offsets[i + 1], at = o.positionsUsed;
      const instrument = this.instrument!, q = this.q, e = this.e;
      for (let r = from; r < to; r++) {
        o.positionInstrument[at + r - from] = instrument[r];
        o.quantity[at + r - from] = q[r];
        o.entryPrice[at + r - from] = e[r];
      }
      if (this.isolated && (this.isolated.nullCount < this.isolated.length || o.isolatedMargin)) {
        const iso = (o.isolatedMargin ??= new Float64Array(o.quantity.length).fill(NaN));
        for (let r = from; r < to; r++) iso[at + r - from] = isValid(this.isolated, r) ? (this.isolated.values as Float64Array)[this.isolated.offset + r] : NaN;
      }
      o.positionsUsed += to - from;
    }
    const b = this.balances;
    if (b && isValid(b.list, i)) {
      for (let r = b.offsets[i]; r < b.offsets[i + 1]; r++) this.pushBalance(this.asset![r], this.amounts[r], this.location?.get(r) ?? undefined);
    }
    o.positionStart[a + 1] = o.positionsUsed;
    o.balanceStart[a + 1] = o.balancesUsed;
  }

  /** A validated (netted) account appended; its positions' instrument rows are `rows` from `first`. */
  private append(account: ValidatedAccount, first: number): void {
    const o = this.source.out;
    const a = o.accountIds.length;
    this.pushAccount(account.id, account.cashUsd ?? 0, account.master, account.method, account.marginCurrency);
    const rows = this.source.rows.toArray();
    account.positions.forEach((position, j) => {
      const at = o.positionsUsed++;
      o.positionInstrument[at] = rows[first + j];
      o.quantity[at] = position.quantity;
      o.entryPrice[at] = position.entryPrice;
      if (position.isolatedMargin !== undefined) o.isolatedMargin ??= new Float64Array(o.quantity.length).fill(NaN);
      if (o.isolatedMargin) o.isolatedMargin[at] = position.isolatedMargin ?? NaN;
    });
    for (const balance of account.collateral) this.pushBalance(assetIndex(balance.asset, o), balance.amount, balance.location);
    o.positionStart[a + 1] = o.positionsUsed;
    o.balanceStart[a + 1] = o.balancesUsed;
  }

  private pushAccount(id: string, cash: number, master: string | undefined, method: string | undefined, currency?: string): void {
    const o = this.source.out;
    const a = o.accountIds.length;
    o.accountIds.push(id);
    o.cashUsd[a] = cash;
    if (master !== undefined) o.masters ??= new Array(a).fill(undefined);
    o.masters?.push(master);
    if (method !== undefined) o.methods ??= new Array(a).fill(undefined);
    o.methods?.push(method);
    if (currency !== undefined) o.marginCurrencies ??= new Array(a).fill(undefined);
    o.marginCurrencies?.push(currency);
  }

  private pushBalance(asset: number, amount: number, location: string | undefined): void {
    const o = this.source.out;
    const k = o.balancesUsed++;
    o.balanceAsset[k] = asset;
    o.amount[k] = amount;
    if (location !== undefined) o.locations ??= new Array(k).fill(undefined);
    o.locations?.push(location);
  }

  /** Account i as the JSON account it stands for (nulls as absent fields), for the JSON validator. */
  private json(i: number, id: string | null, master: string | undefined, method: string | undefined): Record<string, unknown> {
    const account: Record<string, unknown> = { id: id ?? undefined };
    if (this.cash && isValid(this.cash, i)) account.cashUsd = this.cashValues[i];
    if (master !== undefined) account.master = master;
    if (method !== undefined) account.method = method;
    const currency = this.marginCurrency?.get(i);
    if (currency !== undefined && currency !== null) account.marginCurrency = currency;
    const f64 = (data: Data | undefined, r: number) => (data && isValid(data, r) ? (data.values as Float64Array)[data.offset + r] : undefined);
    const p = this.positions;
    if (p && isValid(p.list, i)) {
      const rows = [];
      for (let r = p.offsets[i]; r < p.offsets[i + 1]; r++) {
        if (!isValid(p.item, r)) rows.push(null);
        else rows.push(withoutUndefined({ instrument: this.instrumentText!.get(r) ?? undefined, quantity: f64(this.quantity, r), entryPrice: f64(this.entry, r), isolatedMargin: f64(this.isolated, r) }));
      }
      account.positions = rows;
    }
    const b = this.balances;
    if (b && isValid(b.list, i)) {
      const rows = [];
      for (let r = b.offsets[i]; r < b.offsets[i + 1]; r++) {
        if (!isValid(b.item, r)) rows.push(null);
        else rows.push(withoutUndefined({ asset: this.assetText!.get(r) ?? undefined, amount: f64(this.amount, r), location: this.location?.get(r) ?? undefined }));
      }
      account.collateral = rows;
    }
    return withoutUndefined(account);
  }
}

function withoutUndefined(record: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return record;
}

/** The book-wide index of an asset symbol, added on first sight. */
function assetIndex(symbol: string, out: ColumnsOut): number {
  let index = out.assetIndex.get(symbol);
  if (index === undefined) out.assetIndex.set(symbol, (index = out.balanceAssets.push(symbol) - 1));
  return index;
}

/** A list's offsets [row 0 … row n] from 0: a view when they already start there. */
function startsOf(offsets: Int32Array, n: number): Int32Array {
  if (offsets[0] === 0) return offsets.subarray(0, n + 1);
  const starts = new Int32Array(n + 1);
  for (let i = 0; i <= n; i++) starts[i] = offsets[i] - offsets[0];
  return starts;
}

/** Each balance row's book-wide asset index (−1: null or empty). */
function assetIndices(column: StringColumn, length: number, out: ColumnsOut): Int32Array {
  const indices = new Int32Array(length);
  const known = column.dictionary?.values.map((v) => (v === null || v === '' ? -1 : assetIndex(v, out)));
  for (let r = 0; r < length; r++) {
    if (known) indices[r] = column.dictionary!.indices[r] < 0 ? -1 : known[column.dictionary!.indices[r]];
    else {
      const symbol = column.get(r);
      indices[r] = symbol === null || symbol === '' ? -1 : assetIndex(symbol, out);
    }
  }
  return indices;
}
