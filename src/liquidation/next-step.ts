/**
 * Choosing the next step of one account (or, under isolated margin, of one bucket: a position or the rest of the
 * account): which holding, how much, and the fee, from trials of closes on the account (trial.ts) and the pure
 * choosing and sizing rules (sizing.ts). Nothing is changed: every trial is put back.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import type { EngineRun } from '../session/types.js';
import { type CloseEffect, type CloseEffects, emptyEffect, type Holding, ProbeCache } from './close-effect.js';
import type { LiquidationParams } from './params.js';
import { type CloseProbe, chooseClose, costFreeBound, emptyChoice, RootSearch } from './sizing.js';
import type { CloseTrial, TrialOutcome } from './trial.js';
import type { Shelf, ShelfKind } from '../memory/shelf.js';
import { grownCopy } from '../memory/grown-copy.js';
import { HedgeSlice, type SliceLeg } from './slice.js';

/**
 * A chooser's scratch: its probes, its root search, and its per-holding arrays (grown to the most holdings an account
 * had), kept between runs on the engine's shelf of {@link STEP_SCRATCH}: a one-account liquidation is a run per call.
 */
export class StepScratch {
  /** Each holding's step cap and its effect, for the account being liquidated. */
  probes = new ProbeCache();
  /** The smallest-root search. */
  search = new RootSearch();
  /**
   * Per holding of the account being liquidated, read when its liquidation begins: the sizes of the position (|contracts|,
   * descending) where the method's requirement changes slope, levels[levelStart[k], levelStart[k + 1]); and the close
   * (|contracts|) beyond which a sale's fill reaches its floor (Infinity: none).
   */
  levels = new Float64Array(16);
  levelStart = new Int32Array(9);
  fillFloor = new Float64Array(8);
  /** One holding's breakpoints for the step being sized (close sizes, ascending), StepChooser's breakCount of them. */
  breaks = new Float64Array(16);
  /** Per holding of the account being liquidated, probed this step: an upper bound of the slack over its step (sizing.ts costFreeBound). */
  capBound = new Float64Array(8);
}

/** The kind of a chooser's scratch, on an engine's shelves (RunRetention.shelf). */
export const STEP_SCRATCH: ShelfKind<StepScratch> = { make: () => new StepScratch() };

/**
 * A step to execute: a quantity of a holding (signed like it), the fee of its market close (USD) and the share of MM
 * the close releases (what caps the fee and shares out a deficit: step.ts), both from the trial of that close.
 */
export interface NextStep {
  holding: Holding;
  quantity: number;
  fee: number;
  share: number;
}

export class StepChooser {
  /** Scratch: a probe's effect and its record (read before the next probe). */
  private readonly probeEffect: CloseEffect = emptyEffect();
  private readonly probeRecord: CloseProbe = { cap: 0, slack: 0, mm: 0, fee: 0, beforeFee: 0, nominalFee: 0, feeCap: 0, share: 1, executionCost: Number.NaN, cost: 0, notional: 0, linear: 0 };
  /** Scratch for the breakpoints' effects. */
  private readonly breakEffect: CloseEffect = emptyEffect();
  /** Scratch: the step's choice (read before the next step). */
  private readonly choice = emptyChoice();
  private breakCount = 0;
  /**
   * What sizing works on: the account, its bucket and holdings, and the holding being sized. The callbacks sizing.ts
   * calls read it ({@link probeHolding}, {@link tryHolding}: one function object each per run).
   */
  private readonly sizing: { a: number; bucket: number | undefined; holdings: readonly Holding[]; h: Holding | null } = { a: -1, bucket: undefined, holdings: [], h: null };
  private readonly probeHolding = (k: number): CloseProbe | null => this.probe(k);
  private readonly tryHolding = (q: number): TrialOutcome => this.tryAt(q);
  /** Scratch: the step {@link next} returns (read before the next call). */
  private readonly step: NextStep = { holding: { kind: 'position', slot: -1, index: -1, startSize: 0 }, quantity: 0, fee: Number.NaN, share: Number.NaN };
  /** Scratch: the close {@link belowCaps} picks (read before the next step). */
  private readonly pick: ClosePick = { holding: -1, quantity: 0, fee: Number.NaN, share: Number.NaN };
  /** Its probes, root search and per-holding arrays (see {@link StepScratch}), given back by {@link release}. */
  private readonly scratch: StepScratch;
  /** A slice of the account under way (slice.ts), and its next leg. */
  private readonly slice: HedgeSlice;
  private readonly leg: SliceLeg = { quantity: 0, fee: 0, share: 1 };
  private readonly usableHolding = (h: Holding): boolean => this.usable(h);

