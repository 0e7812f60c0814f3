/**
 * Issue 21 item 1: the vol floor bounds shocked vols from below but never lifts an option above its
 * own implied vol (docs/portfolio-margin.md): shocked vol = max(vol·(1 + shock·scale), min(volFloor, vol)).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../src/index.js';
import type { MarginReport } from '../../src/margin/report.js';
import { bsmRef } from '../reference/decimal-bsm.js';
import { SAMPLE } from '../support/cli.js';
import { allEngines } from '../support/engines.js';
import { EXPIRY, INSTRUMENTS, market } from '../support/margin-books.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const T = 35 / 365; // 2026-11-20 → 2026-12-25, ACT/365
const LOW = [
  { id: 'BTC-100000-C', kind: 'option', underlying: 'BTC', right: 'call', strike: 100_000, expiry: EXPIRY },
  { id: 'BTC-100000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 100_000, expiry: EXPIRY },
  { id: 'BTC-80000-P', kind: 'option', underlying: 'BTC', right: 'put', strike: 80_000, expiry: EXPIRY },
];
/** Implied vols below the default floor 0.10 (0 included: the deterministic price). */
const LOW_VOLS = { 'BTC-100000-C': 0.08, 'BTC-100000-P': 0.05, 'BTC-80000-P': 0 };

function lowVolBook(positions: { instrument: string; quantity: number }[][]) {
  return {
    instruments: [...INSTRUMENTS, ...LOW],
    accounts: positions.map((list, i) => ({
      id: `acct-${i}`,
      positions: list.map((p) => ({ ...p, entryPrice: 0 })),
      collateral: [{ asset: 'USDC', amount: 1_000_000 }],
    })),
  };
}

function lowVolMarket() {
  const m = market();
  return { ...m, impliedVols: { ...m.impliedVols, ...LOW_VOLS } };
}

function portfolio(engine: Engine, book: unknown, params: unknown = {}): MarginReport {
  return engine.margin(book, lowVolMarket(), { method: 'portfolio', params: { portfolio: params }, breakdown: true });
}

describe('vol floor: options with an implied vol below the floor', () => {
  test('the no-move, no-shock scenario is exactly 0 for every such option, long or short, on every backend', () => {
    const book = lowVolBook([
      [{ instrument: 'BTC-100000-C', quantity: 1 }],
      [{ instrument: 'BTC-100000-C', quantity: -3 }],
      [{ instrument: 'BTC-100000-P', quantity: 2 }],
      [{ instrument: 'BTC-100000-P', quantity: -1 }],
      [{ instrument: 'BTC-80000-P', quantity: -5 }],
      [{ instrument: 'BTC-100000-C', quantity: 1 }, { instrument: 'BTC-100000-P', quantity: -2 }, { instrument: 'BTC-80000-P', quantity: 4 }],
    ]);
    for (const e of engines) {
      for (const a of portfolio(e, book).accounts) {
        const grid = a.portfolio!.underlyings[0].grid;
        const none = grid.volShocks.indexOf('none');
        const zero = grid.spotMoves.indexOf(0);
        expect(Object.is(grid.pnl[none][zero], 0), `${e.backend} ${a.id}: ${grid.pnl[none][zero]}`).toBe(true);
      }
    }
  });

  test("a short put at IV 0.05 is charged the vol-up shock from 0.05, not a rise to the floor", () => {
    // Grid of one spot move (0) and no tails: scenarios (0, up), (0, none), (0, down). 35 days ≥ 30, so
    // the shock scale is (30/35)^0.3 and the documented vols are
    //   up:   max(0.05·(1 + 0.5·scale), min(0.10, 0.05)) = 0.05·(1 + 0.5·scale) ≈ 0.0739 (below the floor)
    //   none: max(0.05, 0.05) = 0.05;   down: max(0.05·(1 − 0.3·scale), 0.05) = 0.05.
    // Short 1 put: worst loss = P(up) − P(0.05), at vol up; add-on 0.01 × 100,000 × 1 = 1,000.
    // The old rule, max(shocked, 0.10), charged P(0.10) − P(0.05) even at (0, none).
    const scale = Math.pow(30 / 35, 0.3);
    const put = (vol: number) => bsmRef({ isCall: false, spot: 100_000, strike: 100_000, expiryYears: T, vol, rate: 0.04, carry: 0.04 }).price;
    const volUp = 0.05 * (1 + 0.5 * scale);
    const worst = put(volUp) - put(0.05);
    const phantom = put(0.1) - put(0.05);
    expect(worst).toBeLessThan(0.6 * phantom); // ≈ 0.48 of it: the charge is not the floor's
    const book = lowVolBook([[{ instrument: 'BTC-100000-P', quantity: -1 }]]);
    for (const e of engines) {
      const a = portfolio(e, book, { assets: { default: { spotSteps: 1, tails: [] } } }).accounts[0];
      const btc = a.portfolio!.underlyings[0];
      expect(btc.grid.pnl.map((row) => row[0])[1]).toBe(0); // none
      expect(btc.grid.pnl.map((row) => row[0])[2]).toBe(0); // down: the floor is above 0.05, the vol stays
      expect(btc.worstScenario).toMatchObject({ spotMove: 0, volShock: 'up' });
      expect(btc.worstLoss).toBeCloseTo(worst, 6);
      expect(a.im).toBeCloseTo(worst + 1_000, 6);
      expect(a.mm).toBeCloseTo(0.8 * (worst + 1_000), 6);
    }
  });

  test('an option at IV 0 is never revalued at the floor: a deep OTM short put costs only its add-on', () => {
    // IV 0: every shocked vol is 0·(…) = 0 = min(0.10, 0), so the put is worth its discounted forward
    // intrinsic value max(80,000 − S', 0)·e^(−rT) (r = q) in every scenario: 0 for S' ≥ 84,000 (−16%).
    // Worst loss 0; add-on 0.01 × 100,000 × 5 = 5,000. The old rule priced it at vol 0.10 throughout.
    const book = lowVolBook([[{ instrument: 'BTC-80000-P', quantity: -5 }]]);
    for (const e of engines) {
      const a = portfolio(e, book, { assets: { default: { tails: [] } } }).accounts[0];
      expect(a.portfolio!.underlyings[0].worstLoss).toBe(0);
      expect(a.im).toBe(5_000);
    }
  });
});

