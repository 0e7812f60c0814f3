/**
 * Restore health at least cost under isolated margin (docs/optimisation.md). Every position stands against
 * its own allocation: position k meets the target when alloc_k + mtm_k ≥ (1 + buffer)·R_k, R_k its IM (or MM), and
 * the allocations come out of the account's pool P (collateral weighted for IM, plus cash). Two things restore it:
 *
 * - moving collateral into a position's allocation, which costs nothing (isolated venues let a trader add margin to a
 *   position), so the allocations are decision variables: alloc_k ≥ z_k = max(0, (1 + buffer)·R_k − mtm_k), Σ z ≤ P;
 * - reducing a position: a trade of s_h ≥ 0 contracts towards zero on an instrument the account holds (a new
 *   instrument would open a new isolated position that offsets nothing and takes collateral: refused with the
 *   hedge's path). Its requirement R_k(s) is piecewise linear and convex in s (bracket rates rise with size; the
 *   rule-based requirement model's lines, src/methods/engines/rule-based/requirement-model.ts), its mark-to-market shrinks in
 *   proportion, mtm_k·(1 − s/|q_k|), and the closed part goes to cash: s·(mtm_k/|q_k| − c_h), c_h the cost of a
 *   contract on the reducing side (src/optimize/hedge-prices.ts: spread·multiplier + fee for a USD account; in a
 *   coin-margined account's coin otherwise) (P&L realised by the netting rule, an option's premium received, the
 *   spread and fee paid). Every amount is in the account's margin currency, allocations too.
 *
 * So the programme is an LP (HiGHS):
 *   minimise Σ_h c_h·s_h
 *   s.t.     y_h ≥ a_hj + b_hj·σ_h·s_h                           every line j of position h's requirement change (σ_h = −sign q)
 *            z_k ≥ (1 + buffer)·(R_k + y_k) − mtm_k·(1 − s_k/|q_k|),  z_k ≥ 0
 *            Σ_k z_k − Σ_h s_h·(mtm_h/|q_h| − c_h) ≤ P − δ
 *            0 ≤ s_h ≤ min(|q_h|, the hedge's limit on the reducing side)
 * and the answer is the trades plus the allocation each position should hold. The engine then re-checks it: the
 * trades applied through the netting rule, the allocations written as explicit isolated margins, the account
 * re-margined by the kernel, and the worst position's slack (MethodRun.liquidation.slack) must be ≥ 0; then every
 * change is undone. As for the other methods, δ grows and the programme is solved again when the re-check misses.
 */
import { InputError } from '../errors.js';
import type { AccountChange } from '../margin/account-changes.js';
import { LayoutAccount } from '../margin/layout-account.js';
import { STATUS } from '../margin/status.js';
import { type AccountRequirement, healthOf } from '../margin/what-if.js';
import type { LiquidationTargetSpec } from '../methods/method.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { amountText, type PricedHedge, tradeQuantity } from './hedge-prices.js';
import type { HealthTarget, HedgeTrade, RestoreResult } from './result.js';
import type { LinearProgram, LpSolver } from './solver.js';

interface Position {
  slot: number;
  instrument: number;
  /** Signed contracts now. */
  quantity: number;
  /** Its target requirement now, (1 + buffer)·IM or MM, and mark-to-market (the account's margin currency). */
  target: number;
  mtm: number;
}

/** Engine re-checks before a result is returned unconfirmed (as restore.ts). */
const ENGINE_ROUNDS = 6;
const RELATIVE_MARGIN = 1e-7;

