/**
 * Executing one liquidation step: a quantity of one holding closed by the routes the equity behind it allows, the
 * money booked in the ledger, the step returned as a record for the plan. A close fills at the market with its fee
 * (sized by the caller: pricing.ts liquidationFee); when the fill would take that equity below 0 it happens at the
 * bankruptcy price instead, the insurance fund absorbing the loss beyond it (capped per step), then ADL, the rest
 * left uncovered at the fill. A deficit left when nothing more can be closed is covered by the fund, else written off.
 *
 * A coin-margined account's money is in its coin (docs/coin-margined.md): its cash, fees, slippage and waterfall;
 * what crosses into the run's USD figures (the fund, the totals) is converted at the coin's index (`effects.usd`,
 * exactly 1 for a USD account). An inverse contract's bankruptcy price is in its layout coordinate −1/F
 * (currency.ts); the step's record shows its prices in USD per coin.
 */
import type { BookLayout } from '../layout/book-layout.js';
import type { EngineRun } from '../session/types.js';
import { allocationAfter, type CloseEffect, type CloseEffects, discountCapped, emptyEffect, type Holding, restEquityOf } from './close-effect.js';
import type { Deleveraging } from './deleverage.js';
import type { Ledger } from './ledger.js';
import type { LiquidationParams } from './params.js';
import { healthOf } from '../margin/derived-figures.js';
import { finiteOrNull, inverseBankruptcy, QuotedMark, quotedPrice } from './currency.js';
import { bankruptcyPrice } from './pricing.js';
import { optionMost } from '../model/mark-bounds.js';
import { growthAt } from '../layout/market-layout.js';
import type { LiquidationStep } from './report.js';
import type { CloseTrial } from './trial.js';

export class StepExecutor {
  /** Scratch effects of the step being executed (read before the next step). */
  private readonly stepEffect: CloseEffect = emptyEffect();
  private readonly stepCapped: CloseEffect = emptyEffect();
  /**
   * The record {@link execute} returns, rewritten by the next step: the plan copies it into its columns at once
   * (plan-columns.ts). perf: no-alloc-per-step (docs/performance.md)
   */
  private readonly step: LiquidationStep = {
    kind: 'position', id: '', quantity: 0, markPrice: 0, fillPrice: 0, bankruptcyPrice: null, notional: 0, routes: { market: 0, insuranceFund: 0, adl: 0, uncovered: 0 },
    feeToLiquidator: 0, feeToFund: 0, fundChange: 0, healthBefore: 0, healthAfter: 0, mmBefore: 0, mmAfter: 0,
  };

  /** Inverse contracts' marks as quoted (USD per coin). */
  private readonly quotedMark = new QuotedMark();

  /** `ownBacking`: each position has equity of its own (isolated margin): its deficit is never the rest of the account's. */
  constructor(
    private readonly layout: BookLayout,
    private readonly run: EngineRun,
    private readonly p: LiquidationParams,
    private readonly effects: CloseEffects,
    private readonly trial: CloseTrial,
    private readonly ledger: Ledger,
    private readonly adl: Deleveraging,
    private readonly ownBacking: boolean,
  ) {}

