/**
 * The backstop rule: a master's free collateral covers its subaccounts' shortfalls below maintenance margin before
 * any of them is liquidated.
 *
 * - Free collateral F = max(0, equity for IM − IM) of the master alone (USD): what it could withdraw (a withdrawal
 *   may not take an account below IM), so paying covers never puts the master itself below IM.
 * - A subaccount's shortfall s = MM − equity for MM when positive (USD), rounded up to the cent: money moves in cents,
 *   and the cent's margin keeps the covered account at or above MM whatever the rounding of the sums.
 * - Covers go smallest shortfall first (ties in book order): the most subaccounts saved from liquidation for the
 *   money. The first shortfall F cannot pay in full gets what is left (its liquidation is then smaller); the rest get
 *   nothing. A cover is paid as USD cash (full weight in every equity), so IM and MM do not change.
 */

/** One subaccount's need: its id and shortfall in USD (> 0). */
export interface Shortfall {
  account: string;
  usd: number;
}

export interface BackstopResult {
  /** The master's free collateral before the covers (USD). */
  freeUsd: number;
  /** USD paid to each covered subaccount, in the order paid. */
  covers: { account: string; usd: number }[];
  coveredUsd: number;
  /** Σ shortfalls − covered: what liquidation still has to restore. */
  uncoveredUsd: number;
}

/** USD rounded up to the cent. */
export function ceilCents(usd: number): number {
  return Math.ceil(usd * 100) / 100;
}

/** The shortfall below MM of an account (USD, cents, rounded up), or 0. */
export function shortfallUsd(equityMm: number, mm: number): number {
  return equityMm < mm ? ceilCents(mm - equityMm) : 0;
}

/** The covers the master pays from `freeUsd` (module comment); `shortfalls` in book order. */
export function backstopCovers(freeUsd: number, shortfalls: readonly Shortfall[]): BackstopResult {
  // indices sorted, not copies: a backstop run sorts the needs of thousands of groups
  const order = shortfalls.length === 1 ? [0] : shortfalls.map((_, k) => k).sort((x, y) => shortfalls[x].usd - shortfalls[y].usd || x - y);
  const covers: { account: string; usd: number }[] = [];
  let left = Math.max(0, freeUsd), covered = 0, needed = 0;
  for (const k of order) {
    const s = shortfalls[k];
    needed = needed + s.usd;
    const usd = Math.min(s.usd, left);
    if (usd <= 0) continue;
    covers.push({ account: s.account, usd });
    left = left - usd;
    covered = covered + usd;
  }
  return { freeUsd: Math.max(0, freeUsd), covers, coveredUsd: covered, uncoveredUsd: needed - covered };
}
