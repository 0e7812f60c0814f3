/**
 * Collateral allocation (issue 20 item 3): how to split a master's free collateral across its subaccounts, and across
 * the locations it sits at, to maximise the minimum health of the subaccounts.
 *
 * Health is piecewise affine in what an account receives: h_i = (E_i + Σ_ℓ Σ_k w_iℓk·x_iℓk) / MM_i, where E_i is
 * subaccount i's equity for MM, MM_i > 0 its maintenance margin, x_iℓ = Σ_k x_iℓk ≥ 0 the USD (valued for IM at the
 * master) sent to it from source ℓ, and w_iℓk the USD of equity for MM each such USD brings in segment k of it (by
 * default one segment at the source's weight w_ℓ: 1 for cash; a location's MM weight over its IM weight otherwise, 0
 * for collateral that cannot arrive within the liquidation horizon under exclude-mm). An account owing the asset sent
 * has a first segment, the debt, at its liability weight (above any haircut weight: the segments are filled in
 * order, and health is concave in x). So the maximin is a linear programme:
 *
 *     maximise t   subject to   E_i + Σ_ℓk w_iℓk·x_iℓk − t·MM_i ≥ 0   (every subaccount i)
 *                               Σ_i x_iℓ ≤ A_ℓ                     (what source ℓ holds)
 *                               Σ_iℓ x_iℓ ≤ F                      (the master's free collateral: it stays ≥ IM)
 *                               Σ_iℓ w_ℓ·x_iℓ ≤ G                  (its surplus over MM: it stays ≥ MM, which binds where
 *                                                                   a balance counts for IM but less for MM)
 *                               0 ≤ x_iℓk ≤ its segment's size
 *
 * solved by HiGHS (the npm package `highs`), then a second stage keeps t at its optimum and spends as little as possible: among the maximin allocations, the one that moves the least collateral. Accounts
 * with MM = 0 have health +∞ at equity ≥ 0 (left out of the programme) and −∞ below (bankrupt, as the margin report
 * says). Such deficits are lifted to 0 (a rounding of their size above: LIFT_ROUNDING) first, on the sources the
 * programme solved with a row per lift beside the health rows chooses (a lift never spends what only another account
 * can hold), made exactly on them: no health is finite until they are, and nothing above 0 raises theirs. When the free collateral cannot lift them all, none is
 * lifted (the minimum stays −∞ whatever moves) and the others are allocated as if they were alone.
 */
import type { LpSolver } from './highs.js';

/** A subaccount to allocate to: its equity for MM and its maintenance margin (USD). */
export interface AllocationAccount {
  id: string;
  equityMm: number;
  mm: number;
  /** The one asset it can receive (a coin-margined account holds only its coin); absent: any source. */
  receives?: string | undefined;
  /**
   * What each USD sent from a source (by its id) brings this account's equity for MM, in segments filled in order with
   * weights that do not rise (a debt in the asset first, at its liability weight); absent for a source: the source's
   * `weight` on all of it.
   */
  weights?: Readonly<Record<string, readonly WeightSegment[]>> | undefined;
  /**
   * The size its equity is summed from (USD: its balances' and positions' values, gross); absent: |equityMm|. A lifted
   * deficit aims a rounding of it above 0 ({@link LIFT_ROUNDING}), so the re-margined account never reads an ulp below.
   */
  scaleUsd?: number | undefined;
}

/** A lift aims this share of the account's size above 0: the roundings of a re-margin's sum and of a unit conversion. */
export const LIFT_ROUNDING = 1e-12;

/** The equity for MM (USD) a lift aims at: a rounding of the account's size above 0. */
function liftTarget(a: AllocationAccount): number {
  return LIFT_ROUNDING * (Math.max(a.scaleUsd ?? 0, -a.equityMm) + 1);
}

/** Up to `usd` (valued for IM at the source; Infinity: no end) sent from a source, each USD bringing `weight` USD of equity for MM. */
export interface WeightSegment {
  usd: number;
  weight: number;
}

/** What USD from `source` brings `account`, in segments ({@link AllocationAccount.weights}). */
export function segmentsOf(account: AllocationAccount, source: AllocationSource): readonly WeightSegment[] {
  return (account.weights !== undefined && Object.hasOwn(account.weights, source.id) ? account.weights[source.id] : undefined) ?? [{ usd: Infinity, weight: source.weight }];
}

