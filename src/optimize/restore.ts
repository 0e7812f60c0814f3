/**
 * Restore health at least cost (issue 20): for one account below a target (IM, or MM with a buffer) and candidate
 * hedges with costs, the cheapest trades that bring it back, found by HiGHS on the method's requirement model
 * (src/margin/requirement-model.ts, src/optimize/program.ts), then RE-CHECKED BY THE ENGINE: the trades are run
 * through the method's own what-if (the bits a fresh run on the traded book gives) at their fill prices, with the
 * fees out of cash. Only the engine's figures are reported as before and after. Costs, equity, requirement and slack
 * are in the account's margin currency: USD, or a coin-margined account's coin (src/optimize/hedge-prices.ts).
 *
 * Loops, and why:
 * - cutting planes (norms: correlation-aggregated portfolio loss, delta-normal VaR): solve, evaluate the true
 *   requirement at the solution, add the tangent planes where the linear model under-stated it, solve again, until
 *   the model is accurate to half the safety margin δ (δ = 1e-7 × the account's scale); without norms the first
 *   solution is exact and this loop runs once;
 * - engine re-check: if the engine finds the target missed after the trades (rounding, or a model that is only a
 *   convex approximation, e.g. a bracket schedule whose rates fall with size), δ grows by twice the shortfall and the
 *   programme is solved again, at most {@link ENGINE_ROUNDS} times; a result the engine never confirmed says so.
 * If no trades within the limits reach the target, the answer is `infeasible`, with the hedge that comes closest
 * (the same programme minimising the shortfall instead of the cost) and how far short it leaves the account.
 */
import { InputError } from '../errors.js';
import type { AccountChange } from '../margin/account-changes.js';
import { type RequirementModel, requirementAt } from '../margin/requirement-model.js';
import type { AccountRequirement } from '../margin/what-if.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { readHedges } from './hedges.js';
import { amountText, marginCurrencyOf, type PricedHedge, priceHedges, tradeQuantity } from './hedge-prices.js';
import { buildProgram, type Cut, cutsAt, shapeOf, type TargetSpec, tradesOf } from './program.js';
import type { LpSolver } from './solver.js';
import { restoreIsolated } from './isolated.js';
import type { HealthTarget, HedgeTrade, RestoreOptions, RestoreResult } from './result.js';

export type { HealthTarget, HedgeTrade, PositionAllocation, RestoreOptions, RestoreResult } from './result.js';

/** Engine re-checks (each tightening the margin) before a result is returned unconfirmed. */
export const ENGINE_ROUNDS = 6;
/** Linear programmes per cutting-plane solve. */
const MAX_CUT_ROUNDS = 200;
/** Relative size of the safety margin δ (times max(|equity|, requirement, 1)). */
const RELATIVE_MARGIN = 1e-7;
/**
 * Round-off, as a share of the safety margin δ: a hedge whose cost and effect on the requirement are both within it
 * is no trade; dropping it moves the slack by a thousandth of the δ the programme keeps, so the re-check still holds.
 */
const ROUND_OFF = 1e-3;

/** The target's slack in an account's figures (its margin currency). */
export function slackOf(r: AccountRequirement, target: HealthTarget, buffer: number): number {
  return target === 'im' ? r.equityIm - r.im : r.equityMm - r.mm * (1 + buffer);
}

