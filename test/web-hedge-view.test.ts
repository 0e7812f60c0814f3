/**
 * The risk page's suggested hedge (web/hedge-view.ts) from real optimiser results on hand-solved books
 * (test/optimize/restore.test.ts, test/optimize/isolated.test.ts): a long BTC perpetual at 100,000 on 10,000 USDC
 * under portfolio margin has IM 16,500; selling x = 6,500/16,489 futures at 11 USD each restores it, IM 16,500·(1 − x).
 */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
import { hedgeHtml } from '../web/hedge-view.js';
import { book, EXPIRY, INSTRUMENTS, market } from './support/margin-books.js';

const engine = await createEngine({ backend: 'js' });
const FUTURE = { id: 'BTC-25DEC26', kind: 'future', underlying: 'BTC', expiry: EXPIRY };
const longPerp = (usdc: number) => ({ ...book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: usdc }] }), instruments: [...INSTRUMENTS, FUTURE] });
const hedge = (maxQuantity: number) => [{ instrument: 'BTC-25DEC26', spread: 10, fee: 1, maxQuantity }];

/** The bars' values in drawing order (before IM, before equity, after IM, after equity), legend swatches excluded. */
function barValues(html: string): number[] {
  return [...html.matchAll(/<rect class="bar [^"]*" [^>]*data-value="([^"]+)"/g)].map((m) => Number(m[1]));
}

describe('suggested hedge view', () => {
  it('a restored account: the trade, its cost, and IM and equity for IM before and after as bars', async () => {
    const r = await engine.optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: hedge(2) });
    const html = hedgeHtml(r);
    const x = 6_500 / 16_489;
    expect(html).toContain('Suggested hedge <small>portfolio, target IM</small>');
    expect(html).toMatch(/1 trade costing 4\.34 restores it: IM 16,500\.00 → 9,995\.6\d, slack -6,500\.00 → 0\.00 \(confirmed by the engine\)/);
    expect(html).toContain('<td>BTC-25DEC26</td><td class="num">-0.3942</td><td class="num">99,990.00</td><td class="num">4.34</td>');
    const [imBefore, equityBefore, imAfter, equityAfter] = barValues(html);
    expect([imBefore, equityBefore]).toEqual([16_500, 10_000]);
    expect(imAfter).toBeCloseTo(16_500 * (1 - x), 2);
    expect(equityAfter).toBeCloseTo(10_000 - 11 * x, 2);
    expect(html).toContain('aria-label="IM and equity for IM, before and after the hedge (USD)"');
  });

  it('an account that cannot be restored: how short the closest hedge leaves it', async () => {
    // at most 0.1 sold: IM 16,500 × 0.9 = 14,850 against 10,000 − 1.1
    const html = hedgeHtml(await engine.optimize(longPerp(10_000), market(), { method: 'portfolio', account: 'alice', hedges: hedge(0.1) }));
    expect(html).toContain("no trades within the candidates' limits restore it: the closest (cost 1.10) leave it 4,851.10 short (was 6,500.00)");
    expect(barValues(html)).toHaveLength(4);
  });

  it('an account that meets its target: no bars; isolated margin: the allocations', async () => {
    const met = hedgeHtml(await engine.optimize(longPerp(20_000), market(), { method: 'portfolio', account: 'alice', hedges: hedge(2) }));
    expect(met).toContain('meets its target (equity for IM 20,000.00 ≥ IM 16,500.00): no hedge needed');
    expect(barValues(met)).toEqual([]);
    // isolated, 500 USDC: reduce the perpetual by 400/989 and allocate what is left, 500 − 11·400/989 = 495.55
    const isolated = hedgeHtml(await engine.optimize(longPerp(500), market(), { method: 'isolated', account: 'alice', hedges: [{ instrument: 'BTC-PERP', spread: 10, fee: 1, maxQuantity: 2 }] }));
    expect(isolated).toContain('isolated margin: allocate 495.55 to BTC-PERP');
  });

  it('a coin-margined account: its figures in BTC to the satoshi, the price in USD per coin', async () => {
    // 10,000 inverse contracts of 10 USD long at 100,000 on 0.0045 BTC, cross: IM 0.009 BTC; selling 4,500 at the mark
    // (no spread, no fee) brings it to 0.0045 (test/optimize/coin-margined.test.ts works it by hand)
    const coin = {
      instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' }],
      accounts: [{ id: 'sat', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 0.0045 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: 10_000, entryPrice: 100_000 }] }],
    };
    const m = { valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol: 0.5 } }, marks: { 'BTC-PERPETUAL': 100_000 } };
    const html = hedgeHtml(await engine.optimize(coin, m, { method: 'cross', account: 'sat', hedges: [{ instrument: 'BTC-PERPETUAL', spread: 0, fee: 0, maxQuantity: 10_000, side: 'sell' }] }));
    expect(html).toMatch(/IM 0\.00900000 BTC → 0\.0044999\d BTC, slack -0\.00450000 BTC → 0\.0000001\d BTC/);
    expect(html).toContain('<td class="num">100,000.00</td><td class="num">0.00000000 BTC</td>');
    expect(html).toContain('aria-label="IM and equity for IM, before and after the hedge (BTC)"');
  });
});
