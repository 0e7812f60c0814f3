/**
 * The liquidation engine: acts on every account below maintenance margin, most distressed first, with one insurance
 * fund shared by the whole run (so the order matters: lowest equity-for-MM / MM first, ties by account id).
 *
 * Per account, a state machine: healthy → being_liquidated (equity for MM < MM) → resolved once back at the target
 * (equity for MM ≥ MM·(1 + buffer), or equity for IM ≥ IM), or bankrupt (a deficit nobody covered). Each step:
 *  1. picks what to close (order.ts): among the holdings whose partial close lowers MM and raises the slack to the
 *     target, the best by the chosen order (default: slack gained per dollar of slippage and fee);
 *  2. sizes it (the smallest fraction of the holding that restores the target, found by a bracketed secant search on
 *     the account's own re-margining; capped per step; small shortfalls close in full);
 *  3. executes it (pricing.ts): at the market fill with the fee capped by the surplus over bankruptcy, or, when the
 *     fill would take equity below 0, at the bankruptcy price against the insurance fund (capped per step) and then
 *     ADL (adl.ts), the rest left uncovered at the fill.
 * Everything an account pays or receives lands in its positions, balances and USD cash (the layout's cashUsd), and
 * every account is re-margined by its method (the method seam's remargin), so this works for every method, with the
 * bits of a fresh run. Money is conserved: the report's conservationResidual is the identity's left side.
 *
 * A coin-margined account (docs/coin-margined.md) is liquidated in its coin: its positions' prices are the layout's
 * (an inverse contract's −1/F, coin per USD of face; currency.ts prices its fills and bankruptcy), its cash, fees,
 * slippage and waterfall are in the coin; what crosses into the run's USD figures (the insurance fund, the USD
 * parameters, the totals) is converted at the coin's index price (`usd`, exactly 1 for a USD account: its bits are
 * unchanged). The plan shows an inverse contract's prices in USD per coin.
 */
import { ProblemList } from '../errors.js';
import { KIND_OPTION, MARK_QUOTED } from '../layout/codes.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { Column } from '../memory/columns.js';
import { STATUS_BANKRUPT, STATUS_ERROR, STATUS_LIQUIDATABLE } from '../margin/status.js';
import type { AccountFigures, MarginOptions, MarginRunner, PreparedMarginRun } from '../session/types.js';
import type { ValidatedMarket } from '../model/types.js';
import { withWarnings } from '../model/warnings.js';
import type { AccountHoldings, HoldingsMargin, HoldingsTrials, LiquidationTargetSpec } from '../methods/method.js';
import { type AdlCandidateIndex, AdlCandidates, AdlQueue, adlCandidateIndex, adlPnl } from './adl.js';
import type { LiquidationParams, SlippageModel } from './params.js';
import { bankruptcyPrice, linearFill, optionFill } from './pricing.js';
import { coinOptionFill, inverseBankruptcy, inverseFill, quotedPrice, usdPerUnit } from './currency.js';
import { defineLazyField } from '../model/lazy-field.js';
import { PlanColumns, type SnapshotFigures } from './plan-columns.js';
import type { LiquidationReport, LiquidationState, LiquidationTotals } from './report.js';
import { checkLiquidationParams } from './validate.js';
import { deepFreeze } from '../model/deep-freeze.js';
import { keepShapes } from '../model/keep-shapes.js';

/**
 * Plans of at most this many steps and fills have their report objects built at once: a few objects cost less than the
 * accessors that would defer them (a one-account plan is timed in microseconds). Larger plans build them on first read.
 */
export const EAGER_PLAN_ROWS = 64;

export interface LiquidateOptions extends MarginOptions {
  /** The `liquidation` parameters (params.ts), merged over the defaults; default: the `liquidation` section of `params`. */
  liquidation?: unknown;
}

/** ADL candidates of one (instrument, side): ranked, with how much of them is left and what pro-rata has taken. */
interface AdlBook {
  /** Every candidate, in holder order (pro-rata takes from all of them). */
  candidates: AdlCandidates;
  /** Queue policy: the candidates ranked (lazily), and the first one not used up. */
  queue: AdlQueue | null;
  next: number;
  /** Pro-rata policy: contracts still available, taken so far, and what they were taken for (Σ units × price), from whom. */
  available: number;
  taken: number;
  cash: number;
  from: Set<string>;
}

/** A holding a step may take from: a position slot or a collateral slot of the account. */
interface Holding {
  kind: 'position' | 'collateral';
  slot: number;
  /** Instrument row (position) or asset index (collateral). */
  index: number;
  /** |size| when the account's liquidation began: the per-step cap is a fraction of it. */
  startSize: number;
}

/** What closing part of a holding does to the account, before the account is re-margined. */
interface CloseEffect {
  /** Contracts or units taken out (signed like the holding). */
  quantity: number;
  mark: number;
  fill: number;
  /** Units of the underlying: quantity × multiplier (positions) or quantity (collateral). */
  units: number;
  notional: number;
  /** Cash received at the fill (before any fee). */
  cashAtFill: number;
  /** Fill cost against the mark (USD, ≥ 0): slippage for positions, the discount for collateral. */
  cost: number;
}

export function liquidate(session: MarginRunner, market: ValidatedMarket | unknown, options: LiquidateOptions = {}): LiquidationReport {
  const params = liquidationParams(options);
  const run = session.prepare(market, { ...options, params: withoutLiquidation(options.params) });
  try {
    run.run();
    // kept until the next run: its classes' shapes stay alive, so a collection between runs does not deoptimise the plan
    return keepShapes(new LiquidationRun(session.layout, run, params.params, options.method ?? 'cross')).execute(params.warnings);
  } finally {
    run.release();
  }
}

/** The liquidation parameters from `options.liquidation`, or else the `liquidation` section of the params JSON. */
function liquidationParams(options: LiquidateOptions): { params: LiquidationParams; warnings: ReturnType<ProblemList['takeWarnings']> } {
  const section = options.liquidation !== undefined ? options.liquidation
    : typeof options.params === 'object' && options.params !== null && Object.hasOwn(options.params, 'liquidation') ? (options.params as Record<string, unknown>).liquidation : undefined;
  if (section === undefined) return DEFAULT_LIQUIDATION;
  const problems = new ProblemList({ lenient: options.lenient === true });
  const params = checkLiquidationParams(section, problems);
  problems.throwIfAny();
  return { params, warnings: problems.takeWarnings() };
}

/** The defaults, validated once and frozen (a run only reads its parameters). */
const DEFAULT_LIQUIDATION = deepFreeze({ params: checkLiquidationParams(undefined, new ProblemList()), warnings: [] });

/** The margin params without their `liquidation` section (the methods do not read it). */
function withoutLiquidation(params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params) || !Object.hasOwn(params, 'liquidation')) return params;
  const { liquidation: _l, ...rest } = params as Record<string, unknown>;
  return rest;
}

