/**
 * What closing part of a holding does at the market, before the account is re-margined: the holdings a liquidation
 * may take from, the effect of closing a quantity of one (fill, notional, cash, cost against the mark), the largest
 * close of one step, and a per-account cache of the effect of closing each holding's whole step.
 */
import { KIND_OPTION, MARK_QUOTED } from '../layout/codes.js';
import type { BookLayout } from '../layout/book-layout.js';
import type { Column } from '../memory/columns.js';
import type { EngineRun } from '../session/types.js';
import type { LiquidationParams, SlippageModel } from './params.js';
import { coinOptionFill, inverseFill, usdPerUnit } from './currency.js';
import { dailyVol, linearFill, nominalFee, optionFill } from './pricing.js';
import { allocationAfter, allocationAfterClose } from '../margin/account-changes.js';

/** What is left of a holding below this share of its starting size is dust: a capped step takes it too (capOf). */
const DUST_OF_START = 1e-12;

/** A holding a step may take from: a position slot or a collateral slot of the account. */
export interface Holding {
  kind: 'position' | 'collateral';
  slot: number;
  /** Instrument row (position) or asset index (collateral). */
  index: number;
  /** |size| when the account's liquidation began: the per-step cap is a fraction of it. */
  startSize: number;
}

/** What closing part of a holding does to the account, before the account is re-margined. */
export interface CloseEffect {
  /** Contracts or units taken out (signed like the holding). */
  quantity: number;
  /**
   * The layout's price per unit: USD per unit of the underlying (collateral: the asset's price); an inverse
   * contract's −1/F (coin per USD of face), a coin-settled option's coin per unit.
   */
  mark: number;
  fill: number;
  /** Units: quantity × multiplier (positions; an inverse contract's USD of face) or quantity (collateral). */
  units: number;
  /** In the account's margin currency (USD, or its coin). */
  notional: number;
  /** Cash received at the fill (margin currency, before any fee). */
  cashAtFill: number;
  /** Fill cost against the mark (margin currency, ≥ 0): slippage for positions, the discount for collateral. */
  cost: number;
}

export function emptyEffect(): CloseEffect {
  return { quantity: 0, mark: 0, fill: 0, units: 0, notional: 0, cashAtFill: 0, cost: 0 };
}

