/**
 * syntheticHistoryFor takes what the other root functions take: a market validateMarket returned, or market JSON,
 * validated (a bad one is an InputError naming its path, not a TypeError from deep inside).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, syntheticHistoryFor, validateMarket } from '../../src/index.js';
import { SAMPLE } from '../support/cli.js';

const MARKET = JSON.parse(readFileSync(join(SAMPLE, 'market.json'), 'utf8'));

describe('syntheticHistoryFor on market JSON', () => {
  it('draws the same history from the JSON as from the validated market', () => {
    const fromJson = syntheticHistoryFor(MARKET, { days: 30, seed: 3 });
    const fromValid = syntheticHistoryFor(validateMarket(MARKET), { days: 30, seed: 3 });
    expect(fromJson.assets).toEqual(fromValid.assets);
    expect(fromJson.closes).toEqual(fromValid.closes);
  });

  it('refuses a bad market with its path', () => {
    const bad = { ...MARKET, assets: { ...MARKET.assets, BTC: { ...MARKET.assets.BTC, price: -1 } } };
    expect(() => syntheticHistoryFor(bad, { days: 30, seed: 3 })).toThrow(InputError);
    try {
      syntheticHistoryFor(bad, { days: 30, seed: 3 });
    } catch (error) {
      expect((error as InputError).problems.map((p) => p.path)).toContain('market.assets.BTC.price');
    }
    expect(() => syntheticHistoryFor({ valuationTime: '2026-11-20T08:00:00Z' }, { days: 30, seed: 3 })).toThrow(InputError);
  });
});
