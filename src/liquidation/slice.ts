/**
 * A slice of the account: the same fraction of every position closed together, when no close of one holding lowers
 * MM and the shortfall (a hedged account under a method that nets its positions: a long perpetual covering short
 * calls under a scenario grid, where closing either leg alone unhedges the other). OKX closes a cross account's long
 * and short pairs together; Deribit liquidates "in such a way that the risk of the position will be reduced". A
 * slice keeps the account's hedge ratios, so its risk falls with its size.
 *
 * - The slice is one close of part of the account: its fee is the legs' nominal fees summed, capped by the surplus of
 *   the part closed (equity × the share of MM the slice releases − the legs' slippage), as any step's is (pricing.ts
 *   liquidationFee), and shared among the legs by their nominal fees; the share also prices a leg that would take
 *   the equity below 0 at its bankruptcy price (step.ts).
 * - Its fraction f: the smallest (bisection on (0, f_max], to 1e-12 of f_max) whose slice brings the account to its
 *   target (slack ≥ 0, fee included) with a lower MM; f_max when none does. f_max is the largest fraction within
 *   every leg's per-step cap (close-effect.ts capOf: maxFractionPerStep of its starting size, maxNotionalPerStep).
 *   Taken only when the slice at f_max lowers MM and raises the slack, and when its legs fit in the steps
 *   `maxStepsPerAccount` leaves (a guard never cuts a slice in two).
 * - Its legs are executed as steps of their own, in order of the MM each leg's own close leaves (lowest first). A leg
 *   can raise MM on its own (closing the perpetual of a covered call leaves the calls naked): the slice as a whole
 *   lowers it.
 * Pooled methods only: under isolated margin each position is a bucket of its own.
 */
import type { CloseEffect, CloseEffects, Holding } from './close-effect.js';
import type { CloseTrial } from './trial.js';
import { grownCopy } from '../memory/grown-copy.js';

/** Bisection steps at most for a slice's fraction (each halves the interval: 1e-12 of f_max well within). */
const SLICE_BISECTIONS = 48;

/** A leg to execute: its quantity (signed like the holding), its share of the slice's fee (USD) and the slice's share of MM released. */
export interface SliceLeg {
  quantity: number;
  fee: number;
  share: number;
}

export class HedgeSlice {
  /** The account whose slice is under way (−1: none), its legs (holding indexes, in execution order), their quantities, the next leg. */
  private account = -1;
  private legs = new Int32Array(8);
  private quantities = new Float64Array(8);
  /** Each leg's size and step cap when the slice was planned (a trial of the default terms writes into the layout). */
  private sizes = new Float64Array(8);
  private caps = new Float64Array(8);
  /** Per leg: the MM its own close leaves (its order), then its share of the slice's fee (USD). */
  private legMm = new Float64Array(8);
  private legFee = new Float64Array(8);
  private share = 1;
  private count = 0;
  private at = 0;
  /** True when the last plan found a slice that the steps left could not hold (the guard stopped the account). */
  cut = false;

  constructor(
    private readonly effects: CloseEffects,
    private readonly trial: CloseTrial,
    private readonly scratch: CloseEffect,
  ) {}

  /** Drops a slice under way (an account's liquidation begins). */
  reset(): void {
    this.account = -1;
    this.count = this.at = 0;
  }

  /**
   * The next leg of the slice under way on account a: its holding index, and in `into` its quantity (at most what the
   * holding holds now), fee and share; −1 when none is left.
   */
  nextLeg(a: number, holdings: readonly Holding[], into: SliceLeg): number {
    if (this.account !== a) return -1;
    while (this.at < this.count) {
      const j = this.at++, k = this.legs[j], size = this.effects.sizeOf(holdings[k]);
      if (size === 0) continue;
      into.quantity = Math.sign(size) * Math.min(Math.abs(this.quantities[j]), Math.abs(size));
      into.fee = this.legFee[j];
      into.share = this.share;
      return k;
    }
    this.reset();
    return -1;
  }

