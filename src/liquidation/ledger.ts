/**
 * The money of one liquidation run: the insurance fund's balance, the run's totals, the waterfall of the account
 * being liquidated, and the equity every touched account had before the run changed it (for the conservation
 * identity). The fund and the totals are USD; a coin-margined account's waterfall is in its coin, and its change of
 * equity counts at its coin's index.
 */
import type { BookLayout } from '../layout/book-layout.js';
import type { EngineRun } from '../session/types.js';
import { usdPerUnit } from './currency.js';
import type { LiquidationParams } from './params.js';
import type { LiquidationTotals, LiquidationWaterfall } from './report.js';

/** Where the equity of the account being liquidated went (its margin currency): the waterfall without its two equities. */
export type Waterfall = Omit<LiquidationWaterfall, 'equityBefore' | 'equityAfter'>;

export class Ledger {
  /** The insurance fund's balance now (USD). */
  fund: number;
  readonly totals: LiquidationTotals;
  /** The waterfall of the account being liquidated. */
  readonly waterfall: Waterfall = { slippage: 0, fees: 0, insuranceFund: 0, adl: 0, writtenOff: 0 };
  /**
   * Of the waterfall's `writtenOff`, the deficits nobody covered (each above the account's rounding tolerance when it was
   * written off): what makes the account `bankrupt`. The rest is roundings the empty fund could not pay.
   */
  deficitsWrittenOff = 0;
  /**
   * The fees and discounts the account being liquidated has paid in this run and not had back (its margin currency),
   * to the liquidators and to the fund, by the equity they came out of: −1 the account's (under isolated margin the
   * rest of it), a slot its isolated position's. A close that finds that equity bankrupt takes them back first
   * ({@link takeBackFees}): fees are owed out of a close-out's surplus only.
   */
  private feeBuckets = new Int32Array(4);
  private feesToLiquidators = new Float64Array(4);
  private feesToFund = new Float64Array(4);
  /** Entries [0, feeCount) of the three arrays above are the account's (a few buckets: scanned, never hashed). */
  private feeCount = 0;
  /** What {@link takeBackFees} took back last, from the liquidators and from the fund (margin currency). */
  readonly takenBack = { liquidator: 0, fund: 0 };
  /**
   * Accounts whose equity changed (liquidated or deleveraged), in the order they were first touched, with their
   * equity before the run (a flag per account says which are listed).
   */
  private readonly touchedList: number[] = [];
  private readonly touchedEquity: number[] = [];
  private readonly touched: Uint8Array;

  /** `touched`: a flag per account of the layout, all 0 (the run's, lent: src/memory/array-lease.ts). */
  constructor(private readonly layout: BookLayout, private readonly run: EngineRun, private readonly p: LiquidationParams, touched: Uint8Array) {
    this.fund = p.insuranceFund.balanceUsd;
    this.touched = touched;
    this.totals = {
      accountsBreaching: 0, accountsLiquidated: 0, accountsDeleveraged: 0, resolved: 0, stillBeingLiquidated: 0, bankrupt: 0, closedNotional: 0,
      feesToLiquidators: 0, feesToFund: 0, collateralDiscounts: 0, fundStart: this.fund, fundEnd: this.fund, fundPaid: 0,
      badDebt: 0, adlAbsorbed: 0, adlHaircuts: 0, uncovered: 0, adlNotional: 0, marketSlippage: 0, conservationResidual: 0,
    };
  }

  /** What the fund may pay for one step now (USD): its balance, at most the per-step cap. */
  fundAvailable(): number {
    return Math.max(0, Math.min(this.fund, this.p.insuranceFund.maxPerStepUsd ?? Infinity));
  }

  /**
   * The fund pays `usd` (USD): at most its balance, which a coin account's conversion (an amount sized as balance / index,
   * times the index) can exceed by an ulp: the balance is then 0, never −4e-16.
   */
  payFromFund(usd: number): void {
    this.fund = Math.max(0, this.fund - usd);
    this.totals.fundPaid += usd;
  }

  /** A new account's waterfall starts at 0. */
  startAccount(): void {
    const w = this.waterfall;
    w.slippage = w.fees = w.insuranceFund = w.adl = w.writtenOff = 0;
    this.deficitsWrittenOff = 0;
    this.feeCount = 0; // perf: no-alloc-per-step (a Map cleared per account allocates its table anew)
  }