/** A close effect, written into `into` when given, else a new record. */
export function closeEffect(into: CloseEffect | undefined, quantity: number, mark: number, fill: number, units: number, notional: number, cashAtFill: number, cost: number): CloseEffect {
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

/**
 * A collateral conversion with its discount (the liquidator's pay) capped like a fee by the surplus over
 * bankruptcy: it never takes a solvent account's equity below 0 (what is left after that is the fund's to cover).
 */
export function discountCapped(e: CloseEffect, surplus: number, into?: CloseEffect): CloseEffect {
  const cost = Math.max(0, Math.min(e.cost, surplus));
  if (cost === e.cost) return e;
  const fill = e.mark - (Math.sign(e.quantity) * cost) / Math.abs(e.quantity);
  return closeEffect(into, e.quantity, e.mark, fill, e.units, e.notional, e.quantity * e.mark - cost, cost);
}

// the allocation rule, one for closes, ADL fills and a live session's fills (src/margin/account-changes.ts)
export { allocationAfter, allocationAfterClose };

/**
 * Isolated margin: account a's allocations fixed as the margin run computes them (a pro-rata share, an explicit one as
 * the run capped it), written as each position's explicit isolated margin, so a close or an ADL fill moves its own
 * position's allocation only, never another's (venues allocate isolated margin per position: it moves with the
 * position's own P&L and fees only). The liquidated accounts' when their liquidation begins, the deleveraged ones'
 * before their first fill.
 */
export function fixAllocations(layout: BookLayout, run: EngineRun, a: number): void {
  const pos = layout.positions, isolated = pos.column<'f64'>('isolatedMargin').array;
  for (let slot = pos.start.array[a]; slot < pos.end.array[a]; slot++) isolated[slot] = run.positionAllocation(a, slot);
}

/**
 * The equity of the rest of account a (margin currency): its equity less its positions' own under isolated margin,
 * all of it under a pooled method. What backs a balance's sale and what a deficit left at the account's end is owed by.
 */
export function restEquityOf(layout: BookLayout, run: EngineRun, a: number): number {
  const equity = run.accountColumns().equity[a];
  if (!run.positionsOwnEquity) return equity;
  const pos = layout.positions;
  let held = 0;
  for (let slot = pos.start.array[a]; slot < pos.end.array[a]; slot++) held += run.positionEquity(a, slot);
  return equity - held;
}

/**
 * The holdings of account a a liquidation may take from: its non-zero positions, then its non-stable balances. A run
 * keeps one list and its holding records, rewritten for each account it liquidates (perf: no-alloc-per-step,
 * docs/performance.md): what it returns is read until the next account's.
 */
export class HoldingList {
  private readonly list: Holding[] = [];
  private readonly records: Holding[] = [];

  /**
   * Account a's holdings: its positions, and its balances but those of `stable` assets (never converted) and those
   * `run` says cannot be sold within the liquidation horizon (collateral by location: frozen, or too late; a
   * borrowing is bought back wherever it is booked).
   */
  of(layout: BookLayout, a: number, stable: ReadonlySet<number>, run: Pick<EngineRun, 'collateralSellable'>): readonly Holding[] {
    const pos = layout.positions, col = layout.collateral;
    const inst = pos.column<'i32'>('instrument').array, qty = pos.column<'f64'>('quantity').array;
    let n = 0;
    for (let s = pos.start.array[a], end = pos.end.array[a]; s < end; s++) if (qty[s] !== 0) this.put(n++, 'position', s, inst[s], Math.abs(qty[s]));
    const asset = col.column<'i32'>('asset').array, amount = col.column<'f64'>('amount').array;
    for (let s = col.start.array[a], end = col.end.array[a]; s < end; s++) {
      if (amount[s] !== 0 && !stable.has(asset[s]) && (amount[s] < 0 || run.collateralSellable(a, asset[s]))) this.put(n++, 'collateral', s, asset[s], Math.abs(amount[s]));
    }
    // cut to this account's (not emptied first: an emptied array gives its storage up, and the next account grows it again)
    if (this.list.length !== n) this.list.length = n;
    return this.list;
  }

  private put(n: number, kind: Holding['kind'], slot: number, index: number, startSize: number): void {
    const h = (this.records[n] ??= { kind, slot, index, startSize });
    h.kind = kind;
    h.slot = slot;
    h.index = index;
    h.startSize = startSize;
    this.list[n] = h;
  }
}

/** The effects of closes at the run's market: fills by the slippage models, options priced once per run and side. */
export class CloseEffects {
  /** Option fills of this run by (instrument, side): 2·row + 1 for sales. */
  private readonly optionFills = new Map<number, number>();
  /** The slippage model by asset index, looked up once per run. */
  private readonly slippageByAsset: (SlippageModel | undefined)[] = [];
  private readonly posQuantity: Column<'f64'>;
  private readonly posIsolated: Column<'f64'>;
  private readonly posEntry: Column<'f64'>;
  private readonly colAmount: Column<'f64'>;
  /**
   * USD per unit of the margin currency of the account being liquidated (exactly 1 for a USD account, so its bits are
   * unchanged): the USD parameters (maxNotionalPerStep, smallShortfallUsd) and the fund are converted with it.
   */
  usd = 1;

  constructor(private readonly layout: BookLayout, private readonly run: EngineRun, private readonly p: LiquidationParams) {
    // the layout's columns (a liquidation adds no position or balance, so none is relocated; a view is read per use,
    // as grown memory detaches the old ones)
    this.posQuantity = layout.positions.column<'f64'>('quantity');
    this.posIsolated = layout.positions.column<'f64'>('isolatedMargin');
    this.posEntry = layout.positions.column<'f64'>('entryPrice');
    this.colAmount = layout.collateral.column<'f64'>('amount');
  }

  /** Account a's liquidation begins: its margin currency's USD price. */
  startAccount(a: number): void {
    this.usd = usdPerUnit(this.layout, this.run.market, a);
  }

  /** The holding's size now (signed contracts or units). */
  sizeOf(h: Holding): number {
    return h.kind === 'position' ? this.posQuantity.array[h.slot] : this.colAmount.array[h.slot];
  }

  /**
   * Writes a close into the layout: `quantity` out of the holding, `cash` (USD) into the account. A position with its
   * own isolated allocation settles against that allocation (what it realizes moves it, {@link allocationAfter}), so
   * its losses stay its own under isolated margin; the account's cash carries the money either way.
   */
  write(a: number, h: Holding, quantity: number, cash: number): void {
    if (h.kind === 'position') {
      this.posQuantity.array[h.slot] -= quantity;
      const isolated = this.posIsolated.array;
      isolated[h.slot] = allocationAfter(isolated[h.slot], cash);
    } else this.colAmount.array[h.slot] -= quantity;
    this.layout.cashUsd.array[a] += cash;
  }

  /** What closing `quantity` of holding h would do at the market: written into `into` when given, else a new record. */
  effect(h: Holding, quantity: number, into?: CloseEffect): CloseEffect {
    const layout = this.layout, market = this.run.market;
    if (h.kind === 'collateral') {
      const price = market.price.array[h.index];
      const side = quantity > 0 ? 1 : -1; // selling a balance fills below the price, buying back a borrowing above it
      const fill = price * (1 - side * this.p.collateralDiscount);
      return closeEffect(into, quantity, price, fill, quantity, Math.abs(quantity) * price, quantity * fill, Math.abs(quantity) * price * this.p.collateralDiscount);
    }
    const i = h.index;
    const ins = layout.instruments;
    const units = quantity * ins.multiplier.array[i];
    const mark = this.run.instrumentValue(i);
    const u = ins.underlying.array[i];
    let fill: number;
    let notional: number;
    const coin = ins.settlement.array[i] >= 0 && ins.settlement.array[i] === u; // settled in its underlying
    if (ins.kind.array[i] === KIND_OPTION) {
      fill = this.optionFill(i, units, mark, coin);
      notional = Math.abs(units) * (coin ? 1 : market.price.array[u]); // a coin option's notional in coin
    } else if (coin) {
      // an inverse contract: slipped in USD per coin, back in the layout's −1/F; its notional in coin, |units|/F
      fill = inverseFill(mark, units, this.slippageOf(u), market.vol.array[u]);
      notional = -Math.abs(units) * mark;
    } else {
      // settled in USD, or in another asset (a USDC perpetual: its mark in USDC, the model's parameters in USD)
      fill = linearFill(mark, units, this.slippageOf(u), market.vol.array[u], this.settlementUsd(i));
      notional = Math.abs(units) * mark;
    }
    return closeEffect(into, quantity, mark, fill, units, notional, this.realize(i, units, fill, h.slot), units * (mark - fill));
  }

  /**
   * The size (contracts, > 0) of a sale of position h beyond which its fill is floored at 0 (the slippage model's
   * price would go below it), where the close's cost stops being convex; Infinity when there is none (a purchase, an
   * option or inverse contract, no slippage). A breakpoint of the smallest-root search (smallest-root.ts).
   */
  fillFloorSize(h: Holding, size: number): number {
    if (h.kind !== 'position' || !(size > 0)) return Infinity;
    const ins = this.layout.instruments, i = h.index, u = ins.underlying.array[i];
    if (ins.kind.array[i] === KIND_OPTION || (ins.settlement.array[i] >= 0 && ins.settlement.array[i] === u)) return Infinity;
    const mark = this.run.instrumentValue(i), mult = ins.multiplier.array[i], model = this.slippageOf(u), usd = this.settlementUsd(i);
    let units = Infinity;
    if (model.model === 'linear' && model.pricePerUnit > 0) units = (2 * mark) / (model.pricePerUnit / usd);
    else if (model.model === 'sqrt') {
      const move = model.y * dailyVol(this.run.market.vol.array[u]);
      if (move > 0 && mark > 0) units = model.advUsd / (mark * usd * move * move);
    }
    return mult > 0 ? units / mult : Infinity;
  }

  /** USD per unit of instrument i's settlement asset: 1 when settled in USD (linearFill's `usdPerUnit`). */
  private settlementUsd(i: number): number {
    const s = this.layout.instruments.settlement.array[i];
    return s < 0 ? 1 : this.run.market.price.array[s];
  }

  /** The fee of a position's close before its cap (pricing.ts nominalFee); 0 for collateral (its cost is the discount). */
  nominalFee(h: Holding, e: CloseEffect): number {
    if (h.kind === 'collateral') return 0;
    const option = this.layout.instruments.kind.array[h.index] === KIND_OPTION;
    return nominalFee(this.p.feeRate, e.notional, option ? Math.abs(e.units) * e.mark : null, this.p.optionFeeCap);
  }

  /** Cash from closing `units` of instrument i at `price`: linear P&L against the slot's entry, an option's premium. */
  realize(i: number, units: number, price: number, slot = -1): number {
    if (this.layout.instruments.kind.array[i] === KIND_OPTION) return units * price;
    const entry = slot >= 0 ? this.posEntry.array[slot] : 0;
    return units * (price - entry);
  }

  /**
   * The largest close of one step: its fraction of the starting size, the notional cap, what is left. A cap that
   * would leave dust (at most DUST_OF_START of the starting size: four steps of 25% can leave 1e-16 by rounding)
   * takes the holding whole, so no step closes a remainder whose bankruptcy price is equity / 1e-16.
   */
  capOf(h: Holding, size: number, scratch: CloseEffect): number {
    return this.cappedAt(h, size, Math.min(Math.abs(size), h.startSize * this.p.maxFractionPerStep), scratch);
  }

  /**
   * The largest close of one step without its fraction cap (a small shortfall lifts that one, next-step.ts): the
   * notional cap, a venue's hard limit (dYdX v4's `MaxNotionalLiquidated`), or what is left.
   */
  notionalCapOf(h: Holding, size: number, scratch: CloseEffect): number {
    return this.cappedAt(h, size, Math.abs(size), scratch);
  }

  /** `limit` (contracts) within the notional cap, then the whole holding when the rest would be dust; signed like `size`. */
  private cappedAt(h: Holding, size: number, limit: number, scratch: CloseEffect): number {
    let cap = limit;
    if (this.p.maxNotionalPerStep !== null) {
      const perUnit = this.effect(h, Math.sign(size), scratch).notional;
      if (perUnit > 0) cap = Math.min(cap, this.p.maxNotionalPerStep / (perUnit * this.usd));
    }
    if (Math.abs(size) - cap <= DUST_OF_START * h.startSize) cap = Math.abs(size);
    return Math.sign(size) * cap;
  }

  /**
   * An option's fill: it depends on the side only (the vol moved against the account), not the size. A coin-settled
   * option's (`coin`) is in coin: its mark moved by the model's USD price change over the forward (currency.ts).
   */
  private optionFill(i: number, units: number, mark: number, coin: boolean): number {
    const key = 2 * i + (units > 0 ? 1 : 0);
    const known = this.optionFills.get(key);
    if (known !== undefined) return known;
    const ins = this.layout.instruments, market = this.run.market, u = ins.underlying.array[i];
    const terms = {
      isCall: ins.isCall.array[i] !== 0, strike: ins.strike.array[i], expiryYears: market.expiryYears.array[i], vol: market.impliedVol.array[i],
      spot: market.price.array[u], rate: market.rate.array[u], carry: market.carry.array[u],
    };
    const fill = coin
      ? coinOptionFill(mark, units, terms, this.p.optionSpreadVol)
      : optionFill(mark, units, terms, this.p.optionSpreadVol, market.markSource.array[i] === MARK_QUOTED ? undefined : mark); // unquoted: the mark is the model price
    this.optionFills.set(key, fill);
    return fill;
  }

  private slippageOf(asset: number): SlippageModel {
    const known = this.slippageByAsset[asset];
    if (known !== undefined) return known;
    const symbol = this.layout.assets[asset];
    return this.slippageByAsset[asset] = Object.hasOwn(this.p.slippage, symbol) ? this.p.slippage[symbol] : this.p.slippage.default ?? { model: 'none' };
  }
}

/** Per holding in a {@link ProbeCache}: size, cap, and the seven fields of its CloseEffect. */
const PROBE_STRIDE = 9;

/**
 * The cap of each holding of the account being liquidated and the effect of closing it, kept while the holding's
 * size does not change (a step changes one holding; the effect of a close is a function of the holding and its size
 * alone: marks, fills and entries do not move during a run). Grown as accounts need; one per run.
 */
export class ProbeCache {
  private buffer = new Float64Array(0);

  /** Room for `holdings` holdings, none probed yet. */
  reset(holdings: number): void {
    if (this.buffer.length < PROBE_STRIDE * holdings) this.buffer = new Float64Array(PROBE_STRIDE * Math.max(holdings, 2 * this.buffer.length / PROBE_STRIDE, 8));
    for (let k = 0; k < holdings; k++) this.buffer[PROBE_STRIDE * k] = Number.NaN;
  }

  /** The cap of holding k (h, now of `size`) with its effect in `into`: from the cache, else computed and kept. */
  probe(effects: CloseEffects, k: number, h: Holding, size: number, into: CloseEffect): number {
    const c = this.buffer, o = PROBE_STRIDE * k;
    if (c[o] === size) {
      closeEffect(into, c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6], c[o + 7], c[o + 8]);
      return c[o + 1];
    }
    const cap = effects.capOf(h, size, into);
    const e = effects.effect(h, cap, into);
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
}
