/**
 * The `derive` method and profile through the engine: Derive's published cases mapped onto margin-core's book and
 * market (the requirement is the case's MtM minus its published margin, both from the case file), the same bits on
 * every backend, remargin equal to a fresh run, and bad params refused with paths.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, type Engine, InputError } from '../../src/index.js';
import { allEngines } from '../support/engines.js';
import { loadCases } from '../conformance/derive/support.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

const { cases } = loadCases();
const byId = (id: number) => cases.find((c) => c.id === id)!;
const VALUATION = '2026-01-01T00:00:00Z';
const at = (seconds: number) => new Date(Date.parse(VALUATION) + seconds * 1000).toISOString().replace('.000Z', 'Z');

/** Case `id` (options on one expiry, a perp, no balances) as a book, a market and derive params. */
function mapped(id: number) {
  const c = byId(id);
  const p = c.portfolio;
  const instruments: Record<string, unknown>[] = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }];
  const positions: Record<string, unknown>[] = [];
  const impliedVols: Record<string, number> = {};
  const expiries: Record<string, unknown> = {};
  for (const e of p.expiries) {
    expiries[at(e.secondsToExpiry)] = { forward: e.forward, rate: e.rate, forwardFixed: e.forwardFixed, forwardConfidence: e.forwardConfidence, rateConfidence: e.rateConfidence, volConfidence: e.volConfidence };
    e.options.forEach((o, k) => {
      const id = `X-${e.secondsToExpiry}-${o.strike}-${o.isCall ? 'C' : 'P'}-${k}`;
      instruments.push({ id, kind: 'option', underlying: 'X', right: o.isCall ? 'call' : 'put', strike: o.strike, expiry: at(e.secondsToExpiry) });
      positions.push({ instrument: id, quantity: o.amount, entryPrice: 0 });
      impliedVols[id] = o.vol;
    });
  }
  if (p.perp.position !== 0) positions.push({ instrument: 'X-PERP', quantity: p.perp.position, entryPrice: p.perp.price });
  const rate = p.expiries[0]?.rate ?? 0;
  return {
    book: { instruments, accounts: [{ id: 'a', positions, collateral: [{ asset: 'USDC', amount: 0 }] }] },
    market: {
      valuationTime: VALUATION,
      assets: { X: { price: p.spot.price, vol: 0.5, rate, carry: rate }, USDC: { price: 1, vol: 0 } },
      marks: { 'X-PERP': p.perp.price || p.spot.price },
      impliedVols,
      correlation: { assets: ['X'], matrix: [[1]] },
    },
    params: {
      derive: {
        ...c.params, stablePrice: p.stablePrice,
        feeds: { X: { spotConfidence: p.spot.confidence, perpConfidence: p.perp.confidence, expiries } },
      },
    },
  };
}

function margins(id: number) {
  const { book, market, params } = mapped(id);
  const reports = engines.map((e) => e.margin(book, market, { profile: 'derive', params, breakdown: true }).accounts[0]);
  for (const r of reports) expect([r.im, r.mm]).toEqual([reports[0].im, reports[0].mm]);
  return reports[0];
}

