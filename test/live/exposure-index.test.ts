/**
 * The exposure index (src/live/exposure-index.ts): which accounts a move of an asset reaches, ascending and each once,
 * also after an account earlier in the book comes to hold the asset (noted out of order), for one asset (a view of
 * its list) and for several.
 */
import { describe, expect, it } from 'vitest';
import { layoutBook } from '../../src/layout/index.js';
import { ExposureIndex } from '../../src/live/exposure-index.js';
import { HeapAllocator } from '../../src/memory/allocators.js';
import { validateBook } from '../../src/model/validate.js';
import { book } from '../support/margin-books.js';

const perp = (instrument: string) => ({ instrument, quantity: 1, entryPrice: 100 });

describe('the exposure index', () => {
  it('lists the accounts holding each asset, ascending, after an earlier account comes to hold it', () => {
    const layout = layoutBook(validateBook(book(
      { positions: [perp('BTC-PERP')], collateral: [{ asset: 'USDC', amount: 10 }] }, // 0: BTC, USDC
      { positions: [perp('ETH-PERP')], collateral: [{ asset: 'USDC', amount: 10 }] }, // 1: ETH, USDC
      { positions: [perp('ETH-PERP')], collateral: [{ asset: 'USDT', amount: 10 }] }, // 2: ETH, USDT
      { positions: [perp('BTC-PERP')], collateral: [{ asset: 'USDT', amount: 10 }] }, // 3: BTC, USDT
    )), new HeapAllocator());
    const index = new ExposureIndex(layout);
    const of = (...symbols: string[]) => Array.from(index.accountsOf(symbols.map((s) => layout.assetIndex(s))));
    expect([of('BTC'), of('ETH'), of('USDC'), of('USDT')]).toEqual([[0, 3], [1, 2], [0, 1], [2, 3]]);
    // account 0 takes an ETH perp: noted after 1 and 2, listed in order all the same
    layout.addPosition('acct-0', perp('ETH-PERP'));
    index.note(0);
    expect(of('ETH')).toEqual([0, 1, 2]);
    expect(of('ETH')).toEqual([0, 1, 2]); // asked again: the list stays sorted
    expect(of('BTC', 'USDT')).toEqual([0, 2, 3]);
    expect(of('ETH', 'USDC', 'BTC')).toEqual([0, 1, 2, 3]);
    layout.addPosition('acct-1', perp('BTC-PERP'));
    index.note(1);
    index.note(1); // noted twice: listed once
    expect(of('BTC')).toEqual([0, 1, 3]);
  });
});
