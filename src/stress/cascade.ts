/**
 * The cascade: the feedback loop between liquidations and prices, on one laid-out book (the layout carries what each
 * round's liquidations leave). Per shock step, starting from the market the step moved:
 *   round k: margin every account at the round's market (any method) → the liquidation engine on the accounts below
 *   MM (fills at the temporary price of each close, by the impact model) → net forced flow per asset → the mark moves
 *   by the permanent share of the flow's impact, spread to the other assets by correlation (contagion), vols by the
 *   spot-vol beta → the next round's market.
 * The loop stops at a fixed point (a round liquidates nothing), when no price moves by more than `priceTolerance`
 * (that last small move is not applied), or after `maxRounds` rounds of the step: it always terminates.
 */
import { optionDelta } from '../greeks/one-option.js';
import { type CheckedLiquidation, checkedLiquidation, liquidateChunks, liquidatePreparedChunks, PLAN_CHUNK_STEPS, type LiquidateOptions, type LiquidationChunk } from '../liquidation/engine.js';
import { marginOptionsOf } from '../liquidation/margin-options.js';
import type { LiquidationReport } from '../liquidation/report.js';
import { withFundBalance } from '../liquidation/validate.js';
import type { LiquidationParams, SlippageModel } from '../liquidation/params.js';
import type { StepFlow } from '../liquidation/plan-columns.js';
import { KIND_OPTION } from '../layout/codes.js';
import { markAssets } from '../layout/mark-assets.js';
import { optionMarkMoved } from '../margin/coin-valuation.js';
import { appliedMove, compoundReturn, type MarkMovers, moveMarket } from '../model/move-market.js';
import { DOMAIN } from '../model/domain.js';
import type { ValidatedMarket } from '../model/types.js';
import { yearsBetween } from '../model/time.js';
import type { MarginOptions } from '../session/types.js';
import { engineRun, type PreparedRun } from '../session/prepared-run.js';
import type { MarginSession } from '../session/session.js';
import { fillModel, impactMove, permanentShare, spotVolBeta, withContagion } from './impact.js';
import { type ExposureCache, KeptRun, keptRunApplies } from './kept-run.js';
import { impactOf, type StressParams } from './params.js';
import type { CascadeMetrics, CascadeResult, CascadeRound, CascadeStop } from './report.js';
import type { ShockStep } from './shock.js';

/** A cascade's own relative move of a price within this of 0 is rounding: its amplification is 1. */
export const AMPLIFICATION_ROUNDING = 1e-12;

/** Everything a cascade needs besides the shock: the session (its layout is changed), the market before the shock, the rules. */
export interface CascadeSetup {
  session: MarginSession;
  market: ValidatedMarket;
  method: string;
  /** Margin options (params without their `liquidation` and `stress` sections are fine: the methods ignore those). */
  margin: MarginOptions;
  liquidation: LiquidationParams;
  stress: StressParams;
  /** Incremental rounds (kept-run.ts) where they apply (default); false: every round prepares and margins afresh. */
  incremental?: boolean | undefined;
  /** Where the time goes, added to across cascades when given (benchmarks). */
  timings?: CascadeTimings | undefined;
  /** Shared by the cascades run on this session from the same holdings (reverse, Monte Carlo): built once. */
  exposure?: ExposureCache | undefined;
  /** Above this share of accounts reached, a round takes a fresh run (kept-run.ts FRESH_RUN_SHARE; tests give 1). */
  freshRunShare?: number | undefined;
  /**
   * Stops the cascade after the round that takes its bad debt so far above this (USD): a reverse search's probe only
   * asks whether it crosses its threshold. The run then has the rounds so far and `stoppedAboveBadDebt`.
   */
  stopAboveBadDebt?: number | undefined;
}

/** Time (ms) a cascade's rounds spent, summed over cascades, and the accounts margined. */
export interface CascadeTimings {
  rounds: number;
  /** Bringing the margin run to each round's market (incremental rounds only; else inside `liquidationMs`). */
  marginMs: number;
  /** The liquidation engine (with a fresh margin run per round when rounds are not incremental). */
  liquidationMs: number;
  /** The rest of each round: reading the plan, the flow, the impact and the next market. */
  otherMs: number;
  /** Accounts margined: every account at a cascade's first round, then those a move reached. */
  accountsMargined: number;
  /** Rounds that prepared and margined every account afresh (rounds not incremental, or a cascade's first). */
  fullRounds: number;
}

