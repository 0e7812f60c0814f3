/**
 * Auto-deleveraging within one liquidation run: the part of a bankrupt close that the insurance fund cannot take goes
 * to profitable opposite positions of accounts that were not below MM when the run began, at the bankruptcy price.
 * The candidates of an (instrument, side) are ranked once, the first time they are needed, on the marks and the
 * figures they had when the run began (as venues publish one ranking); queue fills happen at once, pro-rata ones are
 * summed and applied at the end of the run, each candidate giving the same fraction of its position at the average
 * price. Deleveraged accounts are re-margined once, at the end of the run. The ranking itself is adl.ts.
 *
 * What a fill costs a counterparty against its mark (|contracts| × multiplier × (mark − price), signed against it) is
 * capped at min(its unrealized profit on that position, its equity), less what earlier fills cost it: venues
 * deleverage only positions in profit (BitMEX, Bybit, Binance rank only those) and never take a counterparty below
 * zero (dYdX v4 rejects an offsetting fill that fails the counterparty's collateral check). Under isolated margin the
 * position's own equity caps it too. What the caps leave goes to the next counterparty (queue) or to the others
 * (pro-rata, filled up to their caps), then is uncovered bad debt, written off the bankrupt account it came from.
 */
import { KIND_OPTION } from '../layout/codes.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { Column } from '../memory/columns.js';
import { ArrayLease } from '../memory/array-lease.js';
import { grownCopy } from '../memory/grown-copy.js';
import { STATUS_ERROR } from '../margin/status.js';
import type { EngineRun } from '../session/types.js';
import { type AdlCandidateIndex, AdlCandidates, AdlQueue, adlCandidateIndex, adlPnl } from './adl.js';
import { allocationAfterClose, fixAllocations } from './close-effect.js';
import type { LiquidationParams } from './params.js';
import type { AdlFill, LiquidationTotals } from './report.js';
import { finiteOrNull, QuotedMark, quotedPrice, usdPerUnit } from './currency.js';

/** ADL candidates of one (instrument, side): ranked, with how much of them is left and what pro-rata has taken. */
interface AdlBook {
  /** The instrument (layout row) and the candidates' side (+1 longs, −1 shorts). */
  instrument: number;
  side: number;
  /** Every candidate, in holder order (pro-rata takes from all of them). */
  candidates: AdlCandidates;
  /**
   * Queue policy: the candidates ranked (lazily); the first one whose position is not used up (a fill at or better
   * than the mark, which costs nothing, starts there), and the first one whose cap is not used up either (a fill that
   * costs starts there). Positions and caps only shrink, so neither ever needs to look back.
   */
  queue: AdlQueue | null;
  next: number;
  nextCosting: number;
  /** Pro-rata policy: contracts routed to the book so far, what they were routed at (Σ units × price), from whom. */
  taken: number;
  cash: number;
  from: Set<string>;
}

/**
 * What pro-rata ADL's caps left of one book: `fraction` of every contract the bankrupt accounts closing `instrument`
 * (positions signed `sign`, `multiplier` units each, `inverse` for an inverse contract) routed to it found no taker.
 * Those contracts are valued as the queue values a step's uncovered part (step.ts `bankrupt`): each at its own step's
 * |bankruptcy price − fill| for the account, its fill's slippage to the market (plan-columns.ts moveAdlToUncovered).
 */
export interface AdlShortfall {
  instrument: string;
  sign: number;
  fraction: number;
  multiplier: number;
  inverse: boolean;
}

/** What the run lends ADL: where fills are recorded and who must know an account changed. */
export interface DeleveragingHooks {
  /** Called before an account's position first changes (the run remembers its equity). */
  touch(account: number): void;
  /** Called after an account's holdings changed. */
  changed(account: number): void;
  /** Records a fill in the plan (a scratch record, rewritten by the next fill: copied at once). */
  fill(record: AdlFill): void;
}

