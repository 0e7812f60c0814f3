/**
 * Incremental cascade rounds (src/stress/kept-run.ts): a cascade keeps its margin run and re-margins, each round, only
 * the accounts the round's moves reach. The report must be the one a fresh margin run per round gives (the
 * `incremental: false` path), bit for bit, on every backend, coin-margined and USDC-linear books included; and where
 * the run cannot be kept (accounts of another method, collateral by location) every round is margined afresh.
 */
import { describe, expect, it } from 'vitest';
import { ProblemList } from '../../src/errors.js';
import { checkLiquidationParams } from '../../src/liquidation/validate.js';
import { validateInputs } from '../../src/model/validate.js';
import { type CascadeSetup, cascadeTimings, runCascade } from '../../src/stress/cascade.js';
import { validateShock } from '../../src/stress/shock.js';
import { generateSample } from '../../src/sample/generate.js';
import type { Book, Market } from '../../src/model/types.js';
import { allEngines } from '../support/engines.js';
import { firstDifference } from '../support/bits.js';
import { book, market } from '../support/margin-books.js';
import { mulberry32 } from '../support/random.js';

const engines = await allEngines();

describe('incremental rounds re-margin only the accounts a round reaches (hand count)', () => {
  // A: long 1 BTC-PERP at 100,000 on 600 USDC (MM 450); B: long 1 ETH-PERP on 5,000 USDC; C: USDC only; D: 1 BTC only.
  // BTC −30% with contagion off: A loses 30,000 > its 600 and is closed out (a BTC sale); no one else breaches. The
  // sale's impact moves BTC alone, so round 2 re-margins the accounts holding BTC: A (its position) and D (its
  // balance), not B (ETH) nor C (USDC). Round 2 liquidates no one: a fixed point. Margined: 4 + 2 = 6 accounts
  // incremental, 4 + 4 = 8 afresh.
  const accounts = book(
    { id: 'A', positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 600 }] },
    { id: 'B', positions: [{ instrument: 'ETH-PERP', quantity: 1, entryPrice: 3_000 }], collateral: [{ asset: 'USDC', amount: 5_000 }] },
    { id: 'C', collateral: [{ asset: 'USDC', amount: 1_000 }] },
    { id: 'D', collateral: [{ asset: 'BTC', amount: 1 }] },
  );
  const shock = { spot: { BTC: -0.3 }, contagion: false };

  it.each(engines.map((e) => [e.backend, e] as const))('%s: 6 accounts margined instead of 8, the same report', (_name, engine) => {
    const kept = cascadeTimings(), fresh = cascadeTimings();
    const a = engine.stress(accounts, market(), shock, { method: 'cross', timings: kept });
    const b = engine.stress(accounts, market(), shock, { method: 'cross', incremental: false, timings: fresh });
    const rounds = a.cascades[0].rounds;
    expect(rounds.map((r) => r.accountsLiquidated)).toEqual([1, 0]);
    expect(Object.keys(rounds[0].impactMove)).toEqual(['BTC']);
    expect(kept.accountsMargined).toBe(4 + 2);
    expect(fresh.accountsMargined).toBe(4 + 4);
    expect(kept.fullRounds).toBe(1);
    expect(fresh.fullRounds).toBe(2);
    expect(firstDifference(a, b)).toBeNull();
  });
});