  /** `equityBehind(a, bucket)`: the equity behind a bucket (the account's, a position's own, or the rest's). */
  constructor(
    private readonly layout: BookLayout,
    private readonly run: EngineRun,
    private readonly p: LiquidationParams,
    private readonly effects: CloseEffects,
    private readonly trial: CloseTrial,
    private readonly equityBehind: (a: number, bucket: number | undefined) => number,
    private readonly shelf: Shelf<StepScratch>,
  ) {
    this.scratch = shelf.take();
    this.slice = new HedgeSlice(effects, trial, emptyEffect());
  }

  /** True when the last {@link next} found no step but a slice the steps left could not hold. */
  get sliceCut(): boolean {
    return this.slice.cut;
  }

  /** The run ended: the scratch (as grown) is kept for the next run's chooser; none of it is read after this. */
  release(): void {
    this.scratch.search.forget();
    this.shelf.give(this.scratch);
  }

  /**
   * Account a's liquidation begins, with `holdings`: nothing probed yet; each position's breakpoints read once, as sizes
   * of the position (MethodTrial.sizeBreakpoints: where the requirement changes slope depends on what is held, not on
   * the step), and where a sale's fill reaches its floor.
   */
  startAccount(a: number, holdings: readonly Holding[]): void {
    const n = holdings.length, sc = this.scratch;
    sc.probes.reset(n);
    this.slice.reset();
    if (sc.capBound.length < n) sc.capBound = new Float64Array(Math.max(n, 2 * sc.capBound.length));
    if (sc.fillFloor.length < n) sc.fillFloor = new Float64Array(Math.max(n, 2 * sc.fillFloor.length));
    if (sc.levelStart.length < n + 1) sc.levelStart = new Int32Array(Math.max(n + 1, 2 * sc.levelStart.length));
    let at = 0;
    for (let k = 0; k < n; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      sc.levelStart[k] = at;
      sc.fillFloor[k] = this.effects.fillFloorSize(h, size);
      const closes = h.kind === 'position' && size !== 0 ? this.trial.sizeBreakpoints(a, h, size) : undefined;
      if (closes === undefined) continue;
      for (const q of closes) {
        if (!(q > 0 && q < Math.abs(size))) continue;
        if (at === sc.levels.length) sc.levels = grownCopy(sc.levels);
        sc.levels[at++] = Math.abs(size) - q; // the position's size there (descending, as the closes ascend)
      }
    }
    sc.levelStart[n] = at;
  }

