/**
 * A session liquidated in place, then margined or liquidated again under a master-level policy: the policies pool and
 * cover the book the layout holds now, never the book the session opened (found: after an in-place liquidation, a
 * pool's figures under `cross` were the opened book's). Under `backstop` the covers are paid into the session's layout
 * (paid once: a second call finds them paid); under `cross` the pooled book is liquidated and the session is left as
 * it was, which the report says.
 *
 * Hand figures (test/support/margin-books.ts market: BTC 100,000, USDC 1): a long 1 BTC-PERP at 100,000 has MM 450
 * (50,000 × 0.4% + 50,000 × 0.5%, the default tiers) and IM 2 × 450 = 900 would be its IM only if IM were twice MM; the
 * tests read IM from the run, and rely on MM 450 and equity = USDC held (entry at the mark: no P&L).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';

const long1 = [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }];
const usdc = (amount: number) => [{ asset: 'USDC', amount }];
const MARKET = market();
const policy = (name: string) => ({ method: 'cross' as const, params: { subaccounts: { policy: name } } });

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});

/** Each account's row as `session.margin` gives it under `independent` (every account alone). */
function rows(session: ReturnType<Engine['openBook']>) {
  return new Map(session.margin(MARKET, policy('independent')).accounts.map((r) => [r.id, r]));
}

describe('a session liquidated in place, then margined under the cross policy', () => {
  it('pools the positions the liquidation left, not those the session opened with', () => {
    // s1 alone is below MM (200 < 450) and is liquidated alone; m holds cash only
    const session = engine.openBook({ instruments: INSTRUMENTS, accounts: [
      { id: 'm', positions: [], collateral: usdc(100) },
      { id: 's1', master: 'm', positions: long1, collateral: usdc(200) },
    ] });
    try {
      const plan = engine.liquidate(session, MARKET, policy('independent'));
      expect(plan.accounts.map((a) => [a.id, a.state])).toEqual([['s1', 'resolved']]);
      const now = rows(session);
      expect(now.get('s1')!.mm).toBeLessThan(450); // part of its long was closed
      const pool = session.margin(MARKET, policy('cross')).subaccounts!.masters[0].combined;
      // m holds no position: the pool's is s1's, margined by the same method (the same bits)
      expect(pool.mm).toBe(now.get('s1')!.mm);
      // the pool's cash is the members' (equity is linear in cash and positions)
      expect(pool.equity).toBeCloseTo(now.get('m')!.equity + now.get('s1')!.equity, 9);
    } finally {
      session.release();
    }
  });
});

describe('engine.liquidate(session) under the backstop policy', () => {
  it('pays the covers into the session (once) and liquidates what they leave below MM in place', () => {
    // m's free collateral 10,000 covers s1's shortfall 450 − 200 = 250 in full; `lone` (no master) 300 < 450 is liquidated
    const session = engine.openBook({ instruments: INSTRUMENTS, accounts: [
      { id: 'm', positions: [], collateral: usdc(10_000) },
      { id: 's1', master: 'm', positions: long1, collateral: usdc(200) },
      { id: 'lone', positions: long1, collateral: usdc(300) },
    ] });
    try {
      const plan = engine.liquidate(session, MARKET, policy('backstop'));
      expect(plan.accounts.map((a) => a.id)).toEqual(['lone']);
      const now = rows(session);
      expect(now.get('m')!.equity).toBe(9_750);
      expect(now.get('s1')!.equity).toBe(450);
      expect(now.get('s1')!.mm).toBe(450);
      // the plan's after-figures are a fresh margin of the session
      const after = plan.accounts[0].after;
      expect([now.get('lone')!.equity, now.get('lone')!.mm, now.get('lone')!.status]).toEqual([after.equity, after.mm, after.status]);
      // again: s1 is at MM now (not below): nothing more is paid, nothing liquidated
      const again = engine.liquidate(session, MARKET, policy('backstop'));
      expect(again.accounts).toEqual([]);
      expect(rows(session).get('m')!.equity).toBe(9_750);
    } finally {
      session.release();
    }
  });
});

describe('engine.liquidate(session) under the cross policy', () => {
  it('liquidates the pooled book, leaves the session as it was and says so', () => {
    const session = engine.openBook({ instruments: INSTRUMENTS, accounts: [
      { id: 'm', positions: [], collateral: usdc(100) },
      { id: 's1', master: 'm', positions: long1, collateral: usdc(200) },
      { id: 'lone', positions: long1, collateral: usdc(300) },
    ] });
    try {
      const before = rows(session);
      const plan = engine.liquidate(session, MARKET, policy('cross'));
      expect(plan.accounts.map((a) => a.id).sort()).toEqual(['lone', 'm']); // the pool under its master's id
      expect(plan.warnings?.map((w) => w.path)).toEqual(['params.subaccounts.policy']);
      const after = rows(session);
      for (const [id, row] of before) expect([id, after.get(id)!.equity, after.get(id)!.mm]).toEqual([id, row.equity, row.mm]);
    } finally {
      session.release();
    }
  });

  it('says nothing of a session when given a book (the session is its own)', () => {
    const plan = engine.liquidate({ instruments: INSTRUMENTS, accounts: [
      { id: 'm', positions: [], collateral: usdc(100) },
      { id: 's1', master: 'm', positions: long1, collateral: usdc(200) },
    ] }, MARKET, policy('cross'));
    expect(plan.warnings).toBeUndefined();
  });
});

describe('a subaccount a liquidation empties', () => {
  it('is a state of the book: the session margins and liquidates again (it refused the emptied account)', () => {
    // `owes` holds only a cash deficit of 100 USD with no fund: the liquidation writes it off to 0, leaving the
    // subaccount with nothing; its master's pool is then margined on the book the layout holds now
    for (const method of ['cross', 'var', 'portfolio']) {
      const session = engine.openBook({ instruments: INSTRUMENTS, accounts: [{ id: 'm', collateral: usdc(1_000) }, { id: 'owes', master: 'm', cashUsd: -100 }] });
      const plan = engine.liquidate(session, MARKET, { method, liquidation: { insuranceFund: { balanceUsd: 0 } } });
      const owes = plan.accounts.find((a) => a.id === 'owes')!;
      expect([owes.state, owes.before.equity, owes.after.equity]).toEqual(['bankrupt', -100, 0]);
      const again = session.margin(MARKET, { method, params: { subaccounts: { policy: 'cross' } } });
      expect(again.accounts.map((r) => [r.id, r.status, r.equity])).toEqual([['m', 'healthy', 1_000], ['owes', 'healthy', 0]]);
      expect(engine.liquidate(session, MARKET, { method }).accounts).toEqual([]);
      session.release();
    }
  });
});
