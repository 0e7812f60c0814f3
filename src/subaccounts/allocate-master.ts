/**
 * The allocation problem (src/subaccounts/allocate.ts) of one master, from its group's margin report with the
 * breakdown: the subaccounts' equity for MM and MM; the master's free collateral F = equity for IM − IM; one source
 * per positive balance of the master (its value counted for IM, after its location: `usd`; the USD of equity for MM
 * it brings per USD counted for IM: `weight`) and one for its positive cash (weight 1).
 *
 * What a USD sent brings a subaccount (its weights, allocate.ts): a coin-margined subaccount counts its own coin whole;
 * a subaccount that owes the asset first cancels its debt, which it counts at its liability weight; the rest is valued
 * at the master's haircut weight. Approximations, stated (docs/subaccounts.md): that last one (the haircut tiers of the
 * receiving account could differ for large amounts, and a USD account haircuts a coin a coin-margined master counts
 * whole); and a coin moved changes no requirement, exact under the rule-based methods, an estimate where the method
 * charges collateral's scenario losses.
 *
 * Money in USD: a coin-margined account's figures (its report row's, in its coin) at its coin's index. A coin-margined
 * subaccount holds only its coin, so it receives only the master's balance of that coin.
 */
import { describeValue, InputError } from '../errors.js';
import { locationKeep } from '../locations/adjust.js';
import type { LocationParams } from '../locations/params.js';
import type { MarginReport } from '../margin/report.js';
import { ownValue } from '../model/checks.js';
import type { ValidatedBook, ValidatedMarket } from '../model/types.js';
import type { AllocationAccount, AllocationProblem, AllocationSource, WeightSegment } from './allocate.js';

export function masterAllocationProblem(
  report: MarginReport, book: ValidatedBook, market: ValidatedMarket, masterId: string, locations: LocationParams, frozen: readonly string[] = [],
): AllocationProblem {
  const master = report.accounts.find((a) => a.id === masterId);
  if (!master) throw new InputError([{ path: 'master', message: `no account ${describeValue(masterId)} in the book` }]);
  const subs = report.accounts.filter((a) => a.master === masterId);
  if (subs.length === 0) {
    const of = master.master === undefined ? '' : ` (it is a subaccount of ${JSON.stringify(master.master)}: allocate from that master)`;
    throw new InputError([{ path: 'master', message: `account ${JSON.stringify(masterId)} has no subaccounts${of}` }]);
  }
  // an account the method could not margin has no health to raise nor collateral to count: the allocation would leave
  // it out, or count a master with nothing to give, with no sign
  const unmargined = [master, ...subs].filter((a) => a.status === 'error');
  if (unmargined.length > 0) {
    throw new InputError(unmargined.map((a) => ({ path: 'master', message: `${a.id === masterId ? 'the master' : 'subaccount'} ${JSON.stringify(a.id)} could not be margined under ${report.method} (status error: ${a.error ?? a.statusReason}): allocate under a method that margins every account of the group` })));
  }
  const account = book.accounts.find((a) => a.id === masterId)!;
  const sources: AllocationSource[] = [];
  const keepMm: number[] = []; // per source: the share of its value that counts for MM once it arrives (its location's)
  const masterUsd = master.usd?.price ?? 1; // a coin master's rows are in its coin
  for (const row of master.collateral ?? []) {
    if (!(row.value > 0) || !(row.imValue > 0)) continue;
    const balance = account.collateral.find((b) => b.asset === row.asset), location = balance?.location;
    const at = location === undefined ? undefined : ownValue(locations.at, location);
    const keep = at === undefined ? { im: 1, mm: 1 } : locationKeep(at, locations, frozen.includes(location as string), market.assets.get(row.asset)?.vol ?? 0);
    const usd = row.imValue * keep.im * masterUsd;
    if (!(usd > 0)) continue;
    sources.push({ id: location === undefined ? row.asset : `${row.asset}@${location}`, usd, weight: (row.mmValue * keep.mm * masterUsd) / usd, asset: row.asset, ...(balance ? { amount: balance.amount } : {}) });
    keepMm.push(keep.mm);
  }
  if ((master.cashUsd ?? 0) > 0) {
    sources.push({ id: 'cashUsd', usd: master.cashUsd!, weight: 1, asset: 'USD', amount: master.cashUsd! });
    keepMm.push(1);
  }
  const inUsd = (s: (typeof subs)[number]): AllocationAccount => {
    // the size its equity is summed from: a lift aims a rounding of it above 0
    let gross = s.grossNotional + Math.abs(s.cashUsd ?? 0);
    for (const row of s.collateral ?? []) gross += Math.abs(row.value);
    const scaleUsd = gross * (s.usd?.price ?? 1);
    if (s.usd === undefined) return { id: s.id, equityMm: s.equityMm, mm: s.mm, scaleUsd, ...weightsOf(s, sources, keepMm, heldAt(book, s.id)) };
    return { id: s.id, equityMm: s.usd.equityMm, mm: s.usd.mm, receives: s.marginCurrency, scaleUsd, ...weightsOf(s, sources, keepMm, heldAt(book, s.id)) };
  };
  return {
    accounts: subs.map(inUsd),
    sources,
    freeUsd: Math.max(0, master.equityIm - master.im) * masterUsd,
    freeMmUsd: Math.max(0, master.equityMm - master.mm) * masterUsd,
  };
}

