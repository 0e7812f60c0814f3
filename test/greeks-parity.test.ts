import { beforeAll, expect, test } from 'vitest';
import type { Engine } from '../src/index.js';
import { allEngines, randomInput } from './support/engines.js';
import { mulberry32 } from './support/random.js';

let engines: Engine[];
beforeAll(async () => {
  engines = await allEngines();
});

test('JS, WASM scalar and WASM SIMD give identical bits on 120,001 random options, edge regimes included', () => {
  // Same algorithm, same constants, same operation order and no fused multiply-add anywhere: the
  // backends agree exactly, which is stronger than the 1e-12 relative the brief asks for.
  const n = 120_001; // odd, so the SIMD kernel's scalar tail runs too
  const input = randomInput(n, mulberry32(31));
  const [js, ...wasm] = engines;
  const expected = js.greeks(input);
  for (const engine of wasm) {
    const got = engine.greeks(input);
    for (const field of ['price', 'delta', 'gamma', 'vega', 'theta', 'rho'] as const) {
      let mismatches = 0;
      let first = -1;
      for (let i = 0; i < n; i++) {
        if (!Object.is(got[field][i], expected[field][i])) {
          mismatches++;
          if (first < 0) first = i;
        }
      }
      expect(mismatches, `${engine.backend} ${field}, first at ${first}`).toBe(0);
    }
  }
});

test('results do not depend on batch size or position within a batch', () => {
  const input = randomInput(5000, mulberry32(32));
  for (const engine of engines) {
    const whole = engine.greeks(input);
    for (const [start, end] of [[0, 1], [1, 2], [7, 2056], [2047, 4099], [4999, 5000]]) {
      const part = engine.greeks({
        isCall: input.isCall.slice(start, end), spot: input.spot.slice(start, end), strike: input.strike.slice(start, end),
        expiryYears: input.expiryYears.slice(start, end), vol: input.vol.slice(start, end), rate: input.rate.slice(start, end),
        carry: input.carry.slice(start, end),
      });
      expect(Array.from(part.price)).toEqual(Array.from(whole.price.slice(start, end)));
      expect(Array.from(part.theta)).toEqual(Array.from(whole.theta.slice(start, end)));
    }
  }
});

test('repeated runs give the same bits (deterministic)', () => {
  const input = randomInput(3000, mulberry32(33));
  for (const engine of engines) {
    const a = engine.greeks(input), b = engine.greeks(input);
    expect(Array.from(a.vega)).toEqual(Array.from(b.vega));
  }
});
