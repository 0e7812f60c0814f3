/**
 * A close's outcome as pure functions over account terms (src/liquidation/close-outcome.ts), and sizing on them
 * (smallest-root.ts, sizing.ts): one account, two positions, a documented fee and impact, every number worked by hand
 * in the comments. The terms are hand-made (LinearTerms below), not a method's: the expected values come from the
 * arithmetic written here, not from the engine.
 *
 * The account: 80 USD cash; A = +10 contracts of a linear instrument at mark 100 (entry 100); B = −20 contracts at mark
 * 50 (entry 50). Equity = cash + Σ q·(mark − entry) = 80. MM = 5% of notional = (10·100 + 20·50)/20 = 100; IM = 10%.
 * Target: MM with buffer 0, so the slack is equity − MM = −20. Impact: a close fills 1 USD per contract worse than
 * the mark (cost = q USD, cash at the fill = −q: the realised loss against an entry at the mark). Fee: 0.5% of the
 * notional closed, capped by the surplus of the part closed: equity 80 × (MM released / MM) − cost.
 */
import { describe, expect, it } from 'vitest';
import { type AccountTerms, emptyFigures, emptyHoldingChange, type HoldingChange } from '../../src/methods/account-terms.js';
import type { HoldingsMargin } from '../../src/methods/method.js';
import { type CloseBase, closeChange, closeOutcome, emptyOutcome, outcomeOf, slackOf } from '../../src/liquidation/close-outcome.js';
import { type CloseEffect, emptyEffect, type Holding } from '../../src/liquidation/close-effect.js';
import { chooseClose, type CloseProbe, RootSearch } from '../../src/liquidation/sizing.js';

const MARK = [100, 50];
const ENTRY = [100, 50];
const MM = { kind: 'mm-buffer' as const, buffer: 0 };

/** Hand-made terms of linear positions: equity = cash + Σ q·(mark − entry), MM = notional/20, IM = notional/10. */
class LinearTerms implements AccountTerms {
  readonly account = 0;
  constructor(readonly quantity: number[], public cash: number) {}
  apply(c: HoldingChange): this {
    this.quantity[c.local] = c.size;
    this.cash = c.cashUsd;
    return this;
  }
  figures(into: HoldingsMargin = emptyFigures()): HoldingsMargin {
    let equity = this.cash, notional = 0;
    for (let k = 0; k < this.quantity.length; k++) {
      equity += this.quantity[k] * (MARK[k] - ENTRY[k]);
      notional += Math.abs(this.quantity[k]) * MARK[k];
    }
    Object.assign(into, { equity, equityIm: equity, equityMm: equity, im: notional / 10, mm: notional / 20, grossNotional: notional, status: 0, positions: undefined });
    return into;
  }
  figuresWith(c: HoldingChange, into?: HoldingsMargin): HoldingsMargin {
    return this.fork().apply(c).figures(into);
  }
  breakpoints(instrument: number, side: 1 | -1): number[] {
    const held = this.quantity[instrument], zero = -side * held; // the position crosses zero
    return zero > 0 ? [zero] : [];
  }
  fork(): LinearTerms {
    return new LinearTerms([...this.quantity], this.cash);
  }
}

/** The account before its trials, as a close reads it: MM 100, each position backed by the account's equity 80. */
function base(): CloseBase {
  return {
    p0: 0, c0: 0, qty: Float64Array.of(10, -20), isolated: Float64Array.of(NaN, NaN), amount: new Float64Array(0), cash: 80,
    mm: 100, positionMm: Float64Array.of(100, 100), backing: Float64Array.of(80, 80), ownBacking: false,
  };
}

const A: Holding = { kind: 'position', slot: 0, index: 0, startSize: 10 };
const B: Holding = { kind: 'position', slot: 1, index: 1, startSize: 20 };

/** Closing q contracts of position k (signed like it): fill 1 USD worse than the mark, cash −|q|, cost |q|. */
function effectOf(k: number, q: number, into: CloseEffect = emptyEffect()): CloseEffect {
  const units = Math.abs(q);
  return Object.assign(into, { quantity: q, mark: MARK[k], fill: MARK[k] - Math.sign(q), units, notional: units * MARK[k], cashAtFill: -units, cost: units });
}
/** 0.5% of the notional closed. */
const nominalFee = (e: CloseEffect) => e.notional / 200;

