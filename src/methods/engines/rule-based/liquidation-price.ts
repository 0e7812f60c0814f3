/**
 * The liquidation price an explain shows for rule-based margin: for an account whose positions all sit on one
 * underlying, where moving that underlying alone makes the account liquidatable (cross: equity for MM down to MM, its
 * located balances counted as the run counts them; isolated: its first position, or the rest of the account, down to
 * its own MM).
 */
import type { GreeksInput, GreeksOutput } from '../../../model/greeks-types.js';
import { optionPrice } from '../../../greeks/one-option.js';
import { KIND_OPTION_CODE, type MarginColumns, marginAccounts, prepareInstruments } from '../../../kernels/js/margin.js';
import type { BookLayout } from '../../../layout/book-layout.js';
import { growthAt, type MarketLayout } from '../../../layout/market-layout.js';
import type { AccountMargin } from '../../../margin/report.js';
import { forwardPrice, quoteMoved } from '../../../margin/coin-valuation.js';
import { STATUS_LIQUIDATABLE } from '../../../kernels/status-codes.js';
import { MARK_QUOTED } from '../../../layout/codes.js';
import { optionMost } from '../../../model/mark-bounds.js';

/**
 * For an account whose positions all sit on one underlying U, the prices of U (nearest below and
 * above the current one) at which equityMm = mm, moving U alone (under isolated margin, at which the first of its
 * buckets reaches its own MM: a position's allocation + P&L = its MM, or the rest of the account's equity for MM = 0,
 * as the kernel's status reads them): linear marks scale with U (an inverse
 * contract's value −1/F inversely), options are revalued at the new spot (a coin-settled option in coin,
 * on the new forward; a quoted one keeps its premium over the model, as a stress shock moves it: coin-valuation.ts
 * optionMarkMoved), balances of U are revalued with their haircuts; an account margined in U keeps its
 * figures in U, converted by the kernel's terms at the new price. Found by scanning a
 * geometric grid (×0.99 steps, to 1/1000 and 1000× the price, both ends included) for a sign change, then bisecting.
 *
 * One search serves every account of a run: it works on its own copies of the prices, instrument values and
 * terms (made once, the entries an account's search changes put back after it), and leaves the run's output
 * columns as the kernel wrote them. Options are priced on the grid in batches of {@link GRID_BLOCK} spots through
 * the Greeks kernel (the same bits as the JS twin the bisection uses one spot at a time).
 */
const ACCOUNT_OUTPUTS = ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'gross', 'collateralValue', 'status'] as const;
const POSITION_OUTPUTS = ['posIm', 'posMm', 'posMtm', 'posNotional', 'posAlloc', 'posStatus'] as const;

/** Grid spots priced per Greeks batch (a scan usually stops within the first block or two). */
const GRID_BLOCK = 64;

export class LiquidationPriceSearch {
  private readonly price: Float64Array;
  private readonly value: Float64Array;
  private readonly trial: MarginColumns;
  /**
   * The Greeks batch's input, kept between blocks and accounts (a book's breakdown prices millions of blocks): the
   * options whose rows it holds ({@link gridValues} rewrites only the spots while they are the same) and their count.
   */
  private gridInput: Required<GreeksInput> | null = null;
  private gridOptions: readonly number[] | null = null;

  constructor(
    private readonly layout: BookLayout,
    private readonly market: MarketLayout,
    private readonly c: MarginColumns,
    private readonly greeks: (input: GreeksInput) => GreeksOutput,
    /** The run margins each position against its own allocation (isolated margin): the search does too. */
    private readonly isolated = false,
    /** The run's location adjustment after the kernel (MethodContext.adjustLocations), applied at each trial price. */
    private readonly adjustLocations?: ((a: number, c: MarginColumns) => void) | undefined,
  ) {
    this.price = Float64Array.from(c.price);
    this.value = Float64Array.from(c.value);
    this.trial = { ...c, price: this.price, value: this.value, instrumentTerms: Float64Array.from(c.instrumentTerms) };
  }

