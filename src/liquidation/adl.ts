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

/** Candidates in queue order: highest score first, ties by account id, then slot. */
export function adlQueue(candidates: readonly AdlCandidate[]): AdlCandidate[] {
  return candidates
    .map((c) => ({ c, score: adlScore(c) }))
    .sort((x, y) => (y.score - x.score) || (x.c.id < y.c.id ? -1 : x.c.id > y.c.id ? 1 : x.c.slot - y.c.slot))
    .map((x) => x.c);
}
