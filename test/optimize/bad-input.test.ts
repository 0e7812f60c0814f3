import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

const b = book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 1_000 }] });

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

async function problems(options: Record<string, unknown>): Promise<{ path: string; message: string }[]> {
  try {
    await engine.optimize(b, market(), { method: 'portfolio', account: 'alice', hedges: [{ instrument: 'BTC-PERP', maxQuantity: 1 }], ...options });
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return [...(error as InputError).problems];
  }
  throw new Error('expected an InputError');
}

describe('optimize: bad input is rejected with paths', () => {
  test('every problem of a hedges file, each at its path', async () => {
    const p = await problems({
      hedges: [
        { instrument: 'NOPE', maxQuantity: 1 },
        { instrument: 'BTC-PERP', spread: -1, fee: 'x', maxQuantity: 0, side: 'long', colour: 1 },
        { instrument: 'ETH-PERP', maxQuantity: 1 },
        { instrument: 'ETH-PERP', maxQuantity: Infinity },
        7,
      ],
    });
    expect(p).toEqual([
      { path: 'hedges[0].instrument', message: 'unknown instrument "NOPE"' },
      { path: 'hedges[1].colour', message: 'unknown field (expected instrument, spread, fee, maxQuantity, side)' },
      { path: 'hedges[1].spread', message: 'negative (-1); expected ≥ 0' },
      { path: 'hedges[1].fee', message: expect.stringMatching(/^not a finite number/) },
      { path: 'hedges[1].maxQuantity', message: 'not positive (0); expected > 0 contracts' },
      { path: 'hedges[1].side', message: 'expected one of buy, sell, both, got "long"' },
      { path: 'hedges[3].instrument', message: 'ETH-PERP is already hedges[2]: list each instrument once' },
      { path: 'hedges[3].maxQuantity', message: expect.stringMatching(/^not a finite number/) },
      { path: 'hedges[4]', message: expect.stringMatching(/^expected a hedge/) },
    ]);
  });

  test('not an array, or an empty one', async () => {
    expect(await problems({ hedges: { instrument: 'BTC-PERP' } })).toEqual([{ path: 'hedges', message: expect.stringMatching(/^expected an array of hedges/) }]);
    expect(await problems({ hedges: [] })).toEqual([{ path: 'hedges', message: 'empty: give at least one candidate hedge' }]);
  });

  test('unknown account, bad target, negative buffer', async () => {
    expect(await problems({ account: 'zed' })).toEqual([{ path: 'account', message: 'no account "zed" in the book' }]);
    expect(await problems({ target: 'equity' })).toEqual([{ path: 'target', message: 'expected "im" or "mm", got "equity"' }]);
    expect(await problems({ target: 'mm', buffer: -0.1 })).toEqual([{ path: 'buffer', message: 'expected a finite number ≥ 0, got -0.1' }]);
  });
});

describe('optimize at the edge of the domain', () => {
  test('an underlying near its smallest price: the requirement model stays within the quantity domain, infeasible, no RangeError', async () => {
    // bracket bounds at BTC 1e-12 are ~1e20 contracts away; the model evaluated them (what-if refused: a RangeError); no
    // spread (a sell at the price less a spread of 5 would fill below 0: refused at hedges[0].spread, below)
    for (const btc of [1e-12, 1e-6]) {
      const m = market();
      // the call's quote (1,234 USD) is more than a call on a BTC at 1e-12 can be worth: refused; the model prices it
      const { 'BTC-110000-C': _quote, ...marks } = (m as { marks?: Record<string, number> }).marks ?? {};
      const at = { ...m, assets: { ...m.assets, BTC: { ...m.assets.BTC, price: btc } }, marks: { ...marks, 'BTC-PERP': btc } };
      const r = await engine.optimize(b, at, { method: 'cross', account: 'alice', hedges: [{ instrument: 'BTC-PERP', spread: 0, fee: 1, maxQuantity: 10, side: 'both' }] });
      expect(r.outcome).toBe('infeasible');
      expect(r.reason).toMatch(/no trades within the hedges' limits reach its target/);
    }
    const m = market();
    const { 'BTC-110000-C': _quote, ...marks } = (m as { marks?: Record<string, number> }).marks ?? {};
    const low = { ...m, assets: { ...m.assets, BTC: { ...m.assets.BTC, price: 4 } }, marks: { ...marks, 'BTC-PERP': 4 } };
    await expect(engine.optimize(b, low, { method: 'cross', account: 'alice', hedges: [{ instrument: 'BTC-PERP', spread: 5, fee: 1, maxQuantity: 10, side: 'both' }] }))
      .rejects.toMatchObject({ problems: [{ path: 'hedges[0].spread', message: '5 is not below BTC-PERP\'s price 4 (USD): a sell would fill at -1 ≤ 0; allow only buys (side "buy") or give a smaller spread' }] });
  });
});
