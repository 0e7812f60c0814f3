/**
 * GARCH(1,1) finds the global likelihood maximum when it has two (issue 36 item 8): starts in the low-persistence
 * basin and at the variance-targeting corner besides the two high-persistence ones. The reference maxima come from a
 * profile grid over (α, β), ω maximised by golden-section search at each point: independent of the optimiser.
 */
import { describe, expect, it } from 'vitest';
import { fitGarch, garchLogLikelihood } from '../../src/dynamic/garch.js';
import { mulberry32 } from '../support/random.js';

/** Box–Muller from a seeded uniform. */
function normal(rnd: () => number): number {
  let u = 0;
  while (u === 0) u = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/**
 * 1,200 daily returns (1% scale): ARCH(1) with α = 0.04 (short memory) on a variance that alternates between 1 and
 * 1.35 every 100 days (a slow regime). The likelihood has a maximum near α ≈ 0.07, β ≈ 0 (the ARCH effect) and a
 * second, lower one at α + β ≈ 0.95 (the regime read as persistence).
 */
function twoMaximaSeries(): Float64Array {
  const rnd = mulberry32(1);
  const out = new Float64Array(1200);
  let previous = 0;
  for (let t = 0; t < out.length; t++) {
    const regime = Math.floor(t / 100) % 2 === 1 ? 1.35 : 1;
    previous = Math.sqrt(regime * (1 - 0.04) + 0.04 * previous * previous) * normal(rnd);
    out[t] = previous * 0.01;
  }
  return out;
}

function sampleVariance(r: Float64Array): number {
  let v = 0;
  for (const x of r) v += x * x;
  return v / r.length;
}

/** ln L at (α, β) with ω maximised (golden section on ln ω). */
function profile(r: Float64Array, v: number, alpha: number, beta: number): number {
  let lo = Math.log(v * 1e-5), hi = Math.log(v * 3);
  const f = (x: number) => garchLogLikelihood(r, { omega: Math.exp(x), alpha, beta }, v);
  for (let k = 0; k < 50; k++) {
    const m1 = lo + (hi - lo) * 0.382, m2 = lo + (hi - lo) * 0.618;
    if (f(m1) > f(m2)) hi = m2;
    else lo = m1;
  }
  return f((lo + hi) / 2);
}

describe('GARCH(1,1) multi-start', () => {
  it('a series with two likelihood maxima: the fit returns the higher, low-persistence one', () => {
    const r = twoMaximaSeries(), v = sampleVariance(r);
    // the grid's best in each basin (α + β ≤ 0.3, α + β ≥ 0.9), independent of the optimiser
    let lowBest = -Infinity, highBest = -Infinity;
    for (let i = 0; i <= 30; i++) {
      for (let j = 0; j <= 30; j++) {
        const alpha = i * 0.01, beta = j * 0.033;
        if (alpha + beta >= 0.995) continue;
        const ll = profile(r, v, alpha, beta);
        if (alpha + beta <= 0.3) lowBest = Math.max(lowBest, ll);
        if (alpha + beta >= 0.9) highBest = Math.max(highBest, ll);
      }
    }
    expect(lowBest - highBest).toBeGreaterThan(1); // two basins, the low-persistence one higher by more than 1 in ln L

    // from the two high-persistence starts alone, the optimiser stays in the lower maximum
    const local = fitGarch(r, [[0.95, 0.1], [0.9, 0.35]]);
    expect(local.alpha + local.beta).toBeGreaterThan(0.9);
    expect(local.logLikelihood).toBeLessThan(lowBest - 1);

    const fit = fitGarch(r);
    expect(fit.alpha + fit.beta).toBeLessThan(0.15);
    expect(fit.beta).toBeLessThan(0.01); // β at its bound
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(lowBest - 1e-6); // at least the grid's best: the global maximum
    expect(fit.logLikelihood - local.logLikelihood).toBeGreaterThan(1);
  });

  it('never below the variance-targeting corner: on iid returns the fit is at least the constant-variance likelihood', () => {
    const rnd = mulberry32(61);
    const r = Float64Array.from({ length: 300 }, () => 0.02 * normal(rnd));
    const v = sampleVariance(r);
    // α = β = 0, ω = v: ln L = −½ Σ (ln 2π + ln v + r²/v) = −n/2·(ln 2π + ln v + 1), since Σ r² = n·v
    const corner = (-r.length / 2) * (Math.log(2 * Math.PI) + Math.log(v) + 1);
    // the two high-persistence starts alone end on the flat ridge below it (this series is one where they do)
    expect(fitGarch(r, [[0.95, 0.1], [0.9, 0.35]]).logLikelihood).toBeLessThan(corner - 1e-5);
    const fit = fitGarch(r);
    // (with no ARCH effect the likelihood is flat along α = 0, ω = (1 − β)·v: the corner's value for every β)
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(corner - 1e-9);
  });
});
