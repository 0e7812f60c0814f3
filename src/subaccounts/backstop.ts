/**
 * The backstop rule: a master's free collateral covers its subaccounts' shortfalls below maintenance margin before
 * any of them is liquidated.
 *
 * - Free collateral F = max(0, min(equity for IM − IM, equity for MM − MM)) of the master alone (USD): what it could
 *   withdraw (a withdrawal may not take an account below IM, nor below MM where a balance counts for IM but less for
 *   MM: collateral at a location slower than the liquidation horizon), so paying covers never puts the master itself
 *   below IM or into liquidation. Without such balances equity for MM − MM is the larger, and F is the IM surplus.
 * - A subaccount's shortfall s = MM − equity for MM when positive (USD), rounded up to the cent (a cent more when the
 *   sum of the equity and that still falls short of MM by a rounding): money moves in cents, and the cover leaves the
 *   covered account at or above MM.
 * - Covers go smallest shortfall first (ties in book order): the most subaccounts saved from liquidation for the
 *   money. The first shortfall F cannot pay in full gets what is left (its liquidation is then smaller); the rest get
 *   nothing. A cover is paid as USD cash (full weight in every equity), so IM and MM do not change.
 * - F = NaN cannot occur: a master whose figures are not finite is in status error and has F = 0.
 */

/**
 * USD rounded up to the cent, past the noise of the subtraction that made it (within 5e-9 USD, or a few ulps of the
 * cents of a large amount: 22.8 − 22.5 = 0.3000000000000007 is 0.30, not 0.31; 39,934,320.02 is itself, though its
 * cents are 3,993,432,001.9999995). A whole number of cents is a fixed point.
 */
export function ceilCents(usd: number): number {
  const cents = usd * 100, whole = Math.round(cents);
  return (Math.abs(cents - whole) < 5e-7 + Math.abs(cents) * 2 ** -50 ? whole : Math.ceil(cents)) / 100;
}

/**
 * The shortfall below MM of an account (USD, cents, rounded up), or 0; a cent more when the equity with it added still
 * falls short of MM by the sum's rounding (an exact number of cents: −400 + 596.80 = 196.79999999999995 < 196.80), so
 * the cover restores MM.
 */
export function shortfallUsd(equityMm: number, mm: number): number {
  if (!(equityMm < mm)) return 0;
  const usd = ceilCents(mm - equityMm);
  return equityMm + usd < mm ? (Math.round(usd * 100) + 1) / 100 : usd;
}

/**
 * The covers the master pays from `freeUsd` (module comment) to shortfalls `usd[0..n)` (> 0, the group's order: by id), in
 * columns (a roll-up pays thousands of groups: no object per shortfall). Writes `order[0..n)`, the order paid
 * (smallest first, ties in that order), and `paid[k]`, what shortfall k gets (0: nothing); answers
 * `sums[0]` = Σ paid and `sums[1]` = Σ shortfalls, both summed in the order paid.
 */
export function payShortfalls(freeUsd: number, usd: Float64Array, n: number, order: Int32Array, paid: Float64Array, sums: Float64Array): void {
  sortByShortfall(usd, n, order);
  let left = Math.max(0, freeUsd), covered = 0, needed = 0;
  for (let j = 0; j < n; j++) {
    const k = order[j];
    needed = needed + usd[k];
    const pay = Math.min(usd[k], left);
    paid[k] = pay > 0 ? pay : 0;
    if (pay <= 0) continue;
    left = left - pay;
    covered = covered + pay;
  }
  sums[0] = covered;
  sums[1] = needed;
}

/** The free collateral F of a master's figures (module comment): 0 unless both surpluses are positive. */
export function masterFreeUsd(equityIm: number, im: number, equityMm: number, mm: number): number {
  return Math.max(0, Math.min(equityIm - im, equityMm - mm));
}

/**
 * Trims the covers paid (the last paid first, by what they are over, at least a cent) until the master's equity for
 * IM less them is at least its IM, and its equity for MM at least its MM, by more than their rounding
 * ({@link masterRounding}): F carries the subtractions' rounding, and the master margined again with the cash moved
 * sums its terms in its own order, so a cover of all of F could leave it an ulp below either (66 < 66.00000000000001,
 * 29.294999999999845 < 29.295): in liquidation, or in a margin call, for the rounding of a sum.
 */
export function keepMasterAtIm(equityIm: number, im: number, equityMm: number, mm: number, n: number, order: Int32Array, paid: Float64Array, sums: Float64Array): void {
  const clear = masterRounding(equityIm, im, equityMm, mm);
  for (let j = n - 1; j >= 0 && sums[0] > 0 && (equityIm + -sums[0] < im + clear || equityMm + -sums[0] < mm + clear); ) {
    const k = order[j];
    if (paid[k] <= 0) {
      j--;
      continue;
    }
    // what the covers are over by, at least a cent (whole cents): one pass however large the figures' rounding
    const over = Math.max(1, Math.ceil((sums[0] - Math.min(equityIm - im, equityMm - mm) + clear) * 100));
    const trimmed = Math.max(0, (Math.round(ceilCents(paid[k]) * 100) - over) / 100);
    paid[k] = trimmed < paid[k] ? trimmed : Math.max(0, paid[k] - 0.01); // every pass takes at least a cent: the loop ends
    let covered = 0;
    for (let i = 0; i < n; i++) if (paid[order[i]] > 0) covered = covered + paid[order[i]]; // in the order paid, as payShortfalls sums
    sums[0] = covered;
  }
}

/**
 * What a master's figures may be off by when its account is margined again (USD): 1e-10 of their size, a million
 * times a sum's rounding (a few ulps of its terms) and below a cent up to masters of some 10⁷ USD.
 */
export function masterRounding(equityIm: number, im: number, equityMm: number, mm: number): number {
  return 1e-10 * (Math.abs(equityIm) + Math.abs(equityMm) + Math.abs(im) + Math.abs(mm) + 1);
}

/** `order[0..n)` = 0…n−1 sorted by (usd, index): insertion for a group's few, the library sort beyond. */
function sortByShortfall(usd: Float64Array, n: number, order: Int32Array): void {
  if (n > 32) {
    const sorted = Array.from({ length: n }, (_, k) => k).sort((x, y) => usd[x] - usd[y] || x - y);
    order.set(sorted);
    return;
  }
  for (let k = 0; k < n; k++) {
    let j = k;
    // k is the largest index so far: it goes after every equal shortfall (ties in the given order)
    while (j > 0 && usd[order[j - 1]] > usd[k]) {
      order[j] = order[j - 1];
      j--;
    }
    order[j] = k;
  }
}
