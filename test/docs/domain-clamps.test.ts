/**
 * docs/domain.md says what is clamped as stress.md and the code do: no input is clamped, but a stress shock's
 * `volPoints` shift clamps the vols it moves at 0 and at the vol domain's top, a move's fall stops at −99.9999%
 * (src/model/move-market.ts) and a Monte Carlo return is floored at −95% (src/stress/monte-carlo.ts). A page saying
 * "Nothing is clamped" outright contradicts the other.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GREEKS_LIMITS } from '../../src/model/greeks-limits.js';
import { DOMAIN } from '../../src/model/domain.js';
import { MIN_RETURN, moveMarket } from '../../src/model/move-market.js';
import { validateMarket } from '../../src/model/validate.js';
import { MIN_SHOCK_RETURN } from '../../src/stress/monte-carlo.js';
import { ROOT } from '../support/cli.js';

const domain = readFileSync(join(ROOT, 'docs', 'domain.md'), 'utf8').replace(/\s+/g, ' ');
const stress = readFileSync(join(ROOT, 'docs', 'stress.md'), 'utf8').replace(/\s+/g, ' ');

describe('docs/domain.md on clamping', () => {
  it('does not say nothing is clamped', () => {
    // a boolean, so a failure does not print the whole page
    expect(domain.includes('Nothing is clamped.'), 'domain.md says "Nothing is clamped."').toBe(false);
  });

  it('names each clamp stress.md documents, at the bounds the code uses', () => {
    expect(GREEKS_LIMITS.volMax).toBe(DOMAIN.vol.max);
    expect(DOMAIN.vol.min).toBe(1e-6);
    expect(stress).toContain('a vol shifted below the smallest vol above 0 (1e-6, [domain](domain.md)) is 0 (above the vol domain\'s 3,000, which only a vol already near it can reach, it is 3,000)');
    expect(domain).toMatch(/`volPoints` shift .* takes a vol below the smallest one above 0 \(1e-6\) to 0 and above 3,000 to 3,000/);
    expect(MIN_SHOCK_RETURN).toBe(-0.95);
    expect(stress).toContain('returns floored at −95%');
    expect(domain).toContain('a Monte Carlo stress return is floored at −95%');
    expect(MIN_RETURN).toBe(-0.999999);
    expect(stress).toContain('A move\'s fall is applied at most −99.9999%');
    expect(domain).toContain('a move\'s fall is applied at most −99.9999%');
  });

  it('the vol clamp is real: ±1,000 points (±10.00 of vol) from 5 ends at 0, from 2,995 at 3,000', () => {
    const shifted = (vol: number, points: number) => {
      const market = validateMarket({ valuationTime: '2026-11-20T08:00:00Z', assets: { BTC: { price: 100_000, vol } } });
      return moveMarket(market, { underlyingOf: new Map() }, { returns: new Map(), volShift: new Map([['BTC', points / 100]]) }).assets.get('BTC')!.vol;
    };
    expect([shifted(5, -1_000), shifted(2_995, 1_000)]).toEqual([0, 3_000]);
    // a shift that leaves less than the smallest vol (1e-6) leaves none: a vol between is one the domain refuses
    expect([shifted(0.5, -49.9999999), shifted(0.5, -49.9999), shifted(0.5, -49.99)]).toEqual([0, 0.5 + -49.9999 / 100, 0.5 + -49.99 / 100]);
  });
});
