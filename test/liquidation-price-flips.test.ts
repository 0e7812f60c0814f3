/**
 * Every liquidation price an explain shows is where a from-scratch margin of the account turns liquidatable (or, for
 * one liquidatable now, stops being so): on the bundled sample (USD, USDC and BTC-margined accounts, options, inverse
 * contracts), under cross and isolated margin, the account margined alone at the underlying moved to 1e-7 inside the
 * price is as liquidatable as it is now, and 1e-7 outside it is not. The market is moved as the search moves it: linear marks in proportion to the spot, options at their model value
 * (their quoted marks left out on both sides of the comparison).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
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

describe('liquidation prices against a from-scratch margin (the bundled sample)', () => {
  for (const method of ['cross', 'isolated']) {
    it(`${method}: the status turns at every price shown, on its side`, async () => {
      const engine = await createEngine({ backend: 'js' });
      const report = engine.margin(book, market, { method, breakdown: true });
      let checked = 0;
      for (const row of report.accounts) {
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
      expect(checked).toBeGreaterThan(250);
    });
  }
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