/** Empty timings to add to. */
export function cascadeTimings(): CascadeTimings {
  return { rounds: 0, marginMs: 0, liquidationMs: 0, otherMs: 0, accountsMargined: 0, fullRounds: 0 };
}

/**
 * A cascade's rounds and metrics (without the pre-shock efficiency, which {@link stressCascade} adds);
 * `stoppedAboveBadDebt` when it stopped at {@link CascadeSetup.stopAboveBadDebt} (its metrics are the rounds run).
 */
export type CascadeRun = Omit<CascadeResult, 'efficiency' | 'im'> & { stoppedAboveBadDebt?: true | undefined };

export function runCascade(setup: CascadeSetup, steps: readonly ShockStep[]): CascadeRun {
  return new Cascade(setup).run(steps);
}

class Cascade {
  private readonly layout;
  /** What moves each instrument's quoted mark (src/layout/mark-assets.ts). */
  private readonly markAssets: MarkMovers;
  private readonly slippage: Record<string, SlippageModel>;
  private fund: number;
  private lowestFund: number;
  private depletedIn: number | null = null;
  /**
   * Accounts liquidated (at least one step), and those whose liquidation ended in a deficit nobody covered, in any
   * round: a flag per layout account (bit 1 liquidated, bit 2 bankrupt) and how many of each (a set of ids cost about
   * 3 % of a Monte Carlo path on 100,000 accounts).
   */
  private readonly accountFlags: Uint8Array;
  private liquidatedCount = 0;
  private bankruptCount = 0;
  private readonly rounds: CascadeRound[] = [];
  private fundPaid = 0;
  /**
   * The rounds' bad debt so far, summed in their order (as the metrics sum it); NaN once a round's is not ≥ 0 (a
   * later round could then bring the sum back: the cascade is not stopped).
   */
  private badDebtSoFar = 0;
  private backend: CascadeResult['backend'] | undefined;
  /** Incremental rounds (kept-run.ts): whether the margin run is kept across rounds, and the run once prepared. */
  private readonly keep: boolean;
  private kept: KeptRun | null = null;
  /** The last round's margin and liquidation time (ms) when timed, so its other time is what is left. */
  private lastMarginMs = 0;
  private lastLiquidationMs = 0;
  /** The liquidation parameters, checked once for the cascade (each round gives them the fund's balance). */
  private readonly checked: CheckedLiquidation;
  /** When the last kept round's liquidation began (timed rounds). */
  private liquidationStart = 0;
  /** Scratch: the step a round's flow reads (plan-columns.ts stepFlow). */
  private readonly stepRecord: StepFlow = { kind: 'position', id: '', quantity: 0, fillPrice: 0, notional: 0, adl: 0 };

  constructor(private readonly s: CascadeSetup) {
    const layout = s.session.layout;
    this.layout = layout;
    this.accountFlags = new Uint8Array(layout.accountCount);
    this.markAssets = { ...markAssets(layout), remarkOption: optionMarkMoved };
    // closes fill at the temporary price of the same impact model that moves the mark
    this.slippage = Object.create(null) as Record<string, SlippageModel>;
    this.slippage.default = fillModel(impactOf(s.stress, 'default'));
    for (const asset of layout.assets) this.slippage[asset] = fillModel(impactOf(s.stress, asset));
    this.fund = this.lowestFund = s.liquidation.insuranceFund.balanceUsd;
    // checked once: a round changes only the fund's balance (withFundBalance checks that)
    this.checked = checkedLiquidation({ ...s.margin, liquidation: { ...s.liquidation, slippage: this.slippage } });
    this.keep = s.incremental !== false && keptRunApplies(s.margin);
  }

  /** Marks layout account a liquidated (bit 1) or bankrupt (bit 2), counting it the first time. */
  private flag(a: number, bit: 1 | 2): void {
    if ((this.accountFlags[a] & bit) !== 0) return;
    this.accountFlags[a] |= bit;
    if (bit === 1) this.liquidatedCount++;
    else this.bankruptCount++;
  }

  run(steps: readonly ShockStep[]): CascadeRun {
    try {
      return this.runSteps(steps);
    } finally {
      this.kept?.release();
      this.kept = null;
    }
  }