  /**
   * Executes one step on holding h of account a: `quantity` closed, a market close paying `fee` (USD), releasing
   * `share` of the MM behind it (the chooser's trial of the close: next-step.ts); returns the step's record (a scratch
   * record: read before the next step).
   */
  execute(a: number, h: Holding, quantity: number, fee: number, share: number): LiquidationStep {
    this.trial.changed(a);
    const { ledger, effects } = this, totals = ledger.totals, w = ledger.waterfall;
    const columns = this.run.accountColumns();
    const mmBefore = columns.mm[a];
    const healthBefore = healthOf(columns.equityMm[a], mmBefore);
    // the equity behind this holding: the account's, or under isolated margin a position's own or the rest of the account's
    let backing = h.kind === 'position' ? this.run.positionEquity(a, h.slot) : restEquityOf(this.layout, this.run, a);
    const e = h.kind === 'position' ? effects.effect(h, quantity, this.stepEffect) : discountCapped(effects.effect(h, quantity, this.stepEffect), this.trial.surplus(a, backing), this.stepCapped);
    let equityAfterFill = backing - e.cost;
    const fund0 = ledger.fund;
    const routes = this.step.routes;
    routes.market = routes.insuranceFund = routes.adl = routes.uncovered = 0;
    let feeToLiquidator = 0, feeToFund = 0;
    const bucket = this.ownBacking && h.kind === 'position' ? h.slot : -1;
    if (h.kind === 'position' && equityAfterFill < 0 && this.clawBack(a, bucket, -equityAfterFill)) {
      // this close-out's earlier fees went back into the equity behind the close: it pays no fee of its own
      feeToLiquidator = 0 - ledger.takenBack.liquidator; // 0 − x: nothing taken from one side is 0, never −0
      feeToFund = 0 - ledger.takenBack.fund;
      fee = 0;
      backing = this.run.positionEquity(a, h.slot);
      equityAfterFill = backing - e.cost;
    }
    const inverse = h.kind === 'position' && this.layout.instruments.isInverse(h.index);
    const owed = this.equityOwed(h, backing, share);
    const bankruptcy = inverse ? inverseBankruptcy(e.mark, e.units, owed) : bankruptcyPrice(e.mark, e.units, owed);
    const usd = effects.usd;
    if (h.kind === 'collateral') {
      routes.market = quantity;
      effects.write(a, h, quantity, e.cashAtFill);
      feeToLiquidator = e.cost; // the discount
      totals.collateralDiscounts += e.cost * usd;
      w.fees += e.cost;
      ledger.feePaid(-1, e.cost, 0);
    } else if (equityAfterFill >= 0) {
      routes.market = quantity;
      fee = Math.max(0, Math.min(fee, equityAfterFill));
      effects.write(a, h, quantity, e.cashAtFill - fee);
      if (fee > 0 && fee === equityAfterFill) fee -= this.roundingBelowZero(a, h, fee);
      if (fee > 0) {
        feeToLiquidator = fee * this.p.feeSplit.liquidator;
        feeToFund = fee - feeToLiquidator;
        ledger.fund += feeToFund * usd;
        ledger.feePaid(bucket, feeToLiquidator, feeToFund);
      }
      totals.marketSlippage += e.cost * usd;
      w.slippage += e.cost;
      w.fees += fee;
    } else this.bankrupt(a, h, quantity, e, bankruptcy, routes);
    this.run.remarginAt(a);
    totals.feesToLiquidators += feeToLiquidator * usd;
    if (h.kind === 'position') totals.feesToFund += feeToFund * usd;
    totals.closedNotional += e.notional * usd;
    const after = this.run.accountColumns();
    const mmAfter = after.mm[a];
    const step = this.step;
    step.kind = h.kind;
    step.id = h.kind === 'position' ? this.layout.instruments.ids[h.index] : this.layout.assets[h.index];
    step.quantity = quantity;
    step.markPrice = inverse ? this.quotedMark.of(e.mark) : e.mark;
    // a fill at the mark reads as the mark
    step.fillPrice = inverse ? (e.fill === e.mark ? step.markPrice : quotedPrice(e.fill)) : e.fill;
    step.bankruptcyPrice = finiteOrNull(inverse ? quotedPrice(bankruptcy) : h.kind === 'position' ? this.attainable(h.index, bankruptcy) : bankruptcy);
    step.notional = e.notional;
    step.feeToLiquidator = feeToLiquidator;
    step.feeToFund = feeToFund;
    step.fundChange = ledger.fund - fund0;
    step.healthBefore = healthBefore;
    step.healthAfter = healthOf(after.equityMm[a], mmAfter);
    step.mmBefore = mmBefore;
    step.mmAfter = mmAfter;
    return step;
  }