  /**
   * The next step on `bucket` (slack `slack0` < 0): its holding, quantity and fee, every trial put back; null when no
   * close helps. In order: the smallest close of the best holding that raises the slack (sizing.ts; its whole step
   * when no part of it reaches the target); else the smallest close of any holding that reaches the target below its
   * cap (S is not monotone); else a full step of the holding whose close lowers MM most per dollar (a fee or slippage
   * above the margin a part releases); else the whole of a holding if that restores the target (a balance whose
   * partial sales cost more than they release); else, for a bucket with no surplus over bankruptcy (equity ≤ 0 within
   * rounding), a full step of what it holds (a bankrupt account is closed out, and one the fund brought to exactly 0
   * whose holdings hedge each other); else, under a pooled method, a slice of every position (slice.ts: its legs are
   * the next steps, in at most `stepsLeft`). The step is a scratch record: read it before the next call.
   */
  next(a: number, holdings: readonly Holding[], bucket: number | undefined, slack0: number, stepsLeft = Infinity): NextStep | null {
    const on = this.sizing;
    on.a = a;
    on.bucket = bucket;
    on.holdings = holdings;
    // a slice under way (slice.ts): its legs are executed in turn, whatever the account's slack between them
    const leg = this.slice.nextLeg(a, holdings, this.leg);
    if (leg >= 0) return this.stepOf(a, holdings[leg], this.leg.quantity, this.leg.fee, this.leg.share);
    const baseMm = this.run.accountColumns().mm[a];
    const tolerance = this.trial.tolerance(a);
    const choice = chooseClose(holdings.length, this.probeHolding, baseMm, slack0, this.p.order, this.choice);
    this.trial.restore(a);
    // the step's fee and share when a trial of it is known (the choice's cap, the search's root); NaN: tried again below
    let k = -1, q = 0, fee = Number.NaN, share = Number.NaN;
    if (choice !== null && choice.gains) {
      k = choice.holding;
      const h = on.h = holdings[k];
      // a small shortfall is closed at once: 100% of it (Drift), sized as any other but without the per-step cap
      const limit = -slack0 < this.p.smallShortfallUsd / this.effects.usd ? this.uncapped(h, choice.cap, baseMm) : choice.cap;
      const count = this.breakpoints(a, k, bucket);
      const root = limit === choice.cap
        ? this.scratch.search.find(limit, slack0, tolerance, baseMm, this.tryHolding, choice.capOutcome, this.scratch.capBound[k], this.scratch.breaks, count)
        : this.scratch.search.find(limit, slack0, tolerance, baseMm, this.tryHolding, undefined, Infinity, this.scratch.breaks, count);
      q = root ?? choice.cap;
      if (root !== null) {
        fee = this.scratch.search.feeAt(root);
        share = this.scratch.search.shareAt(root);
      }
    } else {
      const pick = this.belowCaps(slack0, tolerance, baseMm);
      if (pick !== null) {
        k = pick.holding;
        q = pick.quantity;
        fee = pick.fee;
        share = pick.share;
      } else if (choice !== null) {
        k = choice.holding;
        q = choice.cap;
      } else {
        k = this.wholeHolding(tolerance, baseMm);
        if (k >= 0) q = this.effects.sizeOf(holdings[k]);
        else if (this.equityBehind(a, bucket) <= tolerance) {
          k = firstInRowOrder(holdings, (x) => this.usable(x) && this.effects.sizeOf(x) !== 0);
          if (k >= 0) q = this.effects.capOf(holdings[k], this.effects.sizeOf(holdings[k]), this.probeEffect);
        }
      }
    }
    if (k < 0 && !this.trial.growsWithSize(a)) {
      // the step bounds hold only where the requirement grows with what is held: under a method that nets positions a
      // hedge leg's small close can release more than its whole step (a basis trade's future under a scenario grid)
      const pick = this.belowCaps(slack0, tolerance, baseMm, false);
      if (pick !== null) [k, q, fee, share] = [pick.holding, pick.quantity, pick.fee, pick.share];
    }
    if (k < 0 && bucket === undefined && this.slice.plan(a, holdings, this.usableHolding, slack0, baseMm, stepsLeft)) {
      k = this.slice.nextLeg(a, holdings, this.leg); // no close of one holding helps: a slice of them all
      [q, fee, share] = [this.leg.quantity, this.leg.fee, this.leg.share];
    }
    if (k < 0) {
      this.trial.restore(a);
      return null;
    }
    if (choice !== null && k === choice.holding && q === choice.cap && holdings[k].kind === 'position') {
      fee = choice.capFee;
      share = choice.capShare;
    }
    return this.stepOf(a, holdings[k], q, fee, share);
  }

