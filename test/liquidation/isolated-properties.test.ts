/**
 * Liquidation properties on random isolated books (fast-check): small books of X and Y perpetuals whose accounts
 * mix explicit allocations, pro-rata allocations and plain cross positions, cash deficits included, under isolated and
 * cross margin, both ADL policies, on js, wasm-scalar and wasm-simd; and generated books with coin-margined accounts
 * and explicit allocations. Money is conserved to 1e-9 of the money moved; nobody ends below zero; an account solvent
 * before the run gives ADL at most its position's profit (and under isolated margin its position's own equity), and
 * the rest of its account is untouched; a second run on the same market finds nothing to do but what the first left
 * (accounts still being liquidated, counterparties ADL left below MM); and a close is the smallest restoring size,
 * against the closed-form root of a one-position account.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Engine, generateSample, type LiquidationReport } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { coverageFloor, propertyRuns } from '../support/property-runs.js';
import { liquidateSession } from '../../src/liquidation/liquidate-session.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const XY = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }, { id: 'Y-PERP', kind: 'perpetual', underlying: 'Y' }];
/** X tiered (5% MM up to 2,000 of notional, then 10%: a breakpoint of the sizing search), Y 5% at every size. */
const RULES = { linear: { X: [{ upTo: 2_000, imRate: 0.1, mmRate: 0.05 }, { imRate: 0.2, mmRate: 0.1 }], Y: [{ imRate: 0.1, mmRate: 0.05 }] } };
const MARKET = {
  valuationTime: '2026-11-20T08:00:00Z',
  assets: { X: { price: 100, vol: 0.5 }, Y: { price: 20, vol: 0.8 }, USDC: { price: 1, vol: 0 } },
  correlation: { assets: ['X', 'Y'], matrix: [[1, 0.5], [0.5, 1]] },
};
const BELOW_MM = new Set(['liquidatable', 'bankrupt']);

const position = (instrument: string) => fc.record({
  instrument: fc.constant(instrument),
  quantity: fc.double({ min: -40, max: 40, noNaN: true }).filter((q) => Math.abs(q) > 0.01),
  entryMove: fc.double({ min: -0.25, max: 0.25, noNaN: true }),
  allocation: fc.option(fc.double({ min: 0, max: 600, noNaN: true }), { nil: undefined }),
});
const account = fc.record({
  usdc: fc.double({ min: 0, max: 2_000, noNaN: true }),
  cash: fc.oneof(fc.constant(0), fc.double({ min: -400, max: 200, noNaN: true })),
  x: fc.option(position('X-PERP'), { nil: undefined }),
  y: fc.option(position('Y-PERP'), { nil: undefined }),
});
const liquidationParams = fc.record({
  adl: fc.constantFrom('queue', 'pro-rata'),
  insuranceFund: fc.record({ balanceUsd: fc.constantFrom(0, 50, 1e6) }),
  feeRate: fc.constantFrom(0, 0.005, 0.02),
  maxFractionPerStep: fc.constantFrom(0.25, 1),
  smallShortfallUsd: fc.constantFrom(0, 50),
  slippage: fc.constantFrom({ default: { model: 'none' } }, { default: { model: 'linear', pricePerUnit: 0.3 } }, { default: { model: 'sqrt', y: 1, advUsd: 1e5 } }),
});

/** A random book of `accounts` accounts: each with USDC, maybe cash, an X and a Y position, each maybe with its own allocation. */
function bookOf(accounts: fc.Arbitrary<unknown>[] | readonly { usdc: number; cash: number; x?: PositionSpec; y?: PositionSpec }[]) {
  const price: Record<string, number> = { 'X-PERP': 100, 'Y-PERP': 20 };
  return {
    instruments: XY,
    accounts: (accounts as { usdc: number; cash: number; x?: PositionSpec; y?: PositionSpec }[]).map((a, k) => ({
      id: `a${String(k).padStart(2, '0')}`, cashUsd: a.cash, collateral: [{ asset: 'USDC', amount: a.usdc }],
      positions: [a.x, a.y].filter((p): p is PositionSpec => p !== undefined).map((p) => ({
        instrument: p.instrument, quantity: p.quantity, entryPrice: price[p.instrument] * (1 + p.entryMove), ...(p.allocation === undefined ? {} : { isolatedMargin: p.allocation }),
      })),
    })),
  };
}
interface PositionSpec { instrument: string; quantity: number; entryMove: number; allocation?: number }

