/** The stress simulator refuses what it cannot run, with every problem and its path. */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, MARGIN_METHODS } from '../../src/index.js';
import { expectSameProblems, problemLines as problems } from '../support/problems.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const market = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { BTC: { price: 100_000, vol: 0.5 }, ETH: { price: 3_000, vol: 0.7 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['BTC', 'ETH'], matrix: [[1, 0.8], [0.8, 1]] },
};
const book = {
  instruments: [{ id: 'BTC-PERP', kind: 'perpetual', underlying: 'BTC' }],
  accounts: [{ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] }],
};


describe('an account naming a method the engine does not have', () => {
  it('is refused by stress and compareMethods too, and by a sharded book at open, as margin refuses it', async () => {
    const named = { ...book, accounts: [...book.accounts, { ...book.accounts[0], id: 'b', method: 'spam' }] };
    const line = /^accounts\[1\]\.method: unknown method "spam"/;
    expect(problems(() => engine.margin(named, market, { method: 'cross' }))).toEqual([expect.stringMatching(line)]);
    expect(problems(() => engine.stress(named, market, { spot: { BTC: -0.1 } }, { method: 'cross' }))).toEqual([expect.stringMatching(line)]);
    expect(problems(() => engine.compareMethods(named, market))).toEqual([expect.stringMatching(line)]);
    // at open, as a service loads its book: not at its first call
    await expectSameProblems(() => engine.margin(named, market), engine.openShardedBook(named));
  });
});

describe('a shock that moves only assets the book does not touch', () => {
  it('runs, with a warning naming them (a slip for a held symbol stresses nothing); none once it moves a held asset', async () => {
    // the market prices ETH, which nobody holds or trades: the cascade starts at the book's own marks
    const only = engine.stress(book, market, { spot: { ETH: -0.5 }, volPoints: { ETH: 5 } }, { method: 'cross' });
    expect(only.warnings).toEqual([{ path: 'shock', message: "moves only ETH, which no account of the book holds or trades: its cascades start from the book's own marks, as with no shock" }]);
    expect(engine.stress(book, market, { spot: { ETH: -0.5, BTC: -0.1 } }, { method: 'cross' }).warnings).toBeUndefined();
    // a balance is a holding: a move of USDC alone is a stress of the book
    expect(engine.stress(book, market, { depeg: { USDC: 0.9 } }, { method: 'cross' }).warnings).toBeUndefined();
    // the same warning on worker threads (the shock's cascade runs on the calling thread)
    const sharded = await engine.openShardedBook(book, undefined, { layOut: 'first-margin' });
    try {
      expect((await sharded.stress(market, { spot: { ETH: -0.5 }, volPoints: { ETH: 5 } }, { method: 'cross' })).warnings).toEqual(only.warnings);
    } finally {
      sharded.release();
    }
  });
});

