/**
 * A slice of the account: the same fraction of every position closed together, when no close of one holding lowers
 * MM and the shortfall (a hedged account under a method that nets its positions: a long perpetual covering short
 * calls under a scenario grid, where closing either leg alone unhedges the other). OKX closes a cross account's long
 * and short pairs together; Deribit liquidates "in such a way that the risk of the position will be reduced". A
 * slice keeps the account's hedge ratios, so its risk falls with its size.
 *
 * Its fraction f: the smallest (by bisection on (0, f_max], to 1e-12 of f_max) whose slice, tried leg by leg as the
 * steps execute it (each at its market fill, its fee capped as any step's), brings the account to its target
 * (slack ≥ 0) with a lower MM; f_max when none does. f_max is the
 * largest fraction within every leg's per-step cap (close-effect.ts capOf: maxFractionPerStep of its starting size,
 * maxNotionalPerStep). Taken only when the slice at f_max lowers MM and raises the slack. Its legs are then executed
 * as steps of their own, in order of the MM each leg's own close leaves (lowest first: the leg that lowers the
 * risk goes first), each fee capped as any step's. Pooled methods only: under isolated margin each position is a
 * bucket of its own.
 */
import type { CloseEffect, CloseEffects, Holding } from './close-effect.js';
import type { CloseTrial } from './trial.js';

/** Bisection steps at most for a slice's fraction (each halves the interval: 1e-12 of f_max well within). */
const SLICE_BISECTIONS = 48;

export class HedgeSlice {
  /** The account whose slice is under way (−1: none), its legs (holding indexes, in execution order), their quantities, the next leg. */
  private account = -1;
  private legs = new Int32Array(8);
  private quantities = new Float64Array(8);
  /** Each leg's size and step cap when the slice was planned (a trial of the default terms writes into the layout). */
  private sizes = new Float64Array(8);
  private caps = new Float64Array(8);
  private count = 0;
  private at = 0;
  /** Scratch: per leg, the MM its own close leaves (orderLegs). */
  private legMm = new Float64Array(8);

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
   * The next leg of the slice under way on account a: its holding index and (in `into`) its quantity, signed like the
   * holding and at most what it holds now; −1 when none is left.
   */
  nextLeg(a: number, holdings: readonly Holding[], into: { quantity: number }): number {
    if (this.account !== a) return -1;
    while (this.at < this.count) {
      const j = this.at++, k = this.legs[j], size = this.effects.sizeOf(holdings[k]);
      if (size === 0) continue;
      into.quantity = Math.sign(size) * Math.min(Math.abs(this.quantities[j]), Math.abs(size));
      return k;
    }
    this.reset();
    return -1;
  }

  /**
   * Plans a slice of account a (slack `slack0` < 0, MM `baseMm`) over its positions that `usable` accepts; true when
   * one is taken (its legs then come from {@link nextLeg}, every trial put back).
   */
  plan(a: number, holdings: readonly Holding[], usable: (h: Holding) => boolean, slack0: number, baseMm: number): boolean {
    this.reset();
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
    this.fill(fMax);
    this.orderLegs(a, holdings); // the order the legs execute in, which their trials follow
    const atMax = this.tryFraction(a, holdings, fMax);
    if (!(atMax.mm < baseMm && atMax.slack > slack0)) return false;
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
    this.fill(f);
    this.trial.restore(a); // the legs read what the account holds
    this.account = a;
    this.at = 0;
    return true;
  }

  /** The slice at fraction f tried on the account (CloseTrial.trySlice). */
  private tryFraction(a: number, holdings: readonly Holding[], f: number): { slack: number; mm: number } {
    this.fill(f);
    return this.trial.trySlice(a, holdings, this.legs, this.quantities, this.count);
  }

  /** Each leg's quantity at fraction f: f of what it holds, within its step cap. */
  private fill(f: number): void {
    for (let j = 0; j < this.count; j++) this.quantities[j] = Math.sign(this.sizes[j]) * Math.min(f * Math.abs(this.sizes[j]), this.caps[j]);
  }

  /** Legs in order of the MM their own close (at f_max) leaves, lowest first, then by their order in the holdings. */
  private orderLegs(a: number, holdings: readonly Holding[]): void {
    const n = this.count, mm = this.legMm, sizes = this.sizes, caps = this.caps;
    for (let j = 0; j < n; j++) {
      const h = holdings[this.legs[j]];
      mm[j] = this.trial.tryClose(a, h, this.effects.effect(h, this.quantities[j], this.scratch)).mm;
    }
    // insertion sort of a handful of legs, stable
    for (let j = 1; j < n; j++) {
      const leg = this.legs[j], q = this.quantities[j], m = mm[j], size = sizes[j], cap = caps[j];
      let i = j;
      for (; i > 0 && mm[i - 1] > m; i--) {
        this.legs[i] = this.legs[i - 1];
        this.quantities[i] = this.quantities[i - 1];
        mm[i] = mm[i - 1];
        sizes[i] = sizes[i - 1];
        caps[i] = caps[i - 1];
      }
      this.legs[i] = leg;
      this.quantities[i] = q;
      mm[i] = m;
      sizes[i] = size;
      caps[i] = cap;
    }
  }

  private grow(n: number): void {
    if (this.legs.length >= n) return;
    const legs = new Int32Array(2 * n), quantities = new Float64Array(2 * n);
    legs.set(this.legs);
    quantities.set(this.quantities);
    this.legs = legs;
    this.quantities = quantities;
    this.sizes = grownCopy(this.sizes, 2 * n);
    this.caps = grownCopy(this.caps, 2 * n);
    this.legMm = new Float64Array(2 * n);
  }
}

/** `from` copied into a new array of `length`. */
function grownCopy(from: Float64Array, length: number): Float64Array<ArrayBuffer> {
  const to = new Float64Array(length);
  to.set(from);
  return to;
}
