/**
 * Params that are `null` are params of the wrong type, refused with the problem at `params` as an array or a number
 * would be; only params left out (undefined) mean the defaults. A `null` used to be read as `{}` (session.ts) or lost
 * in a merge (backtest.ts): a run on the defaults that nobody asked for.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Engine, InputError } from '../../src/index.js';
import { syntheticHistoryFor } from '../../src/dynamic/synthetic-history.js';
import { validateMarket } from '../../src/model/validate.js';
import { SAMPLE } from '../support/cli.js';
import { allEngines } from '../support/engines.js';

const BOOK = JSON.parse(readFileSync(join(SAMPLE, 'book.json'), 'utf8'));
const MARKET = JSON.parse(readFileSync(join(SAMPLE, 'market.json'), 'utf8'));

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});
afterAll(async () => {
  for (const engine of engines) await engine.close();
});

/** The problems of the InputError `run` throws. */
function problemsOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as InputError).problems.map(({ path, message }) => ({ path, message }));
  }
  throw new Error('expected an InputError, got a result');
}

describe('params: null', () => {
  it('engine.margin and engine.live refuse it at params, with or without a profile', () => {
    const refused = [{ path: 'params', message: 'expected an object with linear, options and collateral sections, got null' }];
    for (const engine of engines) {
      expect(problemsOf(() => engine.margin(BOOK, MARKET, { method: 'cross', params: null }))).toEqual(refused);
      expect(problemsOf(() => engine.margin(BOOK, MARKET, { profile: 'deribit', params: null }))).toEqual(refused);
      expect(problemsOf(() => engine.live(BOOK, MARKET, { method: 'cross', params: null }))).toEqual(refused);
      // left out: the defaults, as documented
      expect(engine.margin(BOOK, MARKET, { method: 'cross', params: undefined }).totals.accounts).toBe(BOOK.accounts.length);
    }
  });

  it('engine.backtest refuses it (and any params that are not an object) at params', () => {
    const engine = engines[0];
    const history = syntheticHistoryFor(validateMarket(MARKET), { days: 300, seed: 1 });
    for (const [params, got] of [[null, 'null'], [[], 'an Array']] as const) {
      const problems = problemsOf(() => engine.backtest(BOOK, MARKET, history, { params }));
      expect(problems).toContainEqual({ path: 'params', message: `expected an object of params sections, got ${got}` });
    }
  });
});