  private runSteps(steps: readonly ShockStep[]): CascadeRun {
    let market = this.s.market;
    const stops: CascadeRun['stops'] = [];
    const shockMove = new Map<string, number>(); // each asset's compounded exogenous move
    let crossed = false;
    for (let k = 0; k < steps.length && !crossed; k++) {
      const step = steps[k];
      for (const [asset, r] of step.move.returns) shockMove.set(asset, compoundReturn(shockMove.get(asset), appliedMove(market, asset, r))); // as applied
      market = moveMarket(market, this.markAssets, step.move);
      let stoppedBy: CascadeStop = 'round-cap';
      let n = 0;
      while (n < this.s.stress.maxRounds) {
        n++;
        const { round, next } = this.round(market, k + 1);
        this.rounds.push(round);
        if (this.crossesStop(round.badDebt)) {
          crossed = true;
          break;
        }
        if (round.accountsLiquidated === 0) {
          stoppedBy = 'fixed-point';
          break;
        }
        if (next === null) {
          stoppedBy = 'price-tolerance';
          break;
        }
        market = next;
      }
      if (!crossed) stops.push({ step: k + 1, label: step.label, rounds: n, stoppedBy });
    }
    return {
      ...(crossed ? { stoppedAboveBadDebt: true as const } : {}),
      method: this.s.method,
      backend: this.backend as CascadeResult['backend'], // set by the first round (every step runs at least one)
      rounds: this.rounds,
      stops,
      metrics: this.metrics(shockMove, market),
      pricesBefore: this.pricesOf(this.s.market, 'price'),
      finalPrices: this.pricesOf(market, 'price'),
    };
  }

  /** True when the bad debt so far, with a round's `badDebt` added, is above {@link CascadeSetup.stopAboveBadDebt}. */
  private crossesStop(badDebt: number): boolean {
    const stop = this.s.stopAboveBadDebt;
    if (stop === undefined) return false;
    // adding a value ≥ 0 never lowers a floating-point sum: the whole cascade's sum is at least this one
    this.badDebtSoFar = badDebt >= 0 ? this.badDebtSoFar + badDebt : NaN;
    return this.badDebtSoFar > stop;
  }

  /** One round at `market`: its record, and the next market (null when no price moves by more than the tolerance). */
  private round(market: ValidatedMarket, step: number): { round: CascadeRound; next: ValidatedMarket | null } {
    // the margin options prepare the round's run; its liquidation parameters are `checked`
    const options: LiquidateOptions = { ...this.s.margin, method: this.s.method };
    const checked: CheckedLiquidation = { params: withFundBalance(this.checked.params, this.fund), warnings: this.checked.warnings };
    const timings = this.s.timings, t0 = timings ? performance.now() : 0;
    // the plan read from its columns a chunk of accounts at a time as it is made (its accounts and steps are never built
    // as objects, nor held whole: a big book's plan has tens of millions of steps), in the report's order
    const flow = new Map<string, number>();
    const addFlow = (asset: string, units: number) => flow.set(asset, (flow.get(asset) ?? 0) + units);
    let notional = 0, liquidatedNow = 0, bankruptNow = 0, readMs = 0;
    const chunks = this.keep ? this.liquidateKept(market, options, checked) : liquidateChunks(this.s.session, market, options, PLAN_CHUNK_STEPS, false, checked);
    let chunk = chunks.next();
    for (; !chunk.done; chunk = chunks.next()) {
      const plan = chunk.value.plan, r0 = timings ? performance.now() : 0;
      for (let k = 0, from = 0; k < plan.accountCount; k++) {
        const to = plan.stepEnd(k);
        if (to > from) {
          liquidatedNow++;
          this.flag(plan.accountIndex(k), 1);
        }
        // liquidated this round and ended in a deficit nobody covered (written off: it does not carry into the next round)
        if (plan.stateOf(k) === 'bankrupt') {
          bankruptNow++;
          this.flag(plan.accountIndex(k), 2);
        }
        for (; from < to; from++) notional += this.addStepFlow(plan.stepFlow(from, this.stepRecord), market, addFlow);
      }
      if (timings) readMs += performance.now() - r0;
    }
    const report = chunk.value;
    if (timings) {
      // the plan's reading is the round's other time, as when it was read after the liquidation
      if (this.keep) timings.liquidationMs += (this.lastLiquidationMs = performance.now() - this.liquidationStart - readMs);
      else {
        this.lastMarginMs = 0;
        timings.liquidationMs += this.lastLiquidationMs = performance.now() - t0 - readMs;
        timings.accountsMargined += this.layout.accountCount;
        timings.fullRounds++;
      }
    }
    const t = report.totals;
    this.backend = report.backend;
    this.fundPaid += t.fundPaid;
    // the engine never pays more than the fund holds: what is left below the smallest parameter (±1e-13) is rounding,
    // and the next round's liquidation params would refuse it
    this.fund = t.fundEnd >= DOMAIN.param.min ? t.fundEnd : 0;
    if (this.fund < this.lowestFund) this.lowestFund = this.fund;
    // Exhausted during the round: it ended at 0, or it left deficits to ADL or uncovered with no per-step cap to blame
    // (fees paid in later in the round can refill it by the round's end, so its end balance alone does not tell).
    const uncapped = this.s.liquidation.insuranceFund.maxPerStepUsd === null;
    const exhausted = this.fund <= 0 || (uncapped && (t.adlAbsorbed > 0 || t.uncovered > 0));
    if (exhausted && this.depletedIn === null) this.depletedIn = this.rounds.length + 1;
    const impact = this.impact(flow, market);
    const round: CascadeRound = {
      round: this.rounds.length + 1, step,
      prices: this.pricesOf(market, 'price'), vols: this.pricesOf(market, 'vol'),
      accountsLiquidated: liquidatedNow, accountsBankrupt: bankruptNow, liquidatedNotional: notional,
      fees: t.feesToLiquidators + t.feesToFund, feesToFund: t.feesToFund,
      badDebt: t.badDebt, fundPaid: t.fundPaid, adlAbsorbed: t.adlAbsorbed, uncovered: t.uncovered, insuranceFund: this.fund,
      adlNotional: t.adlNotional, flowUnits: Object.fromEntries(flow), impactMove: Object.fromEntries(impact.returns),
      conservationResidual: t.conservationResidual,
    };
    let largest = 0;
    for (const r of impact.returns.values()) largest = Math.max(largest, Math.abs(r));
    const next = largest > this.s.stress.priceTolerance ? moveMarket(market, this.markAssets, impact) : null;
    if (timings) {
      timings.rounds++;
      timings.otherMs += performance.now() - t0 - this.lastMarginMs - this.lastLiquidationMs;
    }
    return { round, next };
  }