export class Deleveraging {
  /** ADL candidates per (instrument, side), ranked on first use. */
  private readonly books = new Map<number, AdlBook>();
  /** Every candidate of the run by (instrument, side), built on the run's first ADL. */
  private index: AdlCandidateIndex | null = null;
  /** Accounts ADL took positions from (a flag per account, and the list), re-margined once at the end of the run. */
  private readonly deleveraged: number[] = [];
  /** Per account: 0, or 1 + its index in {@link deleveraged}. */
  private readonly isDeleveraged: Int32Array;
  private readonly posQuantity: Column<'f64'>;
  private readonly posIsolated: Column<'f64'>;
  private readonly posEntry: Column<'f64'>;
  private readonly posInstrument: Column<'i32'>;
  /**
   * Per deleveraged account, by its index in {@link deleveraged}: its equity less what fills have cost it so far (USD),
   * the most later fills may take.
   */
  private equityLeft = new Float64Array(8); // 64 bytes: no backing store of its own until ADL takes from more accounts
  /** Inverse contracts' marks as quoted (USD per coin). */
  private readonly quotedMark = new QuotedMark();
  /** The record each fill is handed to the plan in (perf: no-alloc-per-step, docs/performance.md). */
  private readonly fillRecord: AdlFill = { account: '', from: '', instrument: '', quantity: 0, price: 0, markPrice: 0, haircut: 0, rank: 0 };
  /** Per deleveraged account, in the order of {@link deleveraged}: what its fills cost it against the marks (USD). */
  private readonly cost: number[] = [];

  /**
   * `breaching`: the accounts below MM when the run began (flags per account, and the list): they are liquidated,
   * never deleveraged.
   */
  constructor(
    private readonly layout: BookLayout,
    private readonly run: EngineRun,
    private readonly p: LiquidationParams,
    private readonly totals: LiquidationTotals,
    private readonly hooks: DeleveragingHooks,
    private readonly breaching: { flags: Uint8Array; list: Int32Array },
    /** Where the run's own arrays are lent from (given back when the run ends). */
    private readonly lease: ArrayLease = new ArrayLease(),
  ) {
    this.isDeleveraged = lease.i32(layout.accountCount, true);
    this.posQuantity = layout.positions.column<'f64'>('quantity');
    this.posIsolated = layout.positions.column<'f64'>('isolatedMargin');
    this.posEntry = layout.positions.column<'f64'>('entryPrice');
    this.posInstrument = layout.positions.column<'i32'>('instrument');
  }

  /**
   * Takes up to `quantity` contracts of instrument i (signed like the bankrupt account's position, of account `from`)
   * at `price` from the opposite side; returns the contracts taken (signed like `quantity`).
   */
  take(from: number, i: number, quantity: number, price: number): number {
    if (quantity === 0) return 0;
    const book = this.book(i, quantity > 0 ? -1 : 1);
    const want = Math.abs(quantity);
    if (this.p.adl === 'pro-rata') {
      // no position on the other side: ADL takes nothing (the rest is the account's, as under the queue). Else every
      // contract routed here counts, beyond the book's open interest too: the settlement places what the positions and
      // caps allow and writes the same fraction of each account's contracts off, whatever the order they came in
      if (book.candidates.count === 0) return 0;
      book.taken += want;
      book.cash += want * this.layout.instruments.multiplier.array[i] * price;
      book.from.add(this.layout.accountIds[from] as string);
      return quantity;
    }
    let taken = 0;
    const queue = book.queue as AdlQueue; // the queue policy always ranks
    const candidates = book.candidates;
    // what one contract closed at `price` costs a counterparty against its mark (USD; ≤ 0: it gains)
    const lossPerContract = this.layout.instruments.multiplier.array[i] * (this.run.instrumentValue(i) - price) * (quantity > 0 ? -1 : 1);
    // a fill that costs the counterparties skips those whose cap is used up; one at or better than the mark does not
    const costs = lossPerContract > 0;
    let at = costs ? Math.max(book.next, book.nextCosting) : book.next;
    while (taken < want && at < queue.length) {
      const c = queue.at(at);
      const left = this.capacity(candidates, c, lossPerContract); // contracts it may still give at this price
      if (left > 0) {
        const rest = want - taken;
        let take = Math.min(left, rest);
        // a cap short of the rest by a rounding of it (caps over the loss per contract, summed) gives the rest: no dust
        // of contracts (1e-14) goes on to the next counterparty as a deleveraging of its own (capLeft's rounding)
        if (take < rest && rest - take <= 1e-12 * want && rest <= Math.abs(candidates.left[c])) take = rest;
        this.fill(candidates, c, i, Math.sign(candidates.quantity[c]) * take, price, from, at + 1);
        taken += take;
        if (take < left) break;
      }
      // c is used up for this kind of fill: its position (either kind), or its cap (a costing one)
      if (at === book.next && candidates.left[c] === 0) book.next = at + 1;
      if (costs) book.nextCosting = at + 1;
      at++;
    }
    return Math.sign(quantity) * taken;
  }

