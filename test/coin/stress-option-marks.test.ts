/**
 * An option's quoted mark when a stress moves its market (src/model/move-market.ts, src/margin/coin-valuation.ts
 * optionMarkMoved): the quote keeps its premium over the model's value in USD, V_q' = V_q + (V' − V), a coin-settled
 * one's mark in coin over the forward. Reference values by hand (Black–Scholes with r = q = 0, T = 35/365, computed
 * apart from the library with the error function):
 * - a BTC call, strike 50,000, IV 0.5, at BTC 95,000: C = 45,000.0395085343 USD; at 142,500 (+50%): 92,500.0000000124;
 *   at 237,500 (+150%): 187,500 + 0.0000… So the USD call quoted 45,600 moves to 93,099.9604914781 USD, its coin twin
 *   quoted 0.48 BTC (45,600 USD) to 93,099.9604914781 / 142,500 = 0.653333056080548 BTC (the same value), and at
 *   +150% to 0.7919998336482766 BTC: above the 0.75 BTC its seller holds (equity −0.04199983364827664 BTC).
 * - a BTC put, strike 110,000, IV 0.5, quoted 0.2 BTC (19,000 USD) at 95,000: P = 16,454.905308336238 USD; at
 *   1,045,000 (+1,000%) P = 0, so the mark is (19,000 − 16,454.905308336238) / 1,045,000 = 0.0024354973125969015 BTC
 *   (within K/S' = 0.10526); IV +20 points (P = 18,537.17…) moves it to 0.21925446105531454 BTC.
 * The rule before held a coin option's mark in coin and moved a USD option's by S'/S: the put stayed 0.2 BTC at
 * 1,045,000 (a market a fresh run refuses) and the short call's loss at +150% was missed (bad debt 0).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { layoutBook } from '../../src/layout/index.js';
import { markAssets } from '../../src/layout/mark-assets.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { optionMarkMoved } from '../../src/margin/coin-valuation.js';
import { moveMarket } from '../../src/model/move-market.js';
import { validateBook, validateMarket } from '../../src/model/validate.js';

const COIN = 'BTC-25DEC26-50000-C', USD = 'BTC-25DEC26-50000-C-USD';
const instruments = [
  { id: COIN, kind: 'option', underlying: 'BTC', right: 'call', strike: 50_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
  { id: USD, kind: 'option', underlying: 'BTC', right: 'call', strike: 50_000, expiry: '2026-12-25T08:00:00Z' },
];
/** Short one of each call: the coin one on 0.75 BTC (equity 0.27 BTC, MM 0.075 BTC), the USD one on 1 BTC. */
const book = {
  instruments,
  accounts: [
    { id: 'coin-short-call', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.75 }], positions: [{ instrument: COIN, quantity: -1, entryPrice: 0.48 }] },
    { id: 'usd-short-call', collateral: [{ asset: 'BTC', amount: 1 }], positions: [{ instrument: USD, quantity: -1, entryPrice: 45_600 }] },
  ],
};
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 } },
  marks: { [COIN]: 0.48, [USD]: 45_600 }, impliedVols: { [COIN]: 0.5, [USD]: 0.5 },
};

const PUT = 'BTC-25DEC26-110000-P';
const withPut = {
  instruments: [...instruments, { id: PUT, kind: 'option', underlying: 'BTC', right: 'put', strike: 110_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' }],
  accounts: [{ id: 'coin-short-put', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }], positions: [{ instrument: PUT, quantity: -1, entryPrice: 0.2 }] }],
};
const putMarket = { ...market, assets: { BTC: { price: 95_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.6 } }, marks: { ...market.marks, [PUT]: 0.2 }, impliedVols: { ...market.impliedVols, [PUT]: 0.5 } };

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

/** `validMarket` moved by `returns` and `volShift` (asset → decimal), as a stress moves it. */
function moved(validBook: unknown, validMarket: unknown, returns: [string, number][], volShift: [string, number][] = []) {
  const layout = layoutBook(validateBook(validBook), new HeapAllocator());
  return moveMarket(validateMarket(validMarket), { ...markAssets(layout), remarkOption: optionMarkMoved }, { returns: new Map(returns), volShift: new Map(volShift) });
}

