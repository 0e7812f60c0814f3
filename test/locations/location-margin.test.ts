/**
 * Collateral by location, hand-computed from the rule in src/locations/adjust.ts. The book: 1 BTC at 100,000 USD
 * held at a location, short 0.5 BTC-PERP at entry 100,000 (mark 100,000: no P&L). Default rule-based params: BTC
 * collateral haircut 5% for IM and 2.5% for MM (first bracket, ≤ 5M USD), so before the location w_IM = 95,000 and
 * w_MM = 97,500; the perp's notional 50,000 is in the first bracket: IM = 0.8% × 50,000 = 400, MM = 0.4% = 200.
 */
import { describe, expect, it } from 'vitest';
import { allEngines } from '../support/engines.js';
import { INSTRUMENTS, market } from '../support/margin-books.js';
import { expectOneProblem, problemLines } from '../support/problems.js';

const engines = await allEngines();

function located(location?: string) {
  const balance = location === undefined ? { asset: 'BTC', amount: 1 } : { asset: 'BTC', amount: 1, location };
  return {
    instruments: INSTRUMENTS,
    accounts: [
      { id: 'a', positions: [{ instrument: 'BTC-PERP', quantity: -0.5, entryPrice: 100_000 }], collateral: [balance] },
      { id: 'home', collateral: [{ asset: 'USDC', amount: 1_000 }] },
    ],
  };
}

const LOCATIONS = {
  horizonHours: 1,
  at: { arbitrum: { haircut: 0.02, delayHours: 0.5 }, ethereum: { haircut: 0, delayHours: 2 } },
};

describe.each(engines.map((e) => [e.backend, e] as const))('collateral by location (%s)', (_name, engine) => {
  it('takes the location haircut on IM and MM when the collateral arrives within the horizon', () => {
    const r = engine.margin(located('arbitrum'), market(), { params: { locations: LOCATIONS } }).accounts[0];
    expect(r.equityIm).toBeCloseTo(95_000 * 0.98, 9); // 93,100
    expect(r.equityMm).toBeCloseTo(97_500 * 0.98, 9); // 95,550
    expect(r.im).toBeCloseTo(400, 9);
    expect(r.mm).toBeCloseTo(200, 9);
    expect(r.equity).toBe(100_000); // what the account owns does not change, only what it counts for
    expect(r.status).toBe('healthy');
  });

  it('counts late collateral for IM but not MM under exclude-mm (the default rule)', () => {
    const r = engine.margin(located('ethereum'), market(), { params: { locations: LOCATIONS } }).accounts[0];
    expect(r.equityIm).toBeCloseTo(95_000, 9);
    expect(r.equityMm).toBeCloseTo(0, 9);
    expect(r.status).toBe('liquidatable'); // 0 ≤ equityMm < MM = 200
  });

  it('haircuts late collateral by σ·√delay for MM under the haircut rule', () => {
    const params = { locations: { ...LOCATIONS, delayRule: 'haircut' } };
    const r = engine.margin(located('ethereum'), market(), { params }).accounts[0];
    // σ_BTC = 0.5 a year, delay 2 hours = 2 / 8760 years: 0.5 · √(2/8760) = 0.0075550
    expect(r.equityMm).toBeCloseTo(97_500 * (1 - 0.5 * Math.sqrt(2 / 8760)), 8);
    expect(r.equityMm).toBeCloseTo(96_763.39, 2); // by hand: √(2/8760) = 0.015110, × 0.5 × 97,500 = 736.61
    expect(r.equityIm).toBeCloseTo(95_000, 9);
  });

  it('counts collateral at a frozen location for neither IM nor MM', () => {
    const r = engine.margin(located('arbitrum'), market(), { params: { locations: LOCATIONS }, frozenLocations: ['arbitrum'] }).accounts[0];
    expect(r.equityIm).toBe(0);
    expect(r.equityMm).toBe(0);
    expect(r.status).toBe('liquidatable');
  });

  it('leaves a book without locations bit for bit as before', () => {
    const plain = engine.margin(located(), market());
    const withParams = engine.margin(located(), market(), { params: { locations: LOCATIONS } });
    expect(withParams).toEqual(plain);
  });

  it('keeps the adjustment through the portfolio and var methods', () => {
    for (const method of ['portfolio', 'var'] as const) {
      const home = engine.margin(located(), market(), { method }).accounts[0];
      const away = engine.margin(located('arbitrum'), market(), { method, params: { locations: LOCATIONS } }).accounts[0];
      expect(away.im).toBe(home.im); // where collateral sits changes no requirement (its delta exposure stays)
      expect(away.equityIm).toBeCloseTo(home.equityIm - 95_000 * 0.02, 8);
      expect(away.equityMm).toBeCloseTo(home.equityMm - 97_500 * 0.02, 8);
    }
  });
});