  /**
   * An option's bankruptcy price, or NaN (shown null) above what the option can be worth (validate-market.ts
   * optionMost: a call about its underlying, 1 coin when coin-settled; a put its strike, K/S coin): no price it can
   * fill at takes the equity behind it to 0. Instrument i's other prices as they are.
   */
  private attainable(i: number, price: number): number {
    const ins = this.layout.instruments;
    if (!ins.isOption(i)) return price;
    const m = this.run.market, u = ins.underlying.array[i];
    const most = optionMost(ins.isCall.array[i] === 1, ins.settlement.array[i] >= 0, ins.strike.array[i], m.price.array[u], growthAt(m, u, i));
    return price > most ? Number.NaN : price;
  }

  /**
   * The equity a close of position h at its bankruptcy price takes to 0 (margin currency): all of the equity behind it,
   * `backing`, while that is not below 0 (a solvent account's surplus goes first, whatever the part closed); a deficit
   * in the share of the requirement behind the holding the close releases (dYdX v4's bankruptcy quote of a partial
   * close: the part's share of maintenance margin, as its fee cap), so each close of a bankrupt account takes its
   * part of the deficit and a quarter of a position closes at the position's own bankruptcy price, not at one that
   * puts the whole deficit on that quarter. `share`: the chooser's, from its trial of the close at its market fill (the
   * trial that capped its fee).
   */
  private equityOwed(h: Holding, backing: number, share: number): number {
    return backing < 0 && h.kind === 'position' ? backing * share : backing;
  }

  /**
   * A close that would take the equity behind it (`bucket`: −1 the account's, a slot an isolated position's) `deficit`
   * below zero: the fees this close-out paid out of that equity earlier in the run are taken back first, at most the
   * deficit, from the liquidators and the fund pro rata to what each was paid (Ledger.takeBackFees), and credited to
   * that equity, so the fund, ADL or a write-off never pay a fee. A close-out's fees are owed out of its surplus
   * over bankruptcy (dYdX v4's fee = min(max fee, surplus over the bankruptcy quote), taken over the whole close-out):
   * a step's cap gives its part its share of the equity by the MM it releases, and a later part's slippage can need
   * more than its share. Returns whether anything was taken back (`ledger.takenBack`); account a is re-margined then.
   */
  private clawBack(a: number, bucket: number, deficit: number): boolean {
    const back = this.ledger.takeBackFees(bucket, deficit, this.effects.usd);
    if (back === 0) return false;
    this.ledger.waterfall.fees -= back;
    this.layout.cashUsd.array[a] += back;
    if (bucket >= 0) {
      const isolated = this.layout.positions.column<'f64'>('isolatedMargin').array;
      isolated[bucket] = allocationAfter(isolated[bucket], back);
    }
    this.trial.changed(a);
    this.run.remarginAt(a);
    return true;
  }

  /**
   * A fee capped at the surplus over bankruptcy leaves the equity behind the close at 0, which the margin run's own
   * sum can round below it (−7e-18 BTC: bankrupt by a rounding). What it rounds below is given back out of the fee
   * ({@link creditRounding}: the position's own equity under isolated margin, and the rest of the account's) so a close
   * the account survives never leaves it bankrupt. Returns what was given back. Account a is re-margined.
   */
  private roundingBelowZero(a: number, h: Holding, fee: number): number {
    this.run.remarginAt(a);
    const given = this.ownBacking && h.kind === 'position' ? this.creditRounding(a, h.slot, fee) : 0;
    return given + this.creditRounding(a, -1, fee - given);
  }