export function restoreIsolated(
  run: PreparedRun, solver: LpSolver, a: number, hedges: readonly PricedHedge[], target: HealthTarget, buffer: number,
  base: Pick<RestoreResult, 'account' | 'method' | 'target' | 'buffer'>, currency = 'USD',
): RestoreResult {
  const spec: LiquidationTargetSpec = target === 'im' ? { kind: 'im', buffer: 0 } : { kind: 'mm-buffer', buffer };
  const methodRun = run.methodRun;
  const slackNow = () => methodRun.liquidation!.slack!(a, spec);
  const before = run.trial.withChanges(a, []);
  const slackBefore = slackNow();
  const head = { ...base, before, slackBefore };
  // the candidates are checked whether or not the account needs them: a list refused for one account is refused for all
  const positions = positionsOf(run, a, target, buffer);
  const bySlotInstrument = new Map(positions.map((p, k) => [p.instrument, k]));
  const problems = hedges.flatMap((h, i) => (bySlotInstrument.has(h.instrument) ? [] : [{ path: `hedges[${i}].instrument`, message: `under isolated margin a hedge must reduce a position the account holds (${h.id} would open a new isolated position, which offsets nothing and takes collateral)` }]));
  if (problems.length > 0) throw new InputError(problems);
  if (slackBefore >= 0) {
    return { ...head, outcome: 'met', trades: [], cost: 0, after: before, slackAfter: slackBefore, confirmed: true, reason: 'every position already meets its target against its allocation', solver: { programmes: 0, cuts: 0 } };
  }
  const held = hedges.map((h) => positions[bySlotInstrument.get(h.instrument)!]);
  const model = methodRun.optimize!.requirementModel(a, Int32Array.from(hedges, (h) => h.instrument), target);
  const out = run.context.out;
  let mtmSum = 0;
  for (const p of positions) mtmSum += p.mtm;
  const pool = out.equityIm.array[a] - mtmSum; // collateral weighted for IM plus cash: what allocations come from
  const scale = Math.max(Math.abs(out.equityIm.array[a]), out.im.array[a], 1);
  let margin = RELATIVE_MARGIN * scale;
  const work = { programmes: 0, cuts: 0 };
  for (let round = 0; round < ENGINE_ROUNDS; round++) {
    let solved = solve(program(positions, hedges, held, model.terms, buffer, pool - margin, 'cost'), solver, work);
    const infeasible = solved === null;
    if (infeasible) solved = solve(program(positions, hedges, held, model.terms, buffer, pool - margin, 'shortfall'), solver, work);
    const s = solved ?? new Float64Array(hedges.length);
    const { trades, changes, cost } = tradesOf(hedges, held, s);
    const checked = recheck(run, a, positions, changes, target, buffer, slackNow);
    if (infeasible || checked.slack >= 0 || round === ENGINE_ROUNDS - 1) {
      const outcome = infeasible ? 'infeasible' : 'restored';
      const reason = infeasible
        ? `no reductions within the hedges' limits let every position meet its target: the closest leave the worst ${amountText(-checked.slack, currency)} ${currency} short`
        : checked.slack >= 0
          ? `the least-cost reductions and allocations meet every position's target (engine re-check: worst slack ${amountText(checked.slack, currency)} ${currency})`
          : `the engine re-check found a position short by ${(-checked.slack).toPrecision(3)} ${currency} after ${ENGINE_ROUNDS} tightenings`;
      return { ...head, outcome, trades, cost, after: checked.after, slackAfter: checked.slack, confirmed: !infeasible && checked.slack >= 0, reason, solver: work, allocations: checked.allocations };
    }
    margin += 2 * -checked.slack + RELATIVE_MARGIN * scale;
  }
  throw new Error('unreachable');
}

/** The account's positions with their current figures from the run (isolated keeps per-position terms). */
function positionsOf(run: PreparedRun, a: number, target: HealthTarget, buffer: number): Position[] {
  const layout = run.context.layout, out = run.context.out;
  const start = layout.positions.start.array[a], end = layout.positions.end.array[a];
  const instrument = layout.positions.column<'i32'>('instrument').array, quantity = layout.positions.column<'f64'>('quantity').array;
  const req = target === 'im' ? out.posIm.array : out.posMm.array;
  const positions: Position[] = [];
  for (let p = start; p < end; p++) {
    positions.push({ slot: p, instrument: instrument[p], quantity: quantity[p], target: (1 + buffer) * req[p], mtm: out.posMtm.array[p] });
  }
  return positions;
}