/**
 * A subaccount's own weights (allocate.ts AllocationAccount.weights) where they differ from the master's: per USD
 * sent (valued for IM at the master: `amount / usd` of the asset), what it brings the subaccount's equity for MM, in
 * USD. A coin-margined subaccount counts its coin whole (its report row's USD price per coin); a debt in the asset is
 * cancelled at its liability weight first (its row's mmValue per unit), up to the debt, then the master's weight.
 * Each times the share of the source's value that counts for MM once it arrives (its location's).
 */
function weightsOf(sub: MarginReport['accounts'][number], sources: readonly AllocationSource[], keepMm: readonly number[], located: ReadonlyMap<string, string>): { weights?: Record<string, WeightSegment[]> } {
  const weights: Record<string, WeightSegment[]> = Object.create(null);
  sources.forEach((src, l) => {
    if (src.amount === undefined || !(src.amount > 0)) return;
    // the account holds the asset at a location the source is not at: what it is sent would join that balance (one
    // per asset) and count as it does there (nothing for MM at a slow chain), not as the programme counted it
    const at = src.asset === undefined ? undefined : located.get(src.asset), from = src.id.indexOf('@');
    if (at !== undefined && at !== (from < 0 ? undefined : src.id.slice(from + 1))) {
      weights[src.id] = [{ usd: Infinity, weight: 0 }];
      return;
    }
    const unitsPerUsd = src.amount / src.usd;
    if (sub.usd !== undefined) {
      if (src.asset === sub.marginCurrency) weights[src.id] = [{ usd: Infinity, weight: sub.usd.price * keepMm[l] * unitsPerUsd }];
      return;
    }
    const debt = sub.collateral?.find((row) => row.asset === src.asset && row.amount < 0);
    if (debt === undefined) return;
    const debtWeight = (debt.mmValue / debt.amount) * keepMm[l] * unitsPerUsd;
    // filled in order: only a debt counted above the master's weight comes first (a liability weight ≥ 1 ≥ a haircut's)
    if (debtWeight > src.weight) weights[src.id] = [{ usd: -debt.amount / unitsPerUsd, weight: debtWeight }, { usd: Infinity, weight: src.weight }];
  });
  return Object.keys(weights).length > 0 ? { weights } : {};
}

/** The locations account `id` of `book` holds its positive balances at, by asset (balances at the venue left out). */
function heldAt(book: ValidatedBook, id: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const b of book.accounts.find((a) => a.id === id)?.collateral ?? []) if (b.amount > 0 && b.location !== undefined) out.set(b.asset, b.location);
  return out;
}