  /**
   * The step closing `q` of holding h, with the fee and share of the trial of that close when not given (NaN): its
   * fee's cap depends on the MM the close leaves. Every trial is put back.
   */
  private stepOf(a: number, h: Holding, q: number, fee: number, share: number): NextStep {
    if (h.kind !== 'position') {
      fee = 0;
      share = 1;
    } else if (Number.isNaN(fee) || Number.isNaN(share)) {
      this.sizing.h = h;
      const tried = this.tryHolding(q);
      fee = tried.fee;
      share = tried.share;
    }
    this.trial.restore(a);
    const step = this.step;
    step.holding = h;
    step.quantity = q;
    step.fee = fee;
    step.share = share;
    return step;
  }

  /**
   * Holding k's breakpoints for this step, as sizes of the close (ascending) in {@link breaks}; returns their count.
   * A position's: where the requirement changes slope (its levels, now closes of its current size) and where a sale's
   * fill reaches its floor; a balance's: where its discount reaches its cap, the surplus over bankruptcy of the equity
   * behind the bucket. Arithmetic on what the account's start read: no trial.
   */
  private breakpoints(a: number, k: number, bucket: number | undefined): number {
    const h = this.sizing.holdings[k], size = Math.abs(this.effects.sizeOf(h));
    this.breakCount = 0;
    if (h.kind === 'position') {
      for (let j = this.scratch.levelStart[k]; j < this.scratch.levelStart[k + 1]; j++) this.putBreak(size - this.scratch.levels[j], size);
      this.putBreak(this.scratch.fillFloor[k], size);
    } else {
      const perUnit = this.effects.effect(h, Math.sign(this.effects.sizeOf(h)), this.breakEffect).cost;
      const surplus = this.trial.surplus(a, this.equityBehind(a, bucket));
      if (perUnit > 0) this.putBreak(surplus / perUnit, size);
    }
    return this.breakCount;
  }

  /** Adds close size q to {@link breaks} in order, when strictly inside (0, size) (insertion: a handful at most). */
  private putBreak(q: number, size: number): void {
    if (!(q > 0 && q < size)) return;
    if (this.breakCount === this.scratch.breaks.length) this.scratch.breaks = grownCopy(this.scratch.breaks);
    const breaks = this.scratch.breaks;
    let j = this.breakCount++;
    for (; j > 0 && breaks[j - 1] > q; j--) breaks[j] = breaks[j - 1];
    breaks[j] = q;
  }

  /** True when holding h is part of the bucket sizing works on (every holding under a pooled method). */
  private usable(h: Holding): boolean {
    const bucket = this.sizing.bucket;
    return bucket === undefined || (bucket >= 0 ? h.kind === 'position' && h.slot === bucket : h.kind === 'collateral');
  }

  /**
   * The holding without its fraction cap (within the notional cap, which a small shortfall does not lift) when closing
   * that much does not raise MM, else the per-step cap.
   */
  private uncapped(h: Holding, cap: number, baseMm: number): number {
    const whole = this.effects.notionalCapOf(h, this.effects.sizeOf(h), this.probeEffect);
    if (whole === cap) return cap;
    const raises = this.tryHolding(whole).mm > baseMm;
    this.trial.restore(this.sizing.a);
    return raises ? cap : whole;
  }

