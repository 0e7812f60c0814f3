/**
 * The liquidation engine: acts on every account below maintenance margin, most distressed first, with one insurance
 * fund shared by the whole run (so the order matters: lowest equity-for-MM / MM first, ties by account id).
 *
 * Per account, a state machine: healthy → being_liquidated (equity for MM < MM) → resolved once back at the target
 * (equity for MM ≥ MM·(1 + buffer), or equity for IM ≥ IM), or bankrupt (a deficit nobody covered). Each step:
 *  1. picks what to close (sizing.ts chooseClose): among the holdings whose partial close lowers MM and raises the
 *     slack to the target, the best by the chosen order (default: slack gained per dollar of slippage and fee);
 *  2. sizes it (sizing.ts sizeClose: the smallest part of the holding that restores the target, on the account's own
 *     re-margining, trial.ts; capped per step; small shortfalls close in full);
 *  3. executes it (step.ts, prices from pricing.ts): at the market fill with the fee capped by the surplus over
 *     bankruptcy, or, when the fill would take equity below 0, at the bankruptcy price against the insurance fund
 *     (capped per step) and then ADL (deleverage.ts, ranked by adl.ts), the rest left uncovered at the fill.
 * Everything an account pays or receives lands in its positions, balances and USD cash (the layout's cashUsd), and
 * every account is re-margined by its method (the method seam's remargin), so this works for every method, with the
 * bits of a fresh run. Money is conserved: the report's conservationResidual is the identity's left side (ledger.ts).
 */
import { ProblemList } from '../errors.js';
import { KIND_OPTION } from '../layout/codes.js';
import type { BookLayout } from '../layout/book-layout.js';
import { STATUS_BANKRUPT, STATUS_LIQUIDATABLE } from '../margin/status.js';
import type { LiquidationTargetSpec } from '../methods/method.js';
import { deepFreeze } from '../model/deep-freeze.js';
import { keepShapes } from '../model/keep-shapes.js';
import { defineLazyField } from '../model/lazy-field.js';
import type { ValidatedMarket } from '../model/types.js';
import { withWarnings } from '../model/warnings.js';
import type { MarginOptions, MarginRunner, PreparedMarginRun } from '../session/types.js';
import { type CloseEffect, CloseEffects, emptyEffect, type Holding, holdingsOf, ProbeCache } from './close-effect.js';
import { Deleveraging } from './deleverage.js';
import { Ledger } from './ledger.js';
import type { LiquidationParams } from './params.js';
import { healthOf, PlanColumns, type SnapshotFigures } from './plan-columns.js';
import type { LiquidationReport, LiquidationState } from './report.js';
import { type CloseProbe, chooseClose, sizeClose, smallShortfallClose } from './sizing.js';
import { StepExecutor } from './step.js';
import { AccountTrial } from './trial.js';
import { checkLiquidationParams } from './validate.js';

/**
 * Plans of at most this many steps and fills have their report objects built at once: a few objects cost less than the
 * accessors that would defer them. Larger plans build them on first read.
 */
export const EAGER_PLAN_ROWS = 64;

export interface LiquidateOptions extends MarginOptions {
  /** The `liquidation` parameters (params.ts), merged over the defaults; default: the `liquidation` section of `params`. */
  liquidation?: unknown;
}

