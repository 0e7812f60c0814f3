/**
 * Volatility forecasts (src/dynamic/ewma.ts, src/dynamic/garch.ts): EWMA against a hand computation; GARCH(1,1)
 * against an independent scipy fit of the same likelihood on a fixed series (fixtures/garch_reference.py, which also
 * made the series), and recovering the parameters of a long simulated series within three standard errors.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { annualise, ewmaVariance } from '../../src/dynamic/ewma.js';
import { fitGarch, GarchFitError, garchHorizonVariance, garchLogLikelihood } from '../../src/dynamic/garch.js';
import { Random } from '../../src/sample/random.js';

const reference = JSON.parse(readFileSync(new URL('./fixtures/garch-reference.json', import.meta.url), 'utf8')) as {
  fit: { omega: number; alpha: number; beta: number; logLikelihood: number };
  returns: number[];
};

describe('EWMA', () => {
  it('matches the hand computation (λ = 0.94, seeded with the mean square of the first returns)', () => {
    // r = 0.01, −0.02, 0.015, 0, −0.01; σ²0 = (1 + 4 + 2.25 + 0 + 1)e-4 / 5 = 1.65e-4
    // σ²1 = 0.94·1.65e-4 + 0.06·1e-4 = 1.611e-4;      σ²2 = 0.94·1.611e-4 + 0.06·4e-4 = 1.75434e-4
    // σ²3 = 0.94·1.75434e-4 + 0.06·2.25e-4 = 1.7840796e-4;  σ²4 = 0.94·1.7840796e-4 + 0 = 1.677034824e-4
    // next = 0.94·1.677034824e-4 + 0.06·1e-4 = 1.63641273456e-4
    const e = ewmaVariance([0.01, -0.02, 0.015, 0, -0.01], 0.94);
    const hand = [1.65e-4, 1.611e-4, 1.75434e-4, 1.7840796e-4, 1.677034824e-4];
    hand.forEach((v, t) => expect(e.variance[t] / v - 1).toBeCloseTo(0, 13));
    expect(e.nextVariance / 1.63641273456e-4 - 1).toBeCloseTo(0, 13);
    expect(annualise(0.02, 365)).toBeCloseTo(0.02 * Math.sqrt(365), 15);
  });

  it('refuses λ outside (0, 1) and an empty series', () => {
    expect(() => ewmaVariance([0.01], 1)).toThrow(RangeError);
    expect(() => ewmaVariance([])).toThrow(RangeError);
  });
});

describe('GARCH(1,1)', () => {
  it('reaches the log-likelihood of an independent scipy fit on a fixed series, to 1e-6', () => {
    const fit = fitGarch(reference.returns);
    expect(Math.abs(fit.logLikelihood - reference.fit.logLikelihood)).toBeLessThan(1e-6);
    // the optimum itself, to the flatness of the likelihood there
    expect(fit.alpha).toBeCloseTo(reference.fit.alpha, 3);
    expect(fit.beta).toBeCloseTo(reference.fit.beta, 3);
    expect(fit.omega / reference.fit.omega - 1).toBeCloseTo(0, 2);
    // and the likelihood of scipy's parameters, evaluated here, is what scipy reported
    const v = reference.returns.reduce((s, r) => s + r * r, 0) / reference.returns.length;
    expect(garchLogLikelihood(reference.returns, reference.fit, v)).toBeCloseTo(reference.fit.logLikelihood, 8);
  });

  it('recovers the parameters of a long simulated series within three standard errors', () => {
    const truth = { omega: 1e-5, alpha: 0.1, beta: 0.85 };
    const rng = new Random(17);
    const r = new Float64Array(20_000);
    let s2 = truth.omega / (1 - truth.alpha - truth.beta);
    for (let t = 0; t < r.length; t++) {
      r[t] = Math.sqrt(s2) * rng.normal();
      s2 = truth.omega + truth.alpha * r[t] * r[t] + truth.beta * s2;
    }
    const fit = fitGarch(r);
    for (const k of ['omega', 'alpha', 'beta'] as const) {
      expect(fit.stdErrors[k]).toBeGreaterThan(0);
      expect(Math.abs(fit[k] - truth[k])).toBeLessThan(3 * fit.stdErrors[k]);
    }
    expect(fit.alpha + fit.beta).toBeLessThan(1);
  });

  it('forecasts h days as the closed form toward the long-run variance', () => {
    const fit = fitGarch(reference.returns);
    const phi = fit.alpha + fit.beta, V = fit.longRunVariance, first = fit.nextVariance;
    expect(garchHorizonVariance(fit, 1)).toBe(first);
    // Σ_{k=1..h} (V + φ^(k−1)(σ²₁ − V)) = h·V + (σ²₁ − V)(1 − φ^h)/(1 − φ)
    expect(garchHorizonVariance(fit, 10) / (10 * V + ((first - V) * (1 - phi ** 10)) / (1 - phi)) - 1).toBeCloseTo(0, 12);
  });

  it('fails clearly on too few returns, no variation and a non-finite return', () => {
    expect(() => fitGarch(new Float64Array(10))).toThrow(/at least 50 returns/);
    expect(() => fitGarch(new Float64Array(100))).toThrow(GarchFitError);
    const bad = Array.from({ length: 100 }, (_, t) => (t === 7 ? NaN : 0.01 * Math.sin(t)));
    expect(() => fitGarch(bad)).toThrow(/return 7 is not finite/);
  });
});
