/**
 * The default hedge candidates of an account (the CLI's `optimize` without --hedges, and the risk page): the book's
 * futures and perpetuals on the underlyings the account holds positions on, both sides, at a 5 bp half-spread and no
 * fee, up to twice the account's absolute position in each underlying (in the candidate's contracts, at least 1).
 * Only instruments the account can hold are offered: settled in its margin currency (a BTC-margined account: the
 * inverse contracts on BTC; docs/coin-margined.md). The half-spread is in USD per unit of the underlying (a mark in a
 * coin converted at its index price; an inverse contract's mark is already USD per coin), and an inverse contract's
 * size counts as its coins, face / mark.
 * Under a method that keeps each position's collateral to itself (isolated margin) a new position offsets nothing, so
 * the candidates are the account's own positions instead, each up to its size (a reduction). Under the `cross`
 * subaccount policy a master is restored as its group's pool (src/optimize/optimize-session.ts): the positions are the
 * group's.
 */
import { BUILT_IN_METHODS } from '../methods/registry.js';
import { isInverseInstrument } from '../model/settlement.js';
import type { ValidatedBook, ValidatedInstrument, ValidatedMarket } from '../model/types.js';
import type { SubaccountPolicy } from '../subaccounts/params.js';
import { restoredAccounts } from './optimize-session.js';

/** Default half-spread: 5 basis points of the instrument's mark (or its underlying's price). */
const DEFAULT_SPREAD = 0.0005;

/** The default candidates (module comment), as hedges JSON (src/optimize/hedges.ts). */
export function defaultHedges(book: ValidatedBook, market: ValidatedMarket, accountId: string, method = 'cross', policy: SubaccountPolicy | null = null): unknown {
  // under the cross policy a group is restored as its pool: the candidates cover what the group holds
  const members = restoredAccounts(book, accountId, policy);
  if (members.length === 0) return [];
  const positions = members.flatMap((a) => a.positions);
  const currency = members[0].marginCurrency;
  const byId = new Map(book.instruments.map((i) => [i.id, i]));
  const usdPrice = (asset: string | undefined) => (asset === undefined ? 1 : market.assets.get(asset)?.price ?? 0);
  // a quoted mark, else the index in the contract's unit: USD per unit of the underlying (an inverse contract's USD
  // per coin), or S / P for a linear contract quoted in another asset (a USDC perpetual: USDC per BTC)
  const quotedInAsset = (i: ValidatedInstrument) => i.settlement !== undefined && i.kind !== 'option' && !isInverseInstrument(i);
  const markOf = (i: ValidatedInstrument) => market.marks.get(i.id) ?? usdPrice(i.underlying) / (quotedInAsset(i) ? usdPrice(i.settlement) : 1);
  // a mark in a settlement asset (a coin option's coin, a linear contract's quote asset) in USD; an inverse contract's is USD per coin
  const usdMarkOf = (i: ValidatedInstrument) => (i.settlement === undefined || isInverseInstrument(i) ? markOf(i) : markOf(i) * (market.assets.get(i.settlement)?.price ?? 0));
  const spreadOf = (i: ValidatedInstrument) => DEFAULT_SPREAD * usdMarkOf(i);
  // units of the underlying per contract: an inverse contract's face over its mark (coins)
  const unitsOf = (i: ValidatedInstrument) => (isInverseInstrument(i) ? (i.multiplier ?? 1) / markOf(i) : (i.multiplier ?? 1));
  if (BUILT_IN_METHODS.find((m) => m.name === method)?.allocatesCollateral === true) {
    return positions.filter((p) => p.quantity !== 0).map((p) => ({
      instrument: p.instrument, spread: spreadOf(byId.get(p.instrument)!), maxQuantity: Math.abs(p.quantity),
    }));
  }
  const exposure = new Map<string, number>();
  for (const p of positions) {
    const i = byId.get(p.instrument)!;
    exposure.set(i.underlying, (exposure.get(i.underlying) ?? 0) + Math.abs(p.quantity * unitsOf(i)));
  }
  return book.instruments
    .filter((i) => (i.kind === 'future' || i.kind === 'perpetual') && exposure.has(i.underlying) && i.settlement === currency)
    .map((i) => ({
      instrument: i.id,
      spread: spreadOf(i),
      maxQuantity: Math.max(1, (2 * exposure.get(i.underlying)!) / unitsOf(i)),
    }));
}
