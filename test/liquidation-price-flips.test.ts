/**
 * Every liquidation price an explain shows is where a from-scratch margin of the account turns liquidatable (or, for
 * one liquidatable now, stops being so): on the bundled sample (USD, USDC and BTC-margined accounts, options, inverse
 * contracts), under cross and isolated margin, the account margined alone at the underlying moved to 1e-7 inside the
 * price is as liquidatable as it is now, and 1e-7 outside it is not. The market is moved as the search moves it: linear marks in proportion to the spot, options at their model value
 * (their quoted marks left out on both sides of the comparison), or, with the quotes kept, each quote moved by the
 * model's change (the rule a stress shock moves it by, written out here).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type AccountMargin, createEngine, createPricer, type Engine } from '../src/index.js';
import { DOMAIN } from '../src/model/domain.js';
import { SAMPLE } from './support/cli.js';

interface Json { [key: string]: any }

const book = JSON.parse(readFileSync(join(SAMPLE, 'book.json'), 'utf8')) as Json;
const instruments = new Map<string, Json>(book.instruments.map((i: Json) => [i.id, i]));
const market = JSON.parse(readFileSync(join(SAMPLE, 'market.json'), 'utf8')) as Json;
for (const id of Object.keys(market.marks ?? {})) if (instruments.get(id)?.kind === 'option') delete market.marks[id];

/** The market with `asset` at `price`, the marks of the linear instruments on it in proportion. */
function moved(asset: string, price: number): Json {
  const m = structuredClone(market);
  const ratio = price / m.assets[asset].price;
  m.assets[asset].price = price;
  for (const [id, mark] of Object.entries(m.marks as Record<string, number>)) if (instruments.get(id)?.underlying === asset) m.marks[id] = mark * ratio;
  return m;
}

const liquidated = (status: string) => status === 'liquidatable' || status === 'bankrupt';

/**
 * For each row's liquidation price, each side shown: the account margined alone at the market `moved` to 1e-7 inside
 * the price is as liquidatable as it is now, and 1e-7 outside it is not. Returns the prices checked.
 */
function expectStatusTurns(engine: Engine, method: string, rows: readonly AccountMargin[], moved: (asset: string, price: number) => Json): number {
  let checked = 0;
  for (const row of rows) {
    const price = row.liquidationPrice;
    if (!price) continue;
    const alone = { ...book, accounts: [book.accounts.find((a: Json) => a.id === row.id)] };
    const status = (at: number) => engine.margin(alone, moved(price.underlying, at), { method }).accounts[0].status;
    for (const side of ['below', 'above'] as const) {
      const at = price[side];
      if (at === null) continue;
      const inside = side === 'below' ? at * (1 + 1e-7) : at * (1 - 1e-7), outside = side === 'below' ? at * (1 - 1e-7) : at * (1 + 1e-7);
      const now = liquidated(row.status);
      expect([liquidated(status(inside)), liquidated(status(outside))], `${row.id} ${side} ${at}`).toEqual([now, !now]);
      checked++;
    }
  }
  return checked;
}

describe('liquidation prices against a from-scratch margin (the bundled sample)', () => {
  for (const method of ['cross', 'isolated']) {
    it(`${method}: the status turns at every price shown, on its side`, async () => {
      const engine = await createEngine({ backend: 'js' });
      const report = engine.margin(book, market, { method, breakdown: true });
      const checked = expectStatusTurns(engine, method, report.accounts, moved);
      expect(checked).toBeGreaterThan(250);
    });
  }
});

