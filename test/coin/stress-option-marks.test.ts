/**
 * A coin-settled option's mark when a stress moves its coin (src/layout/mark-assets.ts, src/model/move-market.ts): the
 * mark is a premium in the coin, so holding its USD value to the index, as a USD option's mark is held (× S'/S), keeps
 * it in the coin: (S'/S)/(S'/S) = 1. By hand: a BTC call, strike 50,000, quoted 0.48 BTC at BTC 95,000 (45,600 USD,
 * the USD-settled twin's mark). BTC +50% to 142,500: the USD twin's mark is 45,600 × 1.5 = 68,400 USD, the coin mark
 * stays 0.48 BTC = 68,400 USD. The mark had been moved × 1.5 to 0.72 BTC (102,600 USD, the value × 2.25), and × 2.5 to
 * 1.2 BTC, above what a coin call can be worth (1 BTC per BTC), a market a fresh run refuses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { layoutBook } from '../../src/layout/index.js';
import { markAssets } from '../../src/layout/mark-assets.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
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

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

describe('a stress keeps a coin-settled option\'s mark in its coin', () => {
  it('BTC +50%: the coin mark stays 0.48 BTC, the USD twin\'s moves to 68,400 USD (the same value)', () => {
    const layout = layoutBook(validateBook(book), new HeapAllocator());
    const { underlyingOf, quotedIn } = markAssets(layout);
    const moved = moveMarket(validateMarket(market), underlyingOf, { returns: new Map([['BTC', 0.5]]), volShift: new Map() }, quotedIn);
    expect(moved.marks.get(COIN)).toBe(0.48);
    expect(moved.marks.get(USD)).toBe(68_400);
    expect(moved.assets.get('BTC')!.price).toBe(142_500);
  });

  it('the cascade liquidates neither short call: equity 0.27 BTC against MM 0.075 BTC, as a fresh run on the moved market says', () => {
    const params = { stress: { contagion: false, impact: { BTC: { model: 'linear', pricePerUnit: 0, permanent: 1 } } }, liquidation: { slippage: { default: { model: 'none' } } } };
    const cascade = engine.stress(book, market, { spot: { BTC: 0.5 } }, { method: 'cross', params }).cascades[0];
    expect(cascade.rounds[0].prices.BTC).toBe(142_500);
    expect(cascade.rounds[0].accountsLiquidated).toBe(0); // at 0.72 BTC the coin call's seller was liquidated (92,675 USD)
    const fresh = engine.margin(book, { ...market, assets: { BTC: { price: 142_500, vol: 0.5 } }, marks: { [COIN]: 0.48, [USD]: 68_400 } }, { method: 'cross' });
    const coin = fresh.accounts.find((a) => a.id === 'coin-short-call')!;
    expect(coin.equity).toBeCloseTo(0.27, 12);
    expect(coin.status).toBe('healthy');
  });

  it('BTC +150% gives a market a fresh run accepts: the coin call at 0.48 BTC, not 1.2', () => {
    const params = { stress: { contagion: false, impact: { BTC: { model: 'linear', pricePerUnit: 0, permanent: 1 } } } };
    const cascade = engine.stress(book, market, { spot: { BTC: 1.5 } }, { method: 'cross', params }).cascades[0];
    expect(cascade.rounds[0].accountsLiquidated).toBe(0);
    expect(cascade.metrics.badDebt).toBe(0); // 47,500 USD when the mark was moved to 1.2 BTC
  });
});