  /**
   * A deficit (margin currency) with nothing left to close: the fund covers what it can (at most its per-step cap),
   * the rest is written off the account (credited to it and booked as uncovered bad debt: the venue's loss, or its
   * winners' to share), so no account ends a run below zero equity; what was written off is the ledger's
   * (`deficitsWrittenOff`).
   * `slot`: under isolated margin, the position whose deficit it is (its allocation is credited too), else −1: the
   * account's, or the rest of the account's.
   */
  settleDeficit(a: number, deficit: number, slot = -1): void {
    const { ledger } = this, tolerance = this.trial.tolerance(a), usd = this.effects.usd;
    if (!(deficit > tolerance)) {
      this.coverRounding(a, slot); // a deficit within rounding (cash −5e-324) is no write-off, but no status below zero either
      return;
    }
    const paid = Math.min(deficit, ledger.fundAvailable() / usd);
    if (paid > 0) {
      ledger.payFromFund(paid * usd);
      ledger.waterfall.insuranceFund += paid;
    }
    const left = deficit - paid;
    const writeOff = left > tolerance ? left : 0;
    this.trial.changed(a);
    this.layout.cashUsd.array[a] += paid + writeOff;
    if (slot >= 0) {
      const isolated = this.layout.positions.column<'f64'>('isolatedMargin').array;
      isolated[slot] = allocationAfter(isolated[slot], paid + writeOff);
    }
    this.run.remarginAt(a);
    ledger.totals.uncovered += writeOff * usd;
    ledger.waterfall.writtenOff += writeOff;
    ledger.deficitsWrittenOff += writeOff;
    this.coverRounding(a, slot, paid + writeOff); // what the credit's own rounding left below zero (an ulp of it)
  }

  /**
   * Bankrupt at this fill: the close happens at the bankruptcy price; the fund absorbs the loss beyond it (it takes
   * the position at the bankruptcy price and sells it at the fill), then ADL, then whatever is left fills at the
   * market. Its deficit stays on the account under a pooled method; an isolated position's is written off (bad debt),
   * as its losses never reach the rest of the account, whatever the fund and ADL could pay.
   */
  private bankrupt(a: number, h: Holding, quantity: number, e: CloseEffect, bankruptcy: number, routes: LiquidationStep['routes']): void {
    const { ledger } = this, totals = ledger.totals, w = ledger.waterfall, usd = this.effects.usd;
    const mult = this.layout.instruments.multiplier.array[h.index];
    const lossPerContract = Math.abs(mult * (bankruptcy - e.fill));
    const fundQty = lossPerContract > 0 ? Math.sign(quantity) * Math.min(Math.abs(quantity), ledger.fundAvailable() / usd / lossPerContract) : quantity;
    const fundPaid = Math.abs(fundQty) * lossPerContract;
    ledger.payFromFund(fundPaid * usd);
    routes.insuranceFund = fundQty;
    totals.marketSlippage += fundQty * mult * (e.mark - e.fill) * usd; // the fund's sale to the market
    const adlQty = this.adl.take(a, h.index, quantity - fundQty, bankruptcy);
    routes.adl = adlQty;
    totals.adlAbsorbed += Math.abs(adlQty) * lossPerContract * usd;
    // the account's side: the whole close at the fill, less what the fund and ADL took at the bankruptcy price
    w.slippage += e.cost;
    w.insuranceFund += fundPaid;
    w.adl += Math.abs(adlQty) * lossPerContract;
    const rest = quantity - fundQty - adlQty;
    routes.uncovered = rest;
    const writeOff = this.ownBacking ? Math.abs(rest) * lossPerContract : 0;
    totals.uncovered += writeOff * usd;
    w.writtenOff += writeOff;
    if (writeOff > this.trial.tolerance(a)) ledger.deficitsWrittenOff += writeOff;
    const atBankruptcy = this.ownBacking ? quantity : fundQty + adlQty, atFill = quantity - atBankruptcy;
    const cash = this.effects.realize(h.index, atBankruptcy * mult, bankruptcy, h.slot) + this.effects.realize(h.index, atFill * mult, e.fill, h.slot);
    totals.marketSlippage += rest * mult * (e.mark - e.fill) * usd;
    this.effects.write(a, h, quantity, cash);
    this.run.remarginAt(a);
    // The close was priced to leave its share of the equity at exactly 0 (all of it, but for a deficit shared out over
    // the closes); double rounding can leave −1e-11: the fund pays that too.
    if (this.ownBacking) this.coverRounding(a, h.slot);
    if (rest === 0 || this.ownBacking) this.coverRounding(a, -1);
  }

