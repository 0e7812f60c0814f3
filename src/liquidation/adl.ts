import { ArrayLease } from '../memory/array-lease.js';

/**
 * Auto-deleveraging: who takes the part of a bankrupt account's close that the insurance fund cannot, at the
 * bankruptcy price. Candidates hold the same instrument on the opposite side with an unrealized profit, and give at
 * most that profit and never more than their equity (deleverage.ts).
 *
 * - queue (Binance, Bybit): ranked by PnL% × effective leverage, highest first, each taken in full before the next
 *   (PnL% = unrealized P&L / |entry value|; effective leverage = the account's gross notional / its equity);
 *   ties by account id;
 * - pro-rata: every candidate gives the same fraction of its position (the engine settles it at the run's end).
 */

/**
 * The candidates of one (instrument, side), as columns: a book has ~10⁵ of them, and an object each cost more to
 * build and collect than the rest of the ranking. Candidate k: the account (layout index) and position slot, the
 * signed quantity (contracts) when the book was built and what is left of it, the entry price (USD per unit of the
 * underlying) and the queue score. A fill reads these, not the layout's columns at the candidate's slot: one random
 * read of memory less per column, for thousands of fills.
 */
export class AdlCandidates {
  count = 0;
  readonly account: Int32Array;
  readonly slot: Int32Array;
  readonly quantity: Float64Array;
  /** The signed quantity left: the book's fills take from it exactly as from the position (the same subtractions). */
  readonly left: Float64Array;
  readonly entryPrice: Float64Array;
  readonly score: Float64Array;
  /**
   * The most ADL may still take from the candidate against its marks (USD): its unrealized profit on the position
   * (under isolated margin, at most the position's own equity), less what fills took.
   */
  readonly room: Float64Array;

  /** `ids`: account ids by layout index (the tie-break of the queue); `lease`: where the columns are lent from (the run's). */
  constructor(capacity: number, readonly ids: readonly (string | null)[], lease = new ArrayLease()) {
    // every column is written by push before it is read: a lent one's old contents never show
    this.account = lease.i32(capacity);
    this.slot = lease.i32(capacity);
    this.quantity = lease.f64(capacity);
    this.left = lease.f64(capacity);
    this.entryPrice = lease.f64(capacity);
    this.score = lease.f64(capacity);
    this.room = lease.f64(capacity);
  }

  /**
   * Adds a candidate: its position (signed contracts, entry price); its unrealized P&L and |entry value| (USD), the
   * account's gross notional and equity set its score; `room`: the most ADL may take from it (USD; its P&L by default).
   */
  push(account: number, slot: number, quantity: number, entryPrice: number, pnl: number, entryValue: number, grossNotional: number, equity: number, room = pnl): void {
    const k = this.count++;
    this.account[k] = account;
    this.slot[k] = slot;
    this.quantity[k] = quantity;
    this.left[k] = quantity;
    this.entryPrice[k] = entryPrice;
    this.score[k] = adlScore(pnl, entryValue, grossNotional, equity);
    this.room[k] = room;
  }

  /** Candidate k's account id. */
  id(k: number): string {
    return this.ids[this.account[k]] as string;
  }
}

/** The queue's score: PnL% × effective leverage (an account with no positive equity ranks first). */
export function adlScore(pnl: number, entryValue: number, grossNotional: number, equity: number): number {
  const pnlPct = entryValue > 0 ? pnl / entryValue : Infinity;
  const leverage = equity > 0 ? grossNotional / equity : Infinity;
  return pnlPct * leverage;
}

/** True when candidate x ranks ahead of y in the queue: higher score, then smaller account id, then slot. */
export function ranksAhead(c: AdlCandidates, x: number, y: number): boolean {
  const sx = c.score[x], sy = c.score[y];
  if (sx !== sy) return sx > sy;
  const ix = c.id(x), iy = c.id(y);
  if (ix !== iy) return ix < iy;
  return c.slot[x] < c.slot[y];
}