class LiquidationRun {
  private fund: number;
  private readonly stable: Set<number>;
  /** The plan as it is made: accounts, steps and ADL fills, as columns (the report's objects are built on first read). */
  private plan!: PlanColumns;
  private readonly totals: LiquidationTotals;
  /**
   * Accounts whose equity changed (liquidated or deleveraged), in the order they were first touched, with their
   * equity before the run (a flag per account says which are listed).
   */
  private readonly touchedList: number[] = [];
  private readonly touchedEquity: number[] = [];
  private readonly touched: Uint8Array;
  /** ADL candidates per (instrument, side), ranked on first use. */
  private readonly adlBooks = new Map<number, AdlBook>();
  /**
   * Accounts ADL took positions from, re-margined once at the end of the run: they are never liquidated in it, and
   * every ADL ranking reads the figures they had when the run began.
   */
  private readonly deleveraged: number[] = [];
  private readonly isDeleveraged: Uint8Array;
  /** Accounts below MM when the run began: they are liquidated, never deleveraged (a flag per account, and the list). */
  private readonly breachingAtStart: Uint8Array;
  private breachingList = new Int32Array(0);
  private readonly posQuantity: Column<'f64'>;
  private readonly posIsolated: Column<'f64'>;
  private readonly posEntry: Column<'f64'>;
  private readonly posInstrument: Column<'i32'>;
  private readonly colAmount: Column<'f64'>;
  private readonly target: LiquidationTargetSpec;
  /** The equity waterfall of the account being liquidated (USD). */
  private readonly waterfall = { slippage: 0, fees: 0, insuranceFund: 0, adl: 0, writtenOff: 0 };
  /** True when each position has equity of its own (isolated margin): its deficit is never the rest of the account's. */
  private readonly ownBacking: boolean;
  /** USD per unit of the margin currency of the account being liquidated (1: USD). */
  private usd = 1;

  constructor(
    private readonly layout: BookLayout,
    private readonly run: PreparedMarginRun,
    private readonly p: LiquidationParams,
    private readonly method: string,
  ) {
    this.fund = p.insuranceFund.balanceUsd;
    this.breachingAtStart = new Uint8Array(layout.accountCount);
    this.touched = new Uint8Array(layout.accountCount);
    // the layout's columns (Column objects: a liquidation adds no position or balance, so none is relocated)
    this.posQuantity = layout.positions.column<'f64'>('quantity');
    this.posIsolated = layout.positions.column<'f64'>('isolatedMargin');
    this.posEntry = layout.positions.column<'f64'>('entryPrice');
    this.posInstrument = layout.positions.column<'i32'>('instrument');
    this.colAmount = layout.collateral.column<'f64'>('amount');
    this.showsTrial = run.marginWithShowsTrial === true;
    this.trialsFrom = run.trialsFrom;
    this.ownBacking = run.positionsOwnEquity;
    this.isDeleveraged = new Uint8Array(layout.accountCount);
    this.target = { kind: p.target, buffer: p.buffer };
    this.stable = new Set(p.stableAssets.map((s) => layout.assetIndex(s)).filter((i) => i >= 0));
    this.totals = {
      accountsBreaching: 0, accountsLiquidated: 0, resolved: 0, stillBeingLiquidated: 0, bankrupt: 0, closedNotional: 0,
      feesToLiquidators: 0, feesToFund: 0, collateralDiscounts: 0, fundStart: this.fund, fundEnd: this.fund, fundPaid: 0,
      badDebt: 0, adlAbsorbed: 0, adlHaircuts: 0, uncovered: 0, writtenOff: 0, adlNotional: 0, marketSlippage: 0, conservationResidual: 0,
    };
  }

  /*
   * Each long loop of a run sits alone in a function that returns right after it. A function called once per run is
   * optimised on-stack inside its first long loop, code after the loop included; that code deoptimised when the loop
   * ended ("insufficient type feedback", every call), and the loops after it ran in the interpreter until optimised again.
   */

