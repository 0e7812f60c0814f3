/**
 * src/dynamic/math.ts: ln, exp and expm1 built on the kernels' deterministic elementary functions agree with the
 * engine's Math to about an ulp (Decimal.js as the 40-digit reference), across subnormals and the small arguments
 * where e^x − 1 cancels.
 */
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { expm1, ln } from '../../src/dynamic/math.js';

Decimal.set({ precision: 40 });
/** A double's exact value (a subnormal's shortest decimal, e.g. 3e-320, is far from it). */
const exact = (x: number) => (x < 2.2250738585072014e-308 ? new Decimal(x / 2 ** -1074).times(new Decimal(2).pow(-1074)) : new Decimal(x));
const rel = (a: number, b: Decimal) => (b.isZero() ? Math.abs(a) : new Decimal(a).minus(b).abs().div(b.abs()).toNumber());

describe('deterministic ln and expm1', () => {
  it('ln within 2e-16 relative, subnormals included, and its edge values', () => {
    for (const x of [1e-310, 3e-320, 2.2250738585072014e-308, 1e-30, 0.5, 1 - 1e-12, 1.5, 3.14159, 1e300, 1.7976931348623157e308]) {
      const want = exact(x).ln();
      expect(rel(ln(x), want), `ln(${x})`).toBeLessThan(2e-16 * Math.max(1, 1 / Math.abs(want.toNumber())));
    }
    expect(ln(1)).toBe(0);
    expect(ln(0)).toBe(-Infinity);
    expect(ln(Infinity)).toBe(Infinity);
    expect(ln(-1)).toBeNaN();
  });

  it('expm1 within 4e-16 relative from 1e-12 to 20, both signs', () => {
    for (const x of [1e-12, 3e-9, 1e-5, 0.003, 0.05, 0.7, 1, 5, 20]) {
      for (const s of [1, -1]) {
        const want = new Decimal(s * x).exp().minus(1);
        expect(rel(expm1(s * x), want), `expm1(${s * x})`).toBeLessThan(4e-16);
      }
    }
    expect(expm1(0)).toBe(0);
    expect(expm1(-800)).toBe(-1);
  });
});
