/**
 * A call's options are checked as its params are (docs/api.md, "Options"): a key the call does not take is refused at
 * its path with the nearest option (`options.methd`: it left the default method, cross, in place of portfolio), and a
 * flag that is not a boolean is refused (`breakdown: 'yes'` gave no breakdown), on every verb of the engine; the
 * options each verb documents pass.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { checkOptions } from '../../src/model/options-check.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const oneLong = book({ id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });
const SHOCK = { spot: { BTC: -0.2 } };

/** The problems a call is refused with (fails when it is not refused with an InputError). */
async function problems(call: () => unknown): Promise<{ path: string; message: string }[]> {
  try {
    await call();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('the call was not refused');
}

describe("every verb refuses an option it does not take, naming the nearest", () => {
  const opts = (o: Record<string, unknown>) => o as never; // what a JavaScript caller passes
  const cases: [string, () => unknown, string, string][] = [
    ['margin', () => engine.margin(oneLong, market(), opts({ methd: 'portfolio' })), 'options.methd', 'method'],
    ['liquidate', () => engine.liquidate(oneLong, market(), opts({ liquidaton: {} })), 'options.liquidaton', 'liquidation'],
    ['stress', () => engine.stress(oneLong, market(), SHOCK, opts({ pahts: 10 })), 'options.pahts', 'paths'],
    ['live', () => engine.live(oneLong, market(), opts({ limit: {} })), 'options.limit', 'limits'],
    ['backtest', () => engine.backtest(oneLong, market(), '', opts({ warmupDay: 5 })), 'options.warmupDay', 'warmupDays'],
    ['compareMethods', () => engine.compareMethods(oneLong, market(), opts({ method: 'cross' })), 'options.method', 'methods'],
    ['forecastVol', () => engine.forecastVol('', opts({ modl: 'garch' })), 'options.modl', 'model'],
    ['optimize', () => engine.optimize(oneLong, market(), opts({ account: 'a', hedges: [], targt: 'mm' })), 'options.targt', 'target'],
    ['capitalEfficiency', () => engine.capitalEfficiency(oneLong, market(), opts({ hedge: [] })), 'options.hedge', 'hedges'],
    ['allocateCollateral', () => engine.allocateCollateral(oneLong, market(), 'a', opts({ profle: 'deribit' })), 'options.profle', 'profile'],
  ];
  for (const [verb, call, path, nearest] of cases) {
    it(verb, async () => {
      expect(await problems(call)).toEqual([{ path, message: `unknown option (did you mean "${nearest}"?)` }]);
    });
  }
});

describe('a sharded book checks its options before any job goes to the workers', () => {
  it('margin, compareMethods, liquidate and stress', async () => {
    const pooled = await createEngine({ backend: 'js', workers: 2 });
    try {
      const sharded = await pooled.openShardedBook(oneLong);
      try {
        const opts = (o: Record<string, unknown>) => o as never;
        expect(await problems(() => sharded.margin(market(), opts({ methd: 'portfolio' })))).toEqual([{ path: 'options.methd', message: 'unknown option (did you mean "method"?)' }]);
        expect(await problems(() => sharded.compareMethods(market(), opts({ method: 'cross' })))).toEqual([{ path: 'options.method', message: 'unknown option (did you mean "methods"?)' }]);
        expect(await problems(() => sharded.liquidate(market(), opts({ liquidaton: {} })))).toEqual([{ path: 'options.liquidaton', message: 'unknown option (did you mean "liquidation"?)' }]);
        expect(await problems(() => sharded.stress(market(), SHOCK, opts({ paths: 10, seeed: 1 })))).toEqual([{ path: 'options.seeed', message: 'unknown option (did you mean "seed"?)' }]);
        expect((await sharded.margin(market(), { method: 'cross' })).method).toBe('cross');
      } finally {
        await sharded.release();
      }
    } finally {
      await pooled.close();
    }
  }, 60_000);
});

describe('flags', () => {
  it('refuses a flag that is not a boolean, every one at once', async () => {
    const found = await problems(() => engine.margin(oneLong, market(), { breakdown: 'yes', lenient: 1 } as never));
    expect(found).toEqual([
      { path: 'options.breakdown', message: 'expected true or false, got "yes"' },
      { path: 'options.lenient', message: 'expected true or false, got 1' },
    ]);
  });

  it('takes true, false and undefined', () => {
    for (const breakdown of [true, false, undefined]) expect(engine.margin(oneLong, market(), { breakdown }).method).toBe('cross');
  });
});

describe('the options a verb documents pass', () => {
  it('margin, liquidate, stress and live with every option of theirs', () => {
    const margin = { method: 'cross', params: {}, breakdown: true, lenient: false, repairCorrelation: false, frozenLocations: [] } as const;
    expect(engine.margin(oneLong, market(), margin).method).toBe('cross');
    expect(engine.liquidate(oneLong, market(), { ...margin, liquidation: {} }).method).toBe('cross');
    expect(engine.stress(oneLong, market(), SHOCK, { ...margin, liquidation: {}, incremental: true, reverse: false }).cascades).toHaveLength(1);
    const live = engine.live(oneLong, market(), { ...margin, limits: undefined });
    live.release();
  });

  it('a key the type marks optional may be given as undefined', () => {
    expect(engine.margin(oneLong, market(), { method: undefined, profile: undefined }).method).toBe('cross');
  });
});

describe('checkOptions', () => {
  it('refuses options that are no object, and takes none', () => {
    expect(() => checkOptions(null, { a: 'any' })).toThrow(/options: expected an object of options, or none, got null/);
    expect(() => checkOptions([], { a: 'any' })).toThrow(InputError);
    expect(() => checkOptions(undefined, { a: 'any' })).not.toThrow();
  });

  it('lists the options when no name is near, and refuses inherited names as keys of their own', () => {
    expect(() => checkOptions({ zzzzzz: 1 }, { method: 'any', params: 'any' })).toThrow('options.zzzzzz: unknown option (expected method or params)');
    expect(() => checkOptions(JSON.parse('{"__proto__": 1}'), { method: 'any' })).toThrow(/options\.__proto__: unknown option/);
    expect(() => checkOptions({ toString: 1 }, { method: 'any' })).toThrow(/options\.toString: unknown option/);
  });
});