  /**
   * An account ADL took from, re-margined at the run's end: what rounding left below zero of the equity behind each of
   * its positions (isolated margin) and of the rest of it is paid ({@link coverRounding}), as for a liquidated account.
   * A fill capped at the account's equity (or a position's own) takes it to 0, which the margin run's own sum can round
   * to −4e-12: the counterparty would be reported bankrupt by ADL, which never takes anyone below zero. What it paid is
   * the ledger's waterfall (started by the caller).
   */
  coverDeleveraged(a: number): void {
    this.effects.startAccount(a);
    const pos = this.layout.positions;
    if (this.ownBacking) for (let slot = pos.start.array[a]; slot < pos.end.array[a]; slot++) this.coverRounding(a, slot);
    this.coverRounding(a, -1);
  }

  /**
   * Pays what rounding left below zero of the equity behind `slot` ({@link creditRounding}): a close priced to leave
   * exactly 0 (its bankruptcy price) or a deficit's credit is then not reported bankrupt at −4e-12. The fund pays it
   * while it can (else it is booked uncovered: written off, as the fund's other deficits). `credited`: what was just
   * credited to the account (a deficit's settlement), whose own rounding — an ulp of an amount that can be 1e12 — is
   * within rounding too, however small the account is left.
   */
  private coverRounding(a: number, slot: number, credited = 0): void {
    const credit = this.creditRounding(a, slot, Infinity, credited);
    if (credit === 0) return;
    const { ledger } = this, usd = this.effects.usd;
    const paid = Math.min(credit, ledger.fundAvailable() / usd);
    ledger.payFromFund(paid * usd);
    ledger.waterfall.insuranceFund += paid;
    ledger.totals.uncovered += (credit - paid) * usd;
    ledger.waterfall.writtenOff += credit - paid;
  }

  /**
   * Credits account a what rounding left below zero (within its tolerance) of the equity behind `slot` — a position's
   * own under isolated margin, its allocation credited with the cash; −1: the rest of the account's, all of it under a
   * pooled method — at most `limit`; returns the credit. A credit below half an ulp of the cash is lost to rounding,
   * so an equity still below is credited twice as much again (at most 4 times). `credited`: an amount just credited,
   * whose rounding counts within the tolerance. Account a is re-margined.
   */
  private creditRounding(a: number, slot: number, limit: number, credited = 0): number {
    let below = this.equityBehind(a, slot);
    if (!(below < 0)) return 0; // the usual case: called once per settled account and bankrupt close
    const tolerance = this.trial.tolerance(a) + 1e-9 * credited, cash = this.layout.cashUsd.array;
    const isolated = this.layout.positions.column<'f64'>('isolatedMargin').array;
    let given = 0;
    for (let k = 0; below < 0 && below > -tolerance && given < limit && k < 4; k++, below = this.equityBehind(a, slot)) {
      const credit = Math.min(limit - given, -below * 2 ** k);
      cash[a] += credit;
      if (slot >= 0) isolated[slot] = allocationAfter(isolated[slot], credit);
      given += credit;
      this.trial.changed(a);
      this.run.remarginAt(a);
    }
    return given;
  }

  /** The equity behind `slot` of account a: a position's own (isolated margin), or (−1) the rest of the account's. */
  private equityBehind(a: number, slot: number): number {
    return slot >= 0 ? this.run.positionEquity(a, slot) : restEquityOf(this.layout, this.run, a);
  }
}