describe('liquidation prices with the quoted option marks kept (the bundled sample)', () => {
  // A quote keeps its premium over the model as the underlying moves (docs/stress.md, as a shock moves it):
  // V_q' = V_q + (V(S') − V(S)) in USD, V the generalised BSM value at the option's implied vol; a coin-settled
  // option's quote is in coin, V_q = mark·F and its new mark V_q'/F', F = S·e^{(r−q)T}; held within what the option
  // can be worth (a call its underlying, 1 coin; a put its strike, K/S' coin).
  const quotedMarket = JSON.parse(readFileSync(join(SAMPLE, 'market.json'), 'utf8')) as Json;
  const quotes = Object.entries(quotedMarket.marks as Record<string, number>).filter(([id]) => instruments.get(id)?.kind === 'option');
  const valuationMs = Date.parse(quotedMarket.valuationTime);

  it.each(['cross', 'isolated'])('%s: every account holding a quoted option turns at the price shown, with its quotes moved by the rule', async (method) => {
    const engine = await createEngine({ backend: 'js' });
    const pricer = await createPricer({ backend: 'js' });
    const usdValue = (id: string, spot: number): number => {
      const ins = instruments.get(id)!, a = quotedMarket.assets[ins.underlying];
      const f = (x: number) => Float64Array.of(x);
      const input = { isCall: Uint8Array.of(ins.right === 'call' ? 1 : 0), spot: f(spot), strike: f(ins.strike), expiryYears: f((Date.parse(ins.expiry) - valuationMs) / (365 * 86_400_000)), vol: f(quotedMarket.impliedVols[id]), rate: f(a.rate ?? 0), carry: f(a.carry ?? 0) };
      return pricer.greeks(input).price[0];
    };
    const forward = (id: string, spot: number): number => {
      const ins = instruments.get(id)!, a = quotedMarket.assets[ins.underlying];
      return spot * Math.exp(((a.rate ?? 0) - (a.carry ?? 0)) * ((Date.parse(ins.expiry) - valuationMs) / (365 * 86_400_000)));
    };
    const movedQuoted = (asset: string, price: number): Json => {
      const m = structuredClone(quotedMarket);
      const spot = m.assets[asset].price, ratio = price / spot;
      m.assets[asset].price = price;
      for (const [id, mark] of Object.entries(quotedMarket.marks as Record<string, number>)) {
        const ins = instruments.get(id)!;
        if (ins.underlying !== asset) continue;
        if (ins.kind !== 'option') m.marks[id] = mark * ratio;
        else {
          const coin = ins.settlement === asset;
          const quoteUsd = coin ? mark * forward(id, spot) : mark;
          const usd = quoteUsd + (usdValue(id, price) - usdValue(id, spot));
          const most = coin ? (ins.right === 'call' ? 1 : ins.strike / price) : ins.right === 'call' ? price : ins.strike;
          m.marks[id] = Math.max(DOMAIN.price.min, Math.min(most, coin ? usd / forward(id, price) : usd)); // at or above the price domain's floor
        }
      }
      return m;
    };
    const report = engine.margin(book, quotedMarket, { method, breakdown: true });
    const holders = new Set(book.accounts.filter((a: Json) => (a.positions ?? []).some((p: Json) => quotes.some(([id]) => id === p.instrument))).map((a: Json) => a.id));
    const checked = expectStatusTurns(engine, method, report.accounts.filter((row) => holders.has(row.id)), movedQuoted);
    expect(checked).toBeGreaterThanOrEqual(2); // the sample's accounts on one underlying that hold a quoted option
  });

  it('a quote, not the model, sets the price: a short put quoted below the model has one; quoted above, liquidatable, none below', async () => {
    // short 1 BTC put struck 90,000 on 9,000 USDC; BTC 100,000, vol 0.6: the model values the put at ~2,600, which
    // leaves the account below MM at every price. Quoted at 800 it is above MM (equity 8,200) and falls through MM
    // below 100,000; quoted at 2,000 it is liquidatable (equity 7,000) and a fall only makes it worse.
    const engine = await createEngine({ backend: 'js' });
    const putBook = {
      instruments: [{ id: 'P', kind: 'option', underlying: 'BTC', right: 'put', strike: 90_000, expiry: '2026-12-25T08:00:00Z' }],
      accounts: [{ id: 'sp', positions: [{ instrument: 'P', quantity: -1, entryPrice: 800 }], collateral: [{ asset: 'USDC', amount: 9000 }] }],
    };
    const at = (mark: number) => ({ valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.6 }, USDC: { price: 1, vol: 0 } }, marks: { P: mark }, impliedVols: { P: 0.6 } });
    const cheap = engine.margin(putBook, at(800), { method: 'cross', breakdown: true }).accounts[0];
    expect([cheap.status, cheap.equity]).toEqual(['margin_call', 8200]);
    expect(cheap.liquidationPrice!.below).toBeGreaterThan(90_000);
    expect(cheap.liquidationPrice!.below).toBeLessThan(100_000);
    const dear = engine.margin(putBook, at(2000), { method: 'cross', breakdown: true }).accounts[0];
    expect([dear.status, dear.equity]).toEqual(['liquidatable', 7000]);
    expect(dear.liquidationPrice!.below).toBeNull();
    expect(dear.liquidationPrice!.above).toBeGreaterThan(100_000);
  });
});

describe('an account exactly at MM', () => {
  it('long 1 BTC-PERP at 100,000 on 450 USDC (MM 450, margin_call): any fall liquidates it, no rise does', async () => {
    // equity for MM 450 + (S − 100,000) against MM 0.004·50,000 + 0.005·(S − 50,000): equal at S = 100,000 exactly,
    // below it on the liquidatable side. The sides are the status's: at MM it is not liquidatable.
    const engine = await createEngine({ backend: 'js' });
    const x = { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }], accounts: [{ id: 'x', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 450 }] }] };
    const m = JSON.parse(readFileSync(new URL('../data/examples/market.json', import.meta.url), 'utf8'));
    const [row] = engine.margin(x, m, { method: 'cross', breakdown: true }).accounts;
    expect([row.status, row.equityMm, row.mm]).toEqual(['margin_call', 450, 450]);
    expect(row.liquidationPrice!.above).toBeNull();
    expect(row.liquidationPrice!.below).toBeCloseTo(100_000, 6);
  });
});

describe('the scan reaches both ends of its range, 1/1000 and 1000× the price', () => {
  it('a long perp whose price lies at 100.2, inside 1/1000 of 100,000 (the grid\'s last spot falls short at 100.4): found', async () => {
    // long 1 BTC-PERP from 100,000 on c USDC, marked 100,000 at BTC 100,000: equity c + S − 100,000 against MM 0.4% of
    // the notional S (below 50,000): liquidatable below S = (100,000 − c)/0.996; c = 100,000 − 0.996 × 100.2
    const engine = await createEngine({ backend: 'js' });
    const x = { instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }], accounts: [{ id: 'x', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 100_000 - 0.996 * 100.2 }] }] };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } } };
    const [row] = engine.margin(x, m, { method: 'cross', breakdown: true }).accounts;
    expect(row.liquidationPrice!.below! / 100.2 - 1).toBeLessThan(1e-9);
    expect(row.liquidationPrice!.below! / 100.2 - 1).toBeGreaterThan(-1e-9);
    // and just outside the range (99.8): none within it
    const beyond = { ...x, accounts: [{ ...x.accounts[0], collateral: [{ asset: 'USDC', amount: 100_000 - 0.996 * 99.8 }] }] };
    expect(engine.margin(beyond, m, { method: 'cross', breakdown: true }).accounts[0].liquidationPrice!.below).toBeNull();
  });
});