  /**
   * The round's liquidation on the kept run, brought to `market` (prepared and margined in full in the first round),
   * its plan handed out in chunks. Timed: the margin time is recorded here, the liquidation's from
   * {@link liquidationStart} by the round once the plan is read.
   */
  private liquidateKept(market: ValidatedMarket, options: LiquidateOptions, checked: CheckedLiquidation): Generator<LiquidationChunk, LiquidationReport> {
    const session = this.s.session, timings = this.s.timings, t0 = timings ? performance.now() : 0;
    const margined = this.kept?.margined ?? 0, freshRuns = this.kept?.freshRuns ?? 0;
    if (this.kept === null) {
      const prepare = (at: ValidatedMarket) => engineRun(session.prepare(at, marginOptionsOf(options)));
      this.kept = new KeptRun(session, prepare, market, this.s.exposure, this.s.freshRunShare);
    } else this.kept.moveTo(market);
    if (timings) {
      this.liquidationStart = performance.now();
      timings.accountsMargined += this.kept.margined - margined;
      timings.fullRounds += this.kept.freshRuns - freshRuns;
      timings.marginMs += this.lastMarginMs = this.liquidationStart - t0;
    }
    return liquidatePreparedChunks(session, this.kept.run, options, PLAN_CHUNK_STEPS, false, checked); // a round reads no fill
  }

  /**
   * Adds a step's forced flow (what went to the market: ADL transfers positions between accounts and moves no price)
   * and returns its notional at the fill. An option close adds the delta its buyer hedges in the underlying.
   */
  private addStepFlow(st: StepFlow, market: ValidatedMarket, addFlow: (asset: string, units: number) => void): number {
    if (st.kind === 'collateral') {
      addFlow(st.id, -st.quantity);
      return Math.abs(st.quantity) * st.fillPrice;
    }
    const ins = this.layout.instruments;
    const i = ins.indexById.get(st.id) as number;
    const asset = this.layout.assets[ins.underlying.array[i]];
    if (ins.isInverse(i)) {
      // an inverse contract is a USD face value (multiplier) per contract: the flow in coin is face / fill price (USD
      // per coin, as the plan shows it), the notional the face itself
      addFlow(asset, -((st.quantity - st.adl) * ins.multiplier.array[i]) / st.fillPrice);
      return Math.abs(st.quantity) * ins.multiplier.array[i];
    }
    const units = (st.quantity - st.adl) * ins.multiplier.array[i];
    // a contract settled in an asset (a coin-settled option, a USDC-settled perpetual) has its notional and prices in
    // that asset, as its account's figures: USD at the asset's index
    const settlement = ins.settlement.array[i];
    const usdPerUnit = settlement < 0 ? 1 : market.assets.get(this.layout.assets[settlement])!.price; // × 1 keeps a USD contract's bits
    if (ins.kind.array[i] !== KIND_OPTION) {
      addFlow(asset, -units);
      return Math.abs(st.quantity) * ins.multiplier.array[i] * st.fillPrice * usdPerUnit;
    }
    const a = market.assets.get(asset)!;
    const delta = optionDelta(ins.isCall.array[i] === 1, a.price, ins.strike.array[i], yearsBetween(market.valuationMs, ins.expiryMs.array[i]), market.impliedVols.get(st.id) ?? a.vol, a.rate, a.carry);
    addFlow(asset, -units * delta);
    return st.notional * usdPerUnit;
  }

