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
import type { BookLayout } from '../../../layout/book-layout.js';
import { AccountKeys, keyRanks, NO_KEY } from './add-on-keys.js';
import type { PortfolioRule } from './params.js';
import { ArrayLease } from '../../../memory/array-lease.js';

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
   * that is not live); `positions` gives other holdings over the layout's instruments (masters' pools). Its arrays are
   * lent by `lease` (default: plain arrays). `held`: per instrument row, how many of the positions hold it, when the
   * caller counted them already (book-groups.ts, as it writes the slots).
   */
  constructor(layout: BookLayout, accounts: number, positions: PlanPositions = layoutPositions(layout, accounts), lease = new ArrayLease(), held?: Int32Array) {
    const { start: pStart, end: pEnd, instrument: posInstrument } = positions;
    const ins = layout.instruments;
    held ??= heldCounts(ins.count, pStart, pEnd, posInstrument, accounts);
    const keys = keyRanks({ kind: ins.kind.array, underlying: ins.underlying.array, strike: ins.strike.array }, held);
    // option entries are at most the option positions, linear entries at most the linear positions, which they list
    let options = 0, linear = 0;
    const { rank, firstLinear } = keys;
    for (let i = 0; i < held.length; i++) {
      if (rank[i] === NO_KEY) continue;
      if (rank[i] < firstLinear) options += held[i];
      else linear += held[i];
    }
    this.optStart = lease.i32(accounts);
    this.optEnd = lease.i32(accounts);
    this.linStart = lease.i32(accounts);
    this.linEnd = lease.i32(accounts);
    this.mask = lease.i32(accounts);
    this.coin = lease.u8(accounts);
    this.optU = lease.i32(options);
    this.optUnits = lease.f64(options);
    this.linU = lease.i32(linear);
    this.from = lease.i32(linear);
    this.to = lease.i32(linear);
    this.instrument = lease.i32(linear);
    this.units = lease.f64(linear);
    this.planAccounts(layout, positions, accounts, keys);
  }

  /**
   * Every account's entries in scanAddOns' order: its distinct keys in rank order (add-on-keys.ts AccountKeys); an
   * option key's net sums units in position order from +0, a linear key lists its positions in position order.
   */
  private planAccounts(layout: BookLayout, positions: PlanPositions, accounts: number, keyRank: ReturnType<typeof keyRanks>): void {
    const ins = layout.instruments;
    const multiplier = ins.multiplier.array, settlement = ins.settlement.array;
    const { start: pStart, end: pEnd, instrument: posInstrument, quantity } = positions;
    const { rank: rankOf, firstLinear, underlying: underlyingOf } = keyRank;
    const optU = this.optU, optUnits = this.optUnits, linU = this.linU, from = this.from, to = this.to, instrument = this.instrument, units = this.units;
    const optStart = this.optStart, optEnd = this.optEnd, linStart = this.linStart, linEnd = this.linEnd, coin = this.coin, masks = this.mask;
    const keys = new AccountKeys(underlyingOf.length), net = keys.net, count = keys.count;
    // per linear rank: where its next position goes (the key's entry is being written)
    const next = new Int32Array(underlyingOf.length);
    let o = 0, e = 0, l = 0;
    for (let a = 0; a < accounts; a++) {
      const p0 = pStart[a], p1 = pEnd[a];
      optStart[a] = o;
      linStart[a] = e;
      coin[a] = p1 > p0 && settlement[posInstrument[p0]] >= 0 ? 1 : 0;
      const n = keys.collect(rankOf, firstLinear, posInstrument, quantity, multiplier, p0, p1);
      const sorted = keys.keys;
      let mask = 0;
      for (let k = 0; k < n; k++) {
        const r = sorted[k], u = underlyingOf[r];
        if (r < firstLinear) {
          if (!(net[r] < 0)) continue;
          optU[o] = u;
          optUnits[o++] = -net[r];
        } else {
          linU[e] = u;
          from[e] = next[r] = l;
          to[e++] = l += count[r];
        }
        mask |= underlyingBit(u);
      }
      const linearPositions = keys.linearPositions;
      for (let k = 0; k < keys.linear; k++) {
        const p = linearPositions[k], i = posInstrument[p], s = next[rankOf[i]]++;
        instrument[s] = i;
        units[s] = quantity[p] * multiplier[i];
      }
      optEnd[a] = o;
      linEnd[a] = e;
      masks[a] = mask;
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

/** Per instrument row: how many of the entries' positions hold it. */
function heldCounts(rows: number, start: Int32Array, end: Int32Array, instrument: Int32Array, accounts: number): Int32Array {
  const held = new Int32Array(rows);
  for (let a = 0; a < accounts; a++) for (let p = start[a]; p < end[a]; p++) held[instrument[p]]++;
  return held;
}
