import { describe, expect, it } from 'vitest';
import { isPositiveSemidefinite, toRowMajor } from '../../src/model/correlation.js';
import type { Account, OptionInstrument } from '../../src/model/types.js';
import { validateBook, validateInputs } from '../../src/model/validate.js';
import { ARCHETYPES } from '../../src/sample/archetypes.js';
import { generateSample, sampleJson } from '../../src/sample/generate.js';

const sample = generateSample({ accounts: 400, seed: 7 });

function byArchetype(name: string): Account[] {
  return sample.book.accounts.filter((a) => a.id.startsWith(`${name}-`));
}

describe('generateSample', () => {
  it('is deterministic: the same seed gives byte-identical JSON', () => {
    const again = generateSample({ accounts: 400, seed: 7 });
    expect(sampleJson(again.book)).toBe(sampleJson(sample.book));
    expect(sampleJson(again.market)).toBe(sampleJson(sample.market));
  });

  it('gives a different sample for a different seed', () => {
    expect(sampleJson(generateSample({ accounts: 400, seed: 8 }).book)).not.toBe(sampleJson(sample.book));
  });

  it('produces a book and market that pass validation together', () => {
    const { book, market } = validateInputs(sample.book, sample.market);
    expect(book.accounts).toHaveLength(400);
    expect(market.warnings).toEqual([]);
  });

  it('has every archetype', () => {
    for (const archetype of ARCHETYPES) expect(byArchetype(archetype.name).length, archetype.name).toBeGreaterThan(0);
  });

  it('builds covered calls as a coin balance plus a short call on that coin', () => {
    for (const account of byArchetype('covered-call')) {
      const [position] = account.positions!;
      const coin = position.instrument.split('-')[0];
      expect(position.instrument.endsWith('-C')).toBe(true);
      expect(position.quantity).toBeLessThan(0);
      expect(account.collateral!.find((b) => b.asset === coin)!.amount).toBeGreaterThan(0);
    }
  });

  it('builds iron condors as four legs, net zero quantity, in one expiry', () => {
    for (const account of byArchetype('iron-condor')) {
      expect(account.positions).toHaveLength(4);
      expect(account.positions!.reduce((sum, p) => sum + p.quantity, 0)).toBeCloseTo(0, 9);
      expect(new Set(account.positions!.map((p) => p.instrument.split('-')[1])).size).toBe(1);
    }
  });

  it('builds basis trades as a long coin balance against a short linear contract', () => {
    for (const account of byArchetype('basis-trader')) {
      const [hedge] = account.positions!;
      const coin = hedge.instrument.split('-')[0];
      expect(hedge.quantity).toBeLessThan(0);
      expect(account.collateral!.find((b) => b.asset === coin)!.amount).toBeGreaterThan(0);
    }
  });

  it('includes borrowed (negative) balances among the distressed accounts', () => {
    expect(sample.book.accounts.some((a) => a.collateral!.some((b) => b.amount < 0))).toBe(true);
  });

  it('lists daily, weekly, monthly and quarterly BTC expiries with wider strike spacing further out', () => {
    const options = sample.book.instruments.filter((i): i is OptionInstrument => i.kind === 'option' && i.underlying === 'BTC');
    const expiries = [...new Set(options.map((o) => o.expiry))].sort();
    expect(expiries.slice(0, 3)).toEqual(['2026-11-21T08:00:00Z', '2026-11-22T08:00:00Z', '2026-11-23T08:00:00Z']);
    expect(expiries).toContain('2026-11-27T08:00:00Z'); // Friday weekly and month-end
    expect(expiries).toContain('2027-03-26T08:00:00Z'); // quarterly
    const spacing = (expiry: string) => {
      const strikes = [...new Set(options.filter((o) => o.expiry === expiry).map((o) => o.strike))].sort((a, b) => a - b);
      return strikes[1] - strikes[0];
    };
    expect(spacing(expiries[expiries.length - 1])).toBeGreaterThan(spacing(expiries[0]));
    const spot = sample.market.assets.BTC.price;
    const nearest = options.filter((o) => o.expiry === expiries[0]).map((o) => o.strike);
    expect(Math.min(...nearest)).toBeLessThan(spot);
    expect(Math.max(...nearest)).toBeGreaterThan(spot);
  });

  it('lists a perpetual per non-stable asset and quarterly futures', () => {
    const ids = sample.book.instruments.map((i) => i.id);
    for (const asset of ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'AVAX']) expect(ids).toContain(`${asset}-PERP`);
    expect(ids).toContain('BTC-25DEC26');
  });

  it('prices stablecoins at about 1 with zero vol, and builds a PSD correlation', () => {
    for (const coin of ['USDC', 'USDT']) {
      expect(sample.market.assets[coin].vol).toBe(0);
      expect(Math.abs(sample.market.assets[coin].price - 1)).toBeLessThan(0.01);
    }
    const n = sample.market.correlation!.assets.length;
    expect(isPositiveSemidefinite(toRowMajor(sample.market.correlation!.matrix), n)).toBe(true);
  });

  it('shows an equity-style put skew: 25%-below strikes trade at higher vol than 25%-above', () => {
    const vols = sample.market.impliedVols!;
    const btc = sample.book.instruments.filter((i): i is OptionInstrument => i.kind === 'option' && i.underlying === 'BTC' && i.expiry === '2027-03-26T08:00:00Z');
    const strikes = [...new Set(btc.map((o) => o.strike))].sort((a, b) => a - b);
    const low = btc.find((o) => o.strike === strikes[0] && o.right === 'put')!;
    const high = btc.find((o) => o.strike === strikes[strikes.length - 1] && o.right === 'call')!;
    expect(vols[low.id]).toBeGreaterThan(vols[high.id]);
  });
});

