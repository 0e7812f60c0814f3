import { beforeAll, expect, test } from 'vitest';
import type { Engine } from '../src/index.js';
import { bsmRef } from './reference/decimal-bsm.js';
import { allEngines, toInput } from './support/engines.js';
import { mulberry32 } from './support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

/**
 * docs/greeks.md "Accuracy": at a small σ√T the rounding of ln(S/K) (about 1e-16 of ln S, not of ln(S/K)) enters d₁
 * divided by σ√T, so an output is within 1e-12 relative plus 1e-15 of its natural scale plus
 * 2.2e-15 · max(1, |d|) · max(1, |ln S|) / (σ√T) of itself; the reference takes each double's exact value.
 */
test('at a small σ√T (3e-6 to 3e-3) every output is within the documented input-rounding bound of a 50-digit reference', () => {
  const rnd = mulberry32(9);
  const options = Array.from({ length: 800 }, () => {
    const spot = 10 ** (-3 + 15 * rnd());
    const sigmaSqrtT = 10 ** (-5.5 + 3 * rnd());
    const expiryYears = 10 ** (-5 + 5 * rnd());
    const strike = spot * Math.exp((rnd() - 0.5) * 16 * sigmaSqrtT); // |d| up to about 8
    return { isCall: rnd() < 0.5, spot, strike, expiryYears, vol: sigmaSqrtT / Math.sqrt(expiryYears), rate: (rnd() - 0.5) * 0.2, carry: (rnd() - 0.5) * 0.2 };
  });
  const refs = options.map((o) => bsmRef(o));
  for (const engine of engines) {
    const out = engine.greeks(toInput(options));
    options.forEach((o, i) => {
      const sigmaSqrtT = o.vol * Math.sqrt(o.expiryYears), d = Math.abs(Math.log(o.spot / o.strike)) / sigmaSqrtT;
      const amplified = (2.2e-15 * Math.max(1, d) * Math.max(1, Math.abs(Math.log(o.spot)))) / sigmaSqrtT;
      for (const field of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) {
        const ref = refs[i][field];
        const scale = { price: Math.max(o.spot, o.strike), delta: 1, gamma: 1 / o.spot, vega: o.spot, theta: Math.max(o.spot, o.strike), rho: o.strike }[field];
        const tolerance = (1e-12 + amplified) * Math.abs(ref) + 1e-15 * scale;
        expect(Math.abs(out[field][i] - ref), `${engine.backend} ${field}[${i}] ${JSON.stringify(o)}`).toBeLessThanOrEqual(tolerance);
      }
    });
  }
});

test('without the input-rounding term the same options are not all within 1e-12 relative plus 1e-15 of scale (the term is needed)', () => {
  // S near 1e12, σ√T 4.4e-6 at the money (a vol of 0.00124, 6.6 minutes from expiry): theta's rounding shows
  const o = { isCall: true, spot: 1e12, strike: 1e12 * Math.exp(2e-6), expiryYears: 1.25e-5, vol: 0.00124, rate: 0.05, carry: 0 };
  const ref = bsmRef(o), out = engines[0].greeks(toInput([o]));
  const scale = { price: o.strike, delta: 1, gamma: 1 / o.spot, vega: o.spot, theta: o.strike, rho: o.strike };
  const over = (['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const).filter((f) => Math.abs(out[f][0] - ref[f]) > 1e-12 * Math.abs(ref[f]) + 1e-15 * scale[f]);
  expect(over.length).toBeGreaterThan(0);
});
