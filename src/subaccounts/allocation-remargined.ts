/**
 * An allocation held to the from-scratch figure (docs/subaccounts.md): the programme's health is affine in what an
 * account receives, which a re-margin does not always bear out (a receiver's haircut tiers for a large amount, a coin
 * the method charges scenario losses on). The group is margined again with the transfers made, each account's
 * `health[].after` and the minimum are that re-margin's, and the programme's own figures stay beside them as `planned`.
 */
import type { ValidatedAccount, ValidatedBook, ValidatedCollateral } from '../model/types.js';
import type { AllocationResult } from './allocate.js';

type Transfer = AllocationResult['transfers'][number];
/** A balance being edited (the validated ones are read-only). */
type Balance = { -readonly [K in keyof ValidatedCollateral]: ValidatedCollateral[K] };

/** An allocation whose health after is the re-margin's, the programme's figures kept. */
export interface RemarginedAllocation extends Omit<AllocationResult, 'health'> {
  /** Every account's health before, after (the group re-margined with the transfers made) and as the programme planned it. */
  health: { account: string; before: number; after: number; planned: number }[];
  /** The programme's own minimum health after (its affine estimate); `minHealthAfter` is the re-margin's. */
  minHealthPlanned: number;
}

/** A transfer's source as a balance: `asset`, `asset@location`, or `cashUsd`. */
function sourceOf(t: Transfer): { asset: string; location: string | undefined } | null {
  if (t.source === 'cashUsd') return null;
  const at = t.source.indexOf('@');
  return at < 0 ? { asset: t.source, location: undefined } : { asset: t.source.slice(0, at), location: t.source.slice(at + 1) };
}

/**
 * The accounts of `book` with `transfers` made (each `amount` in the asset's units): the master's balances less each,
 * each receiver's plus, as the programme counted it (allocate-master.ts weightsOf): a coin-margined receiver's own coin
 * into its one balance; a debt in the asset cancelled first; the rest a balance at the source's location.
 */
export function accountsWithTransfers(book: ValidatedBook, masterId: string, transfers: readonly Transfer[]): ValidatedAccount[] {
  const byId = new Map<string, { collateral: Balance[]; cashUsd: number; hadCash: boolean }>();
  const edit = (account: ValidatedAccount) => {
    let e = byId.get(account.id);
    if (e === undefined) byId.set(account.id, e = { collateral: account.collateral.map((b) => ({ ...b })), cashUsd: account.cashUsd ?? 0, hadCash: account.cashUsd !== undefined });
    return e;
  };
  const accounts = new Map(book.accounts.map((a) => [a.id, a]));
  const master = edit(accounts.get(masterId)!);
  for (const t of transfers) {
    const amount = t.amount ?? t.usd, source = sourceOf(t), receiver = accounts.get(t.account)!, to = edit(receiver);
    if (source === null) {
      master.cashUsd -= amount;
      to.cashUsd += amount;
      continue;
    }
    const from = master.collateral.find((b) => b.asset === source.asset && b.location === source.location);
    if (from) from.amount -= amount;
    credit(to.collateral, source.asset, receiver.marginCurrency === source.asset ? undefined : source.location, amount);
  }
  return book.accounts.map((a) => {
    const e = byId.get(a.id);
    if (e === undefined) return a;
    return { ...a, collateral: e.collateral, ...(e.hadCash || e.cashUsd !== 0 ? { cashUsd: e.cashUsd } : {}) } as ValidatedAccount;
  });
}

/** Adds `amount` of `asset` to a receiver's balances: its debt in the asset first (at the venue), the rest at `location`. */
function credit(collateral: Balance[], asset: string, location: string | undefined, amount: number): void {
  let left = amount;
  const debt = collateral.find((b) => b.asset === asset && b.amount < 0);
  if (debt !== undefined) {
    const cancelled = location === undefined || debt.location === location ? left : Math.min(left, -debt.amount);
    debt.amount += cancelled;
    left -= cancelled;
  }
  if (!(left > 0)) return;
  const balance = collateral.find((b) => b.asset === asset && b.location === location);
  if (balance !== undefined) balance.amount += left;
  else collateral.push({ asset, amount: left, ...(location !== undefined ? { location } : {}) });
}

/** `result` with each account's health after read from `rows` (the group re-margined with its transfers), by id. */
export function withRemarginedHealth(result: AllocationResult, rows: ReadonlyMap<string, number>): RemarginedAllocation {
  const health = result.health.map((h) => ({ account: h.account, before: h.before, after: result.transfers.length === 0 ? h.after : rows.get(h.account)!, planned: h.after }));
  return { ...result, health, minHealthAfter: Math.min(Infinity, ...health.map((h) => h.after)), minHealthPlanned: result.minHealthAfter };
}