  /**
   * Pro-rata ADL, at the end of the run: every candidate of a book gives the same fraction of its position, at the
   * average price, up to its cap (the others give more in its place). Returns, per book the caps left short, the
   * fraction of the contracts routed to it that nobody took: the caller writes that part off the bankrupt accounts that
   * routed them, the same fraction of each one's contracts, valued at its own step (plan-columns.ts).
   */
  settleProRata(): AdlShortfall[] {
    const shortfalls: AdlShortfall[] = [];
    for (const book of this.books.values()) {
      if (!(book.taken > 0)) continue;
      const candidates = book.candidates, i = book.instrument, side = book.side;
      const mult = this.layout.instruments.multiplier.array[i];
      const total = totalQuantity(candidates);
      const price = book.cash / (book.taken * mult);
      const lossPerContract = mult * (this.run.instrumentValue(i) - price) * side;
      const from = [...book.from].sort().join(', ');
      const fraction = book.taken / total;
      const shares = this.shares(candidates, fraction, lossPerContract, book.taken);
      let placed = 0;
      for (let c = 0; c < candidates.count; c++) {
        if (shares === null) {
          this.fill(candidates, c, i, candidates.quantity[c] * fraction, price, from, fraction);
          continue;
        }
        placed += shares[c];
        if (shares[c] > 0) this.fill(candidates, c, i, side * shares[c], price, from, shares[c] / Math.abs(candidates.quantity[c]));
      }
      if (shares === null || !(book.taken > placed)) continue;
      shortfalls.push({ instrument: this.layout.instruments.ids[i], sign: -side, fraction: (book.taken - placed) / book.taken, multiplier: mult, inverse: this.layout.instruments.isInverse(i) });
    }
    return shortfalls;
  }

  /**
   * Pro-rata shares under the caps (contracts, ≥ 0, per candidate), or null when no cap binds (each gives `fraction`
   * of its position). Water-filling: candidates whose cap is below the common fraction give their cap, the others the
   * same fraction of theirs, so that the book's `taken` contracts are placed if the caps allow.
   */
  private shares(candidates: AdlCandidates, fraction: number, lossPerContract: number, taken: number): Float64Array | null {
    const n = candidates.count, cap = new Float64Array(n);
    let binds = false;
    for (let c = 0; c < n; c++) {
      cap[c] = this.capacity(candidates, c, lossPerContract);
      if (cap[c] < Math.abs(candidates.quantity[c]) * fraction) binds = true;
    }
    if (!binds) return null;
    const order = Array.from({ length: n }, (_, c) => c).sort((x, y) => cap[x] / Math.abs(candidates.quantity[x]) - cap[y] / Math.abs(candidates.quantity[y]) || x - y);
    const out = new Float64Array(n);
    let left = taken, size = totalQuantity(candidates), k = 0;
    for (; k < n; k++) {
      const c = order[k], q = Math.abs(candidates.quantity[c]);
      if (cap[c] >= (q * left) / size) break; // it and every candidate after it can give the common fraction
      out[c] = cap[c];
      left -= cap[c];
      size -= q;
    }
    for (; k < n; k++) out[order[k]] = size > 0 ? (Math.abs(candidates.quantity[order[k]]) * left) / size : 0;
    return out;
  }

