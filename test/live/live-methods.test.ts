/**
 * A live session runs one method: opening one on a book whose accounts name other methods lists every such account,
 * in book order, capped as validation's problems are (100), as `liquidate` does. Found when `serve` named only the
 * first of two while `liquidate` named both.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { problemLines } from '../support/problems.js';

const engine = (await allEngines())[0];
const cash = (id: string, method?: string) => ({ id, ...(method ? { method } : {}), collateral: [{ asset: 'USDC', amount: 1_000 }] });

describe('engine.live on a book of several methods', () => {
  it('lists every account of another method, in book order', () => {
    const book = { instruments: INSTRUMENTS, accounts: [cash('a'), cash('b', 'var'), cash('c', 'cross'), cash('d'), cash('e', 'portfolio')] };
    expect(problemLines(() => engine.live(book, market(), { method: 'cross' }))).toEqual([
      "accounts[1].method: a live session runs one method (cross); this account's is var",
      "accounts[4].method: a live session runs one method (cross); this account's is portfolio",
    ]);
  });

  it('keeps the first 100 and says more were left out', () => {
    const accounts = Array.from({ length: 130 }, (_, i) => cash(`a${i}`, i === 0 ? undefined : 'var'));
    let error: unknown;
    try {
      engine.live({ instruments: INSTRUMENTS, accounts }, market(), { method: 'cross' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const { problems, truncated } = error as InputError;
    expect(problems.map((p) => p.path)).toEqual(Array.from({ length: 100 }, (_, k) => `accounts[${k + 1}].method`));
    expect(truncated).toBe(true);
  });
});
