/**
 * Options at expiry and at the top of the vol domain, on every backend (JS twin, WASM scalar, WASM SIMD).
 *
 * At expiry (T = 0, an option expiring at the valuation time; src/model/greeks-types.ts states the convention): price
 * max(w·(S − K), 0) with no discounting left, delta w in the money, w/2 at the money, 0 out of it, and gamma, vega,
 * theta, rho 0. The expected numbers are the payoff itself, by hand.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../src/index.js';
import { GREEKS_LIMITS } from '../src/greeks/index.js';
import { jsScenario, KIND_OPTION, type RiskArrayInput, type ScenarioKernels, wasmScenario } from '../src/kernels/scenario.js';
import { WasmKernels } from '../src/kernels/wasm/instance.js';
import { allEngines, type OptionSpec, toInput } from './support/engines.js';
import { smallBook, smallMarket } from './model/fixtures.js';

let engines: Engine[];
let scenario: ScenarioKernels[];
beforeAll(async () => {
  engines = await allEngines();
  scenario = [jsScenario(), wasmScenario(await WasmKernels.create('scalar')), wasmScenario(await WasmKernels.create('simd'))];
});

const bits = (a: Float64Array): string[] => Array.from(a, (x) => (Object.is(x, -0) ? '-0' : String(x)));

describe('at expiry (T = 0)', () => {
  // strike 100; rate 5% and carry 2% do not enter at T = 0
  const at = (isCall: boolean, spot: number): OptionSpec => ({ isCall, spot, strike: 100, expiryYears: 0, vol: 0.8, rate: 0.05, carry: 0.02 });
  const rows = [at(true, 103), at(true, 100), at(true, 97), at(false, 103), at(false, 100), at(false, 97)];

  test('price is the payoff and delta a step with ½ at the money; gamma, vega, theta, rho are 0', () => {
    for (const engine of engines) {
      const g = engine.greeks(toInput(rows));
      expect(Array.from(g.price)).toEqual([3, 0, 0, 0, 0, 3]);
      expect(Array.from(g.delta, (x) => x + 0)).toEqual([1, 0.5, 0, 0, -0.5, -1]);
      for (const f of ['gamma', 'vega', 'theta', 'rho'] as const) expect(Array.from(g[f], (x) => x + 0), f).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });

  test('the step is sharp: one ulp either side of the strike is fully in or out of the money, at any vol', () => {
    const near = [100 * (1 + 2 ** -52), 100 * (1 - 2 ** -53)];
    for (const vol of [0, 0.5, GREEKS_LIMITS.volMax]) {
      const input = toInput(near.flatMap((spot) => [{ ...at(true, spot), vol }, { ...at(false, spot), vol }]));
      const all = engines.map((e) => e.greeks(input));
      for (const g of all) expect(Array.from(g.delta, (x) => x + 0)).toEqual([1, 0, 0, -1]);
      for (const g of all.slice(1)) expect(bits(g.price)).toEqual(bits(all[0].price));
    }
  });

  test('the risk-array kernel revalues an expired option at the payoff of each shocked price, whatever the vol shock', () => {
    // call K 100 on spot 103, base value 3: moves −10%, −3%, 0, +5% → payoffs 0, 0 (99.91 < 100), 3, 8.15
    const input: RiskArrayInput = {
      kind: Uint8Array.of(KIND_OPTION), underlying: Int32Array.of(0), isCall: Uint8Array.of(1), strike: Float64Array.of(100),
      expiryYears: Float64Array.of(0), vol: Float64Array.of(GREEKS_LIMITS.volMax), volScale: Float64Array.of(1), baseValue: Float64Array.of(3),
      spot: Float64Array.of(103), rate: Float64Array.of(0.05), carry: Float64Array.of(0.02), volFloor: Float64Array.of(0),
      spotMove: Float64Array.of(-0.1, -0.03, 0, 0.05), volShock: Float64Array.of(0.5, -0.5, 0.5, -0.9),
    };
    const out = scenario.map((k) => k.riskArrays(input, 4));
    for (const r of out) {
      expect(r[0]).toBe(-3);
      expect(r[1]).toBe(-3);
      expect(r[2]).toBe(0);
      expect(r[3]).toBeCloseTo(103 * 1.05 - 100 - 3, 12);
    }
    for (const r of out.slice(1)) expect(bits(r)).toEqual(bits(out[0]));
  });

  test('a book holding an option that expires at the valuation time is margined: the option is marked at its payoff', () => {
    const market = smallMarket();
    market.valuationTime = '2026-11-27T08:00:00Z'; // the BTC 100,000 call's expiry
    market.assets.BTC.price = 103_000;
    for (const method of ['cross', 'portfolio', 'var', 'span', 'derive'] as const) {
      const rows = engines.map((e) => e.margin(smallBook(), market, { method, breakdown: true }).accounts[0]);
      for (const r of rows) {
        // alice is short 2 calls: −2 × (103,000 − 100,000)
        expect(r.positions?.find((p) => p.instrument === 'BTC-27NOV26-100000-C')?.markToMarket, method).toBe(-6000);
        expect(Number.isFinite(r.im) && Number.isFinite(r.mm), method).toBe(true);
        expect([r.im, r.mm]).toEqual([rows[0].im, rows[0].mm]);
      }
    }
  });
});

describe(`implied vols up to the bound (${GREEKS_LIMITS.volMax}, ${GREEKS_LIMITS.volMax * 100}%)`, () => {
  test('price and Greeks stay finite and within their no-arbitrage bounds, the same bits on every backend', () => {
    const rows: OptionSpec[] = [];
    for (const expiryYears of [1e-6, 1 / 365, 0.25, 1, GREEKS_LIMITS.expiryYearsMax]) {
      for (const strike of [1e-3, 50, 100, 200, 1e5]) {
        for (const isCall of [true, false]) rows.push({ isCall, spot: 100, strike, expiryYears, vol: GREEKS_LIMITS.volMax, rate: 0.05, carry: 0.01 });
      }
    }
    const input = toInput(rows);
    const all = engines.map((e) => e.greeks(input));
    rows.forEach((o, i) => {
      const g = all[0];
      const sq = o.spot * Math.exp(-(o.carry ?? 0) * o.expiryYears), kr = o.strike * Math.exp(-o.rate * o.expiryYears);
      for (const f of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(Number.isFinite(g[f][i]), `${f} ${JSON.stringify(o)}`).toBe(true);
      // a call is worth at most the discounted spot, a put at most the discounted strike
      expect(g.price[i]).toBeLessThanOrEqual((o.isCall ? sq : kr) * (1 + 1e-12));
      expect(g.price[i]).toBeGreaterThanOrEqual(0);
    });
    for (const g of all.slice(1)) for (const f of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) expect(bits(g[f]), f).toEqual(bits(all[0][f]));
  });
});