describe('a close as a holding change', () => {
  it('sets the position to what is left and the cash after the fill', () => {
    // closing 4 of A (+10): 6 left; cash 80 − 4 = 76; a pro-rata allocation stays pro rata (NaN)
    const c = closeChange(base(), A, effectOf(0, 4), emptyHoldingChange());
    expect([c.kind, c.local, c.size, c.cashUsd, c.isolatedMargin]).toEqual(['position', 0, 6, 76, NaN]);
    // buying back 5 of B (−20): −15 left; cash 75
    const d = closeChange(base(), B, effectOf(1, -5), emptyHoldingChange());
    expect([d.kind, d.local, d.size, d.cashUsd]).toEqual(['position', 1, -15, 75]);
  });

  it('moves an explicit isolated allocation by the cash of the fill', () => {
    // allocation 30 USD on A, a close of 4 realises −4: 26 left behind the position
    const b = { ...base(), isolated: Float64Array.of(30, NaN) };
    expect(closeChange(b, A, effectOf(0, 4), emptyHoldingChange()).isolatedMargin).toBe(26);
  });
});

describe('what a close leaves (outcomeOf, closeOutcome)', () => {
  it('closing 4 of A: slack −6 after a fee of 2 below its cap of 12', () => {
    // after: cash 76, equity 76, MM = (600 + 1000)/20 = 80 → slack before the fee 76 − 80 = −4.
    // fee: nominal 0.5% × 400 = 2; share released (100 − 80)/100 = 0.2; cap 80 × 0.2 − 4 = 12; fee min(2, 12) = 2.
    const terms = new LinearTerms([10, -20], 80), e = effectOf(0, 4);
    const o = closeOutcome(terms, base(), A, e, nominalFee(e), MM, undefined, { change: emptyHoldingChange(), figures: emptyFigures() }, emptyOutcome());
    expect(o.mm).toBe(80);
    expect(o.beforeFee).toBe(-4);
    expect(o.nominalFee).toBe(2);
    expect(o.feeCap).toBeCloseTo(12, 12);
    expect(o.fee).toBe(2);
    expect(o.slack).toBe(-6);
    // the terms are as they were: equity 80, MM 100
    const now = terms.figures();
    expect([now.equity, now.mm]).toEqual([80, 100]);
  });

  it('caps the fee at the surplus of the part closed', () => {
    // figures after a close (by hand): equity 10, MM 60 from 100, so 40% of MM released; behind the position 10 USD;
    // slippage 2: cap 10 × 0.4 − 2 = 2 < nominal 5 → fee 2. Slack: 10 − 60 − 2 = −52.
    const after = { ...emptyFigures(), equity: 10, equityIm: 10, equityMm: 10, im: 120, mm: 60 };
    const b = { ...base(), backing: Float64Array.of(10, 10) };
    const e = { ...effectOf(0, 4), cost: 2 };
    const o = outcomeOf(after, b, A, e, 5, MM, undefined, emptyOutcome());
    expect(o.feeCap).toBeCloseTo(2, 12);
    expect(o.fee).toBeCloseTo(2, 12);
    expect(o.beforeFee).toBe(-50);
    expect(o.slack).toBeCloseTo(-52, 12);
  });

  it('never charges a negative fee: a close costing more than its surplus pays none', () => {
    // equity 10 behind, 10% of MM released, slippage 3: cap 10 × 0.1 − 3 = −2 → fee 0; slack 20 − 90 = −70
    const after = { ...emptyFigures(), equity: 20, equityIm: 20, equityMm: 20, im: 180, mm: 90 };
    const o = outcomeOf(after, { ...base(), backing: Float64Array.of(10, 10) }, A, { ...effectOf(0, 1), cost: 3 }, 0.5, MM, undefined, emptyOutcome());
    expect([o.fee, o.slack]).toEqual([0, -70]);
    expect(o.feeCap).toBeCloseTo(-2, 12);
  });
});

