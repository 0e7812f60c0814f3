/**
 * An allocation held to the from-scratch figure (docs/subaccounts.md): the programme's health is affine in what an
 * account receives, which a re-margin does not always bear out (a receiver's haircut tiers for a large amount, a coin
 * the method charges scenario losses on). The group is margined again with the transfers made, each account's
 * `health[].after` and the minimum are that re-margin's, and the programme's own figures stay beside them as `planned`.
 */
import type { MarginReport } from '../margin/report.js';
import type { ValidatedAccount, ValidatedBook, ValidatedCollateral, ValidatedMarket } from '../model/types.js';
import { type AllocationAccount, type AllocationProblem, type AllocationResult, segmentsOf, type WeightSegment } from './allocate.js';

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
 * each receiver's plus, into its balance of the asset (a debt in it cancelled first; a coin-margined receiver's own coin
 * into its one balance), or a new balance at the source's location.
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

/**
 * Adds `amount` of `asset` to a receiver's balances. An account holds one balance per asset (docs/locations.md): its
 * balance of the asset, a debt or not and wherever it sits, takes the amount; else a new balance at the source's
 * location (a second balance of the asset had been written, and the re-margin refused the book as a duplicate).
 */
function credit(collateral: Balance[], asset: string, location: string | undefined, amount: number): void {
  const balance = collateral.find((b) => b.asset === asset);
  if (balance !== undefined) balance.amount += amount;
  else collateral.push({ asset, amount, ...(location !== undefined ? { location } : {}) });
}

/** The sources whose weights the programme's model holds exact: cash and stable collateral (vol 0) count the same wherever they go. */
export function exactSources(problem: AllocationProblem, market: ValidatedMarket): (sourceId: string) => boolean {
  return (sourceId) => {
    const asset = problem.sources.find((s) => s.id === sourceId)?.asset;
    return asset === 'USD' || (asset !== undefined && market.assets.get(asset)?.vol === 0);
  };
}

/** A re-margin of the group ({@link GroupAfter}): each row's health, and the master's equity above IM and MM in USD. */
export function groupAfter(report: MarginReport, masterId: string): GroupAfter {
  const master = report.accounts.find((a) => a.id === masterId)!, usd = master.usd?.price ?? 1; // a coin master's rows are in its coin
  return { health: new Map(report.accounts.map((a) => [a.id, a.health])), masterFree: { im: (master.equityIm - master.im) * usd, mm: (master.equityMm - master.mm) * usd } };
}

/** `result` with each account's health after read from `rows` (the group re-margined with its transfers), by id. */
export function withRemarginedHealth(result: AllocationResult, rows: ReadonlyMap<string, number>): RemarginedAllocation {
  const health = result.health.map((h) => ({ account: h.account, before: h.before, after: result.transfers.length === 0 ? h.after : rows.get(h.account)!, planned: h.after }));
  return { ...result, health, minHealthAfter: Math.min(Infinity, ...health.map((h) => h.after)), minHealthPlanned: result.minHealthAfter };
}

/** Re-solves on corrected weights at most this many times (the re-margins of a group are cheap; each is one LP or a bisection). */
export const REFINE_STEPS = 6;
/** Planned and re-margined health agree within this share: the programme's model held, nothing to refine. */
const AGREE = 1e-9;
/** A correction factor is kept within [1/FACTOR_BOUND, FACTOR_BOUND] of the weight it corrects. */
const FACTOR_BOUND = 1e3;

/** The group re-margined with a set of transfers: each account's health, and what the master has left above IM and MM (USD). */
export interface GroupAfter {
  health: ReadonlyMap<string, number>;
  masterFree: { im: number; mm: number };
}

/**
 * The allocation whose re-margined minimum health is the highest found. Solved on the programme's weights, then, while
 * its plan and the re-margin disagree, solved again (a secant step) with:
 * - each receiver's weight for a coin it holds (not cash or stable collateral, `exact`, nor a coin's first segment that
 *   cancels a debt in it) scaled by what it brought re-margined over what the programme counted on: a long that a coin
 *   costs scenario losses gets a smaller weight for the coin, and keeps its weight for cash;
 * - a bankrupt account (no MM) that a coin lifted into a requirement lifted from cash or stable collateral instead;
 * - the master's free collateral grown by what it has left above IM and MM once the transfers are made (a coin the
 *   method charged it IM for frees that IM as it leaves).
 * `solve` solves a problem keeping the master (allocate-keeping-master.ts), `remargin` re-margins the group.
 */
