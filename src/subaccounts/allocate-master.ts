/**
 * The allocation problem (src/subaccounts/allocate.ts) of one master, from its group's margin report with the
 * breakdown: the subaccounts' equity for MM and MM; the master's free collateral F = equity for IM − IM; one source
 * per positive balance of the master (its value counted for IM, after its location: `usd`; the USD of equity for MM
 * it brings per USD counted for IM: `weight`) and one for its positive cash (weight 1).
 *
 * Approximations, stated (docs/subaccounts.md): a balance moved to a subaccount is valued there at the master's haircut
 * weights (the haircut tiers of the receiving account could differ for large amounts); and a coin moved changes no
 * requirement, exact under the rule-based methods, an estimate where the method charges collateral's scenario losses.
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
import type { AllocationProblem, AllocationSource } from './allocate.js';

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
  const account = book.accounts.find((a) => a.id === masterId)!;
  const sources: AllocationSource[] = [];
  const masterUsd = master.usd?.price ?? 1; // a coin master's rows are in its coin
  for (const row of master.collateral ?? []) {
    if (!(row.value > 0) || !(row.imValue > 0)) continue;
    const balance = account.collateral.find((b) => b.asset === row.asset), location = balance?.location;
    const at = location === undefined ? undefined : ownValue(locations.at, location);
    const keep = at === undefined ? { im: 1, mm: 1 } : locationKeep(at, locations, frozen.includes(location as string), market.assets.get(row.asset)?.vol ?? 0);
    const usd = row.imValue * keep.im * masterUsd;
    if (usd > 0) sources.push({ id: location === undefined ? row.asset : `${row.asset}@${location}`, usd, weight: (row.mmValue * keep.mm * masterUsd) / usd, asset: row.asset, ...(balance ? { amount: balance.amount } : {}) });
  }
  if ((master.cashUsd ?? 0) > 0) sources.push({ id: 'cashUsd', usd: master.cashUsd!, weight: 1, asset: 'USD', amount: master.cashUsd! });
  const inUsd = (s: (typeof subs)[number]) => (s.usd === undefined ? { equityMm: s.equityMm, mm: s.mm } : { equityMm: s.usd.equityMm, mm: s.usd.mm, receives: s.marginCurrency });
  return {
    accounts: subs.filter((s) => s.status !== 'error').map((s) => ({ id: s.id, ...inUsd(s) })),
    sources,
    freeUsd: master.status === 'error' ? 0 : Math.max(0, master.equityIm - master.im) * masterUsd,
    freeMmUsd: master.status === 'error' ? 0 : Math.max(0, master.equityMm - master.mm) * masterUsd,
  };
}
