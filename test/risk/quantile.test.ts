import { beforeAll, describe, expect, test } from 'vitest';
import { selectKth } from '../../src/kernels/js/risk/quantile.js';
import { type PositionsCsr, type RiskKernels, tailCount } from '../../src/kernels/risk.js';
import { mulberry32 } from '../support/random.js';
import { firstBitDifference, riskBackends } from './support.js';

let backends: RiskKernels[];
beforeAll(async () => {
  backends = await riskBackends();
});

describe('tail count K = ⌈(1 − α)·M⌉', () => {
  test('is exact where (1 − α)·M rounds above an integer, and clamps to [1, M]', () => {
    expect((1 - 0.99) * 1000).toBeGreaterThan(10); // 10.000000000000009: a naive ceil gives 11
    expect(tailCount(0.99, 1000)).toBe(10);
    expect(tailCount(0.975, 1000)).toBe(25);
    expect(tailCount(0.99, 250)).toBe(3); // 2.5 → 3
    expect(tailCount(0.999, 100)).toBe(1); // 0.1 → 1
    expect(tailCount(0.5, 3)).toBe(2);
    expect(tailCount(1e-9, 10)).toBe(10);
    expect(() => tailCount(1, 10)).toThrow(RangeError);
    expect(() => tailCount(0.99, 0)).toThrow(RangeError);
  });

  test('boundary values against hand-computed K (issue 21.4)', () => {
    // (1 − α)·M by hand, then the ceiling: e.g. 0.05·60 = 3 → 3 (the literal float product is
    // 3.0000000000000027, whose ceiling is 4); 0.05·1001 = 50.05 → 51; 0.025·250 = 6.25 → 7.
    const K: Record<string, Record<number, number>> = {
      '0.95': { 20: 1, 60: 3, 100: 5, 250: 13, 1000: 50, 1001: 51, 2000: 100, 1_000_000: 50_000 },
      '0.99': { 20: 1, 60: 1, 100: 1, 250: 3, 1000: 10, 1001: 11, 2000: 20, 1_000_000: 10_000 },
      '0.975': { 20: 1, 60: 2, 100: 3, 250: 7, 1000: 25, 1001: 26, 2000: 50, 1_000_000: 25_000 },
      '0.9': { 20: 2, 60: 6, 100: 10, 250: 25, 1000: 100, 1001: 101, 2000: 200, 1_000_000: 100_000 },
    };
    expect(Math.ceil((1 - 0.95) * 60)).toBe(4); // the literal evaluation this rule avoids
    for (const [alpha, byM] of Object.entries(K)) {
      for (const [M, k] of Object.entries(byM)) expect(tailCount(Number(alpha), Number(M)), `α ${alpha}, M ${M}`).toBe(k);
    }
  });

  test('equals exact integer arithmetic for every α with up to 6 decimals, M up to 10⁶', () => {
    // α = n/10⁶ exactly in decimal, so K = ⌈(10⁶ − n)·M / 10⁶⌉ in integers (BigInt: no rounding at all).
    const rnd = mulberry32(2104);
    for (let trial = 0; trial < 20_000; trial++) {
      const n = 500_000 + Math.floor(rnd() * 500_000); // α in [0.5, 1), the validated range
      const M = trial % 4 === 0 ? 1 + Math.floor(rnd() * 100) : 1 + Math.floor(rnd() ** 3 * 1_000_000);
      const num = BigInt(1_000_000 - n) * BigInt(M);
      const exact = Number((num + 999_999n) / 1_000_000n);
      const alpha = Number(`0.${String(n).padStart(6, '0')}`);
      expect(tailCount(alpha, M), `α ${alpha}, M ${M}`).toBe(Math.min(M, Math.max(1, exact)));
    }
  });

  test('rounds (1 − α)·M to 1e-9 before the ceiling, whatever M', () => {
    // α chosen so that (1 − α)·M is an integer plus δ: δ below 5e-10 counts as the integer, above it does not.
    const alphaFor = (x: number, M: number) => 1 - x / M;
    expect(tailCount(alphaFor(3 + 1e-10, 60), 60)).toBe(3);
    expect(tailCount(alphaFor(3 + 2e-9, 60), 60)).toBe(4);
    expect(tailCount(alphaFor(10_000 + 1e-7, 1_000_000), 1_000_000)).toBe(10_001); // M·1e-12 slack used to swallow this
    expect(tailCount(alphaFor(10_000 + 1e-10, 1_000_000), 1_000_000)).toBe(10_000);
  });
});