/** A generated book, some of it changed by `r`: masters, coin-margined accounts, a USDC-settled perp, isolated accounts. */
function randomBook(seed: number, mix: { masters: boolean; coin: boolean; usdcLinear: boolean; isolatedAccounts: boolean }): { book: Book; market: Market } {
  const r = mulberry32(seed);
  const sample = generateSample({ accounts: 40 + Math.floor(r() * 40), seed, ...(mix.masters ? { accountsPerMaster: 3 + Math.floor(r() * 3) } : {}), ...(mix.coin ? { coinAccounts: 3 } : {}) });
  const b = sample.book as Book & { instruments: unknown[]; accounts: { id: string; method?: string; positions?: unknown[] }[] };
  if (mix.usdcLinear) {
    // accounts margined in USDC holding a perp settled in it (a USDC-linear contract), some thinly
    b.instruments.push({ id: 'ETH-USDC-PERP', kind: 'perpetual', underlying: 'ETH', multiplier: 1, settlement: 'USDC' });
    const eth = sample.market.assets.ETH.price;
    for (let k = 0; k < 6; k++) {
      const quantity = Math.round((r() - 0.5) * 40) || 1;
      (b.accounts as unknown[]).push({ id: `usdc-${k}`, marginCurrency: 'USDC', positions: [{ instrument: 'ETH-USDC-PERP', quantity, entryPrice: eth }], collateral: [{ asset: 'USDC', amount: Math.abs(quantity) * eth * (0.02 + 0.2 * r()) }] });
    }
  }
  if (mix.isolatedAccounts) for (const acct of b.accounts) if (r() < 0.3) acct.method = 'isolated';
  return { book: b, market: sample.market };
}

/** A random shock: falls (and a rise) on a few assets, sometimes vol points, contagion on or off, sometimes a path. */
function randomShock(seed: number, assets: readonly string[]): Record<string, unknown> {
  const r = mulberry32(seed * 7 + 1);
  const moved = assets.filter(() => r() < 0.5);
  if (moved.length === 0) moved.push(assets[0]);
  const contagion = r() < 0.5;
  if (r() < 0.25) {
    const snapshot = (f: number) => ({ prices: Object.fromEntries(moved.map((a) => [a, f])) });
    return { name: 'random path', contagion, path: [snapshot(0.9), snapshot(0.8)] } as Record<string, unknown>;
  }
  const spot = Object.fromEntries(moved.map((a) => [a, -0.05 - 0.3 * r()]));
  const volPoints = r() < 0.5 ? Object.fromEntries(moved.map((a) => [a, Math.round(20 * r())])) : undefined;
  return { name: 'random', contagion, spot, ...(volPoints ? { volPoints } : {}) };
}

/** The path shock's prices are levels: scale them from the market's. */
function levels(shock: Record<string, unknown>, m: Market): Record<string, unknown> {
  if (!Array.isArray(shock.path)) return shock;
  const path = (shock.path as { prices: Record<string, number> }[]).map((s) => ({ prices: Object.fromEntries(Object.entries(s.prices).map(([a, f]) => [a, m.assets[a].price * f])) }));
  return { ...shock, path };
}