  execute(warnings: readonly { path: string; message: string }[]): LiquidationReport {
    // the accounts below MM, most distressed first (ties by id): the order shares out the insurance fund
    const breaching = this.breachingAccounts();
    breaching.sort((x, y) => x.health - y.health || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    this.breachingList = this.markBreaching(breaching);
    this.totals.accountsBreaching = breaching.length;
    const plan = this.plan = new PlanColumns(breaching.length);
    this.liquidateInOrder(this.breachingList);
    if (this.p.adl === 'pro-rata') this.settleProRata();
    if (this.deleveraged.length > 0) this.run.remarginList(Int32Array.from(this.deleveraged)); // none: nothing to re-margin
    const t = this.totals;
    t.fundEnd = this.fund;
    t.accountsLiquidated = plan.countWithSteps();
    t.resolved = plan.countState('resolved');
    t.bankrupt = plan.countState('bankrupt');
    t.stillBeingLiquidated = plan.countState('being_liquidated');
    t.badDebt = t.fundPaid + t.adlAbsorbed + t.uncovered;
    t.conservationResidual = this.equityChange() + t.feesToLiquidators + (t.fundEnd - t.fundStart) + t.marketSlippage - t.writtenOff;
    const method = this.method, valuationTime = this.run.market.valuationTime, backend = this.run.backend, params = this.p;
    if (plan.stepCount + plan.fillCount <= EAGER_PLAN_ROWS) return withWarnings({ method, valuationTime, backend, params, accounts: plan.accountList(), adl: plan.fillList(), totals: t }, warnings);
    // accounts and adl are built from the plan's columns when first read, in their key positions (src/model/lazy-field.ts)
    plan.detach();
    const report = { method, valuationTime, backend, params } as LiquidationReport;
    defineLazyField(report, 'accounts', () => plan.accountList());
    defineLazyField(report, 'adl', () => plan.fillList());
    report.totals = t;
    return withWarnings(report, warnings);
  }

  /** The live accounts below MM (liquidatable or bankrupt) in layout order, with their health and id. */
  private breachingAccounts(): { a: number; health: number; id: string }[] {
    const layout = this.layout, ids = layout.accountIds, live = layout.live.array;
    const { status, equityMm, mm } = this.run.accountColumns(); // nothing allocates during the scan
    const breaching: { a: number; health: number; id: string }[] = [];
    for (let a = 0; a < layout.accountCount; a++) {
      const id = ids[a];
      if (id === null || live[a] === 0) continue;
      const st = status[a];
      if (st === STATUS_LIQUIDATABLE || st === STATUS_BANKRUPT) breaching.push({ a, health: healthOf(equityMm[a], mm[a]), id });
    }
    return breaching;
  }

  /** Flags the breaching accounts (never ADL counterparties) and lists them in order. */
  private markBreaching(breaching: readonly { a: number }[]): Int32Array<ArrayBuffer> {
    // a loop, not Int32Array.from(breaching, map): that goes through the iterator protocol, a cost even for one account
    const list = new Int32Array(breaching.length);
    for (let k = 0; k < breaching.length; k++) {
      list[k] = breaching[k].a;
      this.breachingAtStart[list[k]] = 1;
    }
    return list;
  }

  private liquidateInOrder(list: Int32Array): void {
    for (let k = 0; k < list.length; k++) {
      const a = list[k];
      const st = this.run.accountColumns().status[a];
      if (st !== STATUS_LIQUIDATABLE && st !== STATUS_BANKRUPT) continue; // healed by an earlier ADL
      this.liquidateAccount(a);
    }
  }

  /** Σ over the accounts the run touched of their equity now less before, in the order they were first touched. */
  private equityChange(): number {
    const equityNow = this.run.accountColumns().equity, list = this.touchedList, before = this.touchedEquity;
    let change = 0;
    for (let k = 0; k < list.length; k++) change += (equityNow[list[k]] - before[k]) * usdPerUnit(this.layout, this.run.market, list[k]);
    return change;
  }

  // ---- one account ------------------------------------------------------------------------------------------

  private liquidateAccount(a: number): void {
    const id = this.layout.accountIds[a] as string;
    this.usd = usdPerUnit(this.layout, this.run.market, a);
    this.touch(a);
    const before = this.snapshot(a);
    this.plan.beginAccount(id, before);
    const holdings = this.holdingsOf(a);
    this.probes = PROBES.forHoldings(holdings.length);
    const w = this.waterfall;
    w.slippage = w.fees = w.insuranceFund = w.adl = w.writtenOff = 0;
    let state: LiquidationState = 'being_liquidated';
    let note = '';
    for (let n = 0; ; n++) {
      if (this.slack(a) >= -this.tolerance(a)) {
        state = 'resolved';
        break;
      }
      if (n >= this.p.maxStepsPerAccount) {
        note = `stopped after ${n} steps (params.liquidation.maxStepsPerAccount)`;
        break;
      }
      const choice = this.choose(a, holdings);
      if (choice === null) {
        note = holdings.every((h) => this.sizeOf(h) === 0) ? 'nothing left to close' : 'no close left that lowers MM and the shortfall';
        break;
      }
      this.step(a, choice, this.chosenQuantity);
    }
    // a deficit with nothing left to close: the fund covers what it can, the rest is bad debt on the account
    const equity = this.run.accountColumns().equity[a];
    if (equity < -this.tolerance(a)) {
      const paid = Math.min(-equity, this.fundAvailable() / this.usd);
      if (paid > 0) {
        this.saved = null;
        this.fund -= paid * this.usd;
        this.totals.fundPaid += paid * this.usd;
        w.insuranceFund += paid;
        this.addCash(a, paid);
        this.run.remarginAt(a);
      }
      const left = -this.run.accountColumns().equity[a];
      if (left > this.tolerance(a)) {
        this.totals.uncovered += left * this.usd;
        state = 'bankrupt';
        note = `a deficit of ${this.usd === 1 ? `${left.toFixed(2)} USD` : `${left.toFixed(8)} ${this.layout.marginCurrencyOf(a)}`} is left uncovered (insurance fund and ADL exhausted)`;
      } else if (this.slack(a) >= -this.tolerance(a)) state = 'resolved';
    }
    if (state === 'being_liquidated' && this.slack(a) >= -this.tolerance(a)) state = 'resolved';
    this.plan.endAccount(state, note, this.snapshot(a), w.slippage, w.fees, w.insuranceFund, w.adl, w.writtenOff);
  }

  /** ≥ 0 when the account is back at the target, by its method's rule (pooled, or isolated per position). */
  private slack(a: number): number {
    return this.run.liquidationSlack(a, this.target);
  }

  private readonly snapshotFigures: SnapshotFigures = { status: 0, equity: 0, equityMm: 0, mm: 0, equityIm: 0, im: 0, health: 0 };

  /** The account's figures now, in a scratch record (read before the next snapshot). */
  private snapshot(a: number): SnapshotFigures {
    const c = this.run.accountColumns(), f = this.snapshotFigures;
    f.status = c.status[a];
    f.equity = c.equity[a];
    f.equityMm = c.equityMm[a];
    f.mm = c.mm[a];
    f.equityIm = c.equityIm[a];
    f.im = c.im[a];
    f.health = healthOf(f.equityMm, f.mm);
    return f;
  }

  /** Amounts below which an equity is zero for this account's size (double rounding). */
  private tolerance(a: number): number {
    const f = this.shown;
    if (f !== null) return 1e-9 * (Math.abs(f.grossNotional) + Math.abs(f.equity) + 1);
    const c = this.run.accountColumns();
    return 1e-9 * (Math.abs(c.grossNotional[a]) + Math.abs(c.equity[a]) + 1);
  }

  private holdingsOf(a: number): Holding[] {
    const layout = this.layout;
    const out: Holding[] = [];
    const pos = layout.positions, col = layout.collateral;
    const inst = pos.column<'i32'>('instrument').array, qty = pos.column<'f64'>('quantity').array;
    for (let s = pos.start.array[a]; s < pos.end.array[a]; s++) if (qty[s] !== 0) out.push({ kind: 'position', slot: s, index: inst[s], startSize: Math.abs(qty[s]) });
    const asset = col.column<'i32'>('asset').array, amount = col.column<'f64'>('amount').array;
    for (let s = col.start.array[a]; s < col.end.array[a]; s++) {
      if (amount[s] !== 0 && !this.stable.has(asset[s])) out.push({ kind: 'collateral', slot: s, index: asset[s], startSize: Math.abs(amount[s]) });
    }
    return out;
  }

  private sizeOf(h: Holding): number {
    return h.kind === 'position' ? this.posQuantity.array[h.slot] : this.colAmount.array[h.slot];
  }

  // ---- choosing and sizing ----------------------------------------------------------------------------------

  /**
   * The holding to close next and how much. Preferred: a close that raises the slack to the target and does not raise
   * MM, sized to the smallest quantity that restores the target. When no partial close helps (the fee and slippage
   * cost more than the margin they release: a small position under a fee above its MM rate), a full step of the
   * holding whose close lowers MM most per dollar of cost (venues close such positions outright). Null when no close
   * lowers MM: the engine never raises an account's MM.
   */
  private choose(a: number, holdings: Holding[]): Holding | null {
    const baseMm = this.run.accountColumns().mm[a];
    const slack0 = this.slack(a);
    const efficiency = this.p.order === 'efficiency', linearFirst = this.p.order === 'linear-first';
    // the best option and the best fallback so far (no objects: a step probes every holding)
    let best: Holding | null = null, bestCap = 0, bestScore = 0, bestGain = 0, bestLinear = 0, bestSlack = 0, bestTolerance = 0;
    let fallback: Holding | null = null, fallbackCap = 0, fallbackScore = 0, fallbackGain = 0, fallbackLinear = 0;
    const kinds = this.layout.instruments.kind.array;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k];
      const size = this.sizeOf(h);
      if (size === 0) continue;
      const cap = this.probe(k, h, size);
      const effect = this.probeEffect;
      const probeSlack = this.trial(a, h, effect);
      const probeMm = this.trialMm;
      if (probeMm > baseMm) continue; // closing this part would raise MM (a hedge leg): never
      const gain = probeSlack - slack0;
      const cost = effect.cost + (h.kind === 'position' ? this.p.feeRate * effect.notional : 0);
      const linear = h.kind === 'position' && kinds[h.index] !== KIND_OPTION ? 2 : h.kind === 'position' ? 1 : 0;
      if (gain > 0) {
        const score = efficiency ? (cost > 0 ? gain / cost : Infinity) : effect.notional;
        if (best === null || (linearFirst && linear !== bestLinear ? linear > bestLinear : score > bestScore || (score === bestScore && gain > bestGain))) {
          best = h;
          bestCap = cap;
          bestScore = score;
          bestGain = gain;
          bestLinear = linear;
          // what sizing's first trial (the whole cap) would compute again: its slack, and the tolerance it reads
          bestSlack = probeSlack;
          bestTolerance = this.tolerance(a);
        }
      } else if (probeMm < baseMm) {
        const released = baseMm - probeMm;
        const score = efficiency ? (cost > 0 ? released / cost : Infinity) : effect.notional;
        if (fallback === null || (linearFirst && linear !== fallbackLinear ? linear > fallbackLinear : score > fallbackScore || (score === fallbackScore && gain > fallbackGain))) {
          fallback = h;
          fallbackCap = cap;
          fallbackScore = score;
          fallbackGain = gain;
          fallbackLinear = linear;
        }
      }
    }
    this.restore(a);
    if (best) {
      this.chosenQuantity = this.size(a, best, bestCap, slack0, bestSlack, bestTolerance, baseMm);
      return best;
    }
    if (fallback) {
      this.chosenQuantity = fallbackCap;
      return fallback;
    }
    return null;
  }

  /** The quantity {@link choose} sized for the holding it returned. */
  private chosenQuantity = 0;

  /**
   * The cap of holding k (h, now of `size`) and, in {@link probeEffect}, the effect of closing it: from the last step's
   * probe when the holding's size has not changed since (a step changes one holding; the effect of a close is a
   * function of the holding and its size alone: marks, fills and entries do not move during a run).
   */
  private probe(k: number, h: Holding, size: number): number {
    const c = this.probes, o = PROBE_STRIDE * k;
    if (c[o] === size) {
      closeEffect(this.probeEffect, c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6], c[o + 7], c[o + 8]);
      return c[o + 1];
    }
    const cap = this.capOf(h, size);
    const e = this.effect(h, cap, this.probeEffect);
    c[o] = size;
    c[o + 1] = cap;
    c[o + 2] = e.quantity;
    c[o + 3] = e.mark;
    c[o + 4] = e.fill;
    c[o + 5] = e.units;
    c[o + 6] = e.notional;
    c[o + 7] = e.cashAtFill;
    c[o + 8] = e.cost;
    return cap;
  }

  /** Per holding of the account being liquidated: the size it was probed at (NaN: not yet), its cap and effect. */
  private probes: Float64Array = new Float64Array(0);

  /** The largest close of one step: its fraction of the starting size, the notional cap, what is left. */
  private capOf(h: Holding, size: number): number {
    let cap = Math.min(Math.abs(size), h.startSize * this.p.maxFractionPerStep);
    if (this.p.maxNotionalPerStep !== null) {
      const perUnit = this.effect(h, Math.sign(size), this.probeEffect).notional;
      if (perUnit > 0) cap = Math.min(cap, this.p.maxNotionalPerStep / (perUnit * this.usd));
    }
    return Math.sign(size) * cap;
  }

  /**
   * The smallest close (same sign as the holding, at most `cap`) that brings the slack to ≥ 0: a secant search
   * (Illinois) on the account's own re-margining; the whole cap when even that is not enough; the whole holding
   * when the shortfall is below smallShortfallUsd, unless closing all of it would raise MM above `baseMm` (a hedge's
   * other leg: under VaR, closing a long that part-hedges shorts can). `capSlack` and `capTolerance`: the slack of
   * closing the whole cap and the tolerance read right after that trial (choose's probe of h, the same trial).
   */
  private size(a: number, h: Holding, cap: number, slack0: number, capSlack: number, capTolerance: number, baseMm: number): number {
    const size = this.sizeOf(h);
    if (-slack0 < this.p.smallShortfallUsd / this.usd) {
      if (size === cap) return size; // the cap's probe already kept MM
      this.trial(a, h, this.effect(h, size, this.probeEffect));
      const raises = this.trialMm > baseMm;
      this.restore(a);
      if (!raises) return size;
    }
    let hiQ = cap, hiS = capSlack;
    if (hiS < 0) return cap;
    let loQ = 0, loS = slack0, side = 0;
    const enough = capTolerance; // within a nano-dollar of the target is the target
    for (let k = 0; k < 60 && hiS > enough && Math.abs(hiQ - loQ) > 1e-12 * Math.abs(cap); k++) {
      let q = loQ - (loS * (hiQ - loQ)) / (hiS - loS);
      if (!(Math.abs(q - loQ) > 0 && Math.abs(hiQ - q) > 0)) q = 0.5 * (loQ + hiQ); // keep strictly inside the bracket
      const s = this.trial(a, h, this.effect(h, q, this.probeEffect));
      if (s >= 0) {
        hiQ = q;
        hiS = s;
        if (side === -1) loS *= 0.5; // Illinois: halve the stale end so the bracket keeps shrinking from both sides
        side = -1;
      } else {
        loQ = q;
        loS = s;
        if (side === 1) hiS *= 0.5;
        side = 1;
      }
    }
    this.restore(a);
    return hiQ;
  }

  // ---- effects, trials and execution ------------------------------------------------------------------------

  /** What closing `quantity` of holding h would do at the market: written into `into` when given (a probe's scratch), else a new record. */
  private effect(h: Holding, quantity: number, into?: CloseEffect): CloseEffect {
    const layout = this.layout, market = this.run.market;
    if (h.kind === 'collateral') {
      const price = market.price.array[h.index];
      const side = quantity > 0 ? 1 : -1; // selling a balance fills below the price, buying back a borrowing above it
      const fill = price * (1 - side * this.p.collateralDiscount);
      return closeEffect(into, quantity, price, fill, quantity, Math.abs(quantity) * price, quantity * fill, Math.abs(quantity) * price * this.p.collateralDiscount);
    }
    const i = h.index;
    const ins = layout.instruments;
    const mult = ins.multiplier.array[i];
    const units = quantity * mult;
    const mark = this.run.instrumentValue(i);
    const u = ins.underlying.array[i];
    let fill: number;
    let notional: number;
    const coin = ins.settlement.array[i] >= 0 && ins.settlement.array[i] === u; // settled in its underlying
    if (ins.kind.array[i] === KIND_OPTION) {
      // the fill depends on the side only (the vol moved against the account), not the size: priced once per run
      const key = 2 * i + (units > 0 ? 1 : 0);
      let cached = this.optionFills.get(key);
      if (cached === undefined) {
        const terms = {
          isCall: ins.isCall.array[i] !== 0, strike: ins.strike.array[i], expiryYears: market.expiryYears.array[i], vol: market.impliedVol.array[i],
          spot: market.price.array[u], rate: market.rate.array[u], carry: market.carry.array[u],
        };
        const quoted = market.markSource.array[i] === MARK_QUOTED;
        cached = coin
          ? coinOptionFill(mark, units, terms, this.p.optionSpreadVol)
          : optionFill(mark, units, terms, this.p.optionSpreadVol, quoted ? undefined : mark); // unquoted: the mark is the model price
        this.optionFills.set(key, cached);
      }
      fill = cached;
      notional = Math.abs(units) * (coin ? 1 : market.price.array[u]); // a coin option's notional in coin
    } else if (coin) {
      // an inverse contract: slipped in USD per coin, back in the layout's −1/F; its notional in coin, |units|/F
      fill = inverseFill(mark, units, this.slippageOf(u), market.vol.array[u]);
      notional = -Math.abs(units) * mark;
    } else {
      fill = linearFill(mark, units, this.slippageOf(u), market.vol.array[u]);
      notional = Math.abs(units) * mark;
    }
    return closeEffect(into, quantity, mark, fill, units, notional, this.realize(i, units, fill, h.slot), units * (mark - fill));
  }

  /** Scratch effects of probes and trials (read before the next probe). */
  private readonly probeEffect = emptyEffect();
  private readonly cappedEffect = emptyEffect();
  /** Scratch effects of the step being executed (read before the next step). */
  private readonly stepEffect = emptyEffect();
  private readonly stepCapped = emptyEffect();

  /** Cash from closing `units` of instrument i at `price`: linear P&L against the entry, an option's premium. */
  private realize(i: number, units: number, price: number, slot = -1): number {
    if (this.layout.instruments.kind.array[i] === KIND_OPTION) return units * price;
    const entry = slot >= 0 ? this.posEntry.array[slot] : 0;
    return units * (price - entry);
  }

  /** Option fills of this run by (instrument, side): 2·row + 1 for sales. */
  private readonly optionFills = new Map<number, number>();

  private slippageOf(asset: number): SlippageModel {
    const known = this.slippageByAsset[asset];
    if (known !== undefined) return known;
    const symbol = this.layout.assets[asset];
    return this.slippageByAsset[asset] = Object.hasOwn(this.p.slippage, symbol) ? this.p.slippage[symbol] : this.p.slippage.default ?? { model: 'none' };
  }

  /** {@link slippageOf} by asset index, looked up once per run (a probe asks for it every time). */
  private readonly slippageByAsset: (SlippageModel | undefined)[] = [];

  /** Saved holdings and cash of the account being tried, so trials start from its state and restore puts it back. */
  private saved: SavedAccount | null = null;
  /** The buffers behind {@link saved}, grown as accounts need, reused from account to account and run to run. */
  private readonly savedBuffers = SAVED_BUFFERS;

  /**
   * The account's slack and MM if `effect` were applied at the market with its fee: by the method's marginWith when it
   * offers one (nothing changes), else written into the layout and re-margined (put back by restore).
   */
  private trial(a: number, h: Holding, effect: CloseEffect): number {
    const s = this.save(a);
    if (h.kind === 'collateral') effect = this.discountCapped(effect, this.surplus(a, s.equity), this.cappedEffect);
    const fee = h.kind === 'position' ? this.feeOf(effect, s.backing[h.slot - s.p0] - effect.cost) : 0;
    const cash = effect.cashAtFill - fee;
    const trials = s.trials;
    if (trials !== null) {
      // one holding changed from the saved ones: the method's one-change trials (the bits of marginWith below)
      let w: HoldingsMargin;
      if (h.kind === 'position') {
        const local = h.slot - s.p0;
        w = trials.position(local, s.qty[local] - effect.quantity, s.cash + cash);
      } else {
        const local = h.slot - s.c0;
        w = trials.balance(local, s.amount[local] - effect.quantity, s.cash + cash);
      }
      if (this.showsTrial) this.shown = copyFigures(w, this.shownFigures);
      this.trialMm = w.mm;
      return slackOf(w, this.target);
    }
    const marginWith = this.run.marginWith;
    if (marginWith) {
      // the trial holdings are the saved ones (save copies them) with this one holding changed, put back after
      const t = s.trial;
      t.cashUsd = s.cash + cash;
      const local = h.slot - (h.kind === 'position' ? s.p0 : s.c0);
      let w: HoldingsMargin;
      if (h.kind === 'position') {
        t.quantity[local] -= effect.quantity;
        if (!Number.isNaN(t.isolatedMargin[local])) t.isolatedMargin[local] = Math.max(0, t.isolatedMargin[local] + cash);
        w = marginWith(a, t);
        t.quantity[local] = s.qty[local];
        t.isolatedMargin[local] = s.isolated[local];
      } else {
        t.amount[local] -= effect.quantity;
        w = marginWith(a, t);
        t.amount[local] = s.amount[local];
      }
      if (this.showsTrial) this.shown = copyFigures(w, this.shownFigures);
      this.trialMm = w.mm;
      return slackOf(w, this.target);
    }
    this.resetTo(s);
    this.dirty = true;
    this.apply(a, h, effect.quantity, cash);
    this.run.remarginAt(a);
    this.trialMm = this.run.accountColumns().mm[a];
    return this.slack(a);
  }

  /** The MM of the last {@link trial} (its slack is what it returns). */
  private trialMm = 0;
  /** The run's marginWith and marginWithShowsTrial, read once. */
  private readonly showsTrial: boolean;
  /** The run's one-change trials (PreparedMarginRun.trialsFrom), read once. */
  private readonly trialsFrom: ((a: number, holdings: AccountHoldings) => HoldingsTrials) | undefined;

  /** True when a trial wrote into the layout (restore must put the account back and re-margin it). */
  private dirty = false;
  /**
   * The last trial's figures, for a method whose marginWith stands for a write-and-remargin trial
   * (PreparedMarginRun.marginWithShowsTrial): what the account's figures would read until restore.
   */
  private shown: AccountFigures | null = null;
  private readonly shownFigures = emptyFigures();

  private save(a: number): SavedAccount {
    if (this.saved?.a === a) return this.saved;
    const pos = this.layout.positions, col = this.layout.collateral;
    const p0 = pos.start.array[a], p1 = pos.end.array[a], c0 = col.start.array[a], c1 = col.end.array[a];
    const s = this.savedBuffers.views(a, p1 - p0, c1 - c0);
    // element by element: a subarray view per column and step would be most of a step's garbage
    const qty = this.posQuantity.array, isolated = this.posIsolated.array, amount = this.colAmount.array, t = s.trial;
    for (let k = 0; k < p1 - p0; k++) {
      t.quantity[k] = s.qty[k] = qty[p0 + k];
      t.isolatedMargin[k] = s.isolated[k] = isolated[p0 + k];
    }
    for (let k = 0; k < c1 - c0; k++) t.amount[k] = s.amount[k] = amount[c0 + k];
    s.p0 = p0;
    s.c0 = c0;
    s.cash = this.layout.cashUsd.array[a];
    s.equity = this.run.accountColumns().equity[a];
    for (let slot = p0; slot < p1; slot++) s.backing[slot - p0] = this.run.positionEquity(a, slot);
    s.trials = this.trialsFrom?.(a, t) ?? null;
    this.saved = s;
    return s;
  }

  private resetTo(s: SavedAccount): void {
    const pos = this.layout.positions, col = this.layout.collateral;
    pos.column<'f64'>('quantity').array.set(s.qty, pos.start.array[s.a]);
    pos.column<'f64'>('isolatedMargin').array.set(s.isolated, pos.start.array[s.a]);
    col.column<'f64'>('amount').array.set(s.amount, col.start.array[s.a]);
    this.layout.cashUsd.array[s.a] = s.cash;
  }

  /** Puts the account back as it was before the trials, re-margined (nothing to do after marginWith trials). */
  private restore(a: number): void {
    this.shown = null;
    if (this.saved?.a !== a) return;
    if (this.dirty) {
      this.resetTo(this.saved);
      this.run.remarginAt(a);
      this.dirty = false;
      this.saved = null;
    }
    // else nothing was written: the saved holdings stay the account's until a step changes it
  }

  /**
   * Takes `quantity` out of the holding and adds `cash` to the account. A position with its own isolated allocation
   * settles against that allocation (what it realizes moves it, never below 0), so its losses stay its own under
   * isolated margin; the account's cash carries the money either way.
   */
  private apply(a: number, h: Holding, quantity: number, cash: number): void {
    if (h.kind === 'position') {
      this.posQuantity.array[h.slot] -= quantity;
      const isolated = this.posIsolated.array;
      if (!Number.isNaN(isolated[h.slot])) isolated[h.slot] = Math.max(0, isolated[h.slot] + cash);
    } else this.colAmount.array[h.slot] -= quantity;
    this.addCash(a, cash);
  }

  private addCash(a: number, usd: number): void {
    this.layout.cashUsd.array[a] += usd;
  }

  /**
   * A collateral conversion with its discount (the liquidator's pay) capped like a fee by the surplus over
   * bankruptcy: it never takes a solvent account's equity below 0 (what is left after that is the fund's to cover).
   */
  private discountCapped(e: CloseEffect, surplus: number, into?: CloseEffect): CloseEffect {
    const cost = Math.max(0, Math.min(e.cost, surplus));
    if (cost === e.cost) return e;
    const fill = e.mark - (Math.sign(e.quantity) * cost) / Math.abs(e.quantity);
    return closeEffect(into, e.quantity, e.mark, fill, e.units, e.notional, e.quantity * e.mark - cost, cost);
  }

  /** An equity as a surplus over bankruptcy: what is within rounding of 0 is 0 (no fee of 3e-11 USD). */
  private surplus(a: number, equity: number): number {
    return equity > this.tolerance(a) ? equity : 0;
  }

  /** The fee of a market close: the rate on its notional, at most the equity left after the fill (never below bankruptcy). */
  private feeOf(effect: CloseEffect, equityAfterFill: number): number {
    return Math.max(0, Math.min(this.p.feeRate * effect.notional, equityAfterFill));
  }

  private fundAvailable(): number {
    return Math.max(0, Math.min(this.fund, this.p.insuranceFund.maxPerStepUsd ?? Infinity));
  }

  /** Executes one step on holding h: `quantity` closed by the routes the account's equity allows; the plan records it. */
  private step(a: number, h: Holding, quantity: number): void {
    this.saved = null; // the account changes
    const columns = this.run.accountColumns();
    const mmBefore = columns.mm[a];
    const healthBefore = healthOf(columns.equityMm[a], mmBefore);
    // the equity behind this holding: the account's, or an isolated position's own
    const backing = h.kind === 'position' ? this.run.positionEquity(a, h.slot) : columns.equity[a];
    const e = h.kind === 'position' ? this.effect(h, quantity, this.stepEffect) : this.discountCapped(this.effect(h, quantity, this.stepEffect), this.surplus(a, backing), this.stepCapped);
    const equityAfterFill = backing - e.cost;
    const fund0 = this.fund;
    const routes = this.routes;
    routes.market = routes.insuranceFund = routes.adl = routes.uncovered = 0;
    let feeToLiquidator = 0, feeToFund = 0;
    const inverse = h.kind === 'position' && this.layout.instruments.isInverse(h.index);
    const bankruptcy = inverse ? inverseBankruptcy(e.mark, e.units, backing) : bankruptcyPrice(e.mark, e.units, backing);
    const usd = this.usd;
    if (h.kind === 'collateral') {
      routes.market = quantity;
      this.apply(a, h, quantity, e.cashAtFill);
      feeToLiquidator = e.cost; // the discount
      this.totals.collateralDiscounts += e.cost * usd;
      this.waterfall.fees += e.cost;
    } else if (equityAfterFill >= 0) {
      routes.market = quantity;
      const fee = this.feeOf(e, equityAfterFill);
      feeToLiquidator = fee * this.p.feeSplit.liquidator;
      feeToFund = fee - feeToLiquidator;
      this.fund += feeToFund * usd;
      this.totals.marketSlippage += e.cost * usd;
      this.waterfall.slippage += e.cost;
      this.waterfall.fees += fee;
      this.apply(a, h, quantity, e.cashAtFill - fee);
    } else {
      // Bankrupt at this fill: the close happens at the bankruptcy price; the fund absorbs the loss beyond it (it
      // takes the position at the bankruptcy price and sells it at the fill), then ADL, then whatever is left fills
      // at the market. Its deficit stays on the account under a pooled method; an isolated position's is written off
      // (bad debt), as its losses never reach the rest of the account, whatever the fund and ADL could pay.
      const mult = this.layout.instruments.multiplier.array[h.index];
      const lossPerContract = Math.abs(mult * (bankruptcy - e.fill));
      const fundQty = lossPerContract > 0 ? Math.sign(quantity) * Math.min(Math.abs(quantity), this.fundAvailable() / usd / lossPerContract) : quantity;
      const fundPaid = Math.abs(fundQty) * lossPerContract;
      this.fund -= fundPaid * usd;
      this.totals.fundPaid += fundPaid * usd;
      routes.insuranceFund = fundQty;
      this.totals.marketSlippage += fundQty * mult * (e.mark - e.fill) * usd; // the fund's sale to the market
      const adlQty = this.deleverage(a, h, quantity - fundQty, bankruptcy);
      routes.adl = adlQty;
      this.totals.adlAbsorbed += Math.abs(adlQty) * lossPerContract * usd;
      // the account's side: the whole close at the fill, less what the fund and ADL took at the bankruptcy price
      this.waterfall.slippage += e.cost;
      this.waterfall.insuranceFund += fundPaid;
      this.waterfall.adl += Math.abs(adlQty) * lossPerContract;
      const rest = quantity - fundQty - adlQty;
      routes.uncovered = rest;
      const writeOff = this.ownBacking ? Math.abs(rest) * lossPerContract : 0;
      this.totals.uncovered += writeOff * usd;
      this.totals.writtenOff += writeOff * usd;
      this.waterfall.writtenOff += writeOff;
      const atBankruptcy = this.ownBacking ? quantity : fundQty + adlQty, atFill = quantity - atBankruptcy;
      const cash = this.realize(h.index, atBankruptcy * mult, bankruptcy, h.slot) + this.realize(h.index, atFill * mult, e.fill, h.slot);
      this.totals.marketSlippage += rest * mult * (e.mark - e.fill) * usd;
      this.apply(a, h, quantity, cash);
      this.run.remarginAt(a);
      // The close was priced to leave equity at exactly 0; double rounding can leave −1e-11: the fund pays that too.
      const residue = this.run.positionEquity(a, h.slot);
      if ((rest === 0 || this.ownBacking) && residue < 0 && residue > -this.tolerance(a)) {
        this.fund += residue * usd;
        this.totals.fundPaid -= residue * usd;
        this.waterfall.insuranceFund -= residue;
        this.addCash(a, -residue);
      }
    }
    this.run.remarginAt(a);
    if (h.kind === 'position') {
      this.totals.feesToLiquidators += feeToLiquidator * usd;
      this.totals.feesToFund += feeToFund * usd;
    } else this.totals.feesToLiquidators += feeToLiquidator * usd;
    this.totals.closedNotional += e.notional * usd;
    const after = this.run.accountColumns();
    const mmAfter = after.mm[a];
    // the step's row: its kind, then LiquidationStep's numbers in its order (plan-columns.ts STEP_STRIDE)
    const o = this.plan.addStep(h.kind === 'position' ? this.layout.instruments.ids[h.index] : this.layout.assets[h.index]);
    const v = this.plan.stepValues;
    v[o] = h.kind === 'position' ? 0 : 1;
    v[o + 1] = quantity;
    v[o + 2] = inverse ? quotedPrice(e.mark) : e.mark;
    v[o + 3] = inverse ? quotedPrice(e.fill) : e.fill;
    v[o + 4] = inverse ? quotedPrice(bankruptcy) : bankruptcy;
    v[o + 5] = e.notional;
    v[o + 6] = routes.market;
    v[o + 7] = routes.insuranceFund;
    v[o + 8] = routes.adl;
    v[o + 9] = routes.uncovered;
    v[o + 10] = feeToLiquidator;
    v[o + 11] = feeToFund;
    v[o + 12] = this.fund - fund0;
    v[o + 13] = healthBefore;
    v[o + 14] = healthOf(after.equityMm[a], mmAfter);
    v[o + 15] = mmBefore;
    v[o + 16] = mmAfter;
  }

  /** The routes of the step being executed (scratch: the plan copies them). */
  private readonly routes = { market: 0, insuranceFund: 0, adl: 0, uncovered: 0 };

  /**
   * ADL: takes up to `quantity` contracts of instrument h.index (the bankrupt account's side) at the bankruptcy price
   * from profitable opposite positions of accounts that were not below MM when the run began; returns the contracts
   * taken (signed like `quantity`). The candidates of an (instrument, side) are ranked once, the first time they are
   * needed, on the marks and the figures they had when the run began (as venues publish one ranking; a candidate's
   * row is re-margined at the end of the run); queue fills happen at once, pro-rata ones are summed
   * and applied at the end of the run, each candidate giving the same fraction of its position at the average price.
   */
  private deleverage(a: number, h: Holding, quantity: number, price: number): number {
    if (quantity === 0) return 0;
    const book = this.adlBook(h.index, quantity > 0 ? -1 : 1);
    const want = Math.abs(quantity);
    const mult = this.layout.instruments.multiplier.array[h.index];
    if (this.p.adl === 'pro-rata') {
      const take = Math.min(want, book.available);
      book.available -= take;
      book.taken += take;
      book.cash += take * mult * price;
      book.from.add(this.layout.accountIds[a] as string);
      return Math.sign(quantity) * take;
    }
    let taken = 0;
    const queue = book.queue as AdlQueue; // the queue policy always ranks
    const candidates = book.candidates;
    while (taken < want && book.next < queue.length) {
      const c = queue.at(book.next);
      const left = Math.abs(candidates.left[c]); // what the position holds: only this book's fills take from it
      if (left === 0) {
        book.next++;
        continue;
      }
      const take = Math.min(left, want - taken);
      this.adlFill(candidates, c, h.index, Math.sign(candidates.quantity[c]) * take, price, a, book.next + 1);
      taken += take;
      if (take === left) book.next++;
    }
    return Math.sign(quantity) * taken;
  }

  /** Closes `q` contracts (signed like its position) of candidate c (on instrument i) at `price`, and records the fill. */
  private adlFill(candidates: AdlCandidates, c: number, i: number, q: number, price: number, from: number | string, rank: number): void {
    const layout = this.layout;
    const slot = candidates.slot[c], account = candidates.account[c];
    const mult = layout.instruments.multiplier.array[i];
    const mark = this.run.instrumentValue(i);
    this.touch(account);
    // realize's cash, with the entry the candidate was taken with (entries do not move in a run)
    const units = q * mult;
    const cash = layout.instruments.kind.array[i] === KIND_OPTION ? units * price : units * (price - candidates.entryPrice[c]);
    this.posQuantity.array[slot] -= q;
    candidates.left[c] -= q;
    const isolated = this.posIsolated.array;
    if (!Number.isNaN(isolated[slot])) isolated[slot] = Math.max(0, isolated[slot] + cash);
    this.addCash(account, cash);
    if (this.isDeleveraged[account] === 0) {
      this.isDeleveraged[account] = 1;
      this.deleveraged.push(account); // re-margined once, at the end of the run
    }
    if (this.saved?.a === account) this.saved = null;
    const haircut = q * mult * (mark - price);
    const usd = usdPerUnit(layout, this.run.market, account);
    const inverse = layout.instruments.isInverse(i);
    this.totals.adlHaircuts += haircut * usd;
    // an inverse contract's notional in coin: |units| · |x|
    this.totals.adlNotional += Math.abs(q) * mult * (inverse ? -price : price) * usd;
    // the fill's row (plan-columns.ts FILL_STRIDE)
    const o = this.plan.addFill(candidates.id(c), typeof from === 'string' ? from : layout.accountIds[from] as string, layout.instruments.ids[i]);
    const v = this.plan.fillValues;
    v[o] = q;
    v[o + 1] = inverse ? quotedPrice(price) : price;
    v[o + 2] = inverse ? quotedPrice(mark) : mark;
    v[o + 3] = haircut;
    v[o + 4] = rank;
  }

  /** The ADL candidates of instrument i on `side` (+1 longs, −1 shorts), ranked once. */
  private adlBook(i: number, side: number): AdlBook {
    const key = i * 2 + (side > 0 ? 1 : 0);
    let book = this.adlBooks.get(key);
    if (book) return book;
    const layout = this.layout;
    const qty = this.posQuantity.array, entry = this.posEntry.array;
    const mult = layout.instruments.multiplier.array[i];
    const mark = this.run.instrumentValue(i);
    const isOption = layout.instruments.kind.array[i] === KIND_OPTION;
    const index = this.candidateIndex();
    const candidates = new AdlCandidates(index.start[key + 1] - index.start[key], layout.accountIds);
    const figures = this.run.accountColumns(); // nothing allocates during the scan
    // the index was built on the figures and quantities these candidates had when the run began: no step changes
    // them before the candidates' own book exists (only liquidated accounts, never candidates, are re-margined in
    // the run, and only this book's fills take from positions of this instrument on this side)
    for (let k = index.start[key]; k < index.start[key + 1]; k++) {
      const owner = index.account[k], s = index.slot[k];
      const units = qty[s] * mult;
      const pnl = adlPnl(qty[s], mult, mark, entry[s]);
      const entryValue = Math.abs(units * entry[s]) || (isOption ? Math.abs(units * mark) : 0);
      candidates.push(owner, s, qty[s], entry[s], pnl, entryValue, figures.grossNotional[owner], figures.equity[owner]);
    }
    const queue = this.p.adl === 'queue' ? new AdlQueue(candidates) : null;
    book = { candidates, queue, next: 0, available: totalQuantity(candidates), taken: 0, cash: 0, from: new Set() };
    this.adlBooks.set(key, book);
    return book;
  }

  /** Every ADL candidate of the run by (instrument, side), built on the run's first ADL. */
  private candidateIndex(): AdlCandidateIndex {
    if (this.adlIndex !== null) return this.adlIndex;
    const layout = this.layout, count = layout.instruments.count;
    const mark = this.instrumentMarks();
    // ADL only ever takes the other side of a liquidated account's position: index the instruments they hold
    const wanted = this.instrumentsHeld(this.breachingList);
    return this.adlIndex = adlCandidateIndex({
      instruments: count, accounts: layout.accountCount, slots: layout.positions.slotCapacity, posStart: layout.positions.start.array, posEnd: layout.positions.end.array,
      instrument: this.posInstrument.array, quantity: this.posQuantity.array, entryPrice: this.posEntry.array, mark,
      multiplier: layout.instruments.multiplier.array, live: layout.live.array, excluded: this.breachingAtStart, wanted, status: this.run.accountColumns().status,
      statusError: STATUS_ERROR,
    });
  }

  private adlIndex: AdlCandidateIndex | null = null;

  /** The run's value of every instrument (USD per unit of the underlying). */
  private instrumentMarks(): Float64Array {
    const mark = new Float64Array(this.layout.instruments.count);
    for (let i = 0; i < mark.length; i++) mark[i] = this.run.instrumentValue(i);
    return mark;
  }

  /** Per instrument: 1 when one of the listed accounts holds it. */
  private instrumentsHeld(accounts: Int32Array): Uint8Array {
    const held = new Uint8Array(this.layout.instruments.count), inst = this.posInstrument.array;
    const start = this.layout.positions.start.array, end = this.layout.positions.end.array;
    for (let k = 0; k < accounts.length; k++) for (let s = start[accounts[k]]; s < end[accounts[k]]; s++) held[inst[s]] = 1;
    return held;
  }

  /** Pro-rata ADL, at the end of the run: every candidate of a book gives the same fraction, at the average price. */
  private settleProRata(): void {
    for (const book of this.adlBooks.values()) {
      if (!(book.taken > 0)) continue;
      const candidates = book.candidates;
      const fraction = book.taken / totalQuantity(candidates);
      const i = this.layout.positions.column<'i32'>('instrument').array[candidates.slot[0]];
      const price = book.cash / (book.taken * this.layout.instruments.multiplier.array[i]);
      const from = [...book.from].sort().join(', ');
      for (let c = 0; c < candidates.count; c++) this.adlFill(candidates, c, i, candidates.quantity[c] * fraction, price, from, fraction);
    }
  }

  /** Remembers an account's equity before the run changes it (for the conservation identity). */
  private touch(a: number): void {
    if (this.touched[a] !== 0) return;
    this.touched[a] = 1;
    this.touchedList.push(a);
    this.touchedEquity.push(this.run.accountColumns().equity[a]);
  }


}