describe('account scenario P&L', () => {
  test('is the quantity-weighted sum of instrument rows (hand-computed)', () => {
    // 3 instruments × 4 scenarios; account 0: +2 of #0, −1 of #2; account 1: none; account 2: 0.5 of #1.
    const risk = Float64Array.of(
      1, -2, 3, 0, //
      10, 20, -30, 40, //
      0.5, 0.25, -1, 2,
    );
    const positions: PositionsCsr = {
      start: Int32Array.of(0, 2, 2), end: Int32Array.of(2, 2, 3),
      instrument: Int32Array.of(0, 2, 1), quantity: Float64Array.of(2, -1, 0.5),
    };
    for (const b of backends) {
      expect(Array.from(b.accountPnl(risk, 4, positions))).toEqual([
        1.5, -4.25, 7, -2, //  2·row0 − row2
        0, 0, 0, 0,
        5, 10, -15, 20,
      ]);
    }
  });

  test('rejects instrument indices and slot ranges outside the arrays', () => {
    const risk = new Float64Array(8);
    for (const b of backends) {
      expect(() => b.accountPnl(risk, 4, { start: Int32Array.of(0), end: Int32Array.of(1), instrument: Int32Array.of(2), quantity: Float64Array.of(1) })).toThrow(RangeError);
      expect(() => b.accountPnl(risk, 4, { start: Int32Array.of(0), end: Int32Array.of(2), instrument: Int32Array.of(0), quantity: Float64Array.of(1) })).toThrow(RangeError);
    }
  });
});