  /** The liquidation prices of account a (undefined when its positions span several underlyings, or it has none). */
  of(a: number): AccountMargin['liquidationPrice'] | undefined {
    const { c, price, value, trial } = this;
    if (c.posStart[a] === c.posEnd[a]) return undefined;
    const u = c.underlying[c.posInstrument[c.posStart[a]]];
    for (let p = c.posStart[a]; p < c.posEnd[a]; p++) if (c.underlying[c.posInstrument[p]] !== u) return undefined;
    const spot = c.price[u];
    const held = new Set<number>();
    for (let p = c.posStart[a]; p < c.posEnd[a]; p++) held.add(c.posInstrument[p]);
    // The trial margins the account in the run's mode into the run's output columns: keep what the run wrote there (an
    // isolated run's statuses and allocations included), so that a report can be built again from them.
    const saved = ACCOUNT_OUTPUTS.map((k) => c[k][a]);
    const p0 = c.posStart[a], p1 = c.posEnd[a];
    // (per-position rows exist only in a run that keeps positions: MarginOutputs.keepPositions)
    const savedPositions = c.posIm.length > 0 ? POSITION_OUTPUTS.map((k) => c[k].slice(p0, p1)) : [];
    const instruments = [...held];
    const options = instruments.filter((i) => c.kind[i] === KIND_OPTION_CODE);
    // per instrument (in `instruments` order): its first row in a grid block, −1 for a linear one
    const slot = instruments.map((i) => (c.kind[i] === KIND_OPTION_CODE ? options.indexOf(i) * GRID_BLOCK : -1));
    // per instrument: a quoted option's quote and model value (USD) at the run's spot, made once for the account's scan
    const atSpot = instruments.map((i) => (this.quoted(i) ? { quoteUsd: c.value[i] / this.perUsd(i, spot), modelUsd: this.optionValue(i, spot) } : null));
    /** equityMm − mm at spot s; `block`: the options' values on a grid block, s its spot `at` (null: priced here). */
    const surplus = (s: number, block: Float64Array | null = null, at = 0): number => {
      price[u] = s;
      for (let h = 0; h < instruments.length; h++) {
        const i = instruments[h];
        const inverse = c.settlement[i] === u && c.kind[i] !== KIND_OPTION_CODE;
        if (c.kind[i] !== KIND_OPTION_CODE) value[i] = inverse ? (c.value[i] * spot) / s : (c.value[i] * s) / spot;
        else value[i] = this.optionAt(i, s, block !== null ? block[slot[h] + at] : this.optionValue(i, s), spot, atSpot[h]);
        prepareInstruments(trial, i, i + 1);
      }
      marginAccounts(trial, a, a + 1, this.isolated, false);
      // collateral at a location counts as the run counts it (a slow chain's balance nothing for MM), at price s
      this.adjustLocations?.(a, trial);
      return this.isolated ? isolatedSide(trial, a) : trial.equityMm[a] - trial.mm[a];
    };
    const here = surplus(spot);
    const search = (step: number, limit: number): number | null => {
      let s0 = spot;
      let f0 = here;
      const grid = new Float64Array(GRID_BLOCK);
      let block: Float64Array | null = null;
      let k = GRID_BLOCK;
      for (let s1 = spot * step; step < 1 ? s1 >= spot * limit : s1 <= spot * limit; s1 *= step) {
        if (k === GRID_BLOCK) {
          // the next block of grid spots, in the scan's own arithmetic, and every option priced on them at once
          let x = s1;
          for (let j = 0; j < GRID_BLOCK; j++, x *= step) grid[j] = x;
          block = options.length > 0 ? this.gridValues(options, grid) : null;
          k = 0;
        }
        const at = k++;
        const f1 = surplus(s1, block, at);
        // the sides are the status's: at MM exactly (surplus 0) an account is not liquidatable
        if (f0 >= 0 !== f1 >= 0) return bisect(surplus, s0, f0, s1);
        [s0, f0] = [s1, f1];
      }
      // the last step to the range's end itself (the grid's last spot falls short of it by up to a step)
      const end = spot * limit, fEnd = surplus(end);
      return f0 >= 0 !== fEnd >= 0 ? bisect(surplus, s0, f0, end) : null;
    };
    const result = { underlying: this.layout.assets[u], below: search(0.99, 1e-3), above: search(1 / 0.99, 1e3) };
    // put back what the search changed: prices, values and terms of its instruments, and the account's outputs
    price[u] = spot;
    for (const i of held) {
      value[i] = c.value[i];
      prepareInstruments(trial, i, i + 1);
    }
    ACCOUNT_OUTPUTS.forEach((k, j) => (c[k][a] = saved[j]));
    savedPositions.forEach((saved, j) => c[POSITION_OUTPUTS[j]].set(saved, p0));
    return result;
  }

