/**
 * A live report's roll-up after fills (src/live/layout-rollup.ts): read from the layout's columns, with each pool from
 * the session's unions (kept for the groups no fill reached, pool-trial.ts). After every fill, tick and transfer, the
 * report (rows, totals, roll-up) has the bits of `engine.margin` on the live book and market, on generated books in
 * groups (USD and coin-margined), both backends.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/engine.js';
import { generateSample } from '../../src/sample/generate.js';
import { firstDifference } from '../support/bits.js';
import { freshReport } from '../support/venue-book.js';

describe.each(['wasm', 'js'] as const)('the live roll-up after fills on %s', (backend) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await createEngine({ backend });
  });

  // coin-margined groups: their pools are margined as a pooled book, so every pool of the report is (the unions serve
  // only books whose pools the run margins itself)
  test.each([
    { method: 'cross', coinGroups: false }, { method: 'portfolio', coinGroups: false }, { method: 'cross', coinGroups: true },
  ] as const)('$method margin under the cross policy, coin-margined groups $coinGroups: every read after fills, ticks and transfers is engine.margin\'s', ({ method, coinGroups }) => {
    const sample = generateSample({ accounts: 240, seed: 21, accountsPerMaster: 6, coinAccounts: 12 });
    const accounts = sample.book.accounts as { id: string; master?: string; marginCurrency?: string; positions: { instrument: string; entryPrice: number }[] }[];
    const coin = accounts.filter((a) => a.marginCurrency !== undefined); // groups of their own, 4 each
    if (coinGroups) coin.forEach((a, j) => j % 4 !== 0 && (a.master = coin[j - (j % 4)].id));
    const params = { subaccounts: { policy: 'cross' } };
    const live = engine.live(sample.book, sample.market, { method, params } as never);
    try {
      expect(firstDifference(live.report(), freshReport(engine, live, method, params))).toBeNull();
      const usd = accounts.filter((a) => a.marginCurrency === undefined && a.positions.length > 0);
      const btc = sample.market.assets.BTC.price;
      for (let k = 0; k < 6; k++) {
        // a fill on a member of one group (another each time), then a tick: the other groups' unions are kept
        const a = usd[(k * 37) % usd.length];
        const instrument = a.positions[0].instrument;
        const price = a.positions[0].entryPrice;
        live.applyFills([{ account: a.id, instrument, quantity: k % 2 === 0 ? 0.5 : -0.25, price }]);
        expect(firstDifference(live.report(), freshReport(engine, live, method, params)), `after fill ${k} on ${a.id}`).toBeNull();
        live.applyTick({ assets: { BTC: { price: btc * (1 + (k % 2 === 0 ? -0.01 : 0.005)) } } });
        expect(firstDifference(live.report(), freshReport(engine, live, method, params)), `after tick ${k}`).toBeNull();
      }
      const sub = accounts.find((x) => x.master !== undefined && x.marginCurrency === undefined)!;
      expect(live.transfer({ from: sub.master!, to: sub.id, cashUsd: 10 }).accepted).toBe(true);
      expect(firstDifference(live.report(), freshReport(engine, live, method, params)), 'after a transfer').toBeNull();
    } finally {
      live.release();
    }
  });
});