/**
 * Candidates in queue order, ranked lazily: a binary heap on {@link ranksAhead}, so a deficit that the first few of
 * 50,000 candidates cover does not sort them all. `at(n)` is the index of the n-th in queue order (0-based; −1 past
 * the end); the order is total (ids and slots are unique), so it is the order a full sort gives. Each heap entry
 * carries its score beside its candidate: a comparison reads the heap, not the candidates at random. The candidates
 * ranked so far fill the heap's array from its end as the heap shrinks (as an in-place heapsort does): no list of its
 * own, which at millions of fills held tens of MB in the JS heap.
 */
export class AdlQueue {
  readonly length: number;
  /** Heap entries [0, size); from the end backwards, the candidates ranked so far (the n-th at length − 1 − n). */
  private readonly heap: Int32Array;
  private readonly heapScore: Float64Array;
  private size: number;

  constructor(private readonly candidates: AdlCandidates) {
    const n = candidates.count;
    this.length = n;
    this.heap = new Int32Array(n);
    this.heapScore = candidates.score.slice(0, n);
    for (let k = 0; k < n; k++) this.heap[k] = k;
    this.size = n;
    for (let k = (n >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  at(n: number): number {
    while (this.length - this.size <= n && this.size > 0) {
      const top = this.heap[0];
      this.size--;
      this.heap[0] = this.heap[this.size];
      this.heapScore[0] = this.heapScore[this.size];
      this.heap[this.size] = top; // outside the heap now: the next place of the ranked, from the end
      this.siftDown(0);
    }
    return n < this.length - this.size ? this.heap[this.length - 1 - n] : -1;
  }

  /** True when heap entry x ranks ahead of entry y ({@link ranksAhead}, the scores read from the heap). */
  private ahead(x: number, y: number): boolean {
    const sx = this.heapScore[x], sy = this.heapScore[y];
    if (sx !== sy) return sx > sy;
    return ranksAhead(this.candidates, this.heap[x], this.heap[y]);
  }

  private siftDown(k: number): void {
    const heap = this.heap, score = this.heapScore, size = this.size;
    for (;;) {
      const l = 2 * k + 1, r = l + 1;
      let best = k;
      if (l < size && this.ahead(l, best)) best = l;
      if (r < size && this.ahead(r, best)) best = r;
      if (best === k) return;
      const top = heap[k], topScore = score[k];
      heap[k] = heap[best];
      score[k] = score[best];
      heap[best] = top;
      score[best] = topScore;
      k = best;
    }
  }
}

/**
 * Every possible ADL candidate of a run, by (instrument, side): the positions of live accounts that were not below
 * MM when the run began, on the instruments that liquidated accounts hold (`wanted`: no other book is ever asked
 * for), with an unrealized profit at the run's marks, in account then slot order (the order the
 * books and pro-rata sums keep). Built in one pass over the position columns in layout order (sequential memory:
 * a scan per (instrument, side) through an index by instrument touched each position at random), the first time a
 * run needs ADL. Book key = 2·instrument + 1 for longs, 2·instrument for shorts; its candidates are entries
 * start[key] ≤ k < start[key + 1] of account / slot.
 */
export interface AdlCandidateIndex {
  start: Int32Array;
  account: Int32Array;
  slot: Int32Array;
}

/** What {@link adlCandidateIndex} reads: the layout's position columns, per-instrument marks and multipliers, per-account flags. */
export interface AdlIndexInputs {
  instruments: number;
  accounts: number;
  /** Position slots of the layout (every slot index is below it: at most this many candidates). */
  slots: number;
  posStart: Int32Array;
  posEnd: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  /** Per instrument: 1 when its books may be asked for (the instruments liquidated accounts hold), else 0. */
  wanted: Uint8Array;
  /** Per instrument: the run's value (USD per unit of the underlying) and contract multiplier. */
  mark: Float64Array;
  multiplier: Float64Array;
  /** Per account: 0 when not live, excluded (1: below MM at the start), its status and the status code of an error. */
  live: Uint8Array;
  excluded: Uint8Array;
  status: Uint8Array;
  statusError: number;
}

/** The unrealized P&L (USD) that makes a position an ADL candidate: quantity × multiplier × (mark − entry), as the books compute it. */
export function adlPnl(quantity: number, multiplier: number, mark: number, entry: number): number {
  const units = quantity * multiplier;
  return units * (mark - entry);
}

/** The index of {@link AdlCandidateIndex}, its arrays (and the scratch of its passes) lent by `lease`. */
export function adlCandidateIndex(lease: ArrayLease, x: AdlIndexInputs): AdlCandidateIndex {
  const found = findCandidates(lease, x);
  const start = new Int32Array(2 * x.instruments + 1);
  const account = lease.i32(found.count), slot = lease.i32(found.count);
  placeCandidates(found, x.instruments, start, account, slot);
  for (const scratch of [found.account, found.slot, found.key]) lease.drop(scratch); // done with: not held to the run's end
  return { start, account, slot };
}

/** The first `count` entries: the candidates in account then slot order, with the account, slot and book key of each. */
interface FoundCandidates {
  count: number;
  account: Int32Array;
  slot: Int32Array;
  key: Int32Array;
}

/** Pass 1: one sequential pass over the positions of the accounts that can be deleveraged. */
function findCandidates(lease: ArrayLease, x: AdlIndexInputs): FoundCandidates {
  const posStart = x.posStart, posEnd = x.posEnd, instrument = x.instrument, quantity = x.quantity, entry = x.entryPrice;
  const mark = x.mark, multiplier = x.multiplier, wanted = x.wanted, live = x.live, excluded = x.excluded, status = x.statusError, statuses = x.status;
  let n = 0;
  // scratch grown as candidates are found (a book's slot capacity is far above its candidates: no need to zero that much)
  let foundAccount = lease.i32(4096), foundSlot = lease.i32(4096), foundKey = lease.i32(4096);
  for (let a = 0; a < x.accounts; a++) {
    if (live[a] === 0 || excluded[a] !== 0 || statuses[a] === status) continue;
    for (let s = posStart[a]; s < posEnd[a]; s++) {
      const i = instrument[s];
      if (wanted[i] === 0) continue;
      const q = quantity[s];
      if (!(q > 0) && !(q < 0)) continue;
      if (!(adlPnl(q, multiplier[i], mark[i], entry[s]) > 0)) continue;
      if (n === foundKey.length) {
        foundAccount = grown(lease, foundAccount);
        foundSlot = grown(lease, foundSlot);
        foundKey = grown(lease, foundKey);
      }
      foundAccount[n] = a;
      foundSlot[n] = s;
      foundKey[n++] = 2 * i + (q > 0 ? 1 : 0);
    }
  }
  return { count: n, account: foundAccount, slot: foundSlot, key: foundKey };
}

/** Pass 2: counts per book key, their running starts in `start`, and each candidate placed in its book, in order. */
function placeCandidates(found: FoundCandidates, instruments: number, start: Int32Array, account: Int32Array, slot: Int32Array): void {
  const n = found.count, key = found.key;
  for (let f = 0; f < n; f++) start[key[f] + 1]++;
  for (let k = 0; k < 2 * instruments; k++) start[k + 1] += start[k];
  const fill = start.slice(0, -1);
  for (let f = 0; f < n; f++) {
    const at = fill[key[f]]++;
    account[at] = found.account[f];
    slot[at] = found.slot[f];
  }
}

/** A copy of `from` twice as long (its second half unspecified). */
function grown(lease: ArrayLease, from: Int32Array): Int32Array {
  const to = lease.i32(2 * from.length);
  to.set(from);
  lease.drop(from); // outgrown: each generation held to the run's end added up to about 250 MB at 1,000,000 × 20
  return to;
}