  /**
   * Plans a slice of account a (slack `slack0` < 0, MM `baseMm`) over its positions that `usable` accepts, in at most
   * `stepsLeft` steps; true when one is taken (its legs then come from {@link nextLeg}, every trial put back).
   */
  plan(a: number, holdings: readonly Holding[], usable: (h: Holding) => boolean, slack0: number, baseMm: number, stepsLeft: number): boolean {
    this.reset();
    this.cut = false;
    let n = 0, fMax = 1;
    for (let k = 0; k < holdings.length; k++) {
      const h = holdings[k], size = this.effects.sizeOf(h);
      if (h.kind !== 'position' || size === 0 || !usable(h)) continue;
      this.grow(n + 1);
      this.legs[n] = k;
      this.sizes[n] = size;
      this.caps[n] = Math.abs(this.effects.capOf(h, size, this.scratch));
      fMax = Math.min(fMax, this.caps[n++] / Math.abs(size));
    }
    if (n < 2 || !(fMax > 0)) return false; // one position: its own close was tried
    this.count = n;
    const atMax = this.tryFraction(a, holdings, fMax);
    if (!(atMax.mm < baseMm && atMax.slack > slack0)) return false;
    if (n > stepsLeft) {
      this.cut = true; // the guard would cut the slice in two, leaving the account unhedged
      return false;
    }
    let f = fMax;
    if (atMax.slack >= 0) {
      let lo = 0, hi = fMax;
      for (let i = 0; i < SLICE_BISECTIONS && hi - lo > 1e-12 * fMax; i++) {
        const mid = 0.5 * (lo + hi), o = this.tryFraction(a, holdings, mid);
        if (o.slack >= 0 && o.mm < baseMm) hi = mid;
        else lo = mid;
      }
      f = hi;
    }
    const chosen = this.tryFraction(a, holdings, f);
    this.shareFee(holdings, chosen.fee, chosen.nominalFee);
    this.share = chosen.share;
    this.orderLegs(a, holdings);
    this.trial.restore(a); // the legs read what the account holds
    this.account = a;
    this.at = 0;
    return true;
  }

  /** The slice at fraction f tried on the account (CloseTrial.trySlice). */
  private tryFraction(a: number, holdings: readonly Holding[], f: number): { slack: number; mm: number; fee: number; nominalFee: number; share: number } {
    for (let j = 0; j < this.count; j++) this.quantities[j] = Math.sign(this.sizes[j]) * Math.min(f * Math.abs(this.sizes[j]), this.caps[j]);
    return this.trial.trySlice(a, holdings, this.legs, this.quantities, this.count);
  }

  /** The slice's fee shared among its legs by their nominal fees (`nominal`: their sum). */
  private shareFee(holdings: readonly Holding[], fee: number, nominal: number): void {
    for (let j = 0; j < this.count; j++) {
      const h = holdings[this.legs[j]], own = this.effects.nominalFee(h, this.effects.effect(h, this.quantities[j], this.scratch));
      this.legFee[j] = nominal > 0 ? (fee * own) / nominal : 0;
    }
  }

  /**
   * Legs in order of the MM their own close leaves, lowest first, then by their order in the holdings (stable): what
   * {@link nextLeg} reads is reordered (legs, quantities, fees).
   */
  private orderLegs(a: number, holdings: readonly Holding[]): void {
    const n = this.count, mm = this.legMm, arrays = [this.legs, this.quantities, this.legFee, mm];
    for (let j = 0; j < n; j++) {
      const h = holdings[this.legs[j]];
      mm[j] = this.trial.tryClose(a, h, this.effects.effect(h, this.quantities[j], this.scratch)).mm;
    }
    for (let j = 1; j < n; j++) {
      const m = mm[j], row = arrays.map((x) => x[j]);
      let i = j;
      for (; i > 0 && mm[i - 1] > m; i--) for (const x of arrays) x[i] = x[i - 1];
      arrays.forEach((x, c) => (x[i] = row[c]));
    }
  }

  private grow(n: number): void {
    if (this.legs.length >= n) return; // n is one more than held: twice the room holds it
    this.legs = grownCopy(this.legs);
    this.quantities = grownCopy(this.quantities);
    this.sizes = grownCopy(this.sizes);
    this.caps = grownCopy(this.caps);
    this.legMm = grownCopy(this.legMm);
    this.legFee = grownCopy(this.legFee);
  }
}