/**
 * The LP of the module comment. Columns: s_h (H), y_h (H), z_k (K), then, for `shortfall`, u ≥ 0 on the pool row
 * (minimise the shortfall first, cost second: the closest the reductions come).
 */
function program(
  positions: readonly Position[], hedges: readonly PricedHedge[], held: readonly Position[],
  terms: readonly { constants: Float64Array; slopes: Float64Array }[], buffer: number, pool: number, objective: 'cost' | 'shortfall',
): LinearProgram {
  const H = hedges.length, K = positions.length;
  const n = 2 * H + K + (objective === 'shortfall' ? 1 : 0);
  const cost = new Float64Array(n), colLower = new Float64Array(n), colUpper = new Float64Array(n);
  const hedgeOf = new Map<number, number>(); // position index → hedge
  hedges.forEach((hedge, h) => {
    const p = held[h];
    hedgeOf.set(positions.indexOf(p), h);
    const reduceLimit = p.quantity > 0 ? hedge.maxSell : hedge.maxBuy;
    const unitCost = reducingCost(hedge, p);
    cost[h] = objective === 'cost' ? unitCost : unitCost * 1e-9;
    colUpper[h] = Math.min(Math.abs(p.quantity), reduceLimit);
    colLower[H + h] = -Infinity;
    colUpper[H + h] = Infinity;
  });
  for (let k = 0; k < K; k++) colUpper[2 * H + k] = Infinity; // z_k ≥ 0
  if (objective === 'shortfall') {
    cost[n - 1] = 1;
    colUpper[n - 1] = Infinity;
  }
  const rowLower: number[] = [], rowUpper: number[] = [], starts: number[] = [0], indices: number[] = [], values: number[] = [];
  const put = (column: number, value: number) => {
    if (value !== 0) {
      indices.push(column);
      values.push(value);
    }
  };
  const row = (lower: number, upper: number) => {
    rowLower.push(lower);
    rowUpper.push(upper);
    starts.push(indices.length);
  };
  hedges.forEach((_, h) => {
    const term = terms[h], sigma = held[h].quantity > 0 ? -1 : 1;
    for (let j = 0; j < term.constants.length; j++) {
      put(H + h, 1);
      put(h, -term.slopes[j * H + h] * sigma);
      row(term.constants[j], Infinity);
    }
  });
  positions.forEach((p, k) => {
    const h = hedgeOf.get(k);
    put(2 * H + k, 1);
    if (h !== undefined) {
      put(H + h, -(1 + buffer));
      put(h, -p.mtm / Math.abs(p.quantity));
    }
    row(p.target - p.mtm, Infinity);
  });
  for (let k = 0; k < K; k++) put(2 * H + k, 1);
  hedges.forEach((hedge, h) => put(h, -(held[h].mtm / Math.abs(held[h].quantity) - reducingCost(hedge, held[h]))));
  if (objective === 'shortfall') put(n - 1, -1);
  row(-Infinity, pool);
  return {
    cost, colLower, colUpper, rowLower: Float64Array.from(rowLower), rowUpper: Float64Array.from(rowUpper),
    starts: Int32Array.from(starts), indices: Int32Array.from(indices), values: Float64Array.from(values),
  };
}

/** The cost of a contract traded towards zero on position p: a sell of a long, a buy of a short. */
function reducingCost(hedge: PricedHedge, p: Position): number {
  return p.quantity > 0 ? hedge.sellCost : hedge.buyCost;
}

/** The reductions s_h of an optimal solution, or null when the programme is infeasible. */
function solve(lp: LinearProgram, solver: LpSolver, work: { programmes: number }): Float64Array | null {
  const solution = solver.solve(lp);
  work.programmes++;
  if (solution.status === 'infeasible') return null;
  if (solution.status !== 'optimal') throw new Error(`the LP solver failed (${solution.detail})`);
  return solution.x; // s_h are its first H columns
}