/** The slack of marginWith figures: per isolated position when the method gave them (its worst), else pooled. */
/** Σ |quantity| of the candidates, in their order. */
function totalQuantity(c: AdlCandidates): number {
  let n = 0;
  for (let k = 0; k < c.count; k++) n += Math.abs(c.quantity[k]);
  return n;
}

function slackOf(w: HoldingsMargin, target: LiquidationTargetSpec): number {
  const p = w.positions;
  if (!p || p.allocated.length === 0) return target.kind === 'im' ? w.equityIm - w.im : w.equityMm - w.mm * (1 + target.buffer);
  let worst = Infinity;
  for (let k = 0; k < p.allocated.length; k++) {
    const equity = p.allocated[k] + p.markToMarket[k];
    const slack = target.kind === 'im' ? equity - p.im[k] : equity - p.mm[k] * (1 + target.buffer);
    if (slack < worst) worst = slack;
  }
  return worst;
}

/** One account's holdings as saved before its trials, the equity behind each position, and a trial's scratch copy. */
interface SavedAccount {
  a: number;
  /** The account's first position and balance slots (the layout adds none during a run). */
  p0: number;
  c0: number;
  /** The account's equity before the trials (what caps a collateral discount). */
  equity: number;
  qty: Float64Array;
  isolated: Float64Array;
  amount: Float64Array;
  cash: number;
  backing: Float64Array;
  trial: AccountHoldings;
  /** The method's one-change trials from these holdings, when it offers them (MethodRun.trialsFrom). */
  trials: HoldingsTrials | null;
}

