import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine.js';
import { generateSample, validateInputs } from '../../src/index.js';
import { STATUS } from '../../src/margin/status.js';
import { type PreparedRun, trialOf } from '../../src/session/prepared-run.js';
import type { AccountTerms } from '../../src/methods/account-terms.js';

// The rule-based account terms (MethodTrial.terms, asked through the run's AccountTrial), each made again in place from
// the previous, keep per-slot terms from call to call and recompute only the slots whose instrument, entry or quantity
// changed. Each call in a sequence of changes must give what margining that account from scratch
// gives (a fresh run of the kernel on a book holding those quantities), to the bit.
describe('rule-based account terms across a sequence of trials', () => {
  it('matches a fresh margin run after every change, on every backend', async () => {
    const sample = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 8 });
    const { book, market } = validateInputs(sample.book, sample.market);
    const base = book.accounts[0].positions.map((p) => p.quantity);
    const n = base.length;
    const k = Math.min(2, n - 1);
    const sequence: number[][] = [
      base,
      base.map((q, j) => (j === k ? q * 0.5 : q)),
      base.map((q, j) => (j === k ? 0 : q)),
      base.map((q, j) => (j === k ? -0 : q)),
      base.map((q, j) => (j === k ? q * 0.5 : q)),
      base.map((q, j) => (j === 0 ? -0 : j === 1 ? 0 : q)),
      base.map((q, j) => (j === 0 ? -0 : j === 1 ? 0 : q)), // the same again: nothing recomputed
      base,
    ];
    for (const backend of ['js', 'wasm'] as const) {
      const engine = await createEngine({ backend });
      for (const method of ['cross', 'isolated']) {
        const session = engine.openBook(book);
        const run = session.prepare(market, { method });
        run.run();
        const trial = trialOf(run);
        expect((run as PreparedRun).methodRun.trial?.terms, 'the method\'s own').toBeDefined();
        // each made again in place from the previous: kept per-slot terms reused
        let terms: AccountTerms | undefined;
        const marginWith = (a: number, h: Parameters<typeof trial.terms>[1]) => (terms = trial.terms(a, h, terms)).figures();
        const account = book.accounts[0];
        for (const quantities of sequence) {
          const got = marginWith(0, {
            quantity: Float64Array.from(quantities),
            isolatedMargin: Float64Array.from(account.positions, (p) => p.isolatedMargin ?? Number.NaN),
            amount: Float64Array.from(account.collateral, (c) => c.amount),
            cashUsd: account.cashUsd ?? 0,
          });
          const figures = { equity: got.equity, equityIm: got.equityIm, equityMm: got.equityMm, im: got.im, mm: got.mm, status: got.status };
          // the raw sample with these quantities, validated and margined afresh (no netting: one row per instrument)
          const raw = sample.book.accounts[0];
          const changed = { ...sample.book, accounts: [{ ...raw, positions: (raw.positions ?? []).map((p, j) => ({ ...p, quantity: quantities[j] })) }] };
          const fresh = engine.margin(changed, sample.market, { method }).accounts[0];
          const want = { equity: fresh.equity, equityIm: fresh.equityIm, equityMm: fresh.equityMm, im: fresh.im, mm: fresh.mm, status: STATUS.indexOf(fresh.status) };
          for (const key of Object.keys(want) as (keyof typeof want)[]) expect(Object.is(figures[key], want[key]), `${backend} ${method} ${key}: ${figures[key]} vs ${want[key]}`).toBe(true);
        }
        run.release();
        session.release();
      }
    }
  });
});
