/** Market impact and market moves, against the formulas worked by hand (README "Stress testing"). */
import { describe, expect, it } from 'vitest';
import { compoundReturn, MIN_RETURN, moveMarket } from '../../src/model/move-market.js';
import { validateMarket } from '../../src/model/validate.js';
import { fillModel, impactMove, permanentShare, spotVolBeta, withContagion } from '../../src/stress/impact.js';

const sqrt = { model: 'sqrt' as const, y: 1, advUsd: 1e6, permanent: 0.5, spotVolBeta: -0.5 };

describe('impact', () => {
  it('square-root law: selling 1,000 X at 100 with vol 0.5 against a 1,000,000 USD day', () => {
    // I = y·σ_daily·√(|Q|·p/ADV) = (0.5/√365)·√(100,000/1,000,000) = 0.0261712…·0.3162277… = 0.0082761…, negative for a sale
    const i = impactMove(sqrt, -1000, 100, 0.5);
    expect(i).toBeCloseTo(-(0.5 / Math.sqrt(365)) * Math.sqrt(0.1), 15);
    expect(i).toBeCloseTo(-0.0082761, 7);
    expect(permanentShare(sqrt) * i).toBeCloseTo(-0.00413803, 8);
    expect(spotVolBeta(sqrt)).toBe(-0.5);
    expect(fillModel(sqrt)).toEqual({ model: 'sqrt', y: 1, advUsd: 1e6 });
  });

  it('linear depth: Δp = κ·Q, as a relative move', () => {
    expect(impactMove({ model: 'linear', pricePerUnit: 0.5, permanent: 1, spotVolBeta: 0 }, -10, 92, 0.5)).toBe(-5 / 92);
    expect(impactMove({ model: 'none' }, -10, 92, 0.5)).toBe(0);
  });

  it('contagion: v moves by ρ·σ_v/σ_u of u\'s move; assets outside the matrix or without vol pass nothing on', () => {
    const m = validateMarket({
      valuationTime: '2026-11-20T08:00:00Z',
      assets: { X: { price: 100, vol: 0.5 }, Y: { price: 10, vol: 1 }, Z: { price: 1, vol: 0 }, USDC: { price: 1, vol: 0 } },
      correlation: { assets: ['X', 'Y', 'USDC'], matrix: [[1, 0.6, 0], [0.6, 1, 0], [0, 0, 1]] },
    });
    const vol = (a: string) => m.assets.get(a)!.vol;
    const out = withContagion(new Map([['X', -0.01], ['Z', -0.02]]), vol, m.correlation);
    expect(out.get('X')).toBe(-0.01);
    expect(out.get('Y')).toBeCloseTo(0.6 * (1 / 0.5) * -0.01, 15); // −0.012
    expect(out.get('Z')).toBe(-0.02); // no vol, outside the matrix: its own move only, passed on to nobody
    expect(out.has('USDC')).toBe(false); // ρ = 0
  });
});

describe('market moves', () => {
  const m = validateMarket({
    valuationTime: '2026-11-20T08:00:00Z',
    assets: { X: { price: 100, vol: 0.5 }, USDC: { price: 1, vol: 0 } },
    marks: { 'X-PERP': 101 },
    impliedVols: { 'X-C': 0.6 },
    correlation: { assets: ['X'], matrix: [[1]] },
  });
  const under = new Map([['X-PERP', 'X'], ['X-C', 'X']]);

  it('moves spot and the marks on the asset by the same factor, shifts its vols, and leaves the rest', () => {
    const moved = moveMarket(m, { underlyingOf: under }, { returns: new Map([['X', -0.1]]), volShift: new Map([['X', 0.2]]) });
    expect(moved.assets.get('X')).toEqual({ price: 90, vol: 0.7, rate: 0, carry: 0 });
    expect(moved.marks.get('X-PERP')).toBeCloseTo(90.9, 12);
    expect(moved.impliedVols.get('X-C')).toBeCloseTo(0.8, 15);
    expect(moved.assets.get('USDC')).toBe(m.assets.get('USDC'));
    expect(m.assets.get('X')!.price).toBe(100); // the input is not changed
  });

  it('never takes a price to 0 or a vol below 0', () => {
    const moved = moveMarket(m, { underlyingOf: under }, { returns: new Map([['X', -5]]), volShift: new Map([['X', -3]]) });
    expect(moved.assets.get('X')!.price).toBeCloseTo(100 * (1 + MIN_RETURN), 12);
    expect(moved.assets.get('X')!.vol).toBe(0);
    expect(moved.impliedVols.get('X-C')).toBe(0);
  });

  it('compounds moves, keeping a single move as given', () => {
    expect(compoundReturn(undefined, 0.1234567)).toBe(0.1234567);
    expect(compoundReturn(-0.5, -0.5)).toBe(-0.75);
  });
});