/**
 * Grow-only buffers for {@link SavedAccount}: a liquidation of thousands of accounts allocates them a few times. One
 * set serves every run (a run holds one saved account at a time and runs to its end in one call: runs never interleave).
 */
class SavedBuffers {
  private positions = 0;
  private balances = 0;
  // allocated on the first account saved, at its size (a run of one account allocates once)
  private buffers: ReturnType<SavedBuffers['allocate']> | null = null;
  /**
   * The views handed out per account shape (positions × balances), on the current buffers: an account of a shape seen
   * before gets them again (one saved account at a time), so a book's accounts of a few dozen shapes make a few dozen
   * sets of views, not one per account whose shape differs from the last one's.
   */
  private readonly byShape = new Map<number, SavedAccount>();

  views(a: number, positions: number, balances: number): SavedAccount {
    const key = positions * 0x100000 + balances;
    const known = this.byShape.get(key);
    if (known !== undefined) {
      known.a = a;
      known.p0 = known.c0 = 0;
      known.equity = 0;
      known.cash = 0;
      known.trials = null;
      return known;
    }
    if (this.buffers === null || positions > this.positions || balances > this.balances) {
      this.buffers = this.allocate(Math.max(positions, 2 * this.positions, 1), Math.max(balances, 2 * this.balances, 1));
      this.byShape.clear(); // views on the old buffers
    }
    const b = this.buffers, p = (x: Float64Array) => x.subarray(0, positions), c = (x: Float64Array) => x.subarray(0, balances);
    const views: SavedAccount = {
      a, p0: 0, c0: 0, equity: 0, qty: p(b.qty), isolated: p(b.isolated), amount: c(b.amount), cash: 0, backing: p(b.backing),
      trial: { quantity: p(b.trialQty), isolatedMargin: p(b.trialIsolated), amount: c(b.trialAmount), cashUsd: 0 }, trials: null,
    };
    this.byShape.set(key, views);
    return views;
  }