  /**
   * The contracts candidate c may still give at `lossPerContract` (USD each against its mark): what its position
   * holds, and, when the fill costs it, no more than its room (profit on the position) and its account's equity left.
   */
  private capacity(candidates: AdlCandidates, c: number, lossPerContract: number): number {
    const left = Math.abs(candidates.left[c]); // what the position holds: only this book's fills take from it
    if (!(lossPerContract > 0)) return left;
    const room = Math.min(candidates.room[c], this.equityOf(candidates.account[c]));
    return room > 0 ? Math.min(left, room / lossPerContract) : 0;
  }

  /** What an account's equity is now (USD), as ADL has left it: the run's figures (not re-margined in the run) less its fills' costs. */
  private equityOf(account: number): number {
    const d = this.isDeleveraged[account];
    return d !== 0 ? this.equityLeft[d - 1] : this.run.accountColumns().equity[account];
  }

  /** The accounts ADL took positions from, in the order they were first deleveraged, and what their fills cost each against the marks (USD). */
  get accounts(): { list: readonly number[]; cost: readonly number[] } {
    return { list: this.deleveraged, cost: this.cost };
  }

  /** Re-margins every deleveraged account, in one call. */
  remarginDeleveraged(): void {
    // ascending: the accounts' rows are then read in memory order (each account is margined alone: the same bits)
    if (this.deleveraged.length > 0) this.run.remarginList(Int32Array.from(this.deleveraged).sort());
  }

  /** Closes `q` contracts (signed like its position) of candidate c (on instrument i) at `price`, and records the fill. */
  private fill(candidates: AdlCandidates, c: number, i: number, q: number, price: number, from: number | string, rank: number): void {
    const layout = this.layout;
    const slot = candidates.slot[c], account = candidates.account[c];
    const mult = layout.instruments.multiplier.array[i];
    const mark = this.run.instrumentValue(i);
    this.hooks.touch(account);
    // under isolated margin its allocations are fixed before its first fill: the fill's loss stays its position's
    if (this.isDeleveraged[account] === 0 && this.run.positionsOwnEquity) fixAllocations(this.layout, this.run, account);
    // realize's cash, with the entry the candidate was taken with (entries do not move in a run)
    const units = q * mult;
    const cash = layout.instruments.kind.array[i] === KIND_OPTION ? units * price : units * (price - candidates.entryPrice[c]);
    const left = (this.posQuantity.array[slot] -= q);
    candidates.left[c] -= q;
    const isolated = this.posIsolated.array;
    // the position's own loss, never the rest of the account's; taken whole, what is left of it goes back to the account
    isolated[slot] = allocationAfterClose(isolated[slot], cash, left);
    layout.cashUsd.array[account] += cash;
    const haircut = q * mult * (mark - price);
    // the equity it had before this fill: the run's before its first one, else what earlier fills left it
    const equityBefore = this.equityOf(account);
    if (this.isDeleveraged[account] === 0) {
      this.deleveraged.push(account);
      this.isDeleveraged[account] = this.deleveraged.length;
      this.cost.push(0);
      if (this.equityLeft.length < this.deleveraged.length) this.equityLeft = grownCopy(this.equityLeft);
    }
    this.hooks.changed(account);
    // a fill at or better than the mark costs nothing and adds nothing to the caps (they only shrink: the queue's
    // pointers never look back)
    const cost = Math.max(0, haircut);
    this.equityLeft[this.isDeleveraged[account] - 1] = capLeft(equityBefore, cost);
    candidates.room[c] = capLeft(candidates.room[c], cost);
    this.cost[this.isDeleveraged[account] - 1] += haircut;
    // a coin account's haircut is in its coin (the totals in USD at its index); an inverse contract's notional in
    // coin is |units|·|x| and its prices are shown in USD per coin
    const usd = usdPerUnit(layout, this.run.market, account), inverse = layout.instruments.isInverse(i);
    this.totals.adlHaircuts += haircut * usd;
    this.totals.adlNotional += Math.abs(q) * mult * (inverse ? -price : price) * usd;
    const record = this.fillRecord;
    record.account = candidates.id(c);
    record.from = typeof from === 'string' ? from : layout.accountIds[from] as string;
    record.instrument = layout.instruments.ids[i];
    record.quantity = q;
    record.price = inverse ? finiteOrNull(quotedPrice(price)) : price;
    record.markPrice = inverse ? this.quotedMark.of(mark) : mark;
    record.haircut = haircut;
    record.rank = rank;
    this.hooks.fill(record);
  }