describe('stress input', () => {
  it('names unknown assets and fields with a suggestion, impossible moves, and a path mixed with an instant move', () => {
    expect(problems(() => engine.stress(book, market, { spot: { BTX: -0.1 }, volPoint: { BTC: 5 } }))).toEqual([
      'shock.volPoint: unknown field (did you mean "volPoints"?)',
      'shock.spot.BTX: unknown asset (did you mean "BTC"?)',
    ]);
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -1 } }))).toEqual(['shock.spot.BTC: -1 is not above -1']);
    expect(problems(() => engine.stress(book, market, { spot: { BTC: Number.NaN } }))).toEqual(['shock.spot.BTC: not a finite number (got NaN)']);
    expect(problems(() => engine.stress(book, market, { historical: { day: '2020-03-12', returns: { BTC: -0.4 } } }))).toEqual([
      'shock.historical.day: unknown field (expected date or returns)',
      'shock.historical.date: expected the day\'s date as a string, got undefined',
    ]);
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 }, path: [{ prices: { BTC: 90_000 } }] }))).toEqual([
      'shock.path: a path cannot be combined with spot: put the instantaneous move in its first snapshot',
    ]);
    expect(problems(() => engine.stress(book, market, { name: 'nothing' }))).toEqual([
      'shock: no move: expected at least one of spot, volPoints, depeg, historical, correlated, path, freezeLocations',
    ]);
    expect(problems(() => engine.stress(book, market, [1, 2]))).toEqual(['shock: expected an object, got an Array']);
    // fields that name nothing are no move either (they had run a cascade at the book's own marks, or none at all)
    expect(problems(() => engine.stress(book, market, { spot: {} }))).toEqual(['shock: no move: spot names no asset that moves']);
    expect(problems(() => engine.stress(book, market, { volPoints: {}, depeg: {} }))).toEqual(['shock: no move: volPoints, depeg name no asset that moves']);
    expect(problems(() => engine.stress(book, market, { freezeLocations: [] }))).toEqual([
      'shock.freezeLocations: no move: an empty list freezes nothing, and no price or vol moves (name a location, or give a move)',
    ]);
    expect(problems(() => engine.stress(book, market, { path: [{ prices: { BTC: 90_000 } }, { prices: {} }] }))).toEqual(['shock.path[1]: no move: its prices and volPoints name no asset']);
    // an empty path says so (it read "got an Array")
    expect(problems(() => engine.stress(book, market, { path: [] }))).toEqual(['shock.path: expected a non-empty array of snapshots { prices, volPoints }, got an empty array']);
    // an explicit move of 0 is a move: the cascade runs at the book's own marks
    expect(engine.stress(book, market, { spot: { BTC: 0 } }).cascades[0].rounds.length).toBeGreaterThan(0);
  });

  it('checks the correlated shock, the path snapshots and the de-peg', () => {
    expect(problems(() => engine.stress(book, market, { correlated: { asset: 'USDC', sigmas: -4 } }))).toEqual([
      'shock.correlated.asset: USDC has no vol in the market\'s correlation matrix: a correlated shock needs one',
    ]);
    expect(problems(() => engine.stress(book, market, { correlated: { asset: 'BTC', sigma: -4 } }))).toEqual([
      'shock.correlated.sigma: unknown field (did you mean "sigmas"?)',
      'shock.correlated.sigmas: missing (expected a finite number)',
    ]);
    expect(problems(() => engine.stress(book, market, { path: [{ prices: { BTC: 0 } }, 'x'] }))).toEqual([
      'shock.path[0].prices.BTC: 0 is not above 0',
      'shock.path[1]: expected { prices, volPoints }, got "x"',
    ]);
    expect(problems(() => engine.stress(book, market, { depeg: { USDC: -0.9 } }))).toEqual(['shock.depeg.USDC: -0.9 is not above 0']);
  });

  it('refuses asset keys of the impact, slippage and stable assets the market does not price (a typo left the default)', () => {
    const priced = 'the market prices BTC, ETH, USDC';
    const linear = { model: 'linear', pricePerUnit: 100, permanent: 1 };
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 }, impact: { BTX: linear } }))).toEqual([`shock.impact.BTX: unknown asset (did you mean "BTC"?): ${priced}`]);
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 } }, {
      params: { stress: { impact: { BTX: linear, default: linear } }, liquidation: { slippage: { ETX: { model: 'none' } }, stableAssets: ['USDC', 'USDCC'] } },
    }))).toEqual([
      `params.liquidation.slippage.ETX: unknown asset (did you mean "ETH"?): ${priced}`,
      `params.liquidation.stableAssets[1]: unknown asset (did you mean "USDC"?): ${priced}`,
      `params.stress.impact.BTX: unknown asset (did you mean "BTC"?): ${priced}`,
    ]);
    for (const liquidation of [{ slippage: { BTX: { model: 'linear', pricePerUnit: 100 } } }, { stableAssets: ['USDCC'] }]) {
      expect(problems(() => engine.liquidate(book, market, { liquidation }))).toHaveLength(1);
      expect(problems(() => engine.liquidate(book, market, { params: { liquidation } }))[0]).toMatch(/^params\.liquidation\.(slippage\.BTX|stableAssets\[0\]): unknown asset/);
    }
    // the defaults' stablecoins need no price, nor does USD; a key the market prices is fine though the book holds none of it
    expect(engine.liquidate(book, market, { liquidation: { slippage: { ETH: { model: 'none' } }, stableAssets: ['USD', 'USDC'] } }).totals.accountsBreaching).toBe(0);
  });

  it('checks the impact models, the stress and liquidation sections and the options', () => {
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 }, impact: { BTC: { model: 'sqrt', y: 1 } } }))).toEqual([
      'shock.impact.BTC.advUsd: missing (expected a finite number)',
    ]);
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 } }, {
      params: { stress: { impact: { default: { model: 'linear', pricePerUnit: 1, permanent: 1.5 } }, maxRounds: 0.5, contagion: 'yes' }, liquidation: { feeRate: -1 } },
    }))).toEqual([
      'params.stress.contagion: expected true or false, got "yes"',
      'params.stress.impact.default.permanent: 1.5 is above 1',
      'params.stress.maxRounds: 0.5 is below 1',
      'params.liquidation.feeRate: -1 is below 0',
    ]);
    // @ts-expect-error a misspelt method name is a compile error too (MethodName)
    expect(problems(() => engine.stress(book, market, { spot: { BTC: -0.1 } }, { method: 'crosss', paths: -1 }))).toEqual([
      `options.method: unknown method "crosss" (did you mean "cross"?); expected ${MARGIN_METHODS.join(', ')} or all`,
      'options.paths: -1 is below 0',
    ]);
  });

  it('refuses options that would be ignored: a misspelt reverse threshold, a seed or horizon with no paths, timings it cannot add to', () => {
    const shock = { spot: { BTC: -0.1 } };
    const opts = (o: Record<string, unknown>) => o as never; // what a JavaScript caller passes
    // the misspelt threshold had left the default, the insurance fund, with no sign of it
    expect(problems(() => engine.stress(book, market, shock, opts({ reverse: { threshold: 5 } })))).toEqual(['options.reverse.threshold: unknown option (did you mean "thresholdUsd"?)']);
    expect(problems(() => engine.stress(book, market, shock, opts({ reverse: { thresholdUsd: 5, foo: 1 } })))).toEqual(['options.reverse.foo: unknown option (expected thresholdUsd)']);
    // a USD amount, held to the largest parameter as the insurance fund's balance is
    expect(problems(() => engine.stress(book, market, shock, { reverse: { thresholdUsd: 1e20 } }))).toEqual(['options.reverse.thresholdUsd: 100000000000000000000 is above 1000000000000000']);
    expect(problems(() => engine.stress(book, market, shock, { seed: 5, horizonDays: 2 }))).toEqual([
      'options.seed: sets up the Monte Carlo stress: give options.paths too',
      'options.horizonDays: sets up the Monte Carlo stress: give options.paths too',
    ]);
    // a timings that is not an object of counters threw a TypeError mid-run
    for (const timings of [5, 'x', null, Object.freeze({ rounds: 0, marginMs: 0, liquidationMs: 0, otherMs: 0, accountsMargined: 0, fullRounds: 0 })]) {
      expect(problems(() => engine.stress(book, market, shock, opts({ timings })))).toEqual([expect.stringMatching(/^options\.timings: expected an object of counters to add to, \{ rounds, marginMs, liquidationMs, otherMs, accountsMargined, fullRounds \}/)]);
    }
    expect(problems(() => engine.stress(book, market, shock, opts({ timings: { rounds: 0 } })))).toEqual(['marginMs', 'liquidationMs', 'otherMs', 'accountsMargined', 'fullRounds'].map((k) => `options.timings.${k}: expected a number to add to (0 to start), got undefined`));
    // what they take still runs
    const timings = { rounds: 0, marginMs: 0, liquidationMs: 0, otherMs: 0, accountsMargined: 0, fullRounds: 0 };
    expect(engine.stress(book, market, shock, { reverse: {}, seed: 5, paths: 2, timings }).reverse?.[0].thresholdUsd).toBe(1_000_000);
    expect(timings.rounds).toBeGreaterThan(0);
  });

  it('refuses a shock with nothing in it: an empty path snapshot, a historical day that is no date', () => {
    expect(problems(() => engine.stress(book, market, { path: [{ prices: { BTC: 90_000 } }, {}] }))).toEqual(['shock.path[1]: no move: expected prices, volPoints or both']);
    expect(problems(() => engine.stress(book, market, { historical: { date: 'not-a-date', returns: { BTC: -0.4 } } }))).toEqual([
      'shock.historical.date: expected the day\'s date, e.g. 2020-03-12 (or an ISO-8601 timestamp with a zone), got "not-a-date"',
    ]);
    expect(problems(() => engine.stress(book, market, { historical: { date: '2020-02-30', returns: { BTC: -0.4 } } }))).toHaveLength(1);
    for (const date of ['2020-03-12', '2020-03-12T00:00:00Z']) expect(engine.stress(book, market, { historical: { date, returns: { BTC: -0.4 } } }).cascades[0].stops[0].label).toBe(`the returns of ${date}`);
  });

  it('labels a step\'s move as the report writes percentages: grouped above 1,000%', () => {
    const label = (r: number) => engine.stress(book, market, { spot: { BTC: r } }, { params: { stress: { contagion: false, maxRounds: 1 } } }).cascades[0].stops[0].label;
    expect([label(-0.05), label(-0.3), label(9), label(10), label(1e6)]).toEqual(['BTC -5.00%', 'BTC -30.0%', 'BTC +900.0%', 'BTC +1,000.0%', 'BTC +100,000,000.0%']);
  });

  it('refuses Monte Carlo on a correlation matrix that is not positive semidefinite', () => {
    const bad = {
      ...market,
      assets: { ...market.assets, SOL: { price: 100, vol: 0.8 } },
      correlation: { assets: ['BTC', 'ETH', 'SOL'], matrix: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]] },
    };
    // the wording every method's refusal has, with the CLI's flag beside the option
    expect(problems(() => engine.stress(book, bad, { spot: { BTC: -0.1 } }, { paths: 10 }))[0]).toMatch(/^market\.correlation\.matrix: not positive semidefinite \(min eigenvalue -[\d.]+\), so Monte Carlo stress \(options\.paths\) cannot use it; repairCorrelation: true \(CLI --repair-correlation\)/);
  });
});
