/**
 * The span method's part of the published JSON Schemas: its params section (`params.span`) and its part of a
 * report row with breakdown (`accounts[].span`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';
import { choice, figure, integer, list, map, nullable, number, record, ref, section, string } from '../../model/schema-builder.js';

/** An inter-commodity spread (CME methods 1–3, and method 4's scanning-based spreads): a credit rate over its legs. */
const interSpread = record({
  creditRate: number('(0, 1]'),
  legs: list(record({ commodity: string(true), side: choice(['A', 'B']), deltaPerSpread: number('(0, ∞)') }), { minItems: 2 }),
});

const commodity = section({
  priceScanRange: nullable(number('(0, ∞)')),
  priceScanRate: number('(0, 0.5)'),
  volScanRange: number('[0, 1)'),
  shortOptionMinimum: number('[0, ∞)'),
  tiers: list(record({ upToDays: nullable(number('[0, ∞)')) }), { minItems: 1 }),
  intraSpreads: list(record({
    chargePerSpread: number('[0, ∞)'),
    legs: list(record({ tier: integer('[1, ∞)'), side: choice(['A', 'B']), deltaPerSpread: number('(0, ∞)') }), { minItems: 2 }),
  })),
  monthScanRanges: list(
    record({ upToDays: nullable(number('[0, ∞)')), priceScanRange: number('(0, ∞)') }),
    { description: 'price scan ranges by expiry month, ascending, the last open (upToDays null); [] : the commodity\'s range for every month' },
  ),
  extremeMove: number('(0, 10]', 'scenarios 15, 16 move the price by ± this many scan ranges (default 2)'),
  extremeCover: number('[0, 1]', 'fraction of the extreme scenarios\' loss that counts (default 0.35)'),
});

const scenario = integer('[0, 16]');

export const spanSchema: MethodSchema = {
  params: section({
    initialToMaintenance: number('[1, 10]'),
    lookAheadDays: number('[0, 30]'),
    deltaWeights: list(number('[0, 1]'), { minItems: 7, maxItems: 7 }),
    commodities: map(commodity),
    interSpreads: list(interSpread),
    scanSpreads: list(interSpread, { description: 'scanning-based inter-commodity spreads (CME method 4), formed first: the legs\' shares scanned together, each gain credited at creditRate' }),
  }, 'CME SPAN (docs/profiles.md, "SPAN"): scan ranges (per month if given), extreme scenarios, tiers and spreads per combined commodity (asset symbol or "default"), inter-commodity and scanning-based spreads in priority order.'),
  explain: ref('spanExplain'),
  explainDefs: {
    spanExplain: record({
      maintenance: figure,
      initial: figure,
      longOptionValue: figure,
      shortOptionValue: figure,
      netOptionValue: figure,
      totalRequirement: figure,
      commodities: list(record({
        commodity: string(),
        priceScanRange: number(),
        scanRisk: figure,
        scenario,
        timeRisk: figure,
        volatilityRisk: figure,
        priceRisk: figure,
        netDelta: figure,
        tiers: list(record({ tier: integer('[1, ∞)'), delta: figure, remaining: figure })),
        intraCharge: figure,
        interCredit: figure,
        shortOptionMinimum: figure,
        requirement: figure,
        scannedShare: number('(0, ∞)'),
        scanSpreadRisk: figure,
        monthScanRanges: list(record({ upToDays: nullable(number('[0, ∞)')), priceScanRange: number('(0, ∞)') })),
      }, ['scannedShare', 'scanSpreadRisk', 'monthScanRanges'])),
      spreads: list(record({
        kind: choice(['intra', 'inter', 'scan']),
        commodity: string(),
        priority: integer('[0, ∞)'),
        spreads: figure,
        amount: figure,
        scenario,
      }, ['commodity', 'scenario'])),
    }),
  },
};
