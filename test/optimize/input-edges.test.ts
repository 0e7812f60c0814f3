/**
 * Inputs around the optimiser, locations, subaccounts and histories that a stranger's audit found crashing, hidden
 * or named at a path the user never wrote: each is now a typed error at the user's own path, every problem at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine, InputError } from '../../src/index.js';
import { INSTRUMENTS, book, market } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';
import { marginCore, ROOT } from '../support/cli.js';
import { scratchDir } from '../support/scratch-dir.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'js' });
});

const alice = book({ id: 'alice', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 50_000 }] });

async function problemsOf(run: () => Promise<unknown>): Promise<string[]> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('expected an InputError');
}

describe('optimize', () => {
  it('a spread or fee beyond 1e12 is refused at its path (the LP solver failed on 1e15)', async () => {
    const hedges = [{ instrument: 'BTC-PERP', spread: 1e15, fee: 1e20, maxQuantity: 2 }];
    expect(await problemsOf(() => engine.optimize(alice, market(), { method: 'portfolio', account: 'alice', hedges }))).toEqual([
      'hedges[0].spread: 1000000000000000 is above the largest hedge cost 1e12',
      'hedges[0].fee: 100000000000000000000 is above the largest hedge cost 1e12',
    ]);
  });

  it('a buffer with the IM target is refused, not ignored', async () => {
    const hedges = [{ instrument: 'BTC-PERP', maxQuantity: 2 }];
    expect(await problemsOf(() => engine.optimize(alice, market(), { method: 'portfolio', account: 'alice', hedges, target: 'im', buffer: 0.5 }))).toEqual([
      'buffer: 0.5 given with target "im": a buffer is over MM (target "mm"); leave it out',
    ]);
    expect(await problemsOf(async () => engine.capitalEfficiency(alice, market(), { buffer: 0.5 }))).toEqual(['buffer: 0.5 given with target "im": a buffer is over MM (target "mm"); leave it out']);
  });

  it('methods given as one string is refused as not a list (it was read letter by letter)', async () => {
    expect(await problemsOf(async () => engine.capitalEfficiency(alice, market(), { methods: 'cross' as never }))).toEqual([
      'options.methods: expected an array of method names (["cross", "portfolio"]), got "cross"',
    ]);
  });

  it('isolated: a candidate on an instrument not held is refused for an account that already meets its target too', async () => {
    const hedges = [{ instrument: 'ETH-PERP', maxQuantity: 1 }];
    expect(await problemsOf(() => engine.optimize(alice, market(), { method: 'isolated', account: 'alice', hedges }))).toEqual([
      expect.stringMatching(/^hedges\[0\]\.instrument: under isolated margin a hedge must reduce a position the account holds/),
    ]);
  });

  it('the CLI shows an isolated answer\'s allocations, and refuses --buffer with --target im', async () => {
    const files = ['--book', join(ROOT, 'data/examples/hedge-book.json'), '--market', join(ROOT, 'data/examples/market.json')];
    const isolated = await marginCore('optimize', 'bob', ...files, '--method', 'isolated');
    expect(isolated.code).toBe(0);
    // bob's BTC-PERP needs 900.00 of the pool (optimisation.md's isolated example): half the answer
    expect(isolated.stdout).toMatch(/isolated margin to\s+allocation \(USD\)\nBTC-PERP\s+900\.00\nETH-PERP\s+0\.00\n/);
    const buffer = await marginCore('optimize', 'alice', ...files, '--buffer', '0.5');
    expect(buffer.code).toBe(2);
    expect(buffer.stderr).toContain('--buffer is over MM: give it with --target mm, or leave it out');
  });

  it('the CLI reports a misspelt subaccounts policy, not "no default candidates" under the default policy', async () => {
    const params = join(scratchDir('optimize-policy'), 'params.json');
    writeFileSync(params, JSON.stringify({ subaccounts: { policy: 'Cross' } }));
    // m holds only collateral: under the default policy it has no default candidates, under cross its pool has
    const run = await marginCore('optimize', 'm', '--book', join(ROOT, 'data/examples/subaccounts-book.json'), '--market', join(ROOT, 'data/examples/market.json'), '--params', params);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('params.subaccounts.policy: expected "independent", "cross" or "backstop", got "Cross"');
    expect(run.stderr).not.toContain('no default candidates');
  });
});

describe('locations, subaccounts, transfers, instruments, histories', () => {
  const located = { instruments: INSTRUMENTS, accounts: [{ id: 'a', collateral: [{ asset: 'BTC', amount: 1, location: 'arbitrum' }] }] };
  const params = { locations: { at: { arbitrum: { haircut: 0.02, delayHours: 0.5 } } } };

  it('frozenLocations of the wrong type is an InputError, not a TypeError', () => {
    expect(problemLines(() => engine.margin(located, market(), { params, frozenLocations: 'arbitrum' as never }))).toEqual(['frozenLocations: expected an array of location names, got "arbitrum"']);
    expect(problemLines(() => engine.margin(located, market(), { params, frozenLocations: null as never }))).toEqual(['frozenLocations: expected an array of location names, got null']);
  });

  it('a shock\'s unknown frozen location is named at the shock', () => {
    expect(problemLines(() => engine.stress(located, market(), { spot: { BTC: -0.1 }, freezeLocations: ['solana'] }, { params }))).toEqual([
      'shock.freezeLocations[0]: unknown location "solana" (params.locations.at lists "arbitrum")',
    ]);
  });

  const groups = { instruments: INSTRUMENTS, accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
    { id: 's2', master: 'm', collateral: [{ asset: 'USDC', amount: 150 }] },
  ] };

  it('a master id that is not a string is refused at master (it crashed on toLowerCase)', async () => {
    expect(await problemsOf(() => engine.allocateCollateral(groups, market(), 5 as never, {}))).toEqual(['master: expected an account id (a non-empty string), got 5']);
  });

  it('a bad subaccounts section is reported with every other problem of the params file', () => {
    const bad = { subaccounts: { policy: 5 }, dynamic: { methods: ['foo'] }, linear: 5 };
    expect(problemLines(() => engine.margin(groups, market(), { method: 'cross', params: bad }))).toEqual([
      'params.linear: expected an object keyed by asset symbol (or "default"), got 5',
      'params.dynamic.methods[0]: expected one of isolated, cross, portfolio, var (the methods a forecast can drive), got "foo"',
      'params.subaccounts.policy: expected "independent", "cross" or "backstop", got 5',
    ]);
  });

  it('a transfer beyond the domain is named at its amount', () => {
    const live = engine.live(groups, market(), { method: 'cross' });
    try {
      expect(problemLines(() => live.transfer({ from: 's1', to: 's2', asset: 'USDC', amount: 1e300 }))).toEqual(['transfer.amount: 1e+300 is above the largest amount 1e15']);
      expect(problemLines(() => live.transfer({ from: 'm', to: 's2', cashUsd: 1e16 }))).toEqual(['transfer.cashUsd: 10000000000000000 is above the largest cash 1e15']);
    } finally {
      live.release();
    }
  });

  it('an instrument that fails its own checks is not also said to be settled in USD', () => {
    const coin = {
      instruments: [{ id: 'BTC-PERPETUAL', kind: 'perpetual', underlying: 'BTC', multiplier: 0, settlement: 'BTC' }],
      accounts: [{ id: 'a', marginCurrency: 'BTC', collateral: [{ asset: 'BTC', amount: 1 }], positions: [{ instrument: 'BTC-PERPETUAL', quantity: -10, entryPrice: 100_000 }] }],
    };
    expect(problemLines(() => engine.margin(coin, market(), { method: 'cross' }))).toEqual(['instruments[0].multiplier: 0 is not positive (a multiplier must be above 0)']);
  });

  it('a history of two intervals, a day and a week, has a gap (the usual step is the shorter middle)', () => {
    const csv = 'timestamp,BTC\n2026-01-01T00:00:00Z,100\n2026-01-02T00:00:00Z,103\n2026-01-09T00:00:00Z,101\n';
    expect(problemLines(() => engine.forecastVol(csv, {}))).toEqual([expect.stringMatching(/a gap from 2026-01-02T00:00:00(\.000)?Z to 2026-01-09T00:00:00(\.000)?Z \(the usual step is 24 h; readHistory's allowGaps, margin-core\/io, or backtest --allow-gaps accepts it\)$/)]);
  });
});