/** Restores account `accountId` of a prepared, run method (`run.run()` done) with candidate `hedges` (JSON, validated). */
export function restoreHealth(run: PreparedRun, solver: LpSolver, accountId: string, hedgesJson: unknown, options: RestoreOptions = {}): RestoreResult {
  const target = options.target ?? 'im';
  const buffer = target === 'mm' ? (options.buffer ?? 0.02) : 0;
  const problems: { path: string; message: string }[] = [];
  if (target !== 'im' && target !== 'mm') problems.push({ path: 'target', message: `expected "im" or "mm", got ${JSON.stringify(target)}` });
  const withIm = imBufferProblem(target, options.buffer);
  if (withIm !== null) problems.push(withIm);
  else if (!(Number.isFinite(buffer) && buffer >= 0)) problems.push({ path: 'buffer', message: `expected a finite number ≥ 0, got ${String(options.buffer)}` });
  if (problems.length > 0) throw new InputError(problems);
  const a = run.indexOf(accountId);
  const hedges = priceHedges(run, a, readHedges(hedgesJson, run.context.layout));
  const currency = marginCurrencyOf(run, a);
  const methodRun = run.methodRun;
  if (run.method.allocatesCollateral === true && methodRun.optimize && methodRun.liquidation?.slack) {
    // every position against its own allocation: reductions and allocations (src/optimize/isolated.ts)
    return restoreIsolated(run, solver, a, hedges, target, buffer, { account: accountId, method: run.method.name, target, buffer }, currency);
  }
  if (!methodRun.optimize) {
    throw new InputError([{ path: 'method', message: `${run.method.name} margin cannot be optimised: the method has no requirement model (MethodRun.optimize)` }]);
  }
  const result = restoreTo(run, solver, a, accountId, hedges, target, buffer, currency);
  return target === 'im' ? withMmToo(run, solver, a, accountId, hedges, currency, result) : result;
}

/**
 * The IM target's answer, healthy: equity for IM ≥ IM leaves the account above MM too unless a balance counts for IM
 * but less for MM (collateral by location, docs/locations.md: `exclude-mm`, or an MM haircut above the IM one). Then the
 * MM target's least-cost trades (buffer 0) are the answer when they meet IM too: least-cost for one target and meeting
 * the other, they are least-cost for both. Otherwise the IM answer is returned unconfirmed, saying so.
 */
function withMmToo(run: PreparedRun, solver: LpSolver, a: number, accountId: string, hedges: readonly PricedHedge[], currency: string, im: RestoreResult): RestoreResult {
  if (im.outcome === 'infeasible' || im.after.equityMm >= im.after.mm) return im;
  const mm = restoreTo(run, solver, a, accountId, hedges, 'mm', 0, currency);
  const solver2 = { programmes: im.solver.programmes + mm.solver.programmes, cuts: im.solver.cuts + mm.solver.cuts };
  const slackAfter = slackOf(mm.after, 'im', 0);
  if (mm.confirmed && slackAfter >= 0) {
    return {
      ...im, outcome: mm.trades.length > 0 ? 'restored' : im.outcome, trades: mm.trades, cost: mm.cost, after: mm.after, slackAfter, confirmed: true, solver: solver2,
      reason: `the least-cost trades that bring equity for MM to MM also meet its ${describe('im', 0)} (engine re-check: slack ${amountText(slackAfter, currency)} ${currency}); the IM target alone left it below MM (a balance counted for IM but less for MM: collateral by location)`,
    };
  }
  return {
    ...im, confirmed: false, solver: solver2,
    reason: `${im.trades.length > 0 ? 'the least-cost trades meet' : 'it meets'} its ${describe('im', 0)} but leave equity for MM ${amountText(im.after.equityMm, currency)} below MM ${amountText(im.after.mm, currency)} ${currency} (a balance counted for IM but less for MM: collateral by location), and the MM target's trades do not meet IM: no single target's answer restores health`,
  };
}

