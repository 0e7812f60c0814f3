/**
 * Every account's contingency add-ons as a plan that a market move only re-prices: the entries PortfolioRun's
 * scanAddOns builds from an account's positions (net short options per (underlying, strike), sorted; then net
 * futures/perpetual notional per underlying, sorted), with what they depend on kept: a short option entry's
 * net short units (its amount is rate × spot × units; options not net short add nothing and are left out), a
 * linear entry's positions (its notional Σ units × mark, summed in position order, depends on the marks). The
 * total is summed in entry order from +0, as scanAddOns sums it, so it has scanAddOns' bits on any market;
 * building the plan costs one pass over the book, re-pricing an account O(its entries). Positions changed after
 * the plan was built are the caller's to re-scan (remargined accounts).
 */
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_FUTURE, KIND_OPTION, KIND_PERPETUAL } from '../../layout/codes.js';
import type { PortfolioRule } from './params.js';

export class AddOnPlan {
  /** Account a: short option entries [optStart[a], optEnd[a]), linear entries [linStart[a], linEnd[a]). */
  private readonly optStart: Int32Array;
  private readonly optEnd: Int32Array;
  private readonly linStart: Int32Array;
  private readonly linEnd: Int32Array;
  /** Short option entries: underlying and net short units (−net > 0). */
  private readonly optU: Int32Array;
  private readonly optUnits: Float64Array;
  /** Linear entries: underlying and positions [from, to) of instrument/units. */
  private readonly linU: Int32Array;
  private readonly from: Int32Array;
  private readonly to: Int32Array;
  private readonly instrument: Int32Array;
  private readonly units: Float64Array;
  /** Per account: bit u set when it has an entry on underlying u < 31; bit 31 for any underlying above. */
  private readonly mask: Int32Array;
  /** Per account: 1 when its instruments are settled in an asset (coin-margined): short options charged per coin. */
  private readonly coin: Uint8Array;

  /**
   * The plan of `accounts` entries: by default the layout's accounts (positions in layout order, none for an account
   * that is not live); `positions` gives other holdings over the layout's instruments (masters' pools).
   */
  constructor(layout: BookLayout, accounts: number, positions: PlanPositions = layoutPositions(layout, accounts)) {
    const { start: pStart, end: pEnd } = positions;
    const settlement = layout.instruments.settlement.array, posInstrument = positions.instrument;
    let slots = 0, most = 0;
    for (let a = 0; a < accounts; a++) {
      slots += pEnd[a] - pStart[a];
      most = Math.max(most, pEnd[a] - pStart[a]);
    }
    this.optStart = new Int32Array(accounts);
    this.optEnd = new Int32Array(accounts);
    this.linStart = new Int32Array(accounts);
    this.linEnd = new Int32Array(accounts);
    this.mask = new Int32Array(accounts);
    this.coin = new Uint8Array(accounts);
    this.optU = new Int32Array(slots);
    this.optUnits = new Float64Array(slots);
    this.linU = new Int32Array(slots);
    this.from = new Int32Array(slots);
    this.to = new Int32Array(slots);
    this.instrument = new Int32Array(slots);
    this.units = new Float64Array(slots);
    const scratch = new PlanScratch(most);
    const cursor = { o: 0, e: 0, l: 0 };
    for (let a = 0; a < accounts; a++) {
      this.optStart[a] = cursor.o;
      this.linStart[a] = cursor.e;
      this.coin[a] = pEnd[a] > pStart[a] && settlement[posInstrument[pStart[a]]] >= 0 ? 1 : 0;
      this.planAccount(layout, positions, pStart[a], pEnd[a], cursor, scratch);
      this.optEnd[a] = cursor.o;
      this.linEnd[a] = cursor.e;
      let mask = 0;
      for (let k = this.optStart[a]; k < cursor.o; k++) mask |= underlyingBit(this.optU[k]);
      for (let k = this.linStart[a]; k < cursor.e; k++) mask |= underlyingBit(this.linU[k]);
      this.mask[a] = mask;
    }
  }

  /** One account's entries from its positions [p0, p1), written at `cursor` (advanced), in scanAddOns' order. */
  private planAccount(layout: BookLayout, positions: PlanPositions, p0: number, p1: number, cursor: { o: number; e: number; l: number }, scratch: PlanScratch): void {
    const ins = layout.instruments;
    const kind = ins.kind.array, underlying = ins.underlying.array, strike = ins.strike.array, multiplier = ins.multiplier.array;
    const { instrument: posInstrument, quantity } = positions;
    const { kU, kK, kNet, order, lU, lOrder, linOf } = scratch;
    let nOpt = 0, nLin = 0;
    for (let p = p0; p < p1; p++) {
      const i = posInstrument[p];
      const ui = underlying[i];
      linOf[p - p0] = -1;
      if (kind[i] === KIND_OPTION) {
        let j = 0;
        while (j < nOpt && !(kU[j] === ui && kK[j] === strike[i])) j++;
        if (j === nOpt) {
          kU[j] = ui;
          kK[j] = strike[i];
          kNet[j] = 0;
          nOpt++;
        }
        kNet[j] += quantity[p] * multiplier[i];
      } else if (kind[i] === KIND_FUTURE || kind[i] === KIND_PERPETUAL) {
        let j = 0;
        while (j < nLin && lU[j] !== ui) j++;
        if (j === nLin) lU[nLin++] = ui;
        linOf[p - p0] = j;
      }
    }
    // scanAddOns' order: options by (underlying, strike), linear by underlying (keys are unique)
    sortedOrder(nOpt, order, (x, y) => kU[x] > kU[y] || (kU[x] === kU[y] && kK[x] > kK[y]));
    for (let k = 0; k < nOpt; k++) {
      const j = order[k];
      if (!(kNet[j] < 0)) continue;
      this.optU[cursor.o] = kU[j];
      this.optUnits[cursor.o++] = -kNet[j];
    }
    sortedOrder(nLin, lOrder, (x, y) => lU[x] > lU[y]);
    for (let k = 0; k < nLin; k++) {
      const j = lOrder[k];
      this.linU[cursor.e] = lU[j];
      this.from[cursor.e] = cursor.l;
      for (let p = p0; p < p1; p++) {
        if (linOf[p - p0] !== j) continue;
        const i = posInstrument[p];
        this.instrument[cursor.l] = i;
        this.units[cursor.l++] = quantity[p] * multiplier[i];
      }
      this.to[cursor.e++] = cursor.l;
    }
  }

