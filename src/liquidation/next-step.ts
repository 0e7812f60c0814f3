/**
 * Choosing the next step of one account (or, under isolated margin, of one bucket: a position or the rest of the
 * account): which holding, how much, and the fee, from trials of closes on the account (trial.ts) and the pure
 * choosing and sizing rules (sizing.ts). Nothing is changed: every trial is put back.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { KIND_OPTION } from '../layout/codes.js';
import type { PreparedMarginRun } from '../session/types.js';
import { type CloseEffect, type CloseEffects, emptyEffect, type Holding, ProbeCache } from './close-effect.js';
import type { LiquidationParams } from './params.js';
import { type CloseProbe, chooseClose, costFreeBound, smallestRoot } from './sizing.js';
import type { CloseTrial, TrialOutcome } from './trial.js';

/** A step to execute: a quantity of a holding (signed like it) and the fee of its market close (USD). */
export interface NextStep {
  holding: Holding;
  quantity: number;
  fee: number;
}

/** A holding whose slack has no breakpoint. */
const NO_BREAKS: readonly number[] = [];

export class StepChooser {
  /** Each holding's step cap and its effect, for the account being liquidated. */
  private readonly probes = new ProbeCache();
  /** Scratch: a probe's effect and its record (read before the next probe). */
  private readonly probeEffect: CloseEffect = emptyEffect();
  private readonly probeRecord: CloseProbe = { cap: 0, slack: 0, mm: 0, fee: 0, beforeFee: 0, nominalFee: 0, feeCap: 0, cost: 0, notional: 0, linear: 0 };
  /** Scratch for the breakpoints' effects. */
  private readonly breakEffect: CloseEffect = emptyEffect();
  /** Per holding of the account, this step: the sizes where its close's slack changes slope (smallest-root.ts). */
  private breaks: (readonly number[])[] = [];
  /**
   * What sizing works on: the account, its bucket and holdings, and the holding being sized. The callbacks sizing.ts
   * calls read it ({@link probeHolding}, {@link tryHolding}: one function object each per run).
   */
  private readonly sizing: { a: number; bucket: number | undefined; holdings: readonly Holding[]; h: Holding | null } = { a: -1, bucket: undefined, holdings: [], h: null };
  private readonly probeHolding = (k: number): CloseProbe | null => this.probe(k);
  private readonly tryHolding = (q: number): TrialOutcome => this.tryAt(q);
  /** Scratch: the close {@link belowCaps} found. */
  private found = 0;
  /** Per holding of the account being liquidated, probed this step: an upper bound of the slack over its step (sizing.ts costFreeBound). */
  private capBound = new Float64Array(8);
  /** The last close tried by sizing, and the last that reached the target: holding, quantity and fee (the step's fee). */
  private readonly tried: { h: Holding | null; q: number; fee: number; acceptedH: Holding | null; acceptedQ: number; acceptedFee: number } = {
    h: null, q: Number.NaN, fee: 0, acceptedH: null, acceptedQ: Number.NaN, acceptedFee: 0,
  };

  /** `equityBehind(a, bucket)`: the equity behind a bucket (the account's, a position's own, or the rest's). */
  constructor(
    private readonly layout: BookLayout,
    private readonly run: PreparedMarginRun,
    private readonly p: LiquidationParams,
    private readonly effects: CloseEffects,
    private readonly trial: CloseTrial,
    private readonly equityBehind: (a: number, bucket: number | undefined) => number,
  ) {}

  /** A new account of `holdings` holdings: nothing probed yet. */
  startAccount(holdings: number): void {
    this.probes.reset(holdings);
    if (this.capBound.length < holdings) this.capBound = new Float64Array(Math.max(holdings, 2 * this.capBound.length));
  }

  /**
   * The next step on `bucket` (slack `slack0` < 0): its holding, quantity and fee, every trial put back; null when no
   * close helps. In order: the smallest close of the best holding that raises the slack (sizing.ts; its whole step
   * when no part of it reaches the target); else the smallest close of any holding that reaches the target below its
   * cap (S is not monotone); else a full step of the holding whose close lowers MM most per dollar (a fee or slippage
   * above the margin a part releases); else the whole of a holding if that restores the target (a balance whose
   * partial sales cost more than they release); else, for a bucket below zero equity, a full step of what it holds
   * (a bankrupt account is closed out).
   */
  next(a: number, holdings: readonly Holding[], bucket: number | undefined, slack0: number): NextStep | null {
    const on = this.sizing;
    on.a = a;
    on.bucket = bucket;
    on.holdings = holdings;
    const baseMm = this.run.accountColumns().mm[a];
    const tolerance = this.trial.tolerance(a);
    this.breakpoints(a, bucket);
    const choice = chooseClose(holdings.length, this.probeHolding, baseMm, slack0, this.p.order);
    this.trial.restore(a);
    let k = -1, q = 0;
    if (choice !== null && choice.gains) {
      k = choice.holding;
      const h = on.h = holdings[k];
      // a small shortfall is closed at once: 100% of it (Drift), sized as any other but without the per-step cap
      const limit = -slack0 < this.p.smallShortfallUsd / this.effects.usd ? this.uncapped(h, choice.cap, baseMm) : choice.cap;
      const root = limit === choice.cap
        ? smallestRoot(limit, slack0, tolerance, baseMm, this.tryHolding, choice.capOutcome, this.capBound[k], this.breaks[k])
        : smallestRoot(limit, slack0, tolerance, baseMm, this.tryHolding, undefined, Infinity, this.breaks[k]);
      q = root ?? choice.cap;
    } else {
      k = this.belowCaps(slack0, tolerance, baseMm);
      if (k >= 0) q = this.found;
      else if (choice !== null) {
        k = choice.holding;
        q = choice.cap;
      } else {
        k = this.wholeHolding(tolerance, baseMm);
        if (k >= 0) q = this.effects.sizeOf(holdings[k]);
        else if (this.equityBehind(a, bucket) < -tolerance) {
          k = holdings.findIndex((x) => this.usable(x) && this.effects.sizeOf(x) !== 0);
          if (k >= 0) q = this.effects.capOf(holdings[k], this.effects.sizeOf(holdings[k]), this.probeEffect);
        }
      }
    }
    if (k < 0) {
      this.trial.restore(a);
      return null;
    }
    const h = holdings[k];
    // the fee of the step itself (its cap depends on the MM the close leaves): from the trial of that close
    let fee = 0;
    if (h.kind === 'position') {
      const { tried } = this;
      if (choice !== null && k === choice.holding && q === choice.cap) fee = choice.capFee;
      else if (tried.h === h && tried.q === q) fee = tried.fee;
      else if (tried.acceptedH === h && tried.acceptedQ === q) fee = tried.acceptedFee;
      else {
        on.h = h;
        fee = this.tryHolding(q).fee;
      }
    }
    this.trial.restore(a);
    return { holding: h, quantity: q, fee };
  }

