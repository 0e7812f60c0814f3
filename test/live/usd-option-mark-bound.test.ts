/**
 * A USD option's mark or trade price is at most what the option can be worth (docs/rule-based-margin.md, "Option
 * marks"): a call its underlying S·e^{−qT}, a put its strike K·e^{−rT}, with the 10% slack a coin-settled option's
 * mark has. A fill at 1e9 on a call worth about 320 USD was applied: cash −1e9, the account bankrupt out of nothing.
 * The same rule on every path: the market (engine.margin), a live tick's marks and prices, a fill, a what-if.
 */
import { expect, test } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { problemsOf as problemsThrown } from '../support/problems.js';

const CALL = 'ETH-25DEC26-2800-C', PUT = 'ETH-25DEC26-3200-P';
const book = {
  instruments: [
    { id: 'ETH-PERP', kind: 'perpetual', underlying: 'ETH', multiplier: 1 },
    { id: CALL, kind: 'option', underlying: 'ETH', right: 'call', strike: 2_800, expiry: '2026-12-25T08:00:00Z' },
    { id: PUT, kind: 'option', underlying: 'ETH', right: 'put', strike: 3_200, expiry: '2026-12-25T08:00:00Z' },
  ],
  accounts: [{ id: 'mm', collateral: [{ asset: 'USDC', amount: 100_000 }], positions: [{ instrument: CALL, quantity: -2, entryPrice: 320 }, { instrument: PUT, quantity: 1, entryPrice: 200 }] }],
};
// rate and carry 0: a call is worth at most S = 3,000 (a mark above 3,300 refused), a put at most K = 3,200 (3,520)
const market = {
  valuationTime: '2026-11-20T08:00:00Z', assets: { ETH: { price: 3_000, vol: 0.6 }, USDC: { price: 1, vol: 0 } },
  marks: { [CALL]: 2_900 }, impliedVols: { [CALL]: 0.6, [PUT]: 0.6 },
};

/** The problems of `f`, path and message (it must throw an InputError). */
const problemsOf = (f: () => unknown) => problemsThrown(f).map(({ path, message }) => ({ path, message }));

test('the market: a USD call marked above its underlying, a put above its strike, is refused at its path; at the bound it is margined', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    expect(problemsOf(() => engine.margin(book, { ...market, marks: { [CALL]: 1e9, [PUT]: 3_600 } }, { method: 'cross' }))).toEqual([
      { path: `market.marks["${CALL}"]`, message: '1000000000 is more than the call is worth (at most 3000 USD per unit at ETH 3000; a mark above 3300 is refused)' },
      { path: `market.marks["${PUT}"]`, message: '3600 is more than the put is worth (at most 3200 USD per unit; a mark above 3520 is refused)' },
    ]);
    expect(engine.margin(book, { ...market, marks: { [CALL]: 3_300, [PUT]: 3_520 } }, { method: 'cross' }).accounts[0].status).toBeDefined();
  }
});

test('a live fill or what-if at a price above what the option can be worth is refused, and changes nothing', async () => {
  const engine = await createEngine();
  const live = engine.live(book, market, { method: 'cross' });
  const before = JSON.stringify(live.book());
  const message = '1000000000 is more than the call is worth (at most 3000 USD per unit at ETH 3000; a price above 3300 is refused)';
  expect(problemsOf(() => live.applyFills([{ account: 'mm', instrument: CALL, quantity: 1, price: 1e9 }]))).toEqual([{ path: 'fills[0].price', message }]);
  expect(problemsOf(() => live.whatIf('mm', [{ instrument: CALL, quantity: 1, price: 1e9 }]))).toEqual([{ path: 'trades[0].price', message }]);
  expect(JSON.stringify(live.book())).toBe(before);
  // within the bound: taken (cash moves by the price paid, by hand: 100,000 − 3,299)
  live.applyFills([{ account: 'mm', instrument: CALL, quantity: 1, price: 3_299 }]);
  expect(live.book().accounts[0].cashUsd).toBe(-3_299);
});

test('a tick: a mark it gives above the bound is refused at the mark; a fall that leaves a quoted call above S at the price', async () => {
  const engine = await createEngine();
  const live = engine.live(book, market, { method: 'cross' });
  expect(problemsOf(() => live.applyTick({ marks: { [CALL]: 1e9 } }))).toEqual([
    { path: `tick.marks["${CALL}"]`, message: '1000000000 is more than the call is worth (at most 3000 USD per unit at ETH 3000; a mark above 3300 is refused)' },
  ]);
  // the quoted 2,900 is above 1.1 · S below a spot of 2,636.36…
  expect(problemsOf(() => live.applyTick({ assets: { ETH: { price: 2_500 } } }))).toEqual([
    { path: 'tick.assets.ETH.price', message: `at 2500, the quoted mark of "${CALL}" is refused: 2900 is more than the call is worth (at most 2500 USD per unit at ETH 2500; a mark above 2750 is refused): give its mark in the same tick` },
  ]);
  live.applyTick({ assets: { ETH: { price: 2_700 } } }); // 2,900 ≤ 2,970
  live.applyTick({ assets: { ETH: { price: 2_500 } }, marks: { [CALL]: 400 } });
  expect(live.marketJson.marks?.[CALL]).toBe(400);
});

test('a tick that moves only a rate or a carry is checked against every quoted option on its asset', async () => {
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    const live = engine.live(book, market, { method: 'cross' });
    // at a rate of −0.5 the put (35 days) is worth up to K·e^{0.5·35/365} = 3,357.1: a quote of 3,600 is within 1.1 × that
    live.applyTick({ assets: { ETH: { rate: -0.5 } }, marks: { [PUT]: 3_600 } });
    const before = JSON.stringify(live.report());
    // back to a rate of 0.04 the put is worth at most K: the quote left above 3,520 is refused at the rate
    expect(problemsOf(() => live.applyTick({ assets: { ETH: { rate: 0.04 } } }))).toEqual([
      { path: 'tick.assets.ETH.rate', message: `at rate 0.04, the quoted mark of "${PUT}" is refused: 3600 is more than the put is worth (at most 3200 USD per unit; a mark above 3520 is refused): give its mark in the same tick` },
    ]);
    expect(JSON.stringify(live.report())).toBe(before);
    // given with its mark, the tick is taken, and the market margins from scratch as the session does
    live.applyTick({ assets: { ETH: { rate: 0.04 } }, marks: { [PUT]: 3_400 } });
    expect(JSON.stringify(engine.margin(live.book(), live.marketJson, { method: 'cross' }).accounts)).toBe(JSON.stringify(live.report().accounts));
  }
});

test('a session given the market alone refuses the same marks (it had taken a call marked 1e9)', async () => {
  const engine = await createEngine();
  const session = engine.openBook(book);
  try {
    expect(problemsOf(() => session.margin({ ...market, marks: { [CALL]: 1e9 } }, { method: 'cross' }))).toEqual([
      { path: `market.marks["${CALL}"]`, message: '1000000000 is more than the call is worth (at most 3000 USD per unit at ETH 3000; a mark above 3300 is refused)' },
    ]);
  } finally {
    session.release();
  }
});