/** The least-cost trades to one target (the engine's figures before and after them), as {@link restoreHealth} answers it. */
function restoreTo(run: PreparedRun, solver: LpSolver, a: number, accountId: string, hedges: readonly PricedHedge[], target: HealthTarget, buffer: number, currency: string): RestoreResult {
  const methodRun = run.methodRun;
  if (!methodRun.optimize) throw new Error('unreachable: checked by restoreHealth');
  const before = run.trial.withChanges(a, []);
  const slackBefore = slackOf(before, target, buffer);
  const base = { account: accountId, method: run.method.name, target, buffer, before, slackBefore };
  if (slackBefore >= 0) {
    return { ...base, outcome: 'met', trades: [], cost: 0, after: before, slackAfter: slackBefore, confirmed: true, reason: `already meets its ${describe(target, buffer)}`, solver: { programmes: 0, cuts: 0 } };
  }
  const instruments = Int32Array.from(hedges, (h) => h.instrument);
  const model = methodRun.optimize.requirementModel(a, instruments, target);
  const equity = target === 'im' ? before.equityIm : before.equityMm;
  const scale = Math.max(Math.abs(equity), before.im, 1);
  const spec: TargetSpec = { equity, buffer, margin: RELATIVE_MARGIN * scale };
  const cuts: Cut[] = cutsAt(model, new Float64Array(model.hedges), requirementAt(model, new Float64Array(model.hedges)).terms);
  const work = { programmes: 0, cuts: 0 };
  const initialCuts = cuts.length;

  for (let round = 0; round < ENGINE_ROUNDS; round++) {
    const solved = solveWithCuts(model, hedges, spec, cuts, solver, 'cost', work);
    if (solved === 'infeasible') return closest(run, a, model, hedges, spec, cuts, solver, work, base, initialCuts, currency);
    const { trades, changes, cost } = tradesFrom(model, hedges, solved, ROUND_OFF * spec.margin);
    const after = run.trial.withChanges(a, changes);
    const slackAfter = slackOf(after, target, buffer);
    if (slackAfter >= 0) {
      work.cuts = cuts.length - initialCuts;
      return { ...base, outcome: 'restored', trades, cost, after, slackAfter, confirmed: true, reason: `the least-cost trades meet its ${describe(target, buffer)} (engine re-check: slack ${amountText(slackAfter, currency)} ${currency})`, solver: work };
    }
    spec.margin += 2 * -slackAfter + RELATIVE_MARGIN * scale;
    if (round === ENGINE_ROUNDS - 1) {
      work.cuts = cuts.length - initialCuts;
      return { ...base, outcome: 'restored', trades, cost, after, slackAfter, confirmed: false, reason: `the engine re-check found the target missed by ${(-slackAfter).toPrecision(3)} ${currency} after ${ENGINE_ROUNDS} tightenings: the method's requirement model does not describe it exactly`, solver: work };
    }
  }
  throw new Error('unreachable');
}

/**
 * The problem with a `buffer` given with the IM target, or null: a buffer is over MM, so with the IM target it would be
 * ignored and the answer taken for one with a buffer.
 */
export function imBufferProblem(target: HealthTarget, buffer: number | undefined): { path: string; message: string } | null {
  return target === 'im' && buffer !== undefined ? { path: 'buffer', message: `${String(buffer)} given with target "im": a buffer is over MM (target "mm"); leave it out` } : null;
}

function describe(target: HealthTarget, buffer: number): string {
  return target === 'im' ? 'target (equity for IM ≥ IM)' : `target (equity for MM ≥ MM × ${1 + buffer})`;
}

/**
 * Kelley's cutting-plane loop: the programme's solution x, once the model's true requirement at x is within half the
 * margin of the programme's R (always at once without norms); 'infeasible' when the relaxation is (then so is the
 * true problem: cuts only under-state a convex requirement).
 */
function solveWithCuts(model: RequirementModel, hedges: readonly PricedHedge[], spec: TargetSpec, cuts: Cut[], solver: LpSolver, objective: 'cost' | 'slack', work: { programmes: number }): Float64Array | 'infeasible' {
  const shape = shapeOf(model);
  let last: Float64Array | null = null;
  for (let k = 0; k < MAX_CUT_ROUNDS; k++) {
    const lp = buildProgram(model, hedges, spec, cuts);
    if (objective === 'slack') {
      // minimise (1 + buffer)·R + cost: the largest slack the hedges can reach; no target row
      lp.cost[shape.requirement] = 1 + spec.buffer;
      lp.rowUpper[lp.rowUpper.length - 1] = Infinity;
    }
    const solution = solver.solve(lp);
    work.programmes++;
    if (solution.status === 'infeasible') return 'infeasible';
    if (solution.status !== 'optimal') throw new Error(`the LP solver failed (${solution.detail})`);
    const x = tradesOf(solution.x, shape.H);
    last = x;
    const truth = requirementAt(model, x);
    if (truth.value <= solution.x[shape.requirement] + spec.margin / (2 * (1 + spec.buffer))) return x;
    const added = cutsAt(model, x, truth.terms);
    if (added.length === 0) return x;
    cuts.push(...added);
  }
  return last!;
}