export function allocateOnRemargin<S extends { result: AllocationResult; problem: AllocationProblem }>(
  problem: AllocationProblem, solve: (p: AllocationProblem) => S, remargin: (transfers: AllocationResult['transfers']) => GroupAfter, exact: (sourceId: string) => boolean,
): S & { remargined: RemarginedAllocation } {
  let current = problem;
  let best: (S & { remargined: RemarginedAllocation }) | null = null;
  for (let step = 0; step <= REFINE_STEPS; step++) {
    const solved = solve(current);
    const after = solved.result.transfers.length === 0 ? null : remargin(solved.result.transfers);
    const remargined = withRemarginedHealth(solved.result, after?.health ?? new Map());
    if (best === null || remargined.minHealthAfter > best.remargined.minHealthAfter) best = { ...solved, remargined };
    const next = after === null ? null : corrected(solved.problem, solved.result, remargined, after.masterFree, exact);
    if (next === null) break;
    current = next;
  }
  return best!;
}

/**
 * The equity for MM the transfers to `account` bring by the problem's weights: from what the model holds exact (cash
 * and stable collateral, and a coin that cancels a debt in it: its first segment), and from the rest (a coin held).
 */
function plannedGains(problem: AllocationProblem, account: AllocationAccount, result: AllocationResult, exact: (sourceId: string) => boolean): { exact: number; inexact: number } {
  const gains = { exact: 0, inexact: 0 };
  for (const t of result.transfers) {
    if (t.account !== account.id) continue;
    const source = problem.sources.find((src) => src.id === t.source)!;
    let left = t.usd;
    for (const segment of segmentsOf(account, source)) {
      const used = Math.min(left, segment.usd);
      if (exact(t.source) || segment.usd !== Infinity) gains.exact += used * segment.weight;
      else gains.inexact += used * segment.weight;
      left -= used;
      if (!(left > 0)) break;
    }
  }
  return gains;
}

/** `account`'s weights with those of a coin held (a source the model does not hold exact, its last segment) times `factor`. */
function scaled(problem: AllocationProblem, account: AllocationAccount, exact: (sourceId: string) => boolean, factor: number): AllocationAccount {
  const weights: Record<string, WeightSegment[]> = Object.create(null);
  for (const source of problem.sources) {
    const own = segmentsOf(account, source);
    // the segments' weights stay non-rising (the programme fills them in order only so): a held coin's corrected
    // weight at most that of the debt it comes after
    weights[source.id] = exact(source.id) ? [...own] : own.map((s, k) => (s.usd === Infinity ? { usd: s.usd, weight: Math.min(s.weight * factor, k > 0 ? own[k - 1].weight : Infinity) } : { ...s }));
  }
  return { ...account, weights };
}

/** `problem` corrected by a re-margin (allocateOnRemargin); null when every plan held and the master has nothing left to give. */
function corrected(problem: AllocationProblem, result: AllocationResult, r: RemarginedAllocation, masterFree: GroupAfter['masterFree'], exact: (sourceId: string) => boolean): AllocationProblem | null {
  let changed = false;
  const accounts = problem.accounts.map((a, i) => {
    const h = r.health[i];
    const planned = plannedGains(problem, a, result, exact);
    if (!(planned.inexact > 0)) return a; // nothing it received is the model's estimate
    // a deficit lifted with a coin held: the coin brought it a requirement (its health finite, near 0, not ∞), so
    // its lift comes from cash or stable collateral next
    if (!(a.mm > 0)) {
      if (!Number.isFinite(h.after)) return a;
      changed = true;
      return scaled(problem, a, exact, 1 / FACTOR_BOUND);
    }
    if (!Number.isFinite(h.after) || !Number.isFinite(h.planned) || Math.abs(h.after - h.planned) <= AGREE * Math.abs(h.planned)) return a;
    changed = true;
    return scaled(problem, a, exact, Math.min(FACTOR_BOUND, Math.max(1 / FACTOR_BOUND, ((h.after - h.before) * a.mm - planned.exact) / planned.inexact)));
  });
  // the master's free collateral grows only while some source has more to give
  const sourcesLeft = problem.sources.reduce((sum, src) => sum + src.usd, 0) - result.usedUsd;
  const grow = (free: number, left: number) => (left > AGREE * (free + 1) && sourcesLeft > AGREE * (free + 1) ? free + left : free);
  const freeUsd = grow(problem.freeUsd, masterFree.im);
  const freeMmUsd = problem.freeMmUsd === undefined ? undefined : grow(problem.freeMmUsd, masterFree.mm);
  if (freeUsd !== problem.freeUsd || freeMmUsd !== problem.freeMmUsd) changed = true;
  return changed ? { ...problem, accounts, freeUsd, ...(freeMmUsd !== undefined ? { freeMmUsd } : {}) } : null;
}