describe('sizing on account terms', () => {
  /** What closing q of holding h leaves, on the terms of the account above. */
  function trials(terms: AccountTerms, h: Holding, k: number) {
    const scratch = { change: emptyHoldingChange(), figures: emptyFigures() }, out = emptyOutcome(), e = emptyEffect();
    return (q: number) => closeOutcome(terms, base(), h, effectOf(k, q, e), nominalFee(effectOf(k, q, e)), MM, undefined, scratch, out);
  }

  it('finds the smallest close of A that restores the target: q = 40/7, its fee 20/7', () => {
    // closing q of A: equity 80 − q, MM 100 − 5q, so S₀ = −20 + 4q; fee = min(0.5q, 80·0.05q − q = 3q) = 0.5q;
    // S = −20 + 3.5q ≥ 0 from q = 40/7 ≈ 5.714 (the cap, 10, leaves 15). The fee there: 0.5 × 40/7 = 20/7.
    const terms = new LinearTerms([10, -20], 80), search = new RootSearch();
    const root = search.find(10, -20, 1e-9, 100, trials(terms, A, 0));
    expect(root).toBeCloseTo(40 / 7, 9);
    expect(search.feeAt(root as number)).toBeCloseTo(20 / 7, 9);
    expect(trials(terms, A, 0)(10).slack).toBe(15);
    expect(search.feeAt(1), 'a close it did not try').toBeNaN();
  });

  it('chooses A over B by slack gained per dollar, from each one\'s whole step', () => {
    // A whole (10): slack 15 (above), gain 35, cost slippage 10 + fee 5 = 15 → 2.33 per dollar.
    // B whole (20): equity 80 − 20 = 60, MM (1000 + 0)/20 = 50, S₀ = 10; fee min(0.25·20 = 5, 80·0.5 − 20 = 20) = 5;
    // slack 5, gain 25, cost 20 + 5 = 25 → 1 per dollar. Both lower MM (from 100): A is chosen.
    const terms = new LinearTerms([10, -20], 80);
    const caps = [10, -20], holdings = [A, B];
    const probe = (k: number): CloseProbe => {
      const o = trials(terms, holdings[k], k)(caps[k]), e = effectOf(k, caps[k]);
      return { cap: caps[k], slack: o.slack, mm: o.mm, fee: o.fee, beforeFee: o.beforeFee, nominalFee: o.nominalFee, feeCap: o.feeCap, share: o.share, executionCost: o.executionCost, cost: e.cost + nominalFee(e), notional: e.notional, linear: 2 };
    };
    expect([probe(1).slack, probe(1).mm, probe(1).fee]).toEqual([5, 50, 5]);
    const choice = chooseClose(2, probe, 100, -20, 'efficiency');
    expect([choice?.holding, choice?.cap, choice?.gains, choice?.capSlack, choice?.capFee]).toEqual([0, 10, true, 15, 5]);
  });

  it('reads where a position crosses zero from the terms\' breakpoints', () => {
    // A (+10) sold: crosses zero after 10; B (−20) bought: after 20; A bought never crosses
    const terms = new LinearTerms([10, -20], 80);
    expect([terms.breakpoints(0, -1), terms.breakpoints(1, 1), terms.breakpoints(0, 1)]).toEqual([[10], [20], []]);
  });
});

describe('slackOf per bucket (isolated margin)', () => {
  it('reads a position\'s own equity against its MM, and the rest of the account against none', () => {
    // buffer 0.5. Position 0: allocated 30, P&L −5 → 25 − 1.5 × 20 = −5; position 1: 20 + 0 − 1.5 × 10 = 5;
    // the rest: equity 100 − (25 + 20) = 55 against nothing. The worst: −5.
    const target = { kind: 'mm-buffer' as const, buffer: 0.5 };
    const w: HoldingsMargin = {
      equity: 100, equityIm: 100, equityMm: 100, im: 60, mm: 30, grossNotional: 0, status: 0,
      positions: { allocated: Float64Array.of(30, 20), markToMarket: Float64Array.of(-5, 0), im: Float64Array.of(40, 20), mm: Float64Array.of(20, 10) },
    };
    expect([slackOf(w, target, 0), slackOf(w, target, 1), slackOf(w, target, -1), slackOf(w, target)]).toEqual([-5, 5, 55, -5]);
    // pooled (no per-position figures): 100 − 1.5 × 30 = 55
    expect(slackOf({ ...w, positions: undefined }, target)).toBe(55);
  });
});