describe('property: incremental rounds give the report of a fresh margin run every round', () => {
  const MIXES = [
    { name: 'USD accounts', masters: false, coin: false, usdcLinear: false, isolatedAccounts: false },
    { name: 'masters and subaccounts', masters: true, coin: false, usdcLinear: false, isolatedAccounts: false },
    { name: 'coin-margined accounts', masters: false, coin: true, usdcLinear: false, isolatedAccounts: false },
    { name: 'a USDC-linear perp', masters: false, coin: false, usdcLinear: true, isolatedAccounts: false },
    // a stress margins every account by the run's method, fresh or kept: accounts' own methods do not stop the kept run
    { name: 'isolated accounts in a cross book', masters: true, coin: false, usdcLinear: false, isolatedAccounts: true },
  ];
  const METHODS = ['cross', 'isolated', 'portfolio', 'var', 'span'];

  for (const mix of MIXES) {
    it(`${mix.name}: same bits on every backend, fewer accounts margined`, () => {
      let moved = 0; // rounds that moved the kept run in place (the test would prove nothing without them)
      for (let seed = 1; seed <= 3; seed++) {
        const { book: b, market: m } = randomBook(seed * 101 + mix.name.length, mix);
        const shock = levels(randomShock(seed, ['BTC', 'ETH', 'SOL']), m);
        const method = METHODS[(seed + mix.name.length) % METHODS.length];
        const options = { method, params: { stress: { maxRounds: 6 } } };
        const prints = new Set<string>();
        for (const engine of engines) {
          const kept = cascadeTimings(), fresh = cascadeTimings();
          const a = engine.stress(b, m, shock, { ...options, timings: kept });
          const f = engine.stress(b, m, shock, { ...options, incremental: false, timings: fresh });
          expect(firstDifference(a, f), `${mix.name} seed ${seed} ${method} on ${engine.backend}`).toBeNull();
          expect(kept.rounds).toBe(fresh.rounds);
          moved += kept.rounds - kept.fullRounds;
          // a fresh run at the first round, and where a move reached more than FRESH_RUN_SHARE of the accounts
          expect(kept.fullRounds).toBeGreaterThanOrEqual(1);
          expect(kept.accountsMargined).toBeLessThanOrEqual(fresh.accountsMargined);
          prints.add(JSON.stringify(a, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)).replace(/"backend":"[^"]*"/g, ''));
        }
        expect(prints.size, `${mix.name} seed ${seed}: backends agree`).toBe(1);
      }
    });
  }

  it('the run moved in place whatever a move reaches (no fresh run after the first): the same cascades', () => {
    let moved = 0;
    for (const mix of MIXES) {
      for (let seed = 1; seed <= 3; seed++) {
        const raw = randomBook(seed * 101 + mix.name.length, mix);
        const { book: b, market: m } = validateInputs(raw.book, raw.market);
        const shock = validateShock(levels(randomShock(seed, ['BTC', 'ETH', 'SOL']), raw.market), m);
        const liquidation = checkLiquidationParams(undefined, new ProblemList());
        const method = METHODS[(seed + mix.name.length) % METHODS.length];
        for (const engine of engines) {
          const runs = [true, false].map((incremental) => {
            const session = engine.openBook(b);
            try {
              const timings = cascadeTimings();
              const setup: CascadeSetup = { session, market: m, method, margin: {}, liquidation, stress: { ...shock.params, maxRounds: 6 }, incremental, freshRunShare: 1, timings };
              return { run: runCascade(setup, shock.steps), timings };
            } finally {
              session.release();
            }
          });
          expect(firstDifference(runs[0].run, runs[1].run), `${mix.name} seed ${seed} ${method} on ${engine.backend}`).toBeNull();
          // SPAN has no marketMoved (the live layer re-prepares it): every round afresh; the others, the first only
          expect(runs[0].timings.fullRounds).toBe(method === 'span' ? runs[0].timings.rounds : 1);
          moved += runs[0].timings.rounds - runs[0].timings.fullRounds;
        }
      }
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('reverse and Monte Carlo (the book put back between cascades) are the same with and without incremental rounds', () => {
    const { book: b, market: m } = randomBook(5, { masters: false, coin: false, usdcLinear: false, isolatedAccounts: false });
    const shock = { spot: { BTC: -0.1, ETH: -0.12 } };
    for (const engine of engines) {
      const options = { method: 'cross', paths: 5, seed: 3, reverse: { thresholdUsd: 10_000 }, params: { liquidation: { insuranceFund: { balanceUsd: 1_000 } } } };
      expect(firstDifference(engine.stress(b, m, shock, options), engine.stress(b, m, shock, { ...options, incremental: false }))).toBeNull();
    }
  });

  it('collateral frozen at a location: every round afresh (its adjustment follows the kernel), the same report', () => {
    const { book: b, market: m } = randomBook(9, { masters: false, coin: false, usdcLinear: false, isolatedAccounts: false });
    const params = { locations: { horizonHours: 1, at: { arbitrum: { haircut: 0.02, delayHours: 0.5 } } } };
    const engine = engines[0];
    const kept = cascadeTimings();
    const a = engine.stress(b, m, { spot: { BTC: -0.2 } }, { method: 'cross', params, timings: kept });
    expect(kept.fullRounds).toBe(kept.rounds);
    expect(firstDifference(a, engine.stress(b, m, { spot: { BTC: -0.2 } }, { method: 'cross', params, incremental: false }))).toBeNull();
  });
});