  private allocate(positions: number, balances: number) {
    this.positions = positions;
    this.balances = balances;
    // one buffer for the seven arrays: a typed array's own backing store costs more to allocate than a view on one
    const all = new Float64Array(5 * positions + 2 * balances);
    let at = 0;
    const take = (n: number) => all.subarray(at, (at += n));
    return { qty: take(positions), isolated: take(positions), backing: take(positions), trialQty: take(positions), trialIsolated: take(positions), amount: take(balances), trialAmount: take(balances) };
  }
}

/** Per holding in {@link LiquidationRun.probe}'s cache: size, cap, and the seven fields of its CloseEffect. */
const PROBE_STRIDE = 9;

/** The probe cache's buffer, grown as accounts need and shared by every run (runs never interleave). */
class ProbeBuffer {
  private buffer = new Float64Array(PROBE_STRIDE * 32);

  /** Room for `holdings` holdings, none probed yet. */
  forHoldings(holdings: number): Float64Array {
    if (this.buffer.length < PROBE_STRIDE * holdings) this.buffer = new Float64Array(PROBE_STRIDE * Math.max(holdings, 2 * this.buffer.length / PROBE_STRIDE));
    const view = this.buffer;
    for (let k = 0; k < holdings; k++) view[PROBE_STRIDE * k] = Number.NaN;
    return view;
  }
}