  /**
   * Each usable holding's breakpoints for this step ({@link breaks}), read while no trial is written: where the
   * method's requirement changes slope, where a sale's fill reaches its floor, where a collateral discount reaches its
   * cap (the surplus over bankruptcy of the equity behind the bucket).
   */
  private breakpoints(a: number, bucket: number | undefined): void {
    const holdings = this.sizing.holdings, breaks = this.breaks;
    breaks.length = holdings.length;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      if (!this.usable(h) || size === 0) {
        breaks[k] = NO_BREAKS;
        continue;
      }
      const out: number[] = [];
      if (h.kind === 'position') {
        const method = this.trial.sizeBreakpoints(a, h, size);
        if (method !== undefined) out.push(...method);
        const floor = this.effects.fillFloorSize(h, size);
        if (floor < Infinity) out.push(floor);
      } else {
        const perUnit = this.effects.effect(h, Math.sign(size), this.breakEffect).cost;
        const surplus = this.trial.surplus(a, this.equityBehind(a, bucket));
        if (perUnit > 0 && surplus > 0) out.push(surplus / perUnit);
      }
      breaks[k] = out.length === 0 ? NO_BREAKS : out.sort((x, y) => x - y);
    }
  }

  /** True when holding h is part of the bucket sizing works on (every holding under a pooled method). */
  private usable(h: Holding): boolean {
    const bucket = this.sizing.bucket;
    return bucket === undefined || (bucket >= 0 ? h.kind === 'position' && h.slot === bucket : h.kind === 'collateral');
  }

  /** The whole holding when closing all of it does not raise MM, else the per-step cap. */
  private uncapped(h: Holding, cap: number, baseMm: number): number {
    const size = this.effects.sizeOf(h);
    if (size === cap) return cap;
    const raises = this.tryHolding(size).mm > baseMm;
    this.trial.restore(this.sizing.a);
    return raises ? cap : size;
  }

  /**
   * When no holding's whole step raises the slack: the holding whose smallest close below its cap that reaches the
   * target costs least (S can rise to 0 and fall again before the cap), its index (the close in {@link found}); −1
   * when none does.
   */
  private belowCaps(slack0: number, tolerance: number, baseMm: number): number {
    const on = this.sizing, holdings = on.holdings;
    let best = -1, bestCost = Infinity;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      if (!this.usable(h) || size === 0 || this.capBound[k] < 0) continue; // probed this step: even free, its step misses the target
      on.h = h;
      const root = smallestRoot(this.effects.capOf(h, size, this.probeEffect), slack0, tolerance, baseMm, this.tryHolding, undefined, Infinity, this.breaks[k]);
      if (root === null) continue;
      const e = this.effects.effect(h, root, this.probeEffect);
      const cost = e.cost + this.effects.nominalFee(h, e);
      if (cost < bestCost) {
        best = k;
        bestCost = cost;
        this.found = root;
      }
    }
    this.trial.restore(on.a);
    return best;
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
    r.cap = this.probes.probe(this.effects, k, h, size, this.probeEffect);
    const effect = this.probeEffect;
    const outcome = this.trial.tryClose(a, h, effect, bucket);
    r.slack = outcome.slack;
    r.mm = outcome.mm;
    r.fee = outcome.fee;
    r.beforeFee = outcome.beforeFee;
    r.nominalFee = outcome.nominalFee;
    r.feeCap = outcome.feeCap;
    this.capBound[k] = costFreeBound(outcome.slack, effect.cost + outcome.fee);
    r.notional = effect.notional;
    r.cost = effect.cost + this.effects.nominalFee(h, effect);
    r.linear = h.kind === 'position' && this.layout.instruments.kind.array[h.index] !== KIND_OPTION ? 2 : h.kind === 'position' ? 1 : 0;
    return r;
  }

  /** The close of `q` of the holding sizing works on, tried on its bucket; its fee is kept in {@link tried}. */
  private tryAt(q: number): TrialOutcome {
    const { a, h, bucket } = this.sizing;
    const o = this.trial.tryClose(a, h as Holding, this.effects.effect(h as Holding, q, this.probeEffect), bucket), t = this.tried;
    t.h = h;
    t.q = q;
    t.fee = o.fee;
    if (o.slack >= 0) {
      t.acceptedH = h;
      t.acceptedQ = q;
      t.acceptedFee = o.fee;
    }
    return o;
  }
}
