import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample, validateInputs } from '../../src/index.js';
import { STATUS } from '../../src/margin/status.js';
import { type PreparedRun, trialOf } from '../../src/session/prepared-run.js';
import type { AccountTerms } from '../../src/methods/account-terms.js';
import { PooledTerms } from '../../src/methods/engines/rule-based/pooled-terms.js';

// Cross margin's account terms (MethodTrial.terms, src/methods/account-terms.ts) add the kept running sums of the base
// and the changed slot's new terms in the kernel's order (figuresWith). Each trial must give what margining the changed
// account from scratch gives (a fresh run of the kernel on a book holding those holdings), to the bit, and what the
// terms give when the change is applied to a fork, or made from the changed holdings.
describe('cross margin account terms', () => {
  it('match a fresh margin run for a change to any position or balance, on every backend', async () => {
    const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 8 });
    // balances on three assets: haircut tiers (BTC, ETH) beside the stable one, and cash
    sample.book.accounts[0].collateral = [...(sample.book.accounts[0].collateral ?? []), { asset: 'BTC', amount: 12.5 }, { asset: 'ETH', amount: -40 }];
    sample.book.accounts[0].cashUsd = 2500;
    const { book, market } = validateInputs(sample.book, sample.market);
    const account = book.accounts[0];
    const raw = sample.book.accounts[0];
    const n = account.positions.length, m = account.collateral.length;
    expect(n).toBeGreaterThanOrEqual(3);
    expect(m).toBe(3);
    const first = {
      quantity: Float64Array.from(account.positions, (p) => p.quantity),
      isolatedMargin: Float64Array.from(account.positions, () => Number.NaN),
      amount: Float64Array.from(account.collateral, (c) => c.amount),
      cashUsd: account.cashUsd ?? 0,
    };
    // a second base as the next step of a liquidation leaves it (one position halved, one closed to −0, a balance
    // sold): the trials keep the first base's unchanged terms and redo the rest
    const second = { ...first, quantity: Float64Array.from(first.quantity), amount: Float64Array.from(first.amount), cashUsd: first.cashUsd + 777.25 };
    second.quantity[1] *= 0.5;
    second.quantity[n - 1] = -0;
    second.amount[1] *= 0.75;
    // (kind, slot, new size, cash): first, middle and last slots, closed to +0 and −0, flipped, with cash moved
    const changesOf = (base: typeof first): ['position' | 'balance', number, number, number][] => [
      ['position', 0, base.quantity[0] * 0.5, base.cashUsd + 1234.5],
      ['position', 1, 0, base.cashUsd],
      ['position', 1, -0, base.cashUsd - 10],
      ['position', n - 1, -base.quantity[n - 2], base.cashUsd + 0.125],
      ['position', n - 1, base.quantity[n - 1], base.cashUsd],
      ['balance', 0, base.amount[0] * 0.25, base.cashUsd + 500],
      ['balance', 1, base.amount[1] * 0.5, base.cashUsd + 1e5],
      ['balance', 1, 1e4, base.cashUsd],
      ['balance', m - 1, 0, base.cashUsd],
      ['balance', m - 1, -base.amount[m - 1], base.cashUsd - 3e6],
    ];
    for (const backend of ['js', 'wasm'] as const) {
      const engine = await createEngine({ backend });
      const session = engine.openBook(book);
      const run = session.prepare(market, { method: 'cross' });
      run.run();
      let terms: AccountTerms | undefined;
      for (const base of [first, second, first]) {
        // made again in place from the previous base: only the slots that differ are redone
        terms = trialOf(run).terms(0, base, terms);
        for (const [kind, slot, size, cash] of changesOf(base)) {
          const change = { kind, local: slot, size, cashUsd: cash, isolatedMargin: undefined };
          const got = terms.figuresWith(change);
          const forked = terms.fork().apply(change).figures();
          const figures = { equity: got.equity, equityIm: got.equityIm, equityMm: got.equityMm, im: got.im, mm: got.mm, grossNotional: got.grossNotional, status: got.status };
          const quantity = Float64Array.from(base.quantity), amount = Float64Array.from(base.amount);
          if (kind === 'position') quantity[slot] = size;
          else amount[slot] = size;
          const label = `${backend} ${kind} ${slot} → ${size}`;
          const via = trialOf(run).terms(0, { quantity, isolatedMargin: base.isolatedMargin, amount, cashUsd: cash }).figures();
          for (const key of Object.keys(figures) as (keyof typeof figures)[]) {
            expect(Object.is(figures[key], via[key]), `${label} ${key} vs terms of the changed holdings`).toBe(true);
            expect(Object.is(figures[key], forked[key]), `${label} ${key} vs a fork with the change applied`).toBe(true);
          }
          // the raw sample with these holdings, validated and margined afresh (its rows are in layout order: no netting)
          const changed = {
            ...sample.book,
            accounts: [{
              ...raw, cashUsd: cash,
              positions: (raw.positions ?? []).map((p, j) => ({ ...p, quantity: quantity[j] })),
              collateral: (raw.collateral ?? []).map((c, j) => ({ ...c, amount: amount[j] })),
            }],
          };
          const fresh = engine.margin(changed, sample.market, { method: 'cross' }).accounts[0];
          const want = { equity: fresh.equity, equityIm: fresh.equityIm, equityMm: fresh.equityMm, im: fresh.im, mm: fresh.mm, grossNotional: fresh.grossNotional, status: STATUS.indexOf(fresh.status) };
          for (const key of Object.keys(want) as (keyof typeof want)[]) expect(Object.is(figures[key], want[key]), `${label} ${key}: ${figures[key]} vs ${want[key]}`).toBe(true);
        }
        // the base itself is unchanged by the trials and its forks
        const own = terms.figures(), made = trialOf(run).terms(0, base).figures();
        for (const key of ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'grossNotional', 'status'] as const) expect(Object.is(own[key], made[key]), `${backend} base ${key}`).toBe(true);
      }
      run.release();
      session.release();
    }
  });

  it('are running sums under cross margin only (isolated and portfolio margin whole holdings)', async () => {
    const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 4 });
    const { book, market } = validateInputs(sample.book, sample.market);
    const engine = await createEngine({ backend: 'js' });
    const session = engine.openBook(book);
    for (const [method, offered] of [['cross', true], ['isolated', false], ['portfolio', false]] as const) {
      const run = session.prepare(market, { method });
      const holdings = { quantity: Float64Array.from(book.accounts[0].positions, (p) => p.quantity), isolatedMargin: Float64Array.from(book.accounts[0].positions, () => Number.NaN), amount: Float64Array.from(book.accounts[0].collateral, (c) => c.amount), cashUsd: book.accounts[0].cashUsd ?? 0 };
      expect((run as PreparedRun).methodRun.trial?.terms?.(0, holdings) instanceof PooledTerms, method).toBe(offered);
      run.release();
    }
    session.release();
  });
});