/**
 * Whether hedge h's part of solution x is solver round-off, not a trade: what it costs and what it changes in the
 * model's requirement are both within `tolerance` (money). Judged by its effect, never against the hedge's limit: a
 * limit is only room, and 1e-9 of a 1e10-contract limit once dropped a needed 1.8-contract trade.
 */
function roundOff(model: RequirementModel, hedges: readonly PricedHedge[], x: Float64Array, h: number, tolerance: number): boolean {
  const q = x[h];
  if (q === 0) return true;
  if (Math.abs(q) * Math.max(hedges[h].buyCost, hedges[h].sellCost) > tolerance) return false;
  const without = Float64Array.from(x);
  without[h] = 0;
  return Math.abs(requirementAt(model, x).value - requirementAt(model, without).value) <= tolerance;
}

/**
 * Trades (solver round-off dropped: {@link roundOff}), their costs, and the changes the engine applies: each fill at
 * its layout price, the fees out of the account's cash (its margin currency: a coin account's balance).
 */
function tradesFrom(model: RequirementModel, hedges: readonly PricedHedge[], x: Float64Array, tolerance: number): { trades: HedgeTrade[]; changes: AccountChange[]; cost: number } {
  const trades: HedgeTrade[] = [], changes: AccountChange[] = [];
  let cost = 0, fees = 0;
  hedges.forEach((hedge, h) => {
    if (roundOff(model, hedges, x, h, tolerance)) return;
    const q = tradeQuantity(hedge.held, x[h]);
    const buy = q > 0;
    const c = Math.abs(q) * (buy ? hedge.buyCost : hedge.sellCost);
    trades.push({ instrument: hedge.id, quantity: q, price: buy ? hedge.buyQuote : hedge.sellQuote, cost: c });
    changes.push({ instrument: hedge.instrument, quantity: q, price: buy ? hedge.buyFill : hedge.sellFill });
    cost += c;
    fees += Math.abs(q) * hedge.feeCash;
  });
  if (fees > 0) changes.push({ cashUsd: -fees });
  return { trades, changes, cost };
}

/** The infeasible answer: the trades that maximise the slack, and the engine's figures after them. */
function closest(
  run: PreparedRun, a: number, model: RequirementModel, hedges: readonly PricedHedge[], spec: TargetSpec, cuts: Cut[], solver: LpSolver, work: { programmes: number; cuts: number },
  base: Pick<RestoreResult, 'account' | 'method' | 'target' | 'buffer' | 'before' | 'slackBefore'>, initialCuts: number, currency: string,
): RestoreResult {
  const x = solveWithCuts(model, hedges, spec, cuts, solver, 'slack', work);
  work.cuts = cuts.length - initialCuts;
  const { trades, changes, cost } = x === 'infeasible' ? { trades: [], changes: [], cost: 0 } : tradesFrom(model, hedges, x, ROUND_OFF * spec.margin);
  const after = run.trial.withChanges(a, changes);
  const slackAfter = slackOf(after, base.target, base.buffer);
  if (slackAfter >= 0 && trades.length > 0) {
    // the model under-states what the trades achieve (it describes the method only approximately): the engine, whose
    // figures are the answer, finds the target met; the trades are the model's largest slack, not proven least-cost
    return {
      ...base, outcome: 'restored', trades, cost, after, slackAfter, confirmed: true,
      reason: `the method's requirement model found no trades within the hedges' limits that reach its ${describe(base.target, base.buffer)}, but the engine re-check finds the closest meet it (slack ${amountText(slackAfter, currency)} ${currency}); they may cost more than the least`,
      solver: work,
    };
  }
  return {
    ...base, outcome: 'infeasible', trades, cost, after, slackAfter, confirmed: false,
    reason: `no trades within the hedges' limits reach its ${describe(base.target, base.buffer)}: the closest leave it ${amountText(-slackAfter, currency)} ${currency} short (was ${amountText(-base.slackBefore, currency)})`,
    solver: work,
  };
}