  /** Values of `options` (row-major, GRID_BLOCK per option) at the spots of `grid`, one Greeks batch. */
  private gridValues(options: number[], grid: Float64Array): Float64Array {
    const { c, market } = this;
    const n = options.length * GRID_BLOCK;
    let input = this.gridInput;
    if (options !== this.gridOptions || input === null) {
      // the rows of another account's options (or the first): every column but the spots is theirs, per option
      if (input === null || input.spot.length !== n) {
        input = this.gridInput = {
          isCall: new Uint8Array(n), spot: new Float64Array(n), strike: new Float64Array(n), expiryYears: new Float64Array(n),
          vol: new Float64Array(n), rate: new Float64Array(n), carry: new Float64Array(n),
        };
      }
      this.gridOptions = options;
      options.forEach((i, o) => {
        const u = c.underlying[i];
        for (let j = 0; j < GRID_BLOCK; j++) {
          const r = o * GRID_BLOCK + j;
          input!.isCall[r] = c.isCall[i];
          input!.strike[r] = c.strike[i];
          input!.expiryYears[r] = market.expiryYears.array[i];
          input!.vol[r] = market.impliedVol.array[i];
          input!.rate[r] = market.rate.array[u];
          input!.carry[r] = market.carry.array[u];
        }
      });
    }
    for (let o = 0; o < options.length; o++) input.spot.set(grid, o * GRID_BLOCK);
    return this.greeks(input).price;
  }

  /** True when option i's value is its quote (market.marks), not the model's. */
  private quoted(i: number): boolean {
    return this.c.kind[i] === KIND_OPTION_CODE && this.market.markSource.array[i] === MARK_QUOTED;
  }

  /**
   * Option i's value at spot `s` in its settlement currency, the model valuing it at `usd` there: the model's, or a
   * quote moved by the model's change since the run's spot (`atSpot`: the quote and the model there, USD; null for an
   * unquoted option), as a shock moves it.
   */
  private optionAt(i: number, s: number, usd: number, spot: number, atSpot: { quoteUsd: number; modelUsd: number } | null): number {
    if (atSpot === null) return this.inSettlement(i, s, usd);
    if (s === spot) return this.c.value[i]; // the quote itself
    const c = this.c, most = optionMost(c.isCall[i] !== 0, c.settlement[i] >= 0, c.strike[i], s, growthAt(this.market, c.underlying[i], i));
    return quoteMoved(atSpot.quoteUsd, atSpot.modelUsd, usd, this.perUsd(i, s), most);
  }

  /** Option i's model value `usd` at spot `spot` in its settlement currency: coin-settled, / the forward (src/margin/coin-valuation.ts). */
  private inSettlement(i: number, spot: number, usd: number): number {
    const { c, market } = this;
    if (c.settlement[i] < 0) return usd;
    const u = c.underlying[i];
    return usd / forwardPrice(spot, market.rate.array[u], market.carry.array[u], market.expiryYears.array[i]);
  }

  /** Option i's settlement currency per USD at spot `spot`: 1, or 1 / the forward for a coin-settled option. */
  private perUsd(i: number, spot: number): number {
    const { c, market } = this;
    if (c.settlement[i] < 0) return 1;
    const u = c.underlying[i];
    return 1 / forwardPrice(spot, market.rate.array[u], market.carry.array[u], market.expiryYears.array[i]);
  }

  /** Model value of option i at spot `spot`: the Greeks twin, the same bits as the kernel's price. */
  private optionValue(i: number, spot: number): number {
    const { c, market } = this;
    const u = c.underlying[i];
    return optionPrice(c.isCall[i] !== 0, spot, c.strike[i], market.expiryYears.array[i], market.impliedVol.array[i], market.rate.array[u], market.carry.array[u]);
  }

}

/** The price between lo (surplus `flo`) and hi where `surplus` changes side, by 60 halvings. */
function bisect(surplus: (s: number) => number, lo: number, flo: number, hi: number): number {
  for (let k = 0; k < 60; k++) {
    const mid = 0.5 * (lo + hi);
    const fm = surplus(mid);
    if (fm >= 0 === flo >= 0) [lo, flo] = [mid, fm];
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Under isolated margin, the side of the liquidation price account a is on, as the kernel just margined it: +1 while
 * its status is healthy or a margin call, −1 once it is liquidatable, bankrupt or in error. The search reads only the
 * sign, and the status is the kernel's own verdict over every bucket (each position's allocation + P&L against its MM,
 * the rest of the account against 0 with its rounding allowance): a surplus rebuilt from the columns would differ from it
 * in the last bits where allocations are split over options worth next to nothing.
 */
function isolatedSide(c: MarginColumns, a: number): number {
  return c.status[a] < STATUS_LIQUIDATABLE ? 1 : -1;
}