describe('derive method through the engine', () => {
  it('case 12, a naked short BTC call: IM requirement = published option MtM − published IM margin', () => {
    const c = byId(12);
    const r = margins(12);
    const requiredIm = c.expected.optionMtm - c.expected.im, requiredMm = c.expected.optionMtm - c.expected.mm;
    expect(Math.abs(r.im / requiredIm - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.mm / requiredMm - 1)).toBeLessThan(1e-9);
    expect(r.derive?.underlyings[0].underlying).toBe('X');
    expect(Math.abs((r.derive?.underlyings[0].optionMtm as number) / c.expected.optionMtm - 1)).toBeLessThan(1e-9);
  });

  it('case 29, a long perp (mark 3,100, spot 3,000) with 10 of unrealised funding: requirement = 10 − (−608)', () => {
    // Derive's MtM is the perp's unrealised cash (10); its published margins are −608 (IM) and −481.4 (MM)
    const r = margins(29);
    expect(r.im).toBeCloseTo(618, 9);
    expect(r.mm).toBeCloseTo(491.4, 9);
  });

  it('case 52, two expiries with discounting: requirement = published MtM − published margin', () => {
    const c = byId(52);
    const r = margins(52);
    expect(Math.abs(r.im / (c.expected.optionMtm - c.expected.im) - 1)).toBeLessThan(1e-9);
    expect(Math.abs(r.mm / (c.expected.optionMtm - c.expected.mm) - 1)).toBeLessThan(1e-9);
  });

  it('lists the profile with its sources', () => {
    const p = BUILT_IN_PROFILES.find((x) => x.name === 'derive');
    expect(p?.method).toBe('derive');
    expect(p?.sources.length).toBeGreaterThan(0);
  });

  it('refuses bad params with paths', () => {
    const { book, market } = mapped(12);
    const bad = (derive: unknown, path: string) => {
      try {
        engines[0].margin(book, market, { profile: 'derive', params: { derive } });
        expect.unreachable(`accepted ${JSON.stringify(derive)}`);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        expect((e as InputError).problems.map((p) => p.path)).toContain(path);
      }
    };
    bad({ scenarios: [{ spotShock: 1.1, vol: 'linear', dampening: 1 }] }, 'params.derive.scenarios[0].spotShock');
    bad({ scenarios: [{ spotShock: 1, vol: 'sideways', dampening: 1 }] }, 'params.derive.scenarios[0].vol');
    bad({ scenarios: [{ spotShock: -0.5, vol: 'up', dampening: 1 }] }, 'params.derive.scenarios[0].spotShock');
    bad({ margin: { imFactor: 0.2 } }, 'params.derive.margin.imFactor');
    bad({ margin: { mmFactor: 0.3 } }, 'params.derive.margin.mmFactor'); // PMRM_2's setMarginParams: mmFactor ≥ 0.5
    bad({ basis: { spotUp: 0.9 } }, 'params.derive.basis.spotUp');
    bad({ contingency: { confThreshold: 1.5 } }, 'params.derive.contingency.confThreshold');
    bad({ collateral: { USDC: { imHaircut: 0.7, mmHaircut: 0.5 } } }, 'params.derive.collateral.USDC.imHaircut');
    bad({ cashAsset: null, collateral: { USDC: { riskCancelling: 'DOGE' } } }, 'params.derive.collateral.USDC.riskCancelling');
    bad({ collateral: { USDC: { imHaircut: 0.1 } } }, 'params.derive.collateral.USDC'); // USDC is the cash asset
    bad({ cashAsset: 5 }, 'params.derive.cashAsset');
    bad({ feeds: { X: { expiries: { tomorrow: { forward: 1 } } } } }, 'params.derive.feeds.X.expiries.tomorrow');
    bad({ feeds: { X: { expiries: { '2026-01-10T04:47:32Z': { forward: 100, forwardFixed: 150 } } } } }, 'params.derive.feeds.X.expiries["2026-01-10T04:47:32Z"].forwardFixed');
    bad({ feeds: { X: { spotConfidence: 2 } } }, 'params.derive.feeds.X.spotConfidence');
    bad({ stablePrice: 0 }, 'params.derive.stablePrice');
    bad({ feeds: { X: { expiries: { '2026-01-10T04:47:32Z': { rate: Infinity } } } } }, 'params.derive.feeds.X.expiries["2026-01-10T04:47:32Z"].rate');
    bad({ volShok: {} }, 'params.derive.volShok');
  });

  it('refuses a feed keyed at an expiry the book does not trade (a mistyped key would drop its terms in silence)', () => {
    const { book, market, params } = mapped(12);
    const [held] = Object.keys(params.derive.feeds.X.expiries);
    const dayLater = new Date(Date.parse(held) + 86_400_000).toISOString().replace('.000Z', 'Z');
    const feeds = { X: { ...params.derive.feeds.X, expiries: { [dayLater]: { forwardConfidence: 0.5 } } } };
    try {
      engines[0].margin(book, market, { profile: 'derive', params: { derive: { ...params.derive, feeds } } });
      expect.unreachable('accepted a feed a day off');
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).problems).toEqual([{ path: `params.derive.feeds.X.expiries[${JSON.stringify(dayLater)}]`, message: `no option or future on X in the book expires then (its expiries: ${held}): the entry's terms would not be used` }]);
    }
    // keyed at the held expiry, written another way (milliseconds), it is that expiry's
    const same = held.replace('Z', '.000Z');
    expect(() => engines[0].margin(book, market, { profile: 'derive', params: { derive: { ...params.derive, feeds: { X: { expiries: { [same]: { forwardConfidence: 0.5 } } } } } } })).not.toThrow();
  });
});