  /** Books a fee or discount (margin currency) paid out of `bucket`'s equity (−1: the account's) of the account being liquidated. */
  feePaid(bucket: number, toLiquidator: number, toFund: number): void {
    if (!(toLiquidator > 0) && !(toFund > 0)) return;
    const k = this.feeEntry(bucket, true);
    if (toLiquidator > 0) this.feesToLiquidators[k] += toLiquidator;
    if (toFund > 0) this.feesToFund[k] += toFund;
  }

  /**
   * Takes back at most `deficit` (margin currency, at `usd` USD a unit) of the fees paid out of `bucket` this run, from
   * the liquidators and the fund pro rata to what each was paid (the fund at most what it holds: it may have paid others
   * since), into {@link takenBack}; returns the amount, for the caller to credit to that equity and book.
   */
  takeBackFees(bucket: number, deficit: number, usd: number): number {
    const k = this.feeEntry(bucket, false);
    if (k < 0) return 0;
    const paidLiquidators = this.feesToLiquidators[k], paidFund = this.feesToFund[k];
    const back = Math.min(deficit, paidLiquidators + paidFund);
    if (!(back > 0)) return 0;
    const liquidator = back * (paidLiquidators / (paidLiquidators + paidFund));
    const fund = Math.min(back - liquidator, this.fund / usd);
    this.feesToLiquidators[k] = Math.max(0, paidLiquidators - liquidator);
    this.feesToFund[k] = Math.max(0, paidFund - fund);
    this.fund = Math.max(0, this.fund - fund * usd);
    this.takenBack.liquidator = liquidator;
    this.takenBack.fund = fund;
    return liquidator + fund;
  }

  /** The entry of `bucket` in the account's fee arrays: −1 when it has none, unless `add` (a new entry at 0, grown as needed). */
  private feeEntry(bucket: number, add: boolean): number {
    for (let k = 0; k < this.feeCount; k++) if (this.feeBuckets[k] === bucket) return k;
    if (!add) return -1;
    if (this.feeCount === this.feeBuckets.length) {
      const grow = <T extends Int32Array | Float64Array>(from: T, to: T): T => (to.set(from), to);
      this.feeBuckets = grow(this.feeBuckets, new Int32Array(2 * this.feeCount));
      this.feesToLiquidators = grow(this.feesToLiquidators, new Float64Array(2 * this.feeCount));
      this.feesToFund = grow(this.feesToFund, new Float64Array(2 * this.feeCount));
    }
    const k = this.feeCount++;
    this.feeBuckets[k] = bucket;
    this.feesToLiquidators[k] = 0;
    this.feesToFund[k] = 0;
    return k;
  }

  /** Remembers an account's equity before the run changes it (for the conservation identity). */
  touch(a: number): void {
    if (this.touched[a] !== 0) return;
    this.touched[a] = 1;
    this.touchedList.push(a);
    this.touchedEquity.push(this.run.accountColumns().equity[a]);
  }

  /** Closes the totals at the end of the run: the fund's end balance, bad debt and the conservation identity. */
  close(): void {
    const t = this.totals;
    t.fundEnd = this.fund;
    t.badDebt = t.fundPaid + t.adlAbsorbed + t.uncovered;
    t.conservationResidual = this.equityChange() + t.feesToLiquidators + (t.fundEnd - t.fundStart) + t.marketSlippage - t.uncovered;
  }

  /**
   * Σ over the accounts the run touched of their equity now (at no less than 0) less before, in the order they were
   * first touched, in USD (a coin account's at its coin's index: × 1 for a USD account). A deficit left on an account
   * is no one's asset: counted at 0, it shows in the identity unless the uncovered line holds it.
   */
  private equityChange(): number {
    const equityNow = this.run.accountColumns().equity, list = this.touchedList, before = this.touchedEquity;
    let change = 0;
    for (let k = 0; k < list.length; k++) change += (Math.max(0, equityNow[list[k]]) - before[k]) * usdPerUnit(this.layout, this.run.market, list[k]);
    return change;
  }
}