  /** The permanent move of each asset from the round's flow, spread by contagion, and the vol feedback. */
  private impact(flow: ReadonlyMap<string, number>, market: ValidatedMarket): { returns: Map<string, number>; volShift: Map<string, number> } {
    const stress = this.s.stress;
    const direct = new Map<string, number>();
    for (const [asset, units] of flow) {
      const a = market.assets.get(asset);
      if (!a || units === 0) continue;
      const model = impactOf(stress, asset);
      const m = permanentShare(model) * impactMove(model, units, a.price, a.vol);
      if (m !== 0) direct.set(asset, m);
    }
    const returns = stress.contagion ? withContagion(direct, (x) => market.assets.get(x)?.vol ?? 0, market.correlation) : direct;
    // the move applied (moveMarket floors a fall at MIN_RETURN, caps a rise at the largest price): the round reports
    // it, and the vols follow it
    for (const [asset, r] of returns) {
      const applied = appliedMove(market, asset, r);
      if (applied !== r) returns.set(asset, applied);
    }
    const volShift = new Map<string, number>();
    for (const [asset, r] of returns) {
      const beta = spotVolBeta(impactOf(stress, asset));
      if (beta !== 0) volShift.set(asset, beta * r);
    }
    return { returns, volShift };
  }

  private metrics(shockMove: ReadonlyMap<string, number>, finalMarket: ValidatedMarket): CascadeMetrics {
    let amplification: CascadeMetrics['amplification'] = null;
    let largest = 0;
    for (const [asset, move] of shockMove) {
      // of the assets the book holds or trades: a market asset the book never touches has no prices in the rounds
      if (Math.abs(move) <= largest || this.layout.assetIndex(asset) < 0) continue;
      largest = Math.abs(move);
      const totalMove = finalMarket.assets.get(asset)!.price / this.s.market.assets.get(asset)!.price - 1;
      // the liquidations' own move, (1 + total) / (1 + shock) − 1: within rounding of none (85,500 / 95,000 − 1 is
      // −0.09999999999999998 for a shock of −0.1 that nothing moved further), the price is where the shock put it
      const none = Math.abs((1 + totalMove) / (1 + move) - 1) <= AMPLIFICATION_ROUNDING;
      amplification = none ? { asset, shockMove: move, totalMove: move, ratio: 1 } : { asset, shockMove: move, totalMove, ratio: totalMove / move };
    }
    const sum = (f: (r: CascadeRound) => number) => this.rounds.reduce((acc, r) => acc + f(r), 0);
    const fundStart = this.s.liquidation.insuranceFund.balanceUsd;
    return {
      rounds: this.rounds.filter((r) => r.accountsLiquidated > 0).length,
      amplification,
      badDebt: sum((r) => r.badDebt),
      fundStart, fundEnd: this.fund, fundPaid: this.fundPaid, fundDrawdown: Math.max(0, fundStart - this.lowestFund),
      fundDepleted: this.depletedIn !== null, fundDepletedInRound: this.depletedIn,
      accountsLiquidated: this.liquidatedCount, accountsBankrupt: this.bankruptCount,
      liquidatedNotional: sum((r) => r.liquidatedNotional), fees: sum((r) => r.fees), feesToFund: sum((r) => r.feesToFund),
      adlAbsorbed: sum((r) => r.adlAbsorbed), uncovered: sum((r) => r.uncovered), adlNotional: sum((r) => r.adlNotional),
    };
  }

  private pricesOf(market: ValidatedMarket, field: 'price' | 'vol'): Record<string, number> {
    const out: Record<string, number> = {};
    for (const asset of this.layout.assets) {
      const a = market.assets.get(asset);
      if (a) out[asset] = a[field];
    }
    return out;
  }
}