/** The equity for MM (USD) that `usd` sent along `segments` brings, filling them in order. */
function brought(segments: readonly WeightSegment[], usd: number): number {
  let left = usd, got = 0;
  for (const seg of segments) {
    const part = Math.min(left, seg.usd);
    if (!(part > 0)) break;
    got += seg.weight * part;
    left -= part;
  }
  return got;
}

/**
 * Where the master's free collateral sits: `usd` available (valued for IM), `weight` USD of equity for MM per USD sent,
 * and the asset it is (`USD` for cash), which a coin-margined subaccount must match.
 */
export interface AllocationSource {
  id: string;
  usd: number;
  weight: number;
  asset?: string | undefined;
  /**
   * What the master holds of it in the asset's own units (BTC, USDC; USD for cash), when the problem comes from a book:
   * a transfer of `usd` from it is `usd / this.usd × amount` of the asset (`usd` is valued for IM, after haircuts and
   * the location's, not at the market price).
   */
  amount?: number | undefined;
}

export interface AllocationProblem {
  accounts: readonly AllocationAccount[];
  sources: readonly AllocationSource[];
  /** The master's free collateral in USD (equity for IM − IM); Infinity: only the sources bound the transfers. */
  freeUsd: number;
  /**
   * The master's surplus over MM in USD (equity for MM − MM): a transfer of x from source ℓ lowers it by its weight × x.
   * Absent or Infinity: not bound (a master whose every balance counts for MM as for IM never binds it before F).
   */
  freeMmUsd?: number | undefined;
}

export interface AllocationResult {
  /** The minimum health of the accounts before and after (Infinity when no account has MM > 0). */
  minHealthBefore: number;
  minHealthAfter: number;
  /**
   * What moves from each source to each account (only non-zero moves), in account then source order: `usd` valued for
   * IM as the source is, and `amount` in the source's asset (its units; present when the source has an `amount`).
   */
  transfers: { account: string; source: string; usd: number; amount?: number }[];
  /** Every account's health after the transfers, in input order. */
  health: { account: string; before: number; after: number }[];
  /** Σ transfers (USD). */
  usedUsd: number;
}

/** Solves the allocation LP (module comment). Throws RangeError for inputs that are not finite or are negative. */
export function allocateCollateral(highs: LpSolver, problem: AllocationProblem): AllocationResult {
  checkProblem(problem);
  const deficits = problem.accounts.filter((a) => a.mm === 0 && a.equityMm < 0);
  if (deficits.length === 0) return maximin(highs, problem);
  // which sources lift which deficit: the programme's choice, every other account raised as far as it can be beside
  // the lifts (the sources that bring the most per USD first could spend what only another account can hold)
  const plan = programme(highs, problem, problem.accounts.filter((a) => a.mm > 0), deficits);
  const lift = plan === null ? null : liftDeficits(problem, deficits, plannedLifts(plan, problem, deficits));
  if (lift === null) return maximin(highs, problem);
  const rest = maximin(highs, lift.rest);
  const before = problem.accounts.map((a) => allocationHealth(a, 0));
  // the lifts and the programme's transfers, in account then source order
  const accountOrder = new Map(problem.accounts.map((a, i) => [a.id, i])), sourceOrder = new Map(problem.sources.map((src, l) => [src.id, l]));
  const transfers = [...lift.transfers, ...rest.transfers].sort((p, q) => accountOrder.get(p.account)! - accountOrder.get(q.account)! || sourceOrder.get(p.source)! - sourceOrder.get(q.source)!);
  const after = problem.accounts.map((a, i) => (lift.received.has(a.id) ? allocationHealth(a, lift.received.get(a.id)!) : rest.health[i].after));
  return {
    minHealthBefore: Math.min(Infinity, ...before),
    minHealthAfter: Math.min(Infinity, ...after),
    transfers,
    health: problem.accounts.map((a, i) => ({ account: a.id, before: before[i], after: after[i] })),
    usedUsd: lift.usedUsd + rest.usedUsd,
  };
}

/** An account's health after receiving `received` USD of equity for MM: (E + received) / MM; without MM, ±∞ by the sign of E + received. */
function allocationHealth(a: AllocationAccount, received: number): number {
  const equity = a.equityMm + received;
  return a.mm > 0 ? equity / a.mm : equity >= 0 ? Infinity : -Infinity;
}

