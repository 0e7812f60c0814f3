/**
 * `margin-core greeks` on the sample (coin-settled options beside USD ones): a coin-settled option's premium and delta
 * in its coin beside the USD ones, P = V/F and Δ_coin = Δ·S/F − P with F = S·e^{(r−q)T} (docs/coin-margined.md);
 * USD options carry no coin figures.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { marginCore, SAMPLE } from '../support/cli.js';

describe('greeks CLI with coin-settled options', () => {
  it('prints the coin premium and delta of coin-settled options (CSV and JSON), none for USD ones', async () => {
    const market = JSON.parse(await readFile(join(SAMPLE, 'market.json'), 'utf8'));
    const { price: S, rate: r, carry: q } = market.assets.BTC;
    const csv = await marginCore('greeks', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json'), '--format', 'csv');
    expect(csv.code).toBe(0);
    const [head, ...lines] = csv.stdout.trim().split('\n');
    const header = head.split(',');
    const rows = lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i], v])));
    const coin = rows.filter((x) => x.settlement === 'BTC');
    expect(coin.length).toBeGreaterThan(0);
    for (const x of coin) {
      const F = S * Math.exp((r - q) * Number(x.expiryYears));
      const P = Number(x.price) / F;
      expect(Math.abs(Number(x.coinPrice) / P - 1)).toBeLessThan(1e-14);
      expect(Number(x.coinDelta)).toBeCloseTo((Number(x.delta) * S) / F - P, 14);
    }
    for (const x of rows.filter((y) => y.settlement === 'USD')) expect([x.coinPrice, x.coinDelta]).toEqual(['', '']);

    const json = await marginCore('greeks', '--book', join(SAMPLE, 'book.json'), '--market', join(SAMPLE, 'market.json'), '--format', 'json');
    const options = JSON.parse(json.stdout).options as Array<Record<string, unknown>>;
    const first = options.find((o) => o.settlement === 'BTC')!;
    expect(Object.keys(first.coin as object)).toEqual(['price', 'delta', 'gamma', 'vega', 'theta', 'rho']);
    expect(options.find((o) => o.settlement === 'USD')).not.toHaveProperty('coin');
  });
});