const PROBES = new ProbeBuffer();

function emptyEffect(): CloseEffect {
  return { quantity: 0, mark: 0, fill: 0, units: 0, notional: 0, cashAtFill: 0, cost: 0 };
}

/** A close effect, written into `into` when given, else a new record. */
function closeEffect(into: CloseEffect | undefined, quantity: number, mark: number, fill: number, units: number, notional: number, cashAtFill: number, cost: number): CloseEffect {
  if (into === undefined) return { quantity, mark, fill, units, notional, cashAtFill, cost };
  into.quantity = quantity;
  into.mark = mark;
  into.fill = fill;
  into.units = units;
  into.notional = notional;
  into.cashAtFill = cashAtFill;
  into.cost = cost;
  return into;
}

function copyFigures(w: HoldingsMargin, into: AccountFigures): AccountFigures {
  into.equity = w.equity;
  into.equityIm = w.equityIm;
  into.equityMm = w.equityMm;
  into.im = w.im;
  into.mm = w.mm;
  into.grossNotional = w.grossNotional;
  into.status = w.status;
  return into;
}

function emptyFigures(): AccountFigures {
  return { equity: 0, equityIm: 0, equityMm: 0, im: 0, mm: 0, grossNotional: 0, status: 0 };
}

/** equityMm / MM; with no MM, +∞ while equityMm ≥ 0 and −∞ below (as the report's health). */
function healthOf(equityMm: number, mm: number): number {
  if (mm > 0) return equityMm / mm;
  return equityMm >= 0 ? Infinity : -Infinity;
}

const SAVED_BUFFERS = new SavedBuffers();