/**
 * Lifts `deficits` (the accounts without MM and with equity below 0) to 0, a rounding above (module comment), on the
 * sources `planned` gives each: the transfers, what each received (equity for MM), and the problem left for the
 * programme (those accounts at 0, the sources, F and G less what moved). Null when not enough lifts them all.
 */
function liftDeficits(problem: AllocationProblem, deficits: readonly AllocationAccount[], planned: ReadonlyMap<string, ReadonlyMap<number, number>>): { transfers: AllocationResult['transfers']; received: Map<string, number>; usedUsd: number; rest: AllocationProblem } | null {
  const usdLeft = problem.sources.map((src) => src.usd);
  let freeLeft = problem.freeUsd, freeMmLeft = problem.freeMmUsd ?? Infinity, usedUsd = 0;
  const transfers: AllocationResult['transfers'] = [], received = new Map<string, number>();
  for (const a of deficits) {
    // the programme's sources first, up to what it sends from each; then, for a rounding it left, the most equity per
    // USD first (sources in input order, then their segments, among equals): the least of F spent
    const pieces: { l: number; size: number; weight: number; cap: number }[] = [], mine = planned.get(a.id);
    problem.sources.forEach((src, l) => {
      if (!(src.usd > 0) || (a.receives !== undefined && a.receives !== src.asset)) return;
      for (const seg of segmentsOf(a, src)) if (seg.weight > 0 && seg.usd > 0) pieces.push({ l, size: seg.usd, weight: seg.weight, cap: Infinity });
    });
    // (a rounding the programme left comes from its own sources first too: no dust of another)
    const planShare = (l: number) => (mine?.get(l) ?? 0) > 0 ? 1 : 0;
    pieces.sort((p, q) => planShare(q.l) - planShare(p.l) || q.weight - p.weight || p.l - q.l);
    if (mine !== undefined) pieces.unshift(...pieces.filter((p) => planShare(p.l) > 0).map((p) => ({ ...p, cap: mine.get(p.l)! })));
    const sent = new Map<number, number>(); // USD per source, in the order first sent (a planned cap is the source's)
    let got = 0;
    const target = liftTarget(a);
    for (const piece of pieces) {
      const l = piece.l, src = problem.sources[l], w = piece.weight;
      if (a.equityMm + got >= target) break;
      const capLeft = piece.cap - (sent.get(l) ?? 0);
      if (!(capLeft > 0)) continue;
      let usd = Math.min((target - (a.equityMm + got)) / w, piece.size, capLeft, usdLeft[l], freeLeft, freeMmLeft / src.weight);
      // a division's rounding never leaves it an ulp below the target
      for (let k = 0; k < 4 && a.equityMm + (got + w * usd) < target && usd < Math.min(usdLeft[l], freeLeft); k++) usd = Math.min(usd + Math.abs(usd) * Number.EPSILON, usdLeft[l], freeLeft);
      if (!(usd > 0)) continue;
      usdLeft[l] -= usd;
      freeLeft -= usd;
      freeMmLeft -= src.weight * usd;
      usedUsd += usd;
      got = got + w * usd;
      sent.set(l, (sent.get(l) ?? 0) + usd);
    }
    let total = 0;
    for (const usd of sent.values()) total += usd;
    for (const [l, usd] of sent) {
      const src = problem.sources[l];
      // an ulp's top-up from another source (1.2e-15 USD beside 95) is no transfer: the lift aims 1e-12 of the
      // account's size above 0, far more than it leaves
      if (usd < DUST_SHARE * total) {
        usdLeft[l] += usd;
        freeLeft += usd;
        freeMmLeft += src.weight * usd;
        usedUsd -= usd;
        continue;
      }
      transfers.push({ account: a.id, source: src.id, usd, ...(src.amount !== undefined ? { amount: (usd / src.usd) * src.amount } : {}) });
    }
    if (a.equityMm + got < 0) return null;
    received.set(a.id, got);
  }
  const rest: AllocationProblem = {
    accounts: problem.accounts.map((a) => (received.has(a.id) ? { ...a, equityMm: 0 } : a)),
    sources: problem.sources.map((src, l) => ({ ...src, usd: usdLeft[l], ...(src.amount !== undefined ? { amount: src.usd > 0 ? (usdLeft[l] / src.usd) * src.amount : src.amount } : {}) })),
    freeUsd: Math.max(0, freeLeft),
    ...(problem.freeMmUsd !== undefined ? { freeMmUsd: Math.max(0, freeMmLeft) } : {}),
  };
  return { transfers, received, usedUsd, rest };
}

