/**
 * The loops of layoutBook (book-layout.ts) over every account: counting holdings, filling the columns, collecting the
 * book's assets.
 */
import type { ValidatedBook } from '../model/types.js';

// The loops over every account, each a function of its own. perf: loop-alone (docs/performance.md)

/** Positions and balances per account, and the positions in all. */
export function holdingCounts(accounts: ValidatedBook['accounts']): { positionCounts: Int32Array; collateralCounts: Int32Array; nPositions: number } {
  const positionCounts = new Int32Array(accounts.length);
  const collateralCounts = new Int32Array(accounts.length);
  let nPositions = 0;
  for (let a = 0; a < accounts.length; a++) {
    positionCounts[a] = accounts[a].positions.length;
    // a coin-margined account's balance is its cash (settleAccounts), not a collateral slot
    collateralCounts[a] = accounts[a].marginCurrency === undefined ? accounts[a].collateral.length : 0;
    nPositions += positionCounts[a];
  }
  return { positionCounts, collateralCounts, nPositions };
}

/** The layout's views that {@link fillAccounts} writes (taken after the last allocation: no growth can detach them). */
export interface FillViews {
  positionStart: Int32Array;
  positionEnd: Int32Array;
  positionInstrument: Int32Array;
  quantity: Float64Array;
  entryPrice: Float64Array;
  isolatedMargin: Float64Array;
  collateralStart: Int32Array;
  collateralEnd: Int32Array;
  collateralAsset: Int32Array;
  amount: Float64Array;
  live: Uint8Array;
  cash: Float64Array;
}

/** Writes every account's positions, balances, cash and live flag into the views; returns the account ids. */
export function fillAccounts(accounts: ValidatedBook['accounts'], instrumentRows: ArrayLike<number>, assetIndex: Map<string, number>, v: FillViews): string[] {
  const { positionStart, positionEnd, positionInstrument, quantity, entryPrice, isolatedMargin, collateralStart, collateralEnd, collateralAsset, amount } = v;
  const liveView = v.live, cashView = v.cash;
  const nAccounts = accounts.length;
  let next = 0;
  const accountIds: string[] = new Array(nAccounts);
  for (let a = 0; a < nAccounts; a++) {
    const account = accounts[a];
    accountIds[a] = account.id;
    liveView[a] = 1;
    cashView[a] = account.cashUsd ?? 0;
    let slot = positionStart[a];
    const list = account.positions;
    for (let j = 0; j < list.length; j++) {
      const position = list[j];
      positionInstrument[slot] = instrumentRows[next++];
      quantity[slot] = position.quantity;
      entryPrice[slot] = position.entryPrice;
      isolatedMargin[slot] = position.isolatedMargin ?? NaN;
      slot++;
    }
    positionEnd[a] = slot;
    slot = collateralStart[a];
    if (account.marginCurrency === undefined) for (const balance of account.collateral) {
      collateralAsset[slot] = assetIndex.get(balance.asset) as number;
      amount[slot] = balance.amount;
      slot++;
    }
    collateralEnd[a] = slot;
  }
  return accountIds;
}

/** Every asset the book references (underlyings and collateral), sorted, so indices do not depend on order of appearance. */
export function collectAssets(book: ValidatedBook, extra: readonly string[]): string[] {
  const symbols = new Set<string>(extra);
  for (const instrument of book.instruments) {
    symbols.add(instrument.underlying);
    if (instrument.settlement !== undefined) symbols.add(instrument.settlement);
  }
  addBalanceAssets(book.accounts, symbols);
  return [...symbols].sort();
}

/** Adds every asset the accounts hold a balance of (a loop of its own: see fillAccounts). */
function addBalanceAssets(accounts: ValidatedBook['accounts'], symbols: Set<string>): void {
  for (let a = 0; a < accounts.length; a++) for (const balance of accounts[a].collateral) symbols.add(balance.asset);
}