  /** The ADL candidates of instrument i on `side` (+1 longs, −1 shorts), ranked once. */
  private book(i: number, side: number): AdlBook {
    const key = i * 2 + (side > 0 ? 1 : 0);
    let book = this.books.get(key);
    if (book) return book;
    const layout = this.layout;
    const qty = this.posQuantity.array, entry = this.posEntry.array;
    const mult = layout.instruments.multiplier.array[i];
    const mark = this.run.instrumentValue(i);
    const isOption = layout.instruments.kind.array[i] === KIND_OPTION;
    const index = this.candidateIndex();
    const candidates = new AdlCandidates(index.start[key + 1] - index.start[key], layout.accountIds, this.lease);
    const figures = this.run.accountColumns(); // nothing allocates during the scan
    // the index was built on the figures and quantities these candidates had when the run began: no step changes
    // them before the candidates' own book exists (only liquidated accounts, never candidates, are re-margined in
    // the run, and only this book's fills take from positions of this instrument on this side)
    for (let k = index.start[key]; k < index.start[key + 1]; k++) {
      const owner = index.account[k], s = index.slot[k];
      const units = qty[s] * mult;
      const pnl = adlPnl(qty[s], mult, mark, entry[s]);
      const entryValue = Math.abs(units * entry[s]) || (isOption ? Math.abs(units * mark) : 0);
      const room = this.run.positionsOwnEquity ? Math.min(pnl, this.run.positionEquity(owner, s)) : pnl;
      candidates.push(owner, s, qty[s], entry[s], pnl, entryValue, figures.grossNotional[owner], figures.equity[owner], room);
    }
    const queue = this.p.adl === 'queue' ? new AdlQueue(candidates) : null;
    book = { instrument: i, side, candidates, queue, next: 0, nextCosting: 0, taken: 0, cash: 0, from: new Set() };
    this.books.set(key, book);
    return book;
  }

  private candidateIndex(): AdlCandidateIndex {
    if (this.index !== null) return this.index;
    const layout = this.layout, count = layout.instruments.count;
    const mark = new Float64Array(count);
    for (let i = 0; i < count; i++) mark[i] = this.run.instrumentValue(i);
    // ADL only ever takes the other side of a liquidated account's position: index the instruments they hold
    const wanted = new Uint8Array(count), inst = this.posInstrument.array, accounts = this.breaching.list;
    const start = layout.positions.start.array, end = layout.positions.end.array;
    for (let k = 0; k < accounts.length; k++) for (let s = start[accounts[k]]; s < end[accounts[k]]; s++) wanted[inst[s]] = 1;
    return this.index = adlCandidateIndex(this.lease, {
      instruments: count, accounts: layout.accountCount, slots: layout.positions.slotCapacity, posStart: start, posEnd: end,
      instrument: inst, quantity: this.posQuantity.array, entryPrice: this.posEntry.array, mark,
      multiplier: layout.instruments.multiplier.array, live: layout.live.array, excluded: this.breaching.flags, wanted, status: this.run.accountColumns().status,
      statusError: STATUS_ERROR,
    });
  }
}

/** Σ |quantity| of the candidates, in their order. */
function totalQuantity(c: AdlCandidates): number {
  let n = 0;
  for (let k = 0; k < c.count; k++) n += Math.abs(c.quantity[k]);
  return n;
}

/**
 * A cap (room or equity, USD) less a fill's `cost`. A fill that takes a cap whole (the cap over the loss per contract,
 * times that loss again) leaves it a rounding above 0; what is left below 1e-12 of the cost is used up, so no later
 * fill takes a dust of contracts (1e-13) from it as a deleveraging of its own.
 */
function capLeft(cap: number, cost: number): number {
  const left = cap - cost;
  return left > 0 && left <= 1e-12 * cost ? 0 : left;
}