/** A solved programme: its sources, each (account, source)'s segments and variables, the unit, G, and the variables' values. */
interface Solved {
  sources: AllocationSource[];
  segments: (readonly WeightSegment[])[][];
  parts: (i: number, l: number) => { name: string; seg: WeightSegment }[];
  unit: number;
  freeMm: number;
  values: Record<string, number>;
}

/**
 * The maximin programme (module comment) over `accounts` (MM > 0) and, with `lifts` (accounts without MM below 0), each
 * of those held at or above 0 by a row of its own, solved in two stages; null when there is nothing to solve, or (with
 * lifts) no allocation lifts them all. Accounts index the variables: `accounts` first, then `lifts`.
 */
function programme(highs: LpSolver, problem: AllocationProblem, healthOf: readonly AllocationAccount[], lifts: readonly AllocationAccount[]): Solved | null {
  const accounts = [...healthOf, ...lifts];
  // a source that brings no account anything is left out (an account's own weights can exceed the master's)
  const sources = problem.sources.filter((s) => s.usd > 0 && accounts.some((a) => segmentsOf(a, s).some((seg) => seg.weight > 0)));
  const freeMm = mmBound(problem, sources);
  if (accounts.length === 0 || sources.length === 0 || !(problem.freeUsd > 0) || !(freeMm > 0)) return null;
  // the variables: segment k of what source l sends account i (x_i_l for the first)
  const segments = accounts.map((a) => sources.map((s) => segmentsOf(a, s)));
  const x = (i: number, l: number, k = 0) => (k === 0 ? `x_${i}_${l}` : `x_${i}_${l}_${k}`);
  const parts = (i: number, l: number) => segments[i][l].map((seg, k) => ({ name: x(i, l, k), seg }));
  const vars: string[] = [];
  for (let i = 0; i < accounts.length; i++) for (let l = 0; l < sources.length; l++) for (const p of parts(i, l)) vars.push(p.name);
  const num = (v: number) => v.toPrecision(17);
  // amounts in units of `unit` USD (a power of two: exact): HiGHS answers a wrong optimum (nothing moved) once they reach
  // ~1e11; health is a ratio of them, the same in any unit
  const unit = usdUnit(problem, accounts, sources, freeMm), u = (usd: number) => num(usd / unit);
  const gained = (i: number) => sources.flatMap((_s, l) => parts(i, l).map((p) => `+ ${num(p.seg.weight)} ${p.name}`)).join(' ');
  const health = healthOf.map((a, i) => ` h${i}: ${gained(i)} - ${u(a.mm)} t >= ${u(-a.equityMm)}`);
  // a lift's row: its deficit and the rounding a lift aims above 0 (liftDeficits lifts it exactly, on these sources)
  health.push(...lifts.map((a, j) => ` d${j}: ${gained(healthOf.length + j)} >= ${u(liftTarget(a) - a.equityMm)}`));
  const held = sources.map((s, l) => ` s${l}: ${accounts.flatMap((_, i) => parts(i, l).map((p) => `+ ${p.name}`)).join(' ')} <= ${u(s.usd)}`);
  const free = Number.isFinite(problem.freeUsd) ? [` free: ${vars.map((v) => `+ ${v}`).join(' ')} <= ${u(problem.freeUsd)}`] : [];
  // the master loses its own weight of what leaves it, whoever receives it
  if (Number.isFinite(freeMm)) free.push(` freeMm: ${accounts.flatMap((_, i) => sources.flatMap((s, l) => parts(i, l).map((p) => `+ ${num(s.weight)} ${p.name}`))).join(' ')} <= ${u(freeMm)}`);
  // a source an account cannot hold (another asset than a coin-margined account's coin) sends it nothing; a segment
  // ends at its size
  const bound = (i: number, l: number, name: string, seg: WeightSegment) => {
    if (accounts[i].receives !== undefined && accounts[i].receives !== sources[l].asset) return ` 0 <= ${name} <= 0`;
    return Number.isFinite(seg.usd) ? ` 0 <= ${name} <= ${u(seg.usd)}` : ` ${name} >= 0`;
  };
  // with no account to raise (lifts alone), t is no variable of the answer: held at 0
  const bounds = ['Bounds', healthOf.length > 0 ? ' -inf <= t <= +inf' : ' t = 0', ...accounts.flatMap((_, i) => sources.flatMap((_s, l) => parts(i, l).map((p) => bound(i, l, p.name, p.seg))))];
  let first: Record<string, number>;
  try {
    first = solve(highs, ['Maximize', ' obj: t', 'Subject To', ...health, ...held, ...free, ...bounds, 'End'].join('\n'));
  } catch (error) {
    if (lifts.length > 0) return null; // the lifts cannot all be made
    throw error;
  }
  // second stage: the least collateral moved among the allocations that reach t*; should the solver's tolerances
  // find t ≥ t* infeasible, the first stage's allocation stands
  let values = first;
  try {
    values = solve(highs, ['Minimize', ` obj: ${vars.map((v) => `+ ${v}`).join(' ')}`, 'Subject To', ...health, ...held, ...free, ` keep: t >= ${num(first.t ?? 0)}`, ...bounds, 'End'].join('\n'));
  } catch {
    values = first;
  }
  return { sources, segments, parts, unit, freeMm, values };
}

