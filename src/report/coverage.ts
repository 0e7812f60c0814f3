/**
 * Margin efficiency at equal risk coverage. Each method's default calibration targets a different loss (a leverage
 * bracket, a ±16% scenario grid, a 99% 1-day VaR, a CME scan range), so "capital freed" at the defaults mostly
 * measures the calibrations. Here every method is held against the same yardstick, and compared at the same coverage.
 *
 * - Yardstick: the account's **99% 1-day loss** L, by full revaluation Monte Carlo (the var method's `monte-carlo`
 *   model: correlated 1-day returns from the market's vols and correlation, every option repriced, collateral
 *   balances moved with their asset, no floor): the loss a 1-day, 99% margin is meant to cover.
 * - What a method demands of an account: its **requirement** R = IM + (equity − equity for IM), the IM plus what the
 *   IM haircuts take off the collateral: the equity the account must hold to be healthy (healthy ⇔ equity ≥ R).
 * - **Coverage** of an account: R / L (≥ 1: the method asks for at least the 99% 1-day loss).
 * - **At equal coverage**: each method's requirements scaled by one factor k (as if every rate, haircut and scenario
 *   range of its calibration were scaled alike) so that R·k ≥ L for the same share of accounts, `COVERAGE.share`
 *   (99%): k = 1 / c₍ⱼ₎, c₍ⱼ₎ the (j+1)-th smallest coverage, j = ⌊(1 − share)·n⌋ (at most j accounts left
 *   uncovered). Then notional / (k·ΣR) is the method's efficiency at that coverage: a method whose requirement tracks
 *   the risk of each account needs a smaller k·ΣR to cover the same accounts.
 * Accounts enter when L > 0 (an account of stablecoins alone has nothing to lose) and no method put them in status
 * `error`. The scaling is a first-order view (a real recalibration does not scale every account alike); the
 * unscaled columns say how far each default is from the yardstick.
 */
import type { AccountMargin, MarginReport } from '../margin/report.js';

/** The yardstick and the coverage compared at: 99% 1-day loss, 2,000 scenarios (seed 1), 99% of accounts covered. */
export const COVERAGE = { confidence: 0.99, horizonDays: 1, scenarios: 2000, seed: 1, share: 0.99 } as const;

/** Params for the `var` method whose IM is then each account's 99% 1-day loss L (no IM floor). */
export function referenceLossParams(): { var: Record<string, unknown> } {
  const { confidence, horizonDays, scenarios, seed } = COVERAGE;
  return { var: { model: 'monte-carlo', measure: 'var', confidence, horizonDays, scenarios, seed, floorRate: 0, floorUsd: 0 } };
}

/** One method at equal coverage. Money in USD. */
export interface CoverageRow {
  method: string;
  /** Σ requirement R over the accounts compared, at the method's defaults (or the params given). */
  requirement: number;
  /** Σ R / Σ L: the requirement as a multiple of the accounts' 99% 1-day losses. */
  multiple: number;
  /** Share of the accounts compared whose R ≥ L. */
  covered: number;
  /** The factor k that makes R·k ≥ L for `COVERAGE.share` of the accounts; null when no factor can (R = 0 where L > 0). */
  scale: number | null;
  /** k · Σ R: the requirement at equal coverage (null with `scale`). */
  requirementAtCoverage: number | null;
  /** Σ gross notional / (k · Σ R): exposure carried per dollar of requirement at equal coverage. */
  efficiencyAtCoverage: number | null;
  /** 1 − (k·ΣR) / (k·ΣR of isolated): capital freed against isolated margin at equal coverage (absent without isolated). */
  freedVsIsolated?: number | undefined;
}

export interface EqualCoverage {
  /** Accounts compared (L > 0, no status `error`), and those left out. */
  accounts: number;
  excluded: number;
  /** Σ L over the accounts compared (USD). */
  loss: number;
  /** Σ gross notional over them (USD). */
  notional: number;
  share: number;
  rows: CoverageRow[];
}

/** R = IM + (equity − equity for IM): the equity an account must hold to be healthy under the method (USD). */
export function requirementOf(a: AccountMargin): number {
  return a.im + (a.equity - a.equityIm);
}

/** One account compared: its 99% 1-day loss L and each report's requirement R (in report order). USD. */
export interface AccountCoverage {
  id: string;
  loss: number;
  requirement: number[];
  grossNotional: number;
}

/** The accounts compared (L > 0, no method in status `error`), in the reference's order. */
export function coverageByAccount(reports: readonly MarginReport[], reference: MarginReport): AccountCoverage[] {
  const byId = reports.map((r) => new Map(r.accounts.map((a) => [a.id, a])));
  const out: AccountCoverage[] = [];
  for (const ref of reference.accounts) {
    const rows = byId.map((m) => m.get(ref.id));
    if (ref.status === 'error' || !(ref.im > 0) || rows.some((a) => a === undefined || a.status === 'error')) continue;
    out.push({ id: ref.id, loss: ref.im, requirement: rows.map((a) => requirementOf(a!)), grossNotional: rows[0]!.grossNotional });
  }
  return out;
}

/**
 * Every report's method at equal coverage against `reference` (the var method run with {@link referenceLossParams}:
 * its IM is L). Reports and the reference must hold the same accounts (any order).
 */
export function equalCoverage(reports: readonly MarginReport[], reference: MarginReport, share: number = COVERAGE.share): EqualCoverage {
  const compared = coverageByAccount(reports, reference);
  const loss = compared.map((a) => a.loss);
  const notional = compared.reduce((s, a) => s + a.grossNotional, 0);
  const totalLoss = loss.reduce((s, x) => s + x, 0);
  const rows = reports.map((report, r): CoverageRow => {
    const required = compared.map((a) => a.requirement[r]);
    const total = required.reduce((s, x) => s + x, 0);
    const coverage = required.map((x, i) => x / loss[i]).sort((a, b) => a - b);
    const k = scaleFor(coverage, share);
    return {
      method: report.method,
      requirement: total,
      multiple: totalLoss > 0 ? total / totalLoss : NaN,
      covered: coverage.length > 0 ? coverage.filter((c) => c >= 1).length / coverage.length : NaN,
      scale: k,
      requirementAtCoverage: k === null ? null : k * total,
      efficiencyAtCoverage: k === null || !(k * total > 0) ? null : notional / (k * total),
    };
  });
  const isolated = rows.find((r) => r.method === 'isolated')?.requirementAtCoverage;
  if (isolated) for (const row of rows) if (row.requirementAtCoverage !== null) row.freedVsIsolated = 1 - row.requirementAtCoverage / isolated;
  return { accounts: compared.length, excluded: reference.accounts.length - compared.length, loss: totalLoss, notional, share, rows };
}

/** k = 1 / c₍ⱼ₎ with j = ⌊(1 − share)·n⌋ over coverages sorted ascending; null when c₍ⱼ₎ is not positive (or no account). */
export function scaleFor(sortedCoverage: readonly number[], share: number): number | null {
  const n = sortedCoverage.length;
  if (n === 0) return null;
  const j = Math.min(n - 1, Math.floor((1 - share) * n + 1e-9));
  const c = sortedCoverage[j];
  return c > 0 && Number.isFinite(c) ? 1 / c : null;
}