/** Σ (max(equity after, 0) − equity before) + fees + fund change + slippage − uncovered, from the report. */
function identity(r: LiquidationReport): number {
  const t = r.totals;
  return r.accounts.reduce((n, a) => n + Math.max(0, a.after.equity) - a.before.equity, 0) + t.feesToLiquidators + (t.fundEnd - t.fundStart) + t.marketSlippage - t.uncovered;
}

/** The run's scale: closed and ADL notional, the fund, the equities before. */
function scaleOf(r: LiquidationReport): number {
  const t = r.totals;
  return t.closedNotional + t.adlNotional + t.fundStart + r.accounts.reduce((n, a) => n + Math.abs(a.before.equity), 0) + 1;
}

type MarginRow = { id: string; equity: number; positions?: { instrument: string; quantity: number; markToMarket: number; allocated?: number }[] };

/** Checks one run of `book` on a session: money, ADL's caps, the rest of a deleveraged account, and a second run. */
function checkRun(engine: Engine, book: unknown, market: unknown, method: string, options: Record<string, unknown>, label: string): LiquidationReport {
  const coin = new Set(((book as { accounts: { id: string; marginCurrency?: string }[] }).accounts).filter((a) => a.marginCurrency !== undefined).map((a) => a.id));
  const session = engine.openBook(book);
  const { liquidation: _liquidation, ...marginOptions } = options; // a margin run takes no liquidation option
  const margin = (breakdown: boolean) => session.margin(market, { method, ...marginOptions, breakdown }).accounts as unknown as MarginRow[];
  const before = new Map(margin(true).map((a) => [a.id, a]));
  const r = liquidateSession(session, market, { method, ...options });
  const after = new Map(margin(true).map((a) => [a.id, a]));
  const again = liquidateSession(session, market, { method, ...options });
  session.release();
  const t = r.totals, scale = scaleOf(r);
  expect(Math.abs(t.conservationResidual), `${label} residual`).toBeLessThan(1e-9 * scale);
  expect(t.fundEnd, `${label} fund below zero`).toBeGreaterThanOrEqual(0);
  // recomputed from the report where every equity is USD (a coin account's is in its coin: the run's residual converts it)
  if (!r.accounts.some((a) => coin.has(a.id))) expect(Math.abs(identity(r)), `${label} identity`).toBeLessThan(1e-9 * scale);
  for (const a of r.accounts) expect(a.after.equity, `${label} ${a.id} below zero`).toBeGreaterThanOrEqual(-1e-9 * scale);
  // resolved is back to the target (or closed out with the deficit covered): never bankrupt by a rounding below zero
  for (const a of r.accounts.filter((x) => x.state === 'resolved')) {
    expect(a.after.status, `${label} ${a.id}: resolved but bankrupt`).not.toBe('bankrupt');
    expect(a.after.equity, `${label} ${a.id}: resolved below zero`).toBeGreaterThanOrEqual(0);
  }
  // a counterparty ADL took from keeps what it had before the fills less their cost: never below zero, not even by a
  // rounding, nor any of its positions (under isolated margin, each one's own equity)
  for (const a of r.accounts.filter((x) => x.state === 'deleveraged')) {
    expect(a.after.status, `${label} ${a.id}: deleveraged into bankruptcy`).not.toBe('bankrupt');
    expect(a.after.equity, `${label} ${a.id}: deleveraged below zero`).toBeGreaterThanOrEqual(0);
  }
  // ADL: per (account, instrument), what the fills cost is at most the position's profit at the start, and under
  // isolated margin its own equity; the rest of a deleveraged account is as it was
  const cost = new Map<string, number>();
  for (const f of r.adl) cost.set(`${f.account} ${f.instrument}`, (cost.get(`${f.account} ${f.instrument}`) ?? 0) + f.haircut);
  for (const [key, haircut] of cost) {
    const [id, instrument] = key.split(' ');
    const p = before.get(id)!.positions!.find((x) => x.instrument === instrument)!;
    expect(haircut, `${label} ${key}: ADL beyond the position's profit`).toBeLessThanOrEqual(Math.max(0, p.markToMarket) + 1e-9 * scale);
    if (method === 'isolated') expect(haircut, `${label} ${key}: beyond the position's equity`).toBeLessThanOrEqual((p.allocated ?? 0) + p.markToMarket + 1e-9 * scale);
  }
  if (method === 'isolated') {
    const rest = (row: MarginRow) => row.equity - (row.positions ?? []).reduce((n, p) => n + (p.allocated ?? 0) + p.markToMarket, 0);
    for (const a of r.accounts.filter((x) => x.state === 'deleveraged')) {
      // ADL takes nothing from the rest; a position it took whole gives the rest what it had left (its equity before
      // less what its fills cost), as a fill closing it would (live-margin.md)
      let returned = 0;
      for (const p of before.get(a.id)!.positions ?? []) {
        const now = after.get(a.id)!.positions?.find((x) => x.instrument === p.instrument);
        if (p.quantity !== 0 && (now?.quantity ?? 0) === 0) returned += (p.allocated ?? 0) + p.markToMarket - (cost.get(`${a.id} ${p.instrument}`) ?? 0);
      }
      expect(rest(after.get(a.id)!), `${label} ${a.id}: ADL reached the rest of the account`).toBeCloseTo(rest(before.get(a.id)!) + returned, 6);
    }
  }
  // a second run has nothing to do but what the first left (accounts still being liquidated, counterparties ADL left
  // below MM): any other account it lists (a figure within rounding of a status edge) is neither closed nor paid for
  const first = new Map(r.accounts.map((a) => [a.id, a]));
  for (const a of again.accounts) {
    if (a.state === 'deleveraged') continue;
    const was = first.get(a.id);
    if (was !== undefined && (was.state === 'being_liquidated' || (was.state === 'deleveraged' && BELOW_MM.has(was.after.status)))) continue;
    const w = a.waterfall, moved = Math.abs(w.insuranceFund) + Math.abs(w.writtenOff) + Math.abs(w.adl) + Math.abs(w.fees);
    expect([a.steps.length, moved < 1e-9 * scale], `${label} ${a.id}: liquidated again (${was?.state ?? 'untouched'} → ${a.state})`).toEqual([0, true]);
  }
  return r;
}