describe('location validation', () => {
  const engine = engines[0];
  it('rejects a balance at a location params.locations does not list, with its path', () => {
    expectOneProblem(() => engine.margin(located('solana'), market(), { params: { locations: LOCATIONS } }), 'accounts[0].collateral[0].location', /unknown location "solana".*"arbitrum", "ethereum"/);
    expectOneProblem(() => engine.margin(located('arbitrum'), market()), 'accounts[0].collateral[0].location', /unknown location "arbitrum".*lists none/);
  });

  it('rejects negative delays, haircuts outside [0, 1), bad rules and frozen locations that do not exist', () => {
    const bad = { horizonHours: -1, delayRule: 'sometimes', at: { x: { haircut: 1, delayHours: -2 }, y: 3, z: {}, w: { delayHours: 5 } } };
    expect(problemLines(() => engine.margin(located(), market(), { params: { locations: bad } }))).toEqual([
      'params.locations.horizonHours: -1 is below 0',
      'params.locations.delayRule: expected "exclude-mm" or "haircut", got "sometimes"',
      'params.locations.at.x.haircut: 1 is not below 1',
      'params.locations.at.x.delayHours: -2 is below 0',
      'params.locations.at.y: expected { haircut, delayHours }, got 3',
      // a field left out is not a 0: a location without its haircut or delay would count at home
      'params.locations.at.z.haircut: missing (expected a finite number)',
      'params.locations.at.z.delayHours: missing (expected a finite number)',
      'params.locations.at.w.haircut: missing (expected a finite number)',
    ]);
    expectOneProblem(() => engine.margin(located(), market(), { params: { locations: LOCATIONS }, frozenLocations: ['base'] }), 'frozenLocations[0]', /unknown location "base"/);
  });

  it('rejects a location under isolated margin, which allocates collateral inside the kernel', () => {
    expectOneProblem(() => engine.margin(located('arbitrum'), market(), { method: 'isolated', params: { locations: LOCATIONS } }), 'accounts[0].collateral[0].location', /isolated margin cannot value collateral by location/);
  });

  it('refuses a location under isolated margin only for an account isolated margin margins: another account\'s located balance is margined by its own method', () => {
    // "home" margined by isolated (its own method), "a" (cross) holding BTC on arbitrum: the book had been refused at
    // accounts[0] for the isolated run's sake, which keeps only "home"'s row
    const withMethod = (book: ReturnType<typeof located>, k: number) => ({ ...book, accounts: book.accounts.map((a, i) => (i === k ? { ...a, method: 'isolated' } : a)) });
    const mixed = withMethod(located('arbitrum'), 1);
    const report = engine.margin(mixed, market(), { method: 'cross', params: { locations: LOCATIONS } });
    const alone = engine.margin(located('arbitrum'), market(), { method: 'cross', params: { locations: LOCATIONS } });
    expect(JSON.stringify(report.accounts[0])).toBe(JSON.stringify(alone.accounts[0])); // "a" valued with its location
    expect(report.accounts[1].status).toBe('healthy');
    // the isolated account holding the located balance is still refused, at its own path
    const own = withMethod(located('arbitrum'), 0);
    expectOneProblem(() => engine.margin(own, market(), { method: 'cross', params: { locations: LOCATIONS } }), 'accounts[0].collateral[0].location', /isolated margin cannot value collateral by location/);
  });

  it('rejects a location that is not a string', () => {
    expectOneProblem(() => engine.margin({ ...located(), accounts: [{ id: 'a', collateral: [{ asset: 'BTC', amount: 1, location: 7 }] }] }, market()), 'accounts[0].collateral[0].location', /location name/);
  });
});

describe('a bridge halt in a stress shock', () => {
  const engine = engines[0];
  // 'a' holds its only collateral, 1 BTC, on arbitrum; the shock moves no price, it only freezes arbitrum
  const options = { method: 'cross', params: { locations: LOCATIONS } };

  it('liquidates the account whose collateral sits at the frozen location, and no other', () => {
    const frozen = engine.stress(located('arbitrum'), market(), { freezeLocations: ['arbitrum'] }, options);
    expect(frozen.shock.steps).toEqual(['arbitrum frozen']);
    expect(frozen.cascades[0].metrics.accountsLiquidated).toBe(1);
    // the short is bought back (BTC bought); the frozen BTC is never sold
    expect(frozen.cascades[0].rounds[0].flowUnits.BTC).toBeGreaterThan(0);
    const elsewhere = engine.stress(located('ethereum'), market(), { freezeLocations: ['arbitrum'], spot: { BTC: 0 } }, { ...options, params: { locations: { ...LOCATIONS, horizonHours: 3 } } });
    expect(elsewhere.cascades[0].metrics.accountsLiquidated).toBe(0);
  });

  it('rejects a frozen location that is not a name', () => {
    expectOneProblem(() => engine.stress(located('arbitrum'), market(), { freezeLocations: [3] }, options), 'shock.freezeLocations[0]', /location name/);
  });
});