describe('a stress moves an option\'s quoted mark with its model value', () => {
  it('BTC +50%: the USD call 45,600 → 93,099.96 USD, its coin twin 0.48 → 0.65333 BTC (the same value)', () => {
    const m = moved(book, market, [['BTC', 0.5]]);
    expect(m.marks.get(USD)).toBeCloseTo(93_099.9604914781, 6);
    expect(m.marks.get(COIN)).toBeCloseTo(0.653333056080548, 11);
    expect(m.assets.get('BTC')!.price).toBe(142_500);
  });

  it('a put falls as its coin rises: 0.2 → 0.0024355 BTC at +1,000% (a market a fresh run accepts); IV +20 points: 0.21925 BTC', () => {
    const up = moved(withPut, putMarket, [['BTC', 10]]);
    expect(up.marks.get(PUT)).toBeCloseTo(0.0024354973125969015, 12);
    const plain = { ...putMarket, assets: { ...putMarket.assets, BTC: { price: 1_045_000, vol: 0.5 } }, marks: { [PUT]: up.marks.get(PUT)! } };
    expect(() => engine.margin(withPut, plain, { method: 'cross' })).not.toThrow();
    expect(moved(withPut, putMarket, [], [['BTC', 0.2]]).marks.get(PUT)).toBeCloseTo(0.21925446105531454, 11);
  });

  it('a move its underlying does not see leaves the mark\'s bits', () => {
    expect(moved(withPut, putMarket, [['ETH', -0.3]]).marks.get(PUT)).toBe(0.2);
  });

  it('BTC +50%: neither short call is liquidated (coin equity 0.0967 BTC: below IM 0.15, above MM 0.075), as a fresh run on the moved market says', () => {
    const params = { stress: { contagion: false, impact: { BTC: { model: 'linear', pricePerUnit: 0, permanent: 1 } } }, liquidation: { slippage: { default: { model: 'none' } } } };
    const cascade = engine.stress(book, market, { spot: { BTC: 0.5 } }, { method: 'cross', params }).cascades[0];
    expect(cascade.rounds[0].prices.BTC).toBe(142_500);
    expect(cascade.rounds[0].accountsLiquidated).toBe(0);
    const fresh = engine.margin(book, { ...market, assets: { BTC: { price: 142_500, vol: 0.5 } }, marks: { [COIN]: 0.653333056080548, [USD]: 93_099.9604914781 } }, { method: 'cross' });
    const coin = fresh.accounts.find((a) => a.id === 'coin-short-call')!;
    expect(coin.equity).toBeCloseTo(0.09666694391945196, 11);
    expect(coin.status).toBe('margin_call');
  });

  it('BTC +150%: the coin call\'s seller is bankrupt (equity −0.042 BTC) and the cascade closes it out', () => {
    const params = { stress: { contagion: false, impact: { BTC: { model: 'linear', pricePerUnit: 0, permanent: 1 } } }, liquidation: { slippage: { default: { model: 'none' } } } };
    const cascade = engine.stress(book, market, { spot: { BTC: 1.5 } }, { method: 'cross', params }).cascades[0];
    expect(cascade.rounds[0].accountsLiquidated).toBe(1);
    expect(cascade.metrics.badDebt).toBeCloseTo(0.04199983364827664 * 237_500, 6); // its deficit, in USD
    const fresh = engine.margin(book, { ...market, assets: { BTC: { price: 237_500, vol: 0.5 } }, marks: { [COIN]: 0.7919998336482766, [USD]: 188_099.9604914657 } }, { method: 'cross' });
    const coin = fresh.accounts.find((a) => a.id === 'coin-short-call')!;
    expect(coin.equity).toBeCloseTo(-0.04199983364827664, 11);
    expect(coin.status).toBe('bankrupt');
  });
});