describe('liquidation properties on isolated books', () => {
  it('random isolated and cross books: conserved, nobody below zero, ADL within the position\'s profit, a second run has nothing new', () => {
    let adl = 0, written = 0;
    fc.assert(
      fc.property(fc.array(account, { minLength: 2, maxLength: 6 }), liquidationParams, (accounts, liquidation) => {
        const book = bookOf(accounts);
        for (const method of ['isolated', 'cross']) {
          const reports = engines.map((e) => checkRun(e, book, MARKET, method, { params: RULES, liquidation }, `${method} ${e.backend}`));
          const text = (r: LiquidationReport) => JSON.stringify({ ...r, backend: '' });
          for (const r of reports) expect(text(r), `${method}: backends disagree`).toBe(text(reports[0]));
          if (reports[0].adl.length > 0) adl++;
          if (reports[0].totals.uncovered > 0) written++;
        }
      }),
      propertyRuns(40),
    );
    expect(adl).toBeGreaterThanOrEqual(coverageFloor(1, 40));
    expect(written).toBeGreaterThanOrEqual(coverageFloor(1, 40));
  });

  it('generated books with coin-margined accounts and explicit allocations, shocked: the same properties, both ADL policies', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.double({ min: -0.3, max: 0.15, noNaN: true }), fc.constantFrom('queue', 'pro-rata'), (seed, shock, adl) => {
        const { book, market } = generateSample({ accounts: 30, seed, coinAccounts: 3 });
        // every other USD account's linear positions get an explicit allocation: a fifth of its USDC
        let k = 0;
        for (const a of book.accounts as { collateral?: { asset: string; amount: number }[]; positions?: { instrument: string; isolatedMargin?: number }[]; marginCurrency?: string }[]) {
          const usdc = (a.collateral ?? []).find((c) => c.asset === 'USDC')?.amount ?? 0;
          if (a.marginCurrency !== undefined || usdc <= 0 || k++ % 2 === 1) continue;
          for (const p of a.positions ?? []) if (/PERP$/.test(p.instrument)) p.isolatedMargin = usdc / 5;
        }
        const m = structuredClone(market);
        for (const [symbol, asset] of Object.entries(m.assets)) if (asset.vol > 0) asset.price *= 1 + shock * (symbol === 'BTC' ? 1 : 1.3);
        for (const id of Object.keys(m.marks ?? {})) m.marks![id] *= 1 + shock;
        expect(book.accounts.some((a) => (a as { marginCurrency?: string }).marginCurrency !== undefined)).toBe(true); // coin accounts in the book
        for (const method of ['isolated', 'cross']) checkRun(engines[0], book, m, method, { liquidation: { adl, insuranceFund: { balanceUsd: 10_000 } } }, `${method} seed ${seed}`);
      }),
      propertyRuns(6),
    );
  });

  it('a one-position account closes the smallest restoring size: the closed-form root of its slack', () => {
    let checked = 0;
    // long Q X entered at the mark 100, equity E behind it, MM 5% below 2,000 of notional (kept below), fee f, linear
    // depth p, buffer 2%, no cap: closing q costs (p/2)q² and S(q) = max(A, min(S₀, S₂)), with S₀ = E − (p/2)q² −
    // 1.02·5·(Q − q), A = S₀ − 100fq, S₂ = S₀ − (E·q/Q − (p/2)q²) (smallest-root.ts). Each is a quadratic or a line:
    // the first q with S ≥ 0 is one of their roots, found in closed form here.
    fc.assert(
      fc.property(fc.double({ min: 1, max: 19, noNaN: true }), fc.double({ min: 0.2, max: 0.97, noNaN: true }), fc.constantFrom(0, 0.005, 0.03, 0.06), fc.oneof(fc.constant(0), fc.double({ min: 0.01, max: 10, noNaN: true })), fc.boolean(),
        (Q, depth, f, pRaw, isolated) => {
          const c = 5.1, p = Math.min(pRaw, 190 / Q); // the fill stays above 0
          const E = depth * c * Q; // below MM (5·Q): S(0) = E − 1.02·MM < 0
          const S0 = (q: number) => E - (p / 2) * q * q - c * (Q - q);
          const A = (q: number) => S0(q) - 100 * f * q;
          const S2 = (q: number) => S0(q) - (E * q / Q - (p / 2) * q * q);
          const S = (q: number) => Math.max(A(q), Math.min(S0(q), S2(q)));
          const quadRoots = (a2: number, a1: number, a0: number) => {
            if (a2 === 0) return a1 !== 0 ? [-a0 / a1] : [];
            const d = a1 * a1 - 4 * a2 * a0;
            return d < 0 ? [] : [(-a1 - Math.sqrt(d)) / (2 * a2), (-a1 + Math.sqrt(d)) / (2 * a2)];
          };
          // S₀ = −(p/2)q² + c·q + (E − cQ); A: the same less 100f·q; S₂ = (E − cQ) + (c − E/Q)·q
          const candidates = [...quadRoots(-p / 2, c, E - c * Q), ...quadRoots(-p / 2, c - 100 * f, E - c * Q), ...quadRoots(0, c - E / Q, E - c * Q), Q].filter((x) => x > 0 && x <= Q);
          const tol = 1e-9 * (100 * Q + E + 1);
          const reference = Math.min(...candidates.filter((x) => S(x) >= -tol));
          const b = { instruments: XY, accounts: [{ id: 'L', collateral: [{ asset: 'USDC', amount: E }], positions: [{ instrument: 'X-PERP', quantity: Q, entryPrice: 100, ...(isolated ? { isolatedMargin: E } : {}) }] }] };
          const liquidation = { feeRate: f, maxFractionPerStep: 1, smallShortfallUsd: 0, slippage: { default: p > 0 ? { model: 'linear', pricePerUnit: p } : { model: 'none' } } };
          const r = engines[0].liquidate(b, MARKET, { method: isolated ? 'isolated' : 'cross', params: RULES, liquidation });
          const step = r.accounts[0].steps[0];
          if (!(reference < Q)) return; // no partial close restores: the whole holding, by another rule
          // a root within rounding of a maximum below 0 is no root: S must rise clearly above 0 past it
          if (!candidates.filter((x) => x > reference).some((x) => S((x + reference) / 2) > 100 * tol)) return;
          const slope = Math.abs(S(reference + 1e-6) - S(reference - 1e-6)) / 2e-6;
          if (!(slope > 1e-3)) return; // a tangent root: the size is not determined by the tolerance
          expect(step.quantity).toBeGreaterThan(0);
          expect(Math.abs(step.quantity - reference), `reference ${reference}, S′ ${slope}`).toBeLessThanOrEqual(2 * tol / slope + 1e-12 * Q);
          expect(step.routes.market).toBe(step.quantity);
          checked++;
        }),
      propertyRuns(150),
    );
    expect(checked).toBeGreaterThanOrEqual(coverageFloor(21, 150)); // most cases have a partial root
  });
});
