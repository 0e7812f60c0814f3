import { beforeAll, describe, expect, test } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { KIND_LINEAR, KIND_OPTION, type RiskArrayInput, type ScenarioKernels } from '../../src/kernels/scenario.js';
import { bsmRef } from '../reference/decimal-bsm.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, randomRiskInput, scenarioBackends } from './support.js';

let backends: ScenarioKernels[];
let js: Engine;
beforeAll(async () => {
  backends = await scenarioBackends();
  js = await createEngine({ backend: 'js' });
});

/** One option on one underlying, with explicit per-scenario moves and shocks. */
function oneOption(o: { isCall: boolean; spot: number; strike: number; t: number; vol: number; r?: number; q?: number; volScale?: number; floor?: number; base?: number }, moves: number[], shocks: number[]): RiskArrayInput {
  return {
    kind: Uint8Array.of(KIND_OPTION), underlying: Int32Array.of(0), isCall: Uint8Array.of(o.isCall ? 1 : 0),
    strike: Float64Array.of(o.strike), expiryYears: Float64Array.of(o.t), vol: Float64Array.of(o.vol),
    volScale: Float64Array.of(o.volScale ?? 1), baseValue: Float64Array.of(o.base ?? 0),
    spot: Float64Array.of(o.spot), rate: Float64Array.of(o.r ?? 0), carry: Float64Array.of(o.q ?? 0),
    volFloor: Float64Array.of(o.floor ?? 0), spotMove: Float64Array.from(moves), volShock: Float64Array.from(shocks),
  };
}

