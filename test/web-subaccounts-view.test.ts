/** The risk page's master/subaccount tree, from a real report on the hand-computed book of test/subaccounts/policies.test.ts. */
import { describe, expect, it } from 'vitest';
import { createEngine } from '../src/index.js';
import { subaccountTreeHtml } from '../web/subaccounts-view.js';
import { INSTRUMENTS, market } from './support/margin-books.js';

const engine = await createEngine({ backend: 'js' });
const book = {
  instruments: INSTRUMENTS,
  accounts: [
    { id: 'm', collateral: [{ asset: 'USDC', amount: 10_000 }] },
    { id: 's1', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 2_000 }] },
    { id: 's2', master: 'm', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 150 }] },
    { id: '<solo>', collateral: [{ asset: 'USDC', amount: 1 }] },
  ],
};

describe('subaccount tree', () => {
  it('shows each master with its subaccounts, the IM alone and pooled, and what pooling freed', () => {
    const html = subaccountTreeHtml(engine.margin(book, market(), { params: { subaccounts: { policy: 'cross' } } }));
    expect(html).toContain('policy cross');
    expect(html).toContain('<b>m</b> (2 subaccounts, cross): IM 400.00 under the policy, 1,300.00 alone · freed 900.00 (69.2%)');
    expect(html).toContain('<b>s2</b> IM 400.00 · MM 200.00 · health 0.75');
    expect(html).not.toContain('solo'); // in no group
  });

  it('shows what the backstop paid, and nothing for a book without masters', () => {
    const html = subaccountTreeHtml(engine.margin(book, market(), { params: { subaccounts: { policy: 'backstop' } } }));
    expect(html).toContain('backstop paid 50.00 of 10,000.00 free');
    expect(html).toContain('<b>s2</b> IM 400.00 · MM 200.00 · health 1.00 · backstop 50.00');
    expect(subaccountTreeHtml(engine.margin({ ...book, accounts: [book.accounts[3]] }, market()))).toBe('');
  });
});
