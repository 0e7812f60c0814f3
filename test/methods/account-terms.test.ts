/**
 * Account terms as values (src/methods/account-terms.ts): HoldingsTerms, the implementation over a function that
 * margins whole holdings (portfolio, isolated, the session's default), on a hand-made margin function whose figures
 * are worked by hand: equity = cash + 2 × balance 0; MM = 10 × |position 0| + 5 × |position 1|; IM = 2 × MM.
 */
import { describe, expect, it } from 'vitest';
import { copyFigures, emptyFigures, type HoldingChange, HoldingsTerms } from '../../src/methods/account-terms.js';
import type { AccountHoldings, HoldingsMargin } from '../../src/methods/method.js';

/** The hand-made margin: one record rewritten by every call, as a method's may be. */
function handMargin() {
  const record = emptyFigures();
  const marginOf = (_a: number, h: AccountHoldings): HoldingsMargin => {
    marginOf.calls++;
    const mm = 10 * Math.abs(h.quantity[0]) + 5 * Math.abs(h.quantity[1]);
    const equity = h.cashUsd + 2 * h.amount[0];
    return Object.assign(record, { equity, equityIm: equity, equityMm: equity, mm, im: 2 * mm, grossNotional: 0, status: 0, positions: undefined });
  };
  marginOf.calls = 0;
  return marginOf;
}

const holdings = (): AccountHoldings => ({ quantity: Float64Array.of(3, -4), isolatedMargin: Float64Array.of(NaN, 25), amount: Float64Array.of(5), cashUsd: 100 });
const change = (c: Partial<HoldingChange>): HoldingChange => ({ kind: 'position', local: 0, size: 0, cashUsd: 0, isolatedMargin: undefined, ...c });
const pick = (f: HoldingsMargin) => [f.equity, f.mm, f.im];

describe('HoldingsTerms', () => {
  it('gives the figures of the holdings it was made from, copied from the caller\'s arrays', () => {
    // equity 100 + 2 × 5 = 110; MM 10 × 3 + 5 × 4 = 50; IM 100
    const h = holdings(), terms = new HoldingsTerms(7, h, handMargin(), () => undefined);
    h.quantity[0] = 1000; // the caller's array, not the terms'
    expect(terms.account).toBe(7);
    expect(pick(terms.figures())).toEqual([110, 50, 100]);
  });

  it('answers one holding changed without changing itself (figuresWith)', () => {
    // position 1 from −4 to −2, cash 90: equity 90 + 10 = 100, MM 30 + 10 = 40; the terms still 110 and 50
    const terms = new HoldingsTerms(0, holdings(), handMargin(), () => undefined);
    expect(pick(terms.figuresWith(change({ local: 1, size: -2, cashUsd: 90 })))).toEqual([100, 40, 80]);
    expect(pick(terms.figures())).toEqual([110, 50, 100]);
    // balance 0 from 5 to 0, cash 120: equity 120, MM 50
    expect(pick(terms.figuresWith(change({ kind: 'balance', local: 0, size: 0, cashUsd: 120 })))).toEqual([120, 50, 100]);
    expect(pick(terms.figures())).toEqual([110, 50, 100]);
  });

  it('forks into an independent value; apply changes only the one applied to', () => {
    // the fork sells its balance (5 → 0, cash 100 → 110): equity 110, unchanged by construction; then closes
    // position 0 (3 → 0): MM 20. The original keeps MM 50.
    const terms = new HoldingsTerms(0, holdings(), handMargin(), () => undefined), fork = terms.fork();
    fork.apply(change({ kind: 'balance', local: 0, size: 0, cashUsd: 110 })).apply(change({ local: 0, size: 0, cashUsd: 110 }));
    expect(pick(fork.figures())).toEqual([110, 20, 40]);
    expect(pick(terms.figures())).toEqual([110, 50, 100]);
    terms.apply(change({ local: 1, size: 0, cashUsd: 0 }));
    expect(pick(terms.figures()), 'position 1 closed, cash 0: equity 10, MM 30').toEqual([10, 30, 60]);
    expect(pick(fork.figures()), 'the fork as it was').toEqual([110, 20, 40]);
  });

  it('hands out figures the caller owns: the margin function\'s next call does not rewrite them', () => {
    const terms = new HoldingsTerms(0, holdings(), handMargin(), () => undefined);
    const before = terms.figures(), into = emptyFigures();
    expect(terms.figuresWith(change({ local: 0, size: 0, cashUsd: 100 }), into)).toBe(into);
    expect(pick(into), 'position 0 closed: MM 20').toEqual([110, 20, 40]);
    expect(pick(before), 'still the first answer').toEqual([110, 50, 100]);
  });

  it('puts back an isolated allocation a trial set, and applies one', () => {
    // allocation of position 1: 25; a trial sets 40 and the value keeps 25; apply sets 40
    let seen = NaN;
    const margin = handMargin();
    const terms = new HoldingsTerms(0, holdings(), (a, h) => ((seen = h.isolatedMargin[1]), margin(a, h)), () => undefined);
    terms.figuresWith(change({ local: 1, size: -4, cashUsd: 100, isolatedMargin: 40 }));
    expect(seen).toBe(40);
    terms.figures();
    expect(seen).toBe(25);
    terms.apply(change({ local: 1, size: -4, cashUsd: 100, isolatedMargin: 40 })).figures();
    expect(seen).toBe(40);
  });

  it('is made again in place for other holdings of the same shape (reset), and asks its margin function for breakpoints', () => {
    const breaks = (a: number, i: number, side: 1 | -1) => [a, i, side];
    const terms = new HoldingsTerms(0, holdings(), handMargin(), breaks);
    const again = terms.reset(3, { quantity: Float64Array.of(1, 1), isolatedMargin: Float64Array.of(NaN, NaN), amount: Float64Array.of(0), cashUsd: 50 });
    expect(again).toBe(terms);
    // equity 50, MM 10 + 5 = 15
    expect(pick(terms.figures())).toEqual([50, 15, 30]);
    expect(terms.breakpoints(2, -1)).toEqual([3, 2, -1]);
    expect(terms.marginsWith(handMargin())).toBe(false);
  });
});

describe('copyFigures', () => {
  it('copies per-position figures into arrays of their own', () => {
    const from: HoldingsMargin = { ...emptyFigures(), equity: 1, positions: { allocated: Float64Array.of(1, 2), markToMarket: Float64Array.of(3, 4), im: Float64Array.of(5, 6), mm: Float64Array.of(7, 8) } };
    const to = copyFigures(from);
    from.positions!.mm[0] = 99;
    expect([to.equity, ...to.positions!.mm]).toEqual([1, 7, 8]);
  });
});