export function liquidate(session: MarginRunner, market: ValidatedMarket | unknown, options: LiquidateOptions = {}): LiquidationReport {
  const params = liquidationParams(options);
  const run = session.prepare(market, { ...options, params: withoutLiquidation(options.params) });
  try {
    run.run();
    // the newest run is kept until the next one (src/model/keep-shapes.ts)
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

/** One liquidation of a prepared, margined book: every account below MM, in order, then ADL's settlement. */
class LiquidationRun {
  private readonly target: LiquidationTargetSpec;
  /** Balances of these assets (indices) are never converted. */
  private readonly stable: Set<number>;
  /** The plan as it is made: accounts, steps and ADL fills, as columns (the report's objects are built on first read). */
  private plan = new PlanColumns(0);
  private readonly ledger: Ledger;
  private readonly effects: CloseEffects;
  private readonly trial: AccountTrial;
  /** Each holding's step cap and its effect, for the account being liquidated. */
  private readonly probes = new ProbeCache();
  /** Accounts below MM when the run began: they are liquidated, never deleveraged (a flag per account, and the list). */
  private readonly breaching: { flags: Uint8Array; list: Int32Array };
  private readonly adl: Deleveraging;
  private readonly steps: StepExecutor;
  /** Scratch: a probe's effect and its record (read before the next probe). */
  private readonly probeEffect: CloseEffect = emptyEffect();
  private readonly probeRecord: CloseProbe = { cap: 0, slack: 0, mm: 0, cost: 0, notional: 0, linear: 0, tolerance: 0 };
  /** Scratch: an account's figures (read before the next snapshot). */
  private readonly snapshotFigures: SnapshotFigures = { status: 0, equity: 0, equityMm: 0, mm: 0, equityIm: 0, im: 0, health: 0 };

  constructor(
    private readonly layout: BookLayout,
    private readonly run: PreparedMarginRun,
    private readonly p: LiquidationParams,
    private readonly method: string,
  ) {
    this.target = { kind: p.target, buffer: p.buffer };
    this.stable = new Set(p.stableAssets.map((s) => layout.assetIndex(s)).filter((i) => i >= 0));
    this.ledger = new Ledger(run, p, layout.accountCount);
    this.effects = new CloseEffects(layout, run, p);
    this.trial = new AccountTrial(layout, run, p, this.target, this.effects);
    this.breaching = { flags: new Uint8Array(layout.accountCount), list: new Int32Array(0) };
    const hooks = { touch: (a: number) => this.ledger.touch(a), changed: (a: number) => this.trial.changed(a), fill: (f: Parameters<PlanColumns['addFill']>[0]) => this.plan.addFill(f) };
    this.adl = new Deleveraging(layout, run, p, this.ledger.totals, hooks, this.breaching);
    this.steps = new StepExecutor(layout, run, p, this.effects, this.trial, this.ledger, this.adl, run.positionsOwnEquity);
  }

  execute(warnings: readonly { path: string; message: string }[]): LiquidationReport {
    // the accounts below MM, most distressed first (ties by id): the order shares out the insurance fund
    const breaching = this.breachingAccounts();
    breaching.sort((x, y) => x.health - y.health || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    const list = this.breaching.list = new Int32Array(breaching.length);
    for (let k = 0; k < breaching.length; k++) this.breaching.flags[list[k] = breaching[k].a] = 1;
    const t = this.ledger.totals, plan = this.plan = new PlanColumns(breaching.length);
    t.accountsBreaching = breaching.length;
    this.liquidateInOrder(list);
    if (this.p.adl === 'pro-rata') this.adl.settleProRata();
    this.adl.remarginDeleveraged();
    t.accountsLiquidated = plan.countWithSteps();
    t.resolved = plan.countState('resolved');
    t.bankrupt = plan.countState('bankrupt');
    t.stillBeingLiquidated = plan.countState('being_liquidated');
    this.ledger.close();
    const method = this.method, valuationTime = this.run.market.valuationTime, backend = this.run.backend, params = this.p;
    if (plan.stepCount + plan.fillCount <= EAGER_PLAN_ROWS) return withWarnings({ method, valuationTime, backend, params, accounts: plan.accountList(), adl: plan.fillList(), totals: t }, warnings);
    // accounts and adl are built from the plan's columns when first read, in their key positions (src/model/lazy-field.ts)
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

  private liquidateInOrder(list: Int32Array): void {
    for (let k = 0; k < list.length; k++) {
      const a = list[k];
      const st = this.run.accountColumns().status[a];
      if (st !== STATUS_LIQUIDATABLE && st !== STATUS_BANKRUPT) continue; // healed by an earlier ADL
      this.liquidateAccount(a);
    }
  }

  // ---- one account ------------------------------------------------------------------------------------------

  private liquidateAccount(a: number): void {
    const id = this.layout.accountIds[a] as string;
    this.ledger.touch(a);
    this.plan.beginAccount(id, this.snapshot(a));
    const holdings = holdingsOf(this.layout, a, this.stable);
    this.probes.reset(holdings.length);
    this.ledger.startAccount();
    let state: LiquidationState = 'being_liquidated';
    let note = '';
    for (let n = 0; ; n++) {
      if (this.resolved(a)) {
        state = 'resolved';
        break;
      }
      if (n >= this.p.maxStepsPerAccount) {
        note = `stopped after ${n} steps (params.liquidation.maxStepsPerAccount)`;
        break;
      }
      const next = this.nextStep(a, holdings);
      if (next === null) {
        note = holdings.every((h) => this.effects.sizeOf(h) === 0) ? 'nothing left to close' : 'no close left that lowers MM and the shortfall';
        break;
      }
      this.plan.addStep(this.steps.execute(a, next.holding, next.quantity));
    }
    // a deficit with nothing left to close: the fund covers what it can, the rest is bad debt on the account
    if (this.run.accountColumns().equity[a] < -this.trial.tolerance(a)) {
      const left = this.steps.coverDeficit(a);
      if (left > this.trial.tolerance(a)) {
        this.ledger.totals.uncovered += left;
        state = 'bankrupt';
        note = `a deficit of ${left.toFixed(2)} USD is left uncovered (insurance fund and ADL exhausted)`;
      } else if (this.resolved(a)) state = 'resolved';
    }
    if (state === 'being_liquidated' && this.resolved(a)) state = 'resolved';
    const w = this.ledger.waterfall;
    this.plan.endAccount(state, note, this.snapshot(a), w.slippage, w.fees, w.insuranceFund, w.adl, w.writtenOff);
  }

  /** True when the account is back at the target, by its method's rule (pooled, or isolated per position). */
  private resolved(a: number): boolean {
    return this.run.liquidationSlack(a, this.target) >= -this.trial.tolerance(a);
  }

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

  /** The next step's holding and quantity (sizing.ts), every trial put back; null when no close lowers MM. */
  private nextStep(a: number, holdings: readonly Holding[]): { holding: Holding; quantity: number } | null {
    const baseMm = this.run.accountColumns().mm[a];
    const slack0 = this.run.liquidationSlack(a, this.target);
    const choice = chooseClose(holdings.length, (k) => this.probe(a, k, holdings[k]), baseMm, slack0, this.p.order);
    this.trial.restore(a);
    if (choice === null) return null;
    const h = holdings[choice.holding];
    if (!choice.restores) return { holding: h, quantity: choice.cap };
    const tryClose = (q: number) => this.trial.tryClose(a, h, this.effects.effect(h, q, this.probeEffect));
    const whole = smallShortfallClose(this.effects.sizeOf(h), choice.cap, slack0, baseMm, this.p.smallShortfallUsd, tryClose);
    this.trial.restore(a);
    if (whole !== null) return { holding: h, quantity: whole };
    const quantity = sizeClose(choice.cap, slack0, choice.capSlack, choice.capTolerance, tryClose);
    this.trial.restore(a);
    return { holding: h, quantity };
  }

  /** Holding k's whole step tried on the account (null: nothing held). */
  private probe(a: number, k: number, h: Holding): CloseProbe | null {
    const size = this.effects.sizeOf(h);
    if (size === 0) return null;
    const r = this.probeRecord;
    r.cap = this.probes.probe(this.effects, k, h, size, this.probeEffect);
    const effect = this.probeEffect;
    const outcome = this.trial.tryClose(a, h, effect);
    r.slack = outcome.slack;
    r.mm = outcome.mm;
    r.tolerance = this.trial.tolerance(a);
    r.notional = effect.notional;
    r.cost = effect.cost + (h.kind === 'position' ? this.p.feeRate * effect.notional : 0);
    r.linear = h.kind === 'position' && this.layout.instruments.kind.array[h.index] !== KIND_OPTION ? 2 : h.kind === 'position' ? 1 : 0;
    return r;
  }
}
