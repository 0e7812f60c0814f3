/**
 * What the portfolio run does to the risk-array kernel's USD rows after it ran, for the rows that need it (none on a
 * book of USD instruments under a rule without a vol-up floor: its rows keep the kernel's bits):
 *
 * 1. Vol-up floor (rule `volUpFloor`, Deribit's min_volatility_for_shock_up): an option whose vol shocked up,
 *    σ·(1 + volUp·scale), is below the floor is revalued at the floor in its vol-up scenarios (grid and tails).
 * 2. Instruments settled in their underlying, P&L per unit in coin (docs/coin-margined.md):
 *    - inverse future or perpetual, per USD of face (base 1/F): (1/F)·m/(1 + m) (Deribit's pme/simulate risk vector
 *      q·m/(1 + m) for a position of q coins);
 *    - coin-settled option: V(S(1 + m), σ')/(F·(1 + m)) − V(S, σ)/F, the kernel's USD value over the shocked forward;
 *    - a tail move's coin P&L is converted at the grid edge's price, × (1 + m)/(1 + sign(m)·spotRange), so a tail's
 *      weight keeps its meaning (weight·|move| ≤ spotRange: a delta-one position loses no more in a tail than at the
 *      edge) in coin as in USD; it is Deribit's extended-table "fraction of simulated P&L" (R/|m|)·(1 + m)/(1 + sR).
 *
 * Per instrument row and scenario, once per run or market move, in JS (the same on every backend); the kernel still
 * does every option revaluation but the floored ones, and the per-account reduction, the hot loop, is unchanged.
 */
import { optionPrice } from '../../../greeks/one-option.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import type { MarketLayout } from '../../../layout/market-layout.js';
import { forwardPrice } from '../../../margin/coin-valuation.js';
import type { Column } from '../../../memory/columns.js';
import type { PortfolioRule } from './params.js';
import type { Scenario } from './scenarios.js';

/** What the pass reads of a portfolio run (PortfolioRun, run.ts). */
export interface SettledRowsRun {
  readonly layout: BookLayout;
  readonly market: MarketLayout;
  readonly scenarios: readonly (readonly Scenario[])[];
  readonly kernelScenarios: number;
  readonly nScenarios: number;
  readonly risk: { readonly riskArray: Column; readonly spotMove: Column; readonly baseValue: Column; readonly volScale: Column; readonly vol: Column; readonly spot: Column };
}

/** Rows the pass changes: flags per instrument row (0 none; bits below). */
const FLOOR = 1, INVERSE = 2, COIN_OPTION = 4;

export class SettledRows {
  /** Per instrument row: FLOOR | INVERSE | COIN_OPTION. */
  private readonly flags: Uint8Array;
  readonly any: boolean;

  constructor(
    private readonly run: SettledRowsRun,
    private readonly rules: readonly PortfolioRule[],
  ) {
    const ins = run.layout.instruments;
    this.flags = new Uint8Array(ins.count);
    let any = false;
    const settlement = ins.settlement.array, underlying = ins.underlying.array;
    for (let i = 0; i < ins.count; i++) {
      const s = settlement[i];
      if (s >= 0 && s === underlying[i]) this.flags[i] = ins.isOption(i) ? COIN_OPTION : INVERSE;
      if (ins.isOption(i) && (rules[underlying[i]].volUpFloor ?? 0) > 0) this.flags[i] |= FLOOR;
      any ||= this.flags[i] !== 0;
    }
    this.any = any;
  }

  /** An inverse contract: its linear base value is 1/F (coin per USD of face), not the layout's x = −1/F. */
  isInverse(i: number): boolean {
    return (this.flags[i] & INVERSE) !== 0;
  }

  /** Applies the pass to instrument rows `rows` (every row when omitted) of the run's risk array, just computed by the kernel. */
  apply(rows?: ArrayLike<number>): void {
    if (!this.any) return;
    const n = rows === undefined ? this.flags.length : rows.length;
    for (let j = 0; j < n; j++) {
      const i = rows === undefined ? j : rows[j];
      if (i < this.flags.length && this.flags[i] !== 0) this.row(i);
    }
  }

  private row(i: number): void {
    const { run, rules } = this;
    const ins = run.layout.instruments, market = run.market;
    const u = ins.underlying.array[i];
    const S = run.kernelScenarios, nS = run.nScenarios;
    const risk = run.risk.riskArray.array as Float64Array, moves = run.risk.spotMove.array as Float64Array;
    const base = (run.risk.baseValue.array as Float64Array)[i];
    const scenarios = run.scenarios[u], rule = rules[u];
    const flags = this.flags[i];
    const at = i * S, from = u * S;
    const scenario = (s: number): Scenario => scenarios[s < nS ? s : 0]; // padding repeats scenario 0
    if ((flags & FLOOR) !== 0) {
      const sigma = (run.risk.vol.array as Float64Array)[i], scale = (run.risk.volScale.array as Float64Array)[i];
      const floor = rule.volUpFloor ?? 0;
      if (sigma * (1 + rule.volUp * scale) < floor) {
        const spot = (run.risk.spot.array as Float64Array)[u];
        const call = ins.isCall.array[i] !== 0, strike = ins.strike.array[i], t = market.expiryYears.array[i];
        const r = market.rate.array[u], q = market.carry.array[u];
        for (let s = 0; s < S; s++) {
          if (scenario(s).volShock !== 'up') continue;
          risk[at + s] = optionPrice(call, spot * (1 + moves[from + s]), strike, t, floor, r, q) - base;
        }
      }
    }
    if ((flags & (INVERSE | COIN_OPTION)) === 0) return;
    const forward = (flags & COIN_OPTION) !== 0 ? forwardPrice(market.price.array[u], market.rate.array[u], market.carry.array[u], market.expiryYears.array[i]) : 0;
    const baseCoin = base / forward;
    for (let s = 0; s < S; s++) {
      const m = moves[from + s];
      const sc = scenario(s);
      const edge = sc.tail ? (1 + m) / (1 + Math.sign(m) * rule.spotRange) : 1;
      const pnl = (flags & INVERSE) !== 0 ? (base * m) / (1 + m) : (risk[at + s] + base) / (forward * (1 + m)) - baseCoin;
      risk[at + s] = sc.tail ? pnl * edge : pnl;
    }
  }
}
