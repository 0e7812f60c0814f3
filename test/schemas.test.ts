/** The published JSON Schemas accept what the library accepts and reject the mistakes it rejects. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateSample } from '../src/index.js';
import { DEFAULT_PORTFOLIO_PARAMS, DEFAULT_VAR_PARAMS } from '../src/plugin.js';
import { DEFAULT_LIQUIDATION_PARAMS } from '../src/liquidation/params.js';
import { DEFAULT_STRESS_PARAMS } from '../src/stress/params.js';
import { SAMPLE } from './support/cli.js';
import { expectConforms, SCHEMAS } from './support/schemas.js';

const read = (name: string) => JSON.parse(readFileSync(join(SAMPLE, name), 'utf8'));

describe('JSON Schemas (schemas/)', () => {
  it('accept the bundled sample, a generated book with exactly 5 positions per account, and a full params file', () => {
    expectConforms('book', read('book.json'));
    expectConforms('market', read('market.json'));
    const generated = generateSample({ accounts: 400, seed: 3, positionsPerAccount: 5 });
    expectConforms('book', generated.book);
    expectConforms('market', generated.market);
    expectConforms('params', {
      $schema: 'https://margin-core.dev/schemas/params.schema.json',
      linear: { BTC: [{ upTo: 50_000, imRate: 0.01, mmRate: 0.005 }, { imRate: 0.02, mmRate: 0.01 }] },
      options: { default: { imBase: 0.15, imFloor: 0.1, mmRate: 0.075 } },
      collateral: { ETH: { brackets: [{ upTo: null, imHaircut: 0.1, mmHaircut: 0.05 }], liabilityWeightIm: 1.1 } },
      portfolio: { ...DEFAULT_PORTFOLIO_PARAMS, assets: { BTC: { spotRange: 0.2, tails: [{ move: -0.5, weight: 0.3 }] } } },
      var: { ...DEFAULT_VAR_PARAMS, returns: { assets: ['BTC'], matrix: [[0.01], [-0.02]], periodDays: 1 } },
      liquidation: {
        ...DEFAULT_LIQUIDATION_PARAMS, maxNotionalPerStep: 250_000,
        slippage: { default: { model: 'sqrt', y: 1, advUsd: 1e9 }, BTC: { model: 'linear', pricePerUnit: 0.5 }, USDC: { model: 'none' } },
      },
      stress: { ...DEFAULT_STRESS_PARAMS, impact: { default: { model: 'sqrt', y: 1, advUsd: 1e9, permanent: 0.5, spotVolBeta: 0 }, ETH: { model: 'linear', pricePerUnit: 0.01, permanent: 1, spotVolBeta: -2 } } },
      dynamic: {
        methods: ['portfolio', 'var'], volAnnual: { BTC: 0.6 }, multipliers: { BTC: 1.5 }, horizonDays: 2, periodsPerYear: 365, portfolio: { k: 3 },
        ruleBased: { baseVolAnnual: { default: 0.6 }, floor: 1 }, forecast: { model: 'garch', lambda: 0.94, refitDays: 250 },
        apc: { tool: null, bufferRate: 0.25, releaseOnRise: 0.1, releaseWindowDays: 5, stressedWeight: 0.25, maxDailyIncrease: null },
        circuitBreaker: { horizonDays: 1, trip: 1, release: 0.5, stepUp: 1.5 },
      },
      locations: { horizonHours: 1, delayRule: 'haircut', at: { arbitrum: { haircut: 0.01, delayHours: 0.25 } } },
      subaccounts: { policy: 'backstop' },
    });
  });

  it('reject the misspelt fields the validators reject (issue 13 item 2)', () => {
    const book = read('book.json');
    book.instruments[0].multipler = 100;
    expect(SCHEMAS.book(book)).toBe(false);
    expect(SCHEMAS.book({ instruments: [], accounts: [{ id: 'a', positions: [{ instrument: 'X', quantity: 1, entryPrice: 1, isolatedMargn: 5 }] }] })).toBe(false);
    expect(SCHEMAS.market({ ...read('market.json'), valuationTme: 'x' })).toBe(false);
    expect(SCHEMAS.params({ var: { confidense: 0.99 } })).toBe(false);
    expect(SCHEMAS.params({ dynamic: { apc: { bufferRate: 0.2 } } })).toBe(false);
    expect(SCHEMAS.params({ liquidation: { feeRat: 0.01 } })).toBe(false);
    expect(SCHEMAS.params({ liquidation: { slippage: { BTC: { model: 'sqrt', y: 1 } } } })).toBe(false);
    expect(SCHEMAS.params({ stress: { impact: { default: { model: 'cubic' } } } })).toBe(false);
    expect(SCHEMAS.params({ dynamic: { horizn: 1 } })).toBe(false);
    expect(SCHEMAS.params({ locations: { at: { arbitrum: { delayHours: -1 } } } })).toBe(false);
    expect(SCHEMAS.params({ subaccounts: { policy: 'pooled' } })).toBe(false);
    expect(SCHEMAS.book({ instruments: [], accounts: [{ id: 'a', master: 'm', method: 'cross', collateral: [{ asset: 'USDC', amount: 1, location: 'base' }] }] })).toBe(true);
    expect(SCHEMAS.book({ instruments: [], accounts: [{ id: 'a', collateral: [{ asset: 'USDC', amount: 1, locaton: 'base' }] }] })).toBe(false);
    expect(SCHEMAS.report({ method: 'cross', valuationTime: '', backend: 'gpu', accounts: [], totals: {} })).toBe(false);
  });
});
