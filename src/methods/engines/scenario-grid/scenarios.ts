/**
 * The scenario set of one underlying under a {@link PortfolioRule}, in kernel order:
 * s = v·spotSteps + j for the grid (v over VOL_SHOCK_LABELS: up, none, down; j over spot moves
 * ascending), then the tails (vol up) in their listed order.
 */
import { type PortfolioRule, VOL_SHOCK_LABELS } from './params.js';

export type VolShockLabel = (typeof VOL_SHOCK_LABELS)[number];

export interface Scenario {
  /** Relative spot move. */
  spotMove: number;
  volShock: VolShockLabel;
  /** Relative vol shock before time scaling (+volUp, 0, −volDown). */
  volShockValue: number;
  /** 1 on the grid; the dampening weight on tails. */
  weight: number;
  tail: boolean;
  /** e.g. `spot −16% / vol up` or `tail spot +500% / vol up ×0.03`. */
  label: string;
}

/** Grid spot moves: spotRange·(2j − (n − 1))/(n − 1), so the edges are exactly ±spotRange and the middle exactly 0. */
export function gridMoves(rule: PortfolioRule): number[] {
  const n = rule.spotSteps;
  if (n === 1) return [0];
  return Array.from({ length: n }, (_, j) => (rule.spotRange * (2 * j - (n - 1))) / (n - 1));
}

function percent(x: number): string {
  const p = Math.round(x * 1e4) / 100;
  return `${p > 0 ? '+' : p < 0 ? '−' : ''}${Math.abs(p)}%`;
}

export function scenariosOf(rule: PortfolioRule): Scenario[] {
  const moves = gridMoves(rule);
  const shock: Record<VolShockLabel, number> = { up: rule.volUp, none: 0, down: -rule.volDown };
  const out: Scenario[] = [];
  for (const v of VOL_SHOCK_LABELS) {
    for (const m of moves) out.push({ spotMove: m, volShock: v, volShockValue: shock[v], weight: 1, tail: false, label: `spot ${percent(m)} / vol ${v}` });
  }
  for (const t of rule.tails) {
    out.push({ spotMove: t.move, volShock: 'up', volShockValue: rule.volUp, weight: t.weight, tail: true, label: `tail spot ${percent(t.move)} / vol up ×${Number(t.weight.toPrecision(3))}` }); // the weight itself is `weight`
  }
  return out;
}

/** Days per year for DTE (ACT/365, as expiryYears). */
const DAYS_PER_YEAR = 365;

/** Multiplier of an option's vol shock: (30/max(DTE, volFloorDays))^p, p = volPowerShort below 30 days, volPowerLong from 30 on. */
export function volScaleOf(rule: PortfolioRule, expiryYears: number): number {
  const dte = expiryYears * DAYS_PER_YEAR;
  const p = dte < 30 ? rule.volPowerShort : rule.volPowerLong;
  return Math.pow(30 / Math.max(dte, rule.volFloorDays), p);
}

/** Scenarios per SIMD pass of the reduction kernel (assembly/portfolio/reduce.ts: 8 f64x2 accumulators). */
export const REDUCE_PASS_SCENARIOS = 16;

/**
 * Scenario count the kernels run for S real scenarios: S rounded up to a multiple of 16 when that
 * adds at most S/16 scenarios (63 → 64: four full register passes instead of 16+16+16+8+4+2+1),
 * else to an even count (no scalar last scenario). The padding repeats scenario 0 (its move,
 * shock and weight; see {@link padScenarioRow}): its risk-array entries and losses are bit-identical
 * to scenario 0's, so it can never be the first worst scenario and results are those of the S
 * real scenarios.
 */
export function kernelScenarioCount(S: number): number {
  const full = Math.ceil(S / REDUCE_PASS_SCENARIOS) * REDUCE_PASS_SCENARIOS;
  return full - S <= S / REDUCE_PASS_SCENARIOS ? full : S + (S & 1);
}

/** Fills entries [S, row.length) of one underlying's per-scenario row with its scenario 0 (the padding). */
export function padScenarioRow(row: Float64Array, S: number): void {
  row.fill(row[0], S);
}
