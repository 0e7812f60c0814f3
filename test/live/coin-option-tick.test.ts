/**
 * A tick that gives a coin-settled option's mark in USD (1425 where 0.015 BTC was meant) is refused, as engine.margin
 * refuses the same market (docs/coin-margined.md): it was applied, every holder went bankrupt, and a book with masters
 * could no longer be reported. Nothing changes when a tick is refused.
 */
import { expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { InputError } from '../../src/errors.js';

const CALL = 'BTC-25DEC26-110000-C', PUT = 'BTC-25DEC26-150000-P';
const book = {
  instruments: [
    { id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 10, settlement: 'BTC' },
    { id: CALL, kind: 'option', underlying: 'BTC', right: 'call', strike: 110_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
    { id: PUT, kind: 'option', underlying: 'BTC', right: 'put', strike: 150_000, expiry: '2026-12-25T08:00:00Z', settlement: 'BTC' },
  ],
  accounts: [
    { id: 'desk', collateral: [{ asset: 'USDC', amount: 10_000 }] },
    {
      id: 'btc-subaccount', master: 'desk', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1.2 }],
      positions: [{ instrument: 'BTC-PERPETUAL', quantity: -5000, entryPrice: 100_000 }, { instrument: CALL, quantity: -1, entryPrice: 0.02 }, { instrument: PUT, quantity: 1, entryPrice: 0.6 }],
    },
  ],
};
// the put's quoted mark, 0.6 BTC, is within K / S = 1.58 at 95,000; above 1.1 · K / S beyond a spot of 275,000
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 95_000, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
  marks: { 'BTC-PERPETUAL': 95_000, [CALL]: 0.015, [PUT]: 0.6 }, impliedVols: { [CALL]: 0.5, [PUT]: 0.5 },
};

/** The problems of `f` (it must throw an InputError). */
function problemsOf(f: () => unknown): { path: string; message: string }[] {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected an InputError');
}

test("a USD mark for a coin-settled call is refused at the tick's path with the market's message; nothing changes", async () => {
  const engine = await createEngine({ backend: 'js' });
  const wrongMarket = { ...market, marks: { ...market.marks, [CALL]: 1425 } };
  const [marginProblem] = problemsOf(() => engine.margin(book, wrongMarket, { method: 'cross' }));
  expect(marginProblem.path).toBe(`market.marks["${CALL}"]`);
  const live = engine.live(book, market, { method: 'cross' });
  const before = JSON.stringify(live.report());
  expect(problemsOf(() => live.applyTick({ marks: { [CALL]: 1425 } }))).toEqual([{ path: `tick.marks["${CALL}"]`, message: marginProblem.message }]);
  expect(JSON.stringify(live.report())).toBe(before);
  expect(live.marketJson.marks![CALL]).toBe(0.015);
  // the same mark in coin is applied, and the session is then a fresh margin of its market
  live.applyTick({ marks: { [CALL]: 0.02 } });
  expect(live.report().accounts).toEqual(engine.margin(book, { ...market, marks: { ...market.marks, [CALL]: 0.02 } }, { method: 'cross' }).accounts);
});

test("a price that leaves a quoted coin put's mark above K / S is refused at the price, as the market after it would be", async () => {
  const engine = await createEngine({ backend: 'js' });
  const after = { ...market, assets: { ...market.assets, BTC: { price: 300_000, vol: 0.5 } }, marks: { ...market.marks, 'BTC-PERPETUAL': 300_000 } };
  const [marginProblem] = problemsOf(() => engine.margin(book, after, { method: 'cross' }));
  expect(marginProblem.path).toBe(`market.marks["${PUT}"]`);
  const live = engine.live(book, market, { method: 'cross' });
  const before = JSON.stringify(live.report());
  // 1.1 · 150,000 / 300,000 = 0.55 < 0.6
  expect(problemsOf(() => live.applyTick({ assets: { BTC: { price: 300_000 } } }))).toEqual([
    { path: 'tick.assets.BTC.price', message: `at 300000, the quoted mark of "${PUT}" is refused: 0.6 is more than a coin-settled put is worth (at most 0.5 BTC per BTC; a mark above 0.55 is refused): give its mark in the same tick` },
  ]);
  expect(JSON.stringify(live.report())).toBe(before);
  // with the put's mark in the same tick, the price is taken
  live.applyTick({ assets: { BTC: { price: 300_000 } }, marks: { [PUT]: 0.01 } });
  expect(live.report().accounts).toEqual(engine.margin(book, { ...after, marks: { ...after.marks, [PUT]: 0.01 } }, { method: 'cross' }).accounts);
});

test('a market with no quoted marks: a USD mark given is refused, prices of any asset and falling prices pass', async () => {
  const engine = await createEngine({ backend: 'js' });
  const { marks: _marks, ...unquoted } = market;
  const options = { ...book, accounts: [book.accounts[0], { ...book.accounts[1], positions: book.accounts[1].positions!.slice(1) }] };
  const live = engine.live(options, unquoted, { method: 'cross' });
  expect(problemsOf(() => live.applyTick({ marks: { [PUT]: 2 } }))[0].path).toBe(`tick.marks["${PUT}"]`);
  // no quoted put mark to leave behind: a rise of BTC is taken; so is a price of an asset no coin option is on
  live.applyTick({ assets: { BTC: { price: 400_000 }, USDC: { price: 1.001 } } });
  expect(live.report().accounts).toEqual(engine.margin(options, { ...unquoted, assets: { BTC: { price: 400_000, vol: 0.5 }, USDC: { price: 1.001, vol: 0 } } }, { method: 'cross' }).accounts);
});

test('a falling price never leaves a quoted put above K / S (its bound rises), and is taken', async () => {
  const engine = await createEngine({ backend: 'js' });
  const live = engine.live(book, market, { method: 'cross' });
  live.applyTick({ assets: { BTC: { price: 60_000 } } });
  expect(live.marketJson.assets.BTC.price).toBe(60_000);
});