describe('vol floor on the bundled sample with every implied vol × 0.2', () => {
  // The sample's implied vols are 0.43–1.5, so none is below the default floor 0.10 and the rule changes
  // none of its numbers. Scaled by 0.2, 90 of its 830 options are below 0.10 (8 of them BTC-settled), held by 78 of its
  // 302 accounts (the 2 BTC-margined ones among them: their coin rows are exact zeros there too).
  const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));
  const book = read('book.json');
  const base = read('market.json');
  const market = { ...base, impliedVols: Object.fromEntries(Object.entries(base.impliedVols as Record<string, number>).map(([id, v]) => [id, v * 0.2])) };

  test('every account of every underlying has an exactly zero (0 %, vol none) scenario, on every backend', () => {
    const options = new Set((book.instruments as { id: string; kind: string }[]).filter((i) => i.kind === 'option').map((i) => i.id));
    const holders = (book.accounts as { positions?: { instrument: string }[] }[])
      .filter((a) => (a.positions ?? []).some((p) => options.has(p.instrument) && market.impliedVols[p.instrument] < 0.1));
    expect(holders.length).toBe(78);
    const reports = engines.map((e) => e.margin(book, market, { method: 'portfolio', breakdown: true }));
    let cells = 0;
    for (const r of reports) {
      for (const a of r.accounts) {
        for (const u of a.portfolio!.underlyings) {
          const none = u.grid.volShocks.indexOf('none');
          const zero = u.grid.spotMoves.indexOf(0);
          // Σ quantity·multiplier·row of exact zeros (±0): nothing moved, nothing is charged
          expect(u.grid.pnl[none][zero] === 0, `${r.backend} ${a.id} ${u.underlying}: ${u.grid.pnl[none][zero]}`).toBe(true);
          cells++;
        }
      }
    }
    expect(cells).toBeGreaterThan(3 * 300);
    expect(reports[1].accounts).toEqual(reports[0].accounts);
    expect(reports[2].accounts).toEqual(reports[0].accounts);
  });
});

describe('vol floor in a live session', () => {
  test('an implied-vol tick across the floor re-margins to a fresh run, with the (0 %, vol none) cell still exactly 0', () => {
    // Starts with the put at 0.6 (above the floor), ticks it to 0.05 (below), then to 0.3 (above again): the
    // live run re-prices the row and its base value from the new vol alone (src/methods/engines/scenario-grid/run.ts
    // marketMoved), which must give a fresh run's bits.
    const book = lowVolBook([[{ instrument: 'BTC-100000-P', quantity: -2 }, { instrument: 'BTC-100000-C', quantity: 1 }], [{ instrument: 'BTC-80000-P', quantity: 3 }]]);
    for (const e of engines) {
      const start = lowVolMarket();
      start.impliedVols['BTC-100000-P'] = 0.6;
      const live = e.live(book, start, { method: 'portfolio', breakdown: true });
      try {
        for (const vol of [0.05, 0.3]) {
          live.applyTick({ impliedVols: { 'BTC-100000-P': vol } });
          const report = live.report();
          const fresh = e.margin(book, live.marketJson, { method: 'portfolio', breakdown: true });
          expect(JSON.stringify(report), `${e.backend} vol ${vol}`).toBe(JSON.stringify(fresh));
          for (const a of report.accounts) {
            const grid = a.portfolio!.underlyings[0].grid;
            expect(grid.pnl[grid.volShocks.indexOf('none')][grid.spotMoves.indexOf(0)] === 0, `${e.backend} ${a.id} vol ${vol}`).toBe(true);
          }
        }
      } finally {
        live.release();
      }
    }
  });
});