describe('streamed generation', () => {
  it('writes, chunk by chunk, exactly the text sampleJson writes whole', async () => {
    const { sampleBookChunks, sampleStream } = await import('../../src/sample/generate.js');
    for (const accounts of [1, 13, 120]) {
      const whole = sampleJson(generateSample({ accounts, seed: 5 }).book);
      expect([...sampleBookChunks(sampleStream({ accounts, seed: 5 }))].join('')).toBe(whole);
    }
  });

  it('positionsPerAccount gives every account exactly n positions on distinct instruments, and leaves the default alone', () => {
    const plain = generateSample({ accounts: 60, seed: 9 });
    for (const n of [0, 1, 5, 20]) {
      const sized = generateSample({ accounts: 60, seed: 9, positionsPerAccount: n });
      for (const [i, account] of sized.book.accounts.entries()) {
        expect(account.positions!.length).toBe(n);
        expect(new Set(account.positions!.map((p) => p.instrument)).size).toBe(n);
        // the archetype's own positions come first, unchanged
        const own = plain.book.accounts[i].positions!;
        expect(account.positions!.slice(0, Math.min(n, own.length))).toEqual(own.slice(0, n));
        expect(account.collateral).toEqual(plain.book.accounts[i].collateral);
      }
      expect(() => validateBook(sized.book)).not.toThrow();
    }
    expect(() => generateSample({ accounts: 3, seed: 1, positionsPerAccount: -1 })).toThrow('options.positionsPerAccount: expected an integer ≥ 0, got -1');
  });

  it('refuses a seed that is not an integer (1.5 had given seed 1\'s sample)', () => {
    expect(() => generateSample({ accounts: 5, seed: 1.5 })).toThrow('options.seed: expected an integer, got 1.5');
    expect(() => generateSample({ accounts: 5, seed: Number.NaN })).toThrow('options.seed: expected an integer, got NaN');
    expect(generateSample({ accounts: 5, seed: -3 }).book.accounts).toHaveLength(5);
  });
});