/** Reductions as signed trades at their fills (value ∓ spread), their costs, and the changes the engine applies (fees out of cash). */
function tradesOf(hedges: readonly PricedHedge[], held: readonly Position[], x: Float64Array): { trades: HedgeTrade[]; changes: AccountChange[]; cost: number } {
  const trades: HedgeTrade[] = [], changes: AccountChange[] = [];
  let cost = 0, fees = 0;
  hedges.forEach((hedge, h) => {
    const reduction = Math.min(x[h], Math.abs(held[h].quantity));
    if (!(reduction > 1e-9 * Math.abs(held[h].quantity))) return;
    const q = tradeQuantity(held[h].quantity, held[h].quantity > 0 ? -reduction : reduction), s = Math.abs(q);
    const c = s * reducingCost(hedge, held[h]);
    trades.push({ instrument: hedge.id, quantity: q, price: q > 0 ? hedge.buyQuote : hedge.sellQuote, cost: c });
    changes.push({ instrument: hedge.instrument, quantity: q, price: q > 0 ? hedge.buyFill : hedge.sellFill });
    cost += c;
    fees += s * hedge.feeCash;
  });
  if (fees > 0) changes.push({ cashUsd: -fees });
  return { trades, changes, cost };
}

/**
 * The engine's check: trades applied to the layout, the account re-margined, each position allocated what it needs
 * ((1 + buffer)·R − mtm: the whole pool shared in proportion to those needs), re-margined again, the worst
 * position's slack read; then everything undone and the account re-margined as it was.
 */
function recheck(
  run: PreparedRun, a: number, positions: readonly Position[], changes: readonly AccountChange[], target: HealthTarget, buffer: number, slackNow: () => number,
): { slack: number; after: AccountRequirement; allocations: { instrument: string; usd: number }[] } {
  const layout = run.context.layout, out = run.context.out;
  const editor = new LayoutAccount(layout, a);
  const isolated = layout.positions.column<'f64'>('isolatedMargin');
  const saved = positions.map((p) => isolated.array[p.slot]);
  try {
    const refused = editor.apply(changes);
    if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
    run.remarginAt(a);
    const req = target === 'im' ? out.posIm.array : out.posMm.array;
    const needs = positions.map((p) => Math.max(0, (1 + buffer) * req[p.slot] - out.posMtm.array[p.slot]));
    let total = 0, mtm = 0;
    for (const n of needs) total += n;
    for (const p of positions) mtm += out.posMtm.array[p.slot];
    const pool = out.equityIm.array[a] - mtm;
    // the pool shared in proportion to the needs: all of it (an allocation beyond the pool would be money the
    // account does not have; the kernel takes explicit allocations as given)
    const share = (k: number) => (pool > 0 ? (pool * needs[k]) / total : 0);
    const allocations = positions.map((p, k) => ({ instrument: layout.instruments.ids[p.instrument], usd: total > 0 ? share(k) : 0 }));
    if (total > 0) positions.forEach((p, k) => (isolated.array[p.slot] = allocations[k].usd));
    run.remarginAt(a);
    const equityMm = out.equityMm.array[a], mm = out.mm.array[a];
    const after: AccountRequirement = {
      status: STATUS[out.status.array[a]], equity: out.equity.array[a], equityIm: out.equityIm.array[a], equityMm, im: out.im.array[a], mm,
      health: healthOf(equityMm, mm), grossNotional: out.gross.array[a], collateralValue: out.collateralValue.array[a], cashUsd: layout.cashUsd.array[a], binding: null,
    };
    if (layout.marginAsset.array[a] >= 0) {
      // a coin-margined account as its row states it (src/session/trial.ts): its cash is its balance, in its coin
      after.collateralValue = after.cashUsd;
      after.cashUsd = 0;
      after.marginCurrency = layout.marginCurrencyOf(a);
    }
    return { slack: slackNow(), after, allocations: total > 0 ? allocations : [] };
  } finally {
    positions.forEach((p, k) => (isolated.array[p.slot] = saved[k]));
    editor.undo();
    run.remarginAt(a);
  }
}
