/**
 * What a change does to an account, hand-computed from the documented rules (src/margin/account-changes.ts,
 * src/margin/params.ts): netting at average cost with realized P&L, option premiums through cash, transfers,
 * the binding component, and the session's generic what-if for a method without a fast path.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, validateInputs } from '../../src/index.js';
import { BUILT_IN_METHODS } from '../../src/plugin.js';
import { flatMethod } from '../support/methods/flat/index.js';
import { LayoutAccount } from '../../src/margin/layout-account.js';
import { book, market } from '../support/margin-books.js';

const BOOK = book(
  { id: 'long', positions: [{ instrument: 'BTC-PERP', quantity: 2, entryPrice: 95_000 }], collateral: [{ asset: 'USDC', amount: 30_000 }] },
  { id: 'short-call', positions: [{ instrument: 'BTC-110000-C', quantity: -1, entryPrice: 0 }], collateral: [{ asset: 'USDC', amount: 10_000 }] },
);

async function crossRun() {
  const engine = await createEngine({ backend: 'js' });
  const { book: b, market: m } = validateInputs(BOOK, market());
  const session = engine.openBook(b);
  const run = session.prepare(m, { method: 'cross' });
  run.run();
  return { session, run, rows: (id: string) => session.layout.instruments.indexById.get(id)!, asset: (s: string) => session.layout.assets.indexOf(s) };
}

describe('what-if semantics (cross margin, BTC at 100,000)', () => {
  it('adding to a long nets at average cost', async () => {
    const { run, rows } = await crossRun();
    // 3 BTC-PERP from (2·95,000 + 100,000)/3: mark-to-market 3·(100,000 − 96,666.67) = 10,000
    const r = run.whatIf('long', [{ instrument: rows('BTC-PERP'), quantity: 1, price: 100_000 }]);
    expect(r.equity).toBeCloseTo(40_000, 6);
    // notional 300,000: 50,000·0.8% + 250,000·1% = 2,900; MM 50,000·0.4% + 250,000·0.5% = 1,450
    expect(r.im).toBeCloseTo(2_900, 9);
    expect(r.mm).toBeCloseTo(1_450, 9);
    expect(r.status).toBe('healthy');
    expect(r.health).toBeCloseTo(40_000 / 1_450, 9);
    expect(r.cashUsd).toBe(0);
    expect(r.binding).toEqual({ kind: 'position', label: 'BTC-PERP', underlying: 'BTC', amount: r.im });
  });

  it('selling through zero realizes the closed part into cash and keeps the new side at its price', async () => {
    const { run, rows } = await crossRun();
    // sell 3 at 101,000: 2 close (realized 2·(101,000 − 95,000) = 12,000), short 1 from 101,000 (MTM +1,000)
    const r = run.whatIf('long', [{ instrument: rows('BTC-PERP'), quantity: -3, price: 101_000 }]);
    expect(r.cashUsd).toBe(12_000);
    expect(r.equity).toBe(30_000 + 12_000 + 1_000);
    // notional 100,000: 400 + 500 = 900 IM; 200 + 250 = 450 MM
    expect(r.im).toBeCloseTo(900, 9);
    expect(r.mm).toBeCloseTo(450, 9);
  });

  it('an option fill pays its premium out of cash', async () => {
    const { run, rows } = await crossRun();
    // buy back the short call at 1,300 (mark 1,234): cash −1,300, position flat; equity 10,000 − 1,234 (short MTM) → 10,000 − 1,300
    const before = run.account('short-call');
    expect(before.equity).toBe(10_000 - 1_234);
    const closed = run.whatIf('short-call', [{ instrument: rows('BTC-110000-C'), quantity: 1, price: 1_300 }]);
    expect(closed.cashUsd).toBe(-1_300);
    expect(closed.equity).toBe(10_000 - 1_300);
    expect(closed.im).toBe(0);
    // and buying a call it does not hold: premium out, mark in, long-option IM = the premium's value (1,234)
    const bought = run.whatIf('long', [{ instrument: rows('BTC-110000-C'), quantity: 1, price: 1_250 }]);
    expect(bought.cashUsd).toBe(-1_250);
    expect(bought.equity).toBe(30_000 + 2 * (100_000 - 95_000) - 1_250 + 1_234);
  });

  it('deposits and withdrawals change the balance by the amount, with haircuts', async () => {
    const { run, asset } = await crossRun();
    // +1 BTC (100,000 USD, 5% IM haircut: 95,000 counted for IM; 2.5% for MM) and −10,000 USDC
    const r = run.whatIf('long', [{ asset: asset('BTC'), amount: 1 }, { asset: asset('USDC'), amount: -10_000 }]);
    expect(r.collateralValue).toBe(120_000);
    expect(r.equity).toBe(120_000 + 10_000);
    expect(r.equityIm).toBe(20_000 + 95_000 + 10_000);
    expect(r.equityMm).toBe(20_000 + 97_500 + 10_000);
    const cash = run.whatIf('long', [{ cashUsd: -39_999 }]);
    expect(cash.equity).toBe(40_000 - 39_999);
    expect(cash.status).toBe('liquidatable'); // equity 1 against MM 50,000·0.4% + 150,000·0.5% = 950
  });
});

describe('the portfolio binding', () => {
  it('is the worst underlying scenario of the explain', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    const { book: b, market: m } = validateInputs(BOOK, market());
    const session = engine.openBook(b);
    const run = session.prepare(m, { method: 'portfolio', breakdown: true });
    run.run();
    const r = run.whatIf('short-call', []);
    const worst = run.account('short-call').portfolio!.underlyings[0];
    expect(r.binding).toEqual({ kind: 'scenario', label: `BTC ${worst.worstScenario.label}`, underlying: 'BTC', amount: worst.worstLoss });
    run.release();
    session.release();
  });
});

describe('a method without a what-if fast path', () => {
  const gross = flatMethod; // IM = k·gross notional, k 0.1 by default; MM = IM / 2

  it('gets the session default: apply, remargin, read, undo', async () => {
    const engine = await createEngine({ backend: 'wasm', methods: [...BUILT_IN_METHODS, gross] });
    const { book: b, market: m } = validateInputs(BOOK, market());
    const session = engine.openBook(b);
    const run = session.prepare(m, { method: 'flat' });
    run.run();
    const before = JSON.stringify(run.report());
    const perp = session.layout.instruments.indexById.get('BTC-PERP')!;
    const changes = [{ instrument: perp, quantity: 3, price: 99_000 }, { instrument: session.layout.instruments.indexById.get('BTC-90000-P')!, quantity: -2, price: 700 }];
    const r = run.whatIf('long', changes);
    expect(JSON.stringify(run.report())).toBe(before); // undone
    // gross notional 5 BTC-PERP · 100,000 + 2 puts · 100,000 = 700,000: IM 70,000
    expect(r.grossNotional).toBe(700_000);
    expect(r.im).toBe(70_000);
    const editor = new LayoutAccount(session.layout, session.layout.accountIndex('long'));
    editor.apply(changes);
    run.remargin('long');
    const row = run.account('long');
    expect([r.equity, r.im, r.mm, r.status]).toEqual([row.equity, row.im, row.mm, row.status]);
    run.release();
    session.release();
  });
});
