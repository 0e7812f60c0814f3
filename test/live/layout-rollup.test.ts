/**
 * The live roll-up read from the layout (src/live/layout-rollup.ts) against engine.margin on the book the session
 * holds, bit for bit, where it reads something the book path did not have to: coin-margined accounts a USD-only method
 * sets aside inside groups (their groups in error), accounts naming the run's method (their rows carry it), the
 * independent policy, and a master taken out of the layout (its subaccounts stand alone).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { generateSample } from '../../src/sample/generate.js';
import { firstDifference } from '../support/bits.js';
import { freshReport } from '../support/venue-book.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

type GenAccount = { id: string; master?: string; method?: string; marginCurrency?: string };

/** 120 accounts in groups of 5, 10 BTC-margined ones grouped under the first of them (a coin group) and a USD master. */
function groupedBook() {
  const sample = generateSample({ accounts: 120, seed: 5, accountsPerMaster: 5, coinAccounts: 10 });
  const accounts = sample.book.accounts as GenAccount[];
  const coin = accounts.filter((a) => a.marginCurrency !== undefined);
  coin.forEach((a, j) => j > 0 && j < 5 && (a.master = coin[0].id));
  return { sample, accounts };
}

describe('the live roll-up from the layout', () => {
  test.each([
    { method: 'var', policy: 'independent' }, { method: 'var', policy: 'cross' }, { method: 'cross', policy: 'independent' }, { method: 'portfolio', policy: 'cross' },
    { method: 'cross', policy: 'cross' }, // the coin group's pool a book of its own, on the instruments its members hold
  ] as const)('$method under $policy: coin accounts set aside in groups, accounts naming the method', ({ method, policy }) => {
    const { sample, accounts } = groupedBook();
    const naming = new Set(accounts.filter((_, i) => i % 7 === 3).map((a) => a.id));
    for (const a of accounts) if (naming.has(a.id)) a.method = method;
    const params = { subaccounts: { policy } };
    const live = engine.live(sample.book, sample.market, { method, params } as never);
    try {
      const report = live.report();
      expect(report.subaccounts?.masters.length).toBeGreaterThan(20);
      if (method === 'var') expect(report.subaccounts?.totals.complete).toBe(false); // the coin group is in error
      expect(report.accounts.filter((r) => r.method === method).map((r) => r.id).sort()).toEqual([...naming].sort());
      expect(firstDifference(report, freshReport(engine, live, method, params, naming))).toBeNull();
      live.applyTick({ assets: { BTC: { price: sample.market.assets.BTC.price * 0.97 } } });
      expect(firstDifference(live.report(), freshReport(engine, live, method, params, naming))).toBeNull();
      expect(firstDifference(live.subaccounts(), freshReport(engine, live, method, params, naming).subaccounts)).toBeNull();
    } finally {
      live.release();
    }
  });

  test('a master taken out of the layout leaves its subaccounts standalone', () => {
    const { sample, accounts } = groupedBook();
    const params = { subaccounts: { policy: 'cross' } };
    const live = engine.live(sample.book, sample.market, { method: 'cross', params } as never);
    try {
      const before = live.subaccounts()!;
      const master = accounts.find((a) => accounts.some((s) => s.master === a.id) && a.marginCurrency === undefined)!;
      live.layout.removeAccount(master.id);
      const after = live.subaccounts()!;
      expect(after.masters.map((m) => m.id)).not.toContain(master.id);
      expect(after.totals.masters).toBe(before.totals.masters - 1);
      // the book as it stands leaves the master out, and its subaccounts with no master (bookNow)
      expect(firstDifference(after, engine.margin(live.book(), live.marketJson, { method: 'cross', params } as never).subaccounts)).toBeNull();
    } finally {
      live.release();
    }
  });
});