  /**
   * Account a's add-on total (USD) at the current spots `price` and marks `mark` (the risk arrays' base values of
   * linear rows), as scanAddOns computes it; `rates`: {@link ratesOf} the rules.
   */
  total(a: number, rates: { shortOption: Float64Array; linear: Float64Array }, price: Float64Array, mark: Float64Array): number {
    const optU = this.optU, optUnits = this.optUnits, shortRate = rates.shortOption;
    const coin = this.coin[a] === 1;
    let total = 0;
    for (let k = this.optStart[a], end = this.optEnd[a]; k < end; k++) {
      const u = optU[k];
      total += shortRate[u] * (coin ? 1 : price[u]) * optUnits[k];
    }
    const linU = this.linU, from = this.from, to = this.to, instrument = this.instrument, units = this.units, linearRate = rates.linear;
    for (let e = this.linStart[a], end = this.linEnd[a]; e < end; e++) {
      let notional = 0;
      for (let k = from[e], last = to[e]; k < last; k++) notional += units[k] * mark[instrument[k]];
      const amount = linearRate[linU[e]] * Math.abs(notional);
      if (amount !== 0) total += amount;
    }
    return total;
  }

  /**
   * True when account a may have an entry on an underlying of `touchedMask` ({@link maskOf}): else its add-ons
   * did not move.
   */
  touches(a: number, touchedMask: number): boolean {
    return (this.mask[a] & touchedMask) !== 0;
  }
}

/** Entry a's positions: [start[a], end[a]) of `instrument` (layout rows) and `quantity`. */
export interface PlanPositions {
  start: Int32Array;
  end: Int32Array;
  instrument: Int32Array;
  quantity: Float64Array;
}

/** The layout's accounts as plan entries (an account that is not live has none). */
function layoutPositions(layout: BookLayout, accounts: number): PlanPositions {
  const pos = layout.positions, live = layout.live.array;
  const start = pos.start.array.slice(0, accounts), end = pos.end.array.slice(0, accounts);
  for (let a = 0; a < accounts; a++) if (live[a] === 0) end[a] = start[a];
  return { start, end, instrument: pos.column<'i32'>('instrument').array, quantity: pos.column<'f64'>('quantity').array };
}

/** Holdings in no layout (each with its instruments' layout rows and quantities) one after another, as plan entries. */
export function concatenatedPositions(holdings: readonly { instrument: Int32Array; quantity: Float64Array }[]): PlanPositions {
  const n = holdings.length, start = new Int32Array(n), end = new Int32Array(n);
  let total = 0;
  for (const h of holdings) total += h.instrument.length;
  const instrument = new Int32Array(total), quantity = new Float64Array(total);
  let top = 0;
  for (let r = 0; r < n; r++) {
    const h = holdings[r];
    start[r] = top;
    instrument.set(h.instrument, top);
    quantity.set(h.quantity, top);
    end[r] = top += h.instrument.length;
  }
  return { start, end, instrument, quantity };
}

/** order[0..n) = 0..n−1 stably insertion-sorted by `after(x, y)` (x after y). */
function sortedOrder(n: number, order: Int32Array, after: (x: number, y: number) => boolean): void {
  for (let k = 0; k < n; k++) {
    let j = k - 1;
    while (j >= 0 && after(order[j], k)) {
      order[j + 1] = order[j];
      j--;
    }
    order[j + 1] = k;
  }
}

/** The add-on rates of each underlying's rule, as arrays. */
export function ratesOf(rules: readonly PortfolioRule[]): { shortOption: Float64Array; linear: Float64Array } {
  return { shortOption: Float64Array.from(rules, (r) => r.shortOptionRate), linear: Float64Array.from(rules, (r) => r.linearRate) };
}

/** The bit of underlying u in a mask: u for u < 31, bit 31 shared by all others. */
function underlyingBit(u: number): number {
  return u < 31 ? 1 << u : 1 << 31;
}

/** The mask of the underlyings flagged in `touched`. */
export function maskOf(touched: Uint8Array): number {
  let mask = 0;
  for (let u = 0; u < touched.length; u++) if (touched[u]) mask |= underlyingBit(u);
  return mask;
}

/** Per-account scratch of the plan's construction, as scanAddOns': option keys (u, strike) with their net, linear underlyings. */
class PlanScratch {
  readonly kU: Int32Array;
  readonly kK: Float64Array;
  readonly kNet: Float64Array;
  readonly order: Int32Array;
  readonly lU: Int32Array;
  readonly lOrder: Int32Array;
  /** Per position of the account: its linear entry, or −1. */
  readonly linOf: Int32Array;

  constructor(most: number) {
    this.kU = new Int32Array(most);
    this.kK = new Float64Array(most);
    this.kNet = new Float64Array(most);
    this.order = new Int32Array(most);
    this.lU = new Int32Array(most);
    this.lOrder = new Int32Array(most);
    this.linOf = new Int32Array(most);
  }
}