describe('risk arrays', () => {
  test('WASM SIMD, WASM scalar and JS agree bit for bit (grid and Monte Carlo layouts, odd S)', () => {
    const rnd = mulberry32(505);
    for (const [n, u, nS, independent] of [[300, 3, 63, false], [257, 5, 1000, true], [41, 2, 1, true], [64, 4, 7, true]] as const) {
      const input = randomRiskInput(n, u, nS, rnd, independent);
      const [ref, ...others] = backends.map((b) => b.riskArrays(input, nS));
      expect(ref.every(Number.isFinite)).toBe(true);
      for (const other of others) expect(firstBitDifference(ref, other)).toBe(-1);
    }
  });

  test('at zero move and zero shock an option row is exactly its Greeks-kernel price minus baseValue', () => {
    const input = randomRiskInput(200, 3, 4, mulberry32(7));
    input.spotMove.fill(0);
    input.volShock.fill(0);
    input.volFloor.fill(0);
    const options = [...input.kind.keys()].filter((i) => input.kind[i] === KIND_OPTION);
    const g = js.greeks({
      isCall: Uint8Array.from(options, (i) => input.isCall[i]),
      spot: Float64Array.from(options, (i) => input.spot[input.underlying[i]]),
      strike: Float64Array.from(options, (i) => input.strike[i]),
      expiryYears: Float64Array.from(options, (i) => input.expiryYears[i]),
      vol: Float64Array.from(options, (i) => input.vol[i]),
      rate: Float64Array.from(options, (i) => input.rate[input.underlying[i]]),
      carry: Float64Array.from(options, (i) => input.carry[input.underlying[i]]),
    });
    for (const b of backends) {
      const risk = b.riskArrays(input, 4);
      options.forEach((i, k) => {
        for (let s = 0; s < 4; s++) expect(risk[i * 4 + s]).toBe(g.price[k] - input.baseValue[i]);
      });
    }
  });

  test('under shocks an option row matches the Greeks kernel priced at the shocked spot and vol', () => {
    const nS = 21;
    const input = randomRiskInput(300, 2, nS, mulberry32(11));
    const rows: number[] = [];
    const ref = { isCall: [] as number[], spot: [] as number[], strike: [] as number[], expiryYears: [] as number[], vol: [] as number[], rate: [] as number[], carry: [] as number[] };
    for (let i = 0; i < 300; i++) {
      if (input.kind[i] !== KIND_OPTION) continue;
      const u = input.underlying[i];
      for (let s = 0; s < nS; s++) {
        const shocked = input.vol[i] * (1 + input.volShock[u * nS + s] * input.volScale[i]);
        rows.push(i * nS + s);
        ref.isCall.push(input.isCall[i]);
        ref.spot.push(input.spot[u] * (1 + input.spotMove[u * nS + s]));
        ref.strike.push(input.strike[i]);
        ref.expiryYears.push(input.expiryYears[i]);
        // the documented rule: max(vol·(1 + shock·scale), min(volFloor, vol))
        ref.vol.push(Math.max(shocked, Math.min(input.volFloor[u], input.vol[i])));
        ref.rate.push(input.rate[u]);
        ref.carry.push(input.carry[u]);
      }
    }
    const g = js.greeks({
      isCall: Uint8Array.from(ref.isCall), spot: Float64Array.from(ref.spot), strike: Float64Array.from(ref.strike),
      expiryYears: Float64Array.from(ref.expiryYears), vol: Float64Array.from(ref.vol), rate: Float64Array.from(ref.rate), carry: Float64Array.from(ref.carry),
    });
    const risk = backends[2].riskArrays(input, nS);
    rows.forEach((cell, k) => {
      const i = Math.floor(cell / nS);
      const value = risk[cell] + input.baseValue[i];
      // ln(S(1+m)/K) is split as ln(S/K) + ln(1+m): a few ulps of ln(F/K), i.e. ~1e-15·(S+K) absolute
      expect(Math.abs(value - g.price[k])).toBeLessThanOrEqual(1e-12 * g.price[k] + 1e-13 * (ref.spot[k] + ref.strike[k]));
    });
  });

  test('hand-computed: a linear row is mark·move, an option row prices the shocked vol with its floor', () => {
    // Linear, mark 50,000: moves −16%, 0, +8% → −8,000, 0, +4,000 exactly.
    const linear: RiskArrayInput = {
      ...oneOption({ isCall: true, spot: 50_000, strike: 1, t: 1, vol: 0.5, base: 50_000 }, [-0.16, 0, 0.08], [0.5, 0, -0.5]),
      kind: Uint8Array.of(KIND_LINEAR),
    };
    // Expired call, strike 100, spot 110: value at spot·(1+m) is intrinsic max(110(1+m) − 100, 0):
    // m = −0.1 → 99 − 100 < 0 → 0; m = 0 → 10; m = +0.1 → 121 − 100 = 21 (to rounding of 110·1.1).
    const expired = oneOption({ isCall: true, spot: 110, strike: 100, t: 0, vol: 0.8 }, [-0.1, 0, 0.1], [0, 0, 0]);
    // Vol 0.5, shock −1 with volScale 1 → 0 → floored at 0.2: the row equals the unshocked price at vol 0.2.
    const floored = oneOption({ isCall: false, spot: 100, strike: 100, t: 0.25, vol: 0.5, floor: 0.2 }, [0, 0], [-1, 0.5]);
    const atVol = (vol: number) => js.greeks({
      isCall: Uint8Array.of(0), spot: Float64Array.of(100), strike: Float64Array.of(100), expiryYears: Float64Array.of(0.25),
      vol: Float64Array.of(vol), rate: Float64Array.of(0), carry: Float64Array.of(0),
    }).price[0];
    for (const b of backends) {
      expect(Array.from(b.riskArrays(linear, 3))).toEqual([-8000, 0, 4000]);
      const e = b.riskArrays(expired, 3);
      expect(e[0]).toBe(0);
      expect(e[1]).toBe(10);
      expect(e[2]).toBeCloseTo(21, 12);
      const f = b.riskArrays(floored, 2);
      expect(f[0]).toBe(atVol(0.2)); // floor hit: bit-identical to the Greeks price at 0.2
      expect(f[1]).toBe(atVol(0.5 * (1 + 0.5))); // vol up 50% → 0.75
    }
  });

  test('an option whose vol is below the floor keeps its own vol unless shocked up (vol 0.08, floor 0.10)', () => {
    // Shocks 0, −0.3, +0.5 with volScale 1: vols max(0.08, min(0.10, 0.08)) = 0.08, max(0.056, 0.08) =
    // 0.08 and max(0.12, 0.08) = 0.12. Base value = price at 0.08, so the first two rows are exactly 0.
    const atVol = (vol: number) => js.greeks({
      isCall: Uint8Array.of(1), spot: Float64Array.of(100), strike: Float64Array.of(105), expiryYears: Float64Array.of(0.1),
      vol: Float64Array.of(vol), rate: Float64Array.of(0.03), carry: Float64Array.of(0.01),
    }).price[0];
    const base = atVol(0.08);
    const low = oneOption({ isCall: true, spot: 100, strike: 105, t: 0.1, vol: 0.08, r: 0.03, q: 0.01, floor: 0.1, base }, [0, 0, 0], [0, -0.3, 0.5]);
    for (const b of backends) {
      const row = b.riskArrays(low, 3);
      expect(Object.is(row[0], 0), `${b.backend} no shock`).toBe(true);
      expect(Object.is(row[1], 0), `${b.backend} vol down`).toBe(true);
      expect(row[2]).toBe(atVol(0.08 * (1 + 0.5)) - base); // 0.12: the floor does not enter
      expect(row[2]).toBeGreaterThan(0);
    }
  });

  test('every option below its floor has an exactly zero row at zero move and zero shock, on every backend', () => {
    // Floors of 0.5–1 against vols of 0.05–1.55 (and a few 0): about half the options sit below their floor.
    const nS = 5;
    const input = randomRiskInput(400, 3, nS, mulberry32(2101));
    input.volFloor.set([0.5, 0.8, 1]);
    for (let u = 0; u < 3; u++) {
      input.spotMove[u * nS + 2] = 0; // scenario 2 of every underlying: nothing moves
      input.volShock[u * nS + 2] = 0;
    }
    const options = [...input.kind.keys()].filter((i) => input.kind[i] === KIND_OPTION && input.vol[i] < input.volFloor[input.underlying[i]]);
    expect(options.length).toBeGreaterThan(100);
    const g = js.greeks({
      isCall: Uint8Array.from(options, (i) => input.isCall[i]),
      spot: Float64Array.from(options, (i) => input.spot[input.underlying[i]]),
      strike: Float64Array.from(options, (i) => input.strike[i]),
      expiryYears: Float64Array.from(options, (i) => input.expiryYears[i]),
      vol: Float64Array.from(options, (i) => input.vol[i]),
      rate: Float64Array.from(options, (i) => input.rate[input.underlying[i]]),
      carry: Float64Array.from(options, (i) => input.carry[input.underlying[i]]),
    });
    options.forEach((i, k) => (input.baseValue[i] = g.price[k])); // the base market's prices, as the session sets them
    for (const b of backends) {
      const risk = b.riskArrays(input, nS);
      for (const i of options) expect(Object.is(risk[i * nS + 2], 0), `${b.backend} option ${i}`).toBe(true);
    }
  });

  test('shocked option rows match a 50-digit BSM at the documented vols, above and below the floor', () => {
    // Independent reference (test/reference/decimal-bsm.ts) at spot·(1 + m) and
    // max(vol·(1 + shock·scale), min(floor, vol)): for vol ≥ floor that is the old rule max(…, floor),
    // so those rows are unchanged. Floor 0.3 against vols 0.05–1.55: both cases occur.
    const nS = 6;
    const input = randomRiskInput(80, 2, nS, mulberry32(2102), false);
    input.volFloor.fill(0.3);
    const risk = backends[0].riskArrays(input, nS);
    let below = 0, above = 0;
    for (let i = 0; i < 80; i++) {
      const t = input.expiryYears[i];
      if (input.kind[i] !== KIND_OPTION || !(t > 1e-3) || !(input.vol[i] > 0.01)) continue; // the reference's regime
      const u = input.underlying[i];
      if (input.vol[i] < 0.3) below++;
      else above++;
      for (let s = 0; s < nS; s++) {
        const spot = input.spot[u] * (1 + input.spotMove[u * nS + s]);
        const vol = Math.max(input.vol[i] * (1 + input.volShock[u * nS + s] * input.volScale[i]), Math.min(0.3, input.vol[i]));
        const ref = bsmRef({ isCall: input.isCall[i] === 1, spot, strike: input.strike[i], expiryYears: t, vol, rate: input.rate[u], carry: input.carry[u] }).price;
        const value = risk[i * nS + s] + input.baseValue[i];
        expect(Math.abs(value - ref), `option ${i} scenario ${s}`).toBeLessThanOrEqual(1e-12 * ref + 1e-13 * (spot + input.strike[i]));
      }
    }
    expect(below).toBeGreaterThan(5);
    expect(above).toBeGreaterThan(20);
    for (const b of backends.slice(1)) expect(firstBitDifference(risk, b.riskArrays(input, nS))).toBe(-1);
  });

  test('rejects bad shapes and out-of-domain values with RangeError', () => {
    const ok = oneOption({ isCall: true, spot: 100, strike: 100, t: 1, vol: 0.5 }, [0, 0.1], [0, 0]);
    for (const b of backends) {
      expect(() => b.riskArrays(ok, 3)).toThrow(/spotMove/);
      expect(() => b.riskArrays({ ...ok, spotMove: Float64Array.of(-1, 0) }, 2)).toThrow(/spotMove\[0\]/);
      expect(() => b.riskArrays({ ...ok, underlying: Int32Array.of(1) }, 2)).toThrow(/underlying\[0\]/);
      expect(() => b.riskArrays({ ...ok, strike: Float64Array.of(0) }, 2)).toThrow(/strike\[0\]/);
      expect(() => b.riskArrays({ ...ok, rate: new Float64Array(2) }, 2)).toThrow(/rate/);
    }
  });
});
