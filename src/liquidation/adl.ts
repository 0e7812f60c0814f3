/**
 * Auto-deleveraging: who takes the part of a bankrupt account's close that the insurance fund cannot, at the
 * bankruptcy price. Candidates hold the same instrument on the opposite side with an unrealized profit.
 *
 * - queue (Binance, Bybit): ranked by PnL% × effective leverage, highest first, each taken in full before the next
 *   (PnL% = unrealized P&L / |entry value|; effective leverage = the account's gross notional / its equity);
 *   ties by account id;
 * - pro-rata: every candidate gives the same fraction of its position (the engine settles it at the run's end).
 */

export interface AdlCandidate {
  /** Index (layout) and id of the account, the position's slot, and its signed quantity (contracts). */
  account: number;
  id: string;
  slot: number;
  quantity: number;
  /** Unrealized P&L (USD) and |entry value| (USD) of the position; the account's gross notional and equity. */
  pnl: number;
  entryValue: number;
  grossNotional: number;
  equity: number;
}

/** The queue's score: PnL% × effective leverage (an account with no positive equity ranks first). */
export function adlScore(c: AdlCandidate): number {
  const pnlPct = c.entryValue > 0 ? c.pnl / c.entryValue : Infinity;
  const leverage = c.equity > 0 ? c.grossNotional / c.equity : Infinity;
  return pnlPct * leverage;
}

/** True when candidate x ranks ahead of y in the queue: higher score, then smaller account id, then slot. */
export function ranksAhead(x: AdlCandidate, xScore: number, y: AdlCandidate, yScore: number): boolean {
  if (xScore !== yScore) return xScore > yScore;
  if (x.id !== y.id) return x.id < y.id;
  return x.slot < y.slot;
}

/**
 * Candidates in queue order, ranked lazily: a binary heap on {@link ranksAhead}, so a deficit that the first few of
 * 50,000 candidates cover does not sort them all. `at(n)` is the n-th in queue order (0-based); the order is total
 * (ids and slots are unique), so it is the order a full sort gives.
 */
export class AdlQueue {
  readonly length: number;
  private readonly ranked: AdlCandidate[] = [];
  private readonly score: Float64Array;
  private readonly heap: Int32Array;
  private size: number;

  constructor(private readonly candidates: readonly AdlCandidate[]) {
    const n = candidates.length;
    this.length = n;
    this.score = new Float64Array(n);
    this.heap = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      this.score[k] = adlScore(candidates[k]);
      this.heap[k] = k;
    }
    this.size = n;
    for (let k = (n >> 1) - 1; k >= 0; k--) this.siftDown(k);
  }

  at(n: number): AdlCandidate {
    while (this.ranked.length <= n && this.size > 0) {
      const top = this.heap[0];
      this.heap[0] = this.heap[--this.size];
      this.siftDown(0);
      this.ranked.push(this.candidates[top]);
    }
    return this.ranked[n];
  }

  private ahead(a: number, b: number): boolean {
    return ranksAhead(this.candidates[a], this.score[a], this.candidates[b], this.score[b]);
  }

  private siftDown(k: number): void {
    const heap = this.heap, size = this.size;
    for (;;) {
      const l = 2 * k + 1, r = l + 1;
      let best = k;
      if (l < size && this.ahead(heap[l], heap[best])) best = l;
      if (r < size && this.ahead(heap[r], heap[best])) best = r;
      if (best === k) return;
      const top = heap[k];
      heap[k] = heap[best];
      heap[best] = top;
      k = best;
    }
  }
}
