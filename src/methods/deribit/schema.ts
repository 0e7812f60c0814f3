/**
 * The deribit method's part of the published JSON Schemas: its params section (`params.deribit`) and its part of a
 * report row with breakdown (`accounts[].deribit`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';
import { boolean, figure, integer, list, map, nullable, number, record, ref, section, string } from '../../model/schema-builder.js';

export const deribitSchema: MethodSchema = {
  params: section({
    mmFactor: number('(0, 1]'),
    bucketsCount: integer('[1, 100]'),
    extendedMoves: list(number('(-1, 100]'), { maxItems: 64 }),
    stableAssets: list(string(true)),
    pairs: map(section({
      priceRange: number('(0, 1)'),
      volatilityRangeUp: number('[0, 10]'),
      volatilityRangeDown: number('[0, 1]'),
      shortTermVegaPower: number('[0, 2]'),
      longTermVegaPower: number('[0, 2]'),
      minVolatilityForShockUp: number('[0, 10]'),
      extendedTableFactor: number('[0, 1]'),
      maxDeltaShock: number('[0, 1]'),
      deltaTotalLiqShockThreshold: number('[0, ∞)'),
      mInc: number('[0, 1]'),
    })),
    currencies: map(section({
      annualisedMoveRisk: number('[0, 2]'),
      minAnnualisedMove: number('[0, 1]'),
      extendedDampener: number('[0, ∞)'),
    })),
  }, 'Deribit\'s 2024 portfolio margin model, method `deribit` (docs/profiles.md, "Deribit"): fields named after pme/simulate\'s model_params; pairs by underlying, currencies by margin currency, each merged over its `default`.'),
  explain: ref('deribitExplain'),
  explainDefs: {
    deribitExplain: record({
      currency: string(),
      underlyings: list(record({
        underlying: string(),
        worstCase: figure,
        dampened: boolean(),
        scenario: record({ spotMove: figure, volShock: string(), extended: boolean(), label: string() }),
      })),
      rollShock: list(record({ underlying: string(), expiry: nullable(string()), netDelta: figure, rate: figure, amount: figure })),
      deltaShock: list(record({ underlying: string(), deltaTotal: figure, rate: figure, amount: figure })),
      worstCase: figure,
      riskMatrixMargin: figure,
      mmFactor: number(),
    }, [], 'Method deribit with breakdown, in the account\'s margin currency: worst case per underlying, roll and delta shocks (docs/profiles.md, "Deribit").'),
  },
};