describe('VaR and ES', () => {
  // P&L over 10 scenarios → losses −5, 3, −2, 10, 0, −7, 1, 6, −4, −1; sorted descending:
  // 10, 6, 3, 1, 0, −1, −2, −4, −5, −7.
  const pnl = Float64Array.of(5, -3, 2, -10, 0, 7, -1, -6, 4, 1);

  test('are the K-th largest loss and the mean of the K largest (hand-computed)', () => {
    for (const b of backends) {
      const at = (k: number) => b.tailRisk(pnl, 10, k);
      expect(at(tailCount(0.8, 10))).toEqual({ var: Float64Array.of(6), es: Float64Array.of(8) }); // K = 2: (10 + 6)/2
      expect(at(3)).toEqual({ var: Float64Array.of(3), es: Float64Array.of(19 / 3) });
      expect(at(1)).toEqual({ var: Float64Array.of(10), es: Float64Array.of(10) });
      expect(at(10)).toEqual({ var: Float64Array.of(-7), es: Float64Array.of(0.1) }); // mean loss = −Σpnl/10 = 0.1
      expect(at(7)).toEqual({ var: Float64Array.of(-2), es: Float64Array.of(17 / 7) }); // (10 + 6 + 3 + 1 + 0 − 1 − 2)/7
    }
  });

  test('count ties at the VaR only as often as needed to make K', () => {
    // losses 4, 4, 4, 1, −1: K = 2 → VaR 4, ES 4; K = 4 → VaR 1, ES (4+4+4+1)/4 = 3.25
    const tied = Float64Array.of(-4, -4, -4, -1, 1);
    for (const b of backends) {
      expect(b.tailRisk(tied, 5, 2)).toEqual({ var: Float64Array.of(4), es: Float64Array.of(4) });
      expect(b.tailRisk(tied, 5, 4)).toEqual({ var: Float64Array.of(1), es: Float64Array.of(3.25) });
      // a flat book: loss = 0 − 0 = +0 (not −0), so VaR and ES are +0
      const flat = b.tailRisk(new Float64Array(6), 6, 3);
      expect(Object.is(flat.var[0], 0) && Object.is(flat.es[0], 0)).toBe(true);
    }
  });

  test('a non-finite P&L makes that account NaN and leaves the others alone', () => {
    const rows = Float64Array.of(1, 2, 3, -1, NaN, 0, 1, Infinity, 0, 5, 6, 7);
    for (const b of backends) {
      const r = b.tailRisk(rows, 3, 1);
      expect(Array.from(r.var)).toEqual([-1, NaN, NaN, -5]);
      expect(Array.from(r.es)).toEqual([-1, NaN, NaN, -5]);
    }
  });

  test('positive homogeneity: doubling every quantity doubles VaR and ES exactly', () => {
    const rnd = mulberry32(401);
    const nInst = 40, M = 999, nAcc = 25;
    const risk = Float64Array.from({ length: nInst * M }, () => (rnd() - 0.5) * 100);
    const counts = Array.from({ length: nAcc }, () => Math.floor(rnd() * 8));
    const start = new Int32Array(nAcc), end = new Int32Array(nAcc);
    let slots = 0;
    counts.forEach((c, a) => { start[a] = slots; slots += c; end[a] = slots; });
    const instrument = Int32Array.from({ length: slots }, () => Math.floor(rnd() * nInst));
    const quantity = Float64Array.from({ length: slots }, () => (rnd() - 0.5) * 20);
    const k = tailCount(0.99, M);
    for (const b of backends) {
      const base = b.tailRisk(b.accountPnl(risk, M, { start, end, instrument, quantity }), M, k);
      const doubled = b.tailRisk(b.accountPnl(risk, M, { start, end, instrument, quantity: quantity.map((q) => 2 * q) }), M, k);
      for (let a = 0; a < nAcc; a++) {
        expect(doubled.var[a]).toBe(2 * base.var[a]);
        expect(doubled.es[a]).toBe(2 * base.es[a]);
        expect(base.es[a]).toBeGreaterThanOrEqual(base.var[a]);
      }
    }
  });

  test('selection agrees with sorting, with heavy ties and adversarial orders', () => {
    const rnd = mulberry32(402);
    for (const [n, gen] of [
      [1, () => rnd()], [2, () => rnd()], [1000, () => Math.floor(rnd() * 5)], [1001, () => rnd()], [500, () => 3],
    ] as const) {
      const values = Float64Array.from({ length: n }, gen);
      const sorted = Float64Array.from(values).sort();
      const inputs = [values, sorted, Float64Array.from(sorted).reverse()];
      for (const input of inputs) {
        for (const k of [0, n >> 1, n - 1]) expect(selectKth(Float64Array.from(input), n, k)).toBe(sorted[k]);
      }
    }
  });

  test('JS, WASM scalar and WASM SIMD give identical bits for P&L, VaR and ES', () => {
    const rnd = mulberry32(403);
    for (const M of [1, 2, 3, 16, 17, 33, 1000]) {
      const nInst = 30, nAcc = 41;
      const risk = Float64Array.from({ length: nInst * M }, () => (rnd() - 0.5) * 10 ** (6 * rnd()));
      const start = new Int32Array(nAcc), end = new Int32Array(nAcc);
      let slots = 0;
      for (let a = 0; a < nAcc; a++) { start[a] = slots; slots += Math.floor(rnd() * 25); end[a] = slots; }
      const positions = {
        start, end,
        instrument: Int32Array.from({ length: slots }, () => Math.floor(rnd() * nInst)),
        quantity: Float64Array.from({ length: slots }, () => Math.round((rnd() - 0.5) * 200) / 4),
      };
      const k = tailCount(0.975, M);
      const [js, ...wasm] = backends.map((b) => {
        const pnl = b.accountPnl(risk, M, positions);
        return { pnl, ...b.tailRisk(pnl, M, k) };
      });
      wasm.forEach((w, i) => {
        const name = `${backends[i + 1].backend} M=${M}`;
        expect(firstBitDifference(w.pnl, js.pnl), name).toBe(-1);
        expect(firstBitDifference(w.var, js.var), name).toBe(-1);
        expect(firstBitDifference(w.es, js.es), name).toBe(-1);
      });
    }
  });

  test('both selection paths (sorted buffer for K ≤ 48, FIND above) agree with a sort, ties included', () => {
    const rnd = mulberry32(77);
    const M = 200;
    // Rows: random, heavily tied (values in {−2..2}), increasing and decreasing (worst cases for the buffer).
    const rows = [
      Float64Array.from({ length: M }, () => (rnd() - 0.5) * 1e4),
      Float64Array.from({ length: M }, () => Math.floor(rnd() * 5) - 2),
      Float64Array.from({ length: M }, (_, s) => s),
      Float64Array.from({ length: M }, (_, s) => -s),
    ];
    const pnl = new Float64Array(rows.length * M);
    rows.forEach((r, a) => pnl.set(r, a * M));
    for (const k of [1, 2, 10, 47, 48, 49, 50, 137, M]) {
      for (const b of backends) {
        const got = b.tailRisk(pnl, M, k);
        rows.forEach((r, a) => {
          const losses = Array.from(r, (x) => 0 - x).sort((x, y) => y - x);
          expect(got.var[a], `${b.backend} K=${k} row ${a}`).toBe(losses[k - 1]);
          const mean = losses.slice(0, k).reduce((x, y) => x + y, 0) / k;
          expect(got.es[a]).toBeCloseTo(mean, 9);
        });
      }
    }
  });
});