describe.each(engines.map((e) => [e.backend, e] as const))('locations through liquidation and live margin (%s)', (_name, engine) => {
  const params = { locations: LOCATIONS };

  it('liquidates an account whose collateral cannot arrive within the horizon, and not the same account at home', () => {
    const late = engine.liquidate(located('ethereum'), market(), { method: 'cross', params });
    expect(late.accounts.map((a) => a.id)).toEqual(['a']);
    expect(late.accounts[0].before.equityMm).toBeCloseTo(0, 9); // the 1 BTC counts for nothing at MM
    expect(engine.liquidate(located(), market(), { method: 'cross', params }).accounts).toEqual([]);
  });

  it('never sells collateral it cannot reach within the horizon: late or frozen, it closes the position instead', () => {
    // 'a' counts nothing of its 1 BTC for MM (0 against MM 200): selling that BTC would have restored it with money a
    // liquidator cannot reach in the horizon (docs/locations.md). The short 0.5 BTC-PERP is bought back instead; the
    // BTC stays where it is (1 BTC: 100,000 of equity), and the close's slippage and fee are a USD debt that nothing
    // reachable covers: the account stays being liquidated, below its MM of 0 by what the close cost
    for (const [location, frozenLocations] of [['ethereum', []], ['arbitrum', ['arbitrum']]] as const) {
      const r = engine.liquidate(located(location), market(), { method: 'cross', params, frozenLocations: [...frozenLocations] });
      const [a] = r.accounts;
      expect(a.steps.map((s) => [s.kind, s.id])).toEqual(a.steps.map(() => ['position', 'BTC-PERP']));
      expect(a.steps.reduce((n, s) => n + s.quantity, 0)).toBeCloseTo(-0.5, 12);
      const cost = a.waterfall.slippage + a.waterfall.fees;
      expect(cost).toBeGreaterThan(0);
      expect([a.state, a.after.mm]).toEqual(['being_liquidated', 0]);
      expect(a.after.equityMm).toBeCloseTo(-cost, 9);
      expect(a.after.equity).toBeCloseTo(100_000 - cost, 9);
    }
  });

  it('answers what-ifs with the location applied, as a fresh run of the changed book would', () => {
    const live = engine.live(located('arbitrum'), market(), { method: 'cross', params });
    try {
      const w = live.whatIf('a', [{ instrument: 'BTC-PERP', quantity: -0.5 }]);
      const changed = located('arbitrum');
      (changed.accounts[0].positions as { quantity: number }[])[0].quantity = -1;
      const fresh = engine.margin(changed, market(), { method: 'cross', params }).accounts[0];
      expect(w.before.equityIm).toBeCloseTo(93_100, 9);
      expect(w.after.equityIm).toBe(fresh.equityIm);
      expect(w.after.equityMm).toBe(fresh.equityMm);
      expect(w.after.im).toBe(fresh.im);
      live.applyFills([{ account: 'a', instrument: 'BTC-PERP', quantity: -0.5, price: 100_000 }]);
      expect(live.account('a').equityMm).toBe(fresh.equityMm);
    } finally {
      live.release();
    }
  });
});

describe('a backtest of a book with located collateral', () => {
  it('runs with params.locations and gives the unlocated book\'s series: IM reads positions, the loss equity, and a location changes neither', async () => {
    // a location weighs a balance for IM and MM, never its value in equity (above): the realised loss and the
    // requirement are the same as with the balance at home
    const { syntheticHistoryFor } = await import('../../src/dynamic/synthetic-history.js');
    const history = syntheticHistoryFor(market(), { days: 120, seed: 3 });
    for (const engine of engines) {
      const atHome = engine.backtest(located(), market(), history, { method: 'cross', warmupDays: 30 });
      const away = engine.backtest(located('arbitrum'), market(), history, { method: 'cross', warmupDays: 30, params: { locations: LOCATIONS } });
      expect(away.accounts).toBe(1); // 'home' holds no position: nothing to test
      expect(JSON.stringify(away.series)).toBe(JSON.stringify(atHome.series));
    }
  });
});