/** The maximin programme over the accounts with MM (module comment). */
function maximin(highs: LpSolver, problem: AllocationProblem): AllocationResult {
  const accounts = problem.accounts.filter((a) => a.mm > 0);
  const before = problem.accounts.map((a) => allocationHealth(a, 0));
  const minBefore = Math.min(Infinity, ...before);
  const solved = programme(highs, problem, accounts, []);
  if (solved === null) {
    return { minHealthBefore: minBefore, minHealthAfter: minBefore, transfers: [], health: problem.accounts.map((a, i) => ({ account: a.id, before: before[i], after: before[i] })), usedUsd: 0 };
  }
  const { sources, segments, parts, unit, freeMm, values: second } = solved;
  const transfers: AllocationResult['transfers'] = [];
  const received = new Map<string, number>();
  // what each source has left: the solver's round-off (10.000000000003638 of 10) never moves more than a source holds
  const usdLeft = sources.map((s) => s.usd), amountLeft = sources.map((s) => s.amount);
  // nor more than the master's free collateral, less a rounding (940.0000000000002 of 940 left the master's last
  // transfer refused an ulp below IM): Σ x ≤ F holds in the figures a transfer is checked with
  let freeLeft = Number.isFinite(problem.freeUsd) ? problem.freeUsd * (1 - 1e-12) : Infinity;
  let freeMmLeft = freeMm * (1 - 1e-12); // and its surplus over MM likewise
  let used = 0;
  accounts.forEach((a, i) => {
    let got = 0;
    sources.forEach((s, l) => {
      let solved = 0;
      for (const p of parts(i, l)) solved += Math.max(0, (second[p.name] ?? 0) * unit);
      const usd = Math.min(solved, usdLeft[l], freeLeft, freeMmLeft / s.weight);
      if (usd <= 1e-9 * Math.max(1, s.usd)) return;
      usdLeft[l] -= usd;
      freeLeft -= usd;
      freeMmLeft -= s.weight * usd;
      // the whole source moves as its whole amount (the ratio is exactly 1), a part as its share
      const amount = s.amount === undefined ? undefined : Math.min((usd / s.usd) * s.amount, amountLeft[l]!);
      if (amount !== undefined) amountLeft[l]! -= amount;
      transfers.push({ account: a.id, source: s.id, usd, ...(amount !== undefined ? { amount } : {}) });
      got = got + brought(segments[i][l], usd); // its segments in order: never less than the programme's split of it
      used = used + usd;
    });
    received.set(a.id, got);
  });
  const after = problem.accounts.map((a) => allocationHealth(a, received.get(a.id) ?? 0));
  return {
    minHealthBefore: minBefore,
    minHealthAfter: Math.min(...after),
    transfers,
    health: problem.accounts.map((a, i) => ({ account: a.id, before: before[i], after: after[i] })),
    usedUsd: used,
  };
}