  /**
   * When no holding's whole step raises the slack: the holding whose smallest close below its cap that reaches the
   * target costs least (S can rise to 0 and fall again before the cap), with that close and its fee when its search
   * remembers it (NaN: not); null when none does. `bounded`: holdings whose whole step misses the target even free are
   * not searched (smallest-root.ts costFreeBound: sound where the requirement grows with what is held).
   */
  private belowCaps(slack0: number, tolerance: number, baseMm: number, bounded = true): ClosePick | null {
    const on = this.sizing, holdings = on.holdings, pick = this.pick;
    let best = -1, bestCost = Infinity;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      if (!this.usable(h) || size === 0 || (bounded && this.scratch.capBound[k] < 0)) continue; // probed this step: even free, its step misses the target
      on.h = h;
      const count = this.breakpoints(on.a, k, on.bucket);
      const root = this.scratch.search.find(this.effects.capOf(h, size, this.probeEffect), slack0, tolerance, baseMm, this.tryHolding, undefined, Infinity, this.scratch.breaks, count);
      if (root === null) continue;
      const e = this.effects.effect(h, root, this.probeEffect);
      const cost = e.cost + this.effects.nominalFee(h, e);
      if (cost < bestCost) {
        best = k;
        bestCost = cost;
        pick.holding = k;
        pick.quantity = root;
        pick.fee = this.scratch.search.feeAt(root);
        pick.share = this.scratch.search.shareAt(root);
      }
    }
    this.trial.restore(on.a);
    return best >= 0 ? pick : null;
  }

  /** The holding whose close in full (beyond the per-step cap) restores the target at least cost; −1 when none does. */
  private wholeHolding(tolerance: number, baseMm: number): number {
    const on = this.sizing, holdings = on.holdings;
    let best = -1, bestCost = Infinity;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      if (!this.usable(h) || size === 0) continue;
      on.h = h;
      const o = this.tryHolding(size);
      if (o.slack < -tolerance || o.mm > baseMm) continue;
      const e = this.effects.effect(h, size, this.probeEffect);
      const cost = e.cost + this.effects.nominalFee(h, e);
      if (cost < bestCost) {
        best = k;
        bestCost = cost;
      }
    }
    this.trial.restore(on.a);
    return best;
  }

  /** Holding k's whole step tried on the bucket sizing works on (null: nothing held, or not the bucket's). */
  private probe(k: number): CloseProbe | null {
    const { a, bucket, holdings } = this.sizing, h = holdings[k];
    if (!this.usable(h)) return null;
    const size = this.effects.sizeOf(h);
    if (size === 0) return null;
    const r = this.probeRecord;
    r.cap = this.scratch.probes.probe(this.effects, k, h, size, this.probeEffect);
    const effect = this.probeEffect;
    const outcome = this.trial.tryClose(a, h, effect, bucket);
    r.slack = outcome.slack;
    r.mm = outcome.mm;
    r.fee = outcome.fee;
    r.beforeFee = outcome.beforeFee;
    r.nominalFee = outcome.nominalFee;
    r.feeCap = outcome.feeCap;
    r.share = outcome.share;
    r.executionCost = outcome.executionCost;
    this.scratch.capBound[k] = costFreeBound(outcome.slack, effect.cost + outcome.fee);
    r.notional = effect.notional;
    r.cost = effect.cost + this.effects.nominalFee(h, effect);
    r.linear = h.kind === 'position' && this.layout.instruments.kind.array[h.index] !== KIND_OPTION ? 2 : h.kind === 'position' ? 1 : 0;
    return r;
  }

  /** The close of `q` of the holding sizing works on, tried on its bucket. */
  private tryAt(q: number): TrialOutcome {
    const { a, h, bucket } = this.sizing;
    return this.trial.tryClose(a, h as Holding, this.effects.effect(h as Holding, q, this.probeEffect), bucket);
  }
}

/** A close a rule picked: holding index, quantity (signed like it) and its fee when a trial of it is known (NaN: not). */
interface ClosePick {
  holding: number;
  quantity: number;
  fee: number;
  share: number;
}

/** The holding `ok` accepts that comes first by its row (positions by instrument row, then balances by asset): −1 when none. */
function firstInRowOrder(holdings: readonly Holding[], ok: (h: Holding) => boolean): number {
  // one key per holding: a balance's asset rows after every instrument row
  const key = (h: Holding) => (h.kind === 'position' ? h.index : 2 ** 31 + h.index);
  let best = -1;
  for (let k = 0; k < holdings.length; k++) if (ok(holdings[k]) && (best < 0 || key(holdings[k]) < key(holdings[best]))) best = k;
  return best;
}