/**
 * The master's surplus over MM where it can bind the transfers, else Infinity (no constraint: the LP's answers keep
 * their bits): Σ w_ℓ·x_iℓ is at most max w_ℓ × F and at most Σ_ℓ w_ℓ·A_ℓ.
 */
function mmBound(problem: AllocationProblem, sources: readonly AllocationSource[]): number {
  const g = problem.freeMmUsd ?? Infinity;
  let largestWeight = 0, reachable = 0;
  for (const s of sources) {
    largestWeight = Math.max(largestWeight, s.weight);
    reachable += s.weight * s.usd;
  }
  return g < Math.min(largestWeight * problem.freeUsd, reachable) ? g : Infinity;
}

/**
 * The USD unit the LP counts in: 1 while every amount is below 2^26 (the answers' bits as they always were), else the
 * power of two that brings the largest to at most 2^20.
 */
function usdUnit(problem: AllocationProblem, accounts: readonly AllocationAccount[], sources: readonly AllocationSource[], freeMm: number): number {
  let largest = Number.isFinite(problem.freeUsd) ? problem.freeUsd : 0;
  if (Number.isFinite(freeMm)) largest = Math.max(largest, freeMm);
  for (const a of accounts) largest = Math.max(largest, Math.abs(a.equityMm), a.mm);
  for (const s of sources) largest = Math.max(largest, s.usd);
  return largest <= 2 ** 26 ? 1 : 2 ** (Math.ceil(Math.log2(largest)) - 20);
}

/** One LP solve: the columns' primal values (HiGHS), or an Error saying why there is no optimum. */
function solve(highs: LpSolver, lp: string): Record<string, number> {
  const result = highs.solve(lp, { output_flag: false });
  if (result.Status !== 'Optimal') throw new Error(`margin-core: collateral allocation LP ended with status ${result.Status}`);
  const out: Record<string, number> = {};
  for (const [name, column] of Object.entries(result.Columns)) out[name] = (column as { Primal: number }).Primal;
  return out;
}

function checkProblem(p: AllocationProblem): void {
  const bad = (what: string, v: number) => new RangeError(`${what} must be a finite number ≥ 0, got ${v}`);
  for (const a of p.accounts) {
    if (!Number.isFinite(a.equityMm)) throw new RangeError(`account ${a.id}: equityMm must be finite, got ${a.equityMm}`);
    if (!(Number.isFinite(a.mm) && a.mm >= 0)) throw bad(`account ${a.id}: mm`, a.mm);
  }
  for (const s of p.sources) {
    if (!(Number.isFinite(s.usd) && s.usd >= 0)) throw bad(`source ${s.id}: usd`, s.usd);
    if (!(Number.isFinite(s.weight) && s.weight >= 0)) throw bad(`source ${s.id}: weight`, s.weight);
  }
  if (!(p.freeUsd >= 0)) throw bad('freeUsd', p.freeUsd);
  if (p.freeMmUsd !== undefined && !(p.freeMmUsd >= 0)) throw bad('freeMmUsd', p.freeMmUsd);
}

/** What the programme `plan` sends each deficit (by account id), per source (its index in `problem.sources`), in USD. */
/** A planned lift's share below which a source is the solver's rounding, not its choice. */
const DUST_SHARE = 1e-9;

function plannedLifts(plan: Solved, problem: AllocationProblem, deficits: readonly AllocationAccount[]): Map<string, Map<number, number>> {
  const lifted = problem.accounts.filter((a) => a.mm > 0).length, out = new Map<string, Map<number, number>>();
  deficits.forEach((a, j) => {
    const bySource = new Map<number, number>();
    plan.sources.forEach((src, l) => {
      let usd = 0;
      for (const p of plan.parts(lifted + j, l)) usd += Math.max(0, (plan.values[p.name] ?? 0) * plan.unit);
      if (usd > 0) bySource.set(problem.sources.indexOf(src), usd);
    });
    // a source the solver left a rounding of the lift on (1e-10 USDC beside 95 USD of BTC) is no choice of its: a
    // transfer of dust no venue makes; the lift's rounding comes from its own sources (liftDeficits)
    let total = 0;
    for (const usd of bySource.values()) total += usd;
    for (const [l, usd] of bySource) if (usd < DUST_SHARE * total) bySource.delete(l);
    out.set(a.id, bySource);
  });
  return out;
}
