/**
 * The portfolio method's part of the published JSON Schemas: its params section (`params.portfolio`) and its part of a
 * report row with breakdown (`accounts[].portfolio`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';
import { boolean, choice, figure, integer, list, map, number, record, ref, section, string } from '../../model/schema-builder.js';

const aggregation = choice(['sum', 'correlation']);

export const portfolioSchema: MethodSchema = {
  params: section({
    aggregation,
    mmFactor: number('(0, 1]'),
    stableAssets: list(string()),
    assets: map(ref('portfolioRule')),
  }),
  paramsDefs: {
    portfolioRule: section({
      spotRange: number('(0, ∞)'),
      spotSteps: integer('[1, ∞)'),
      volUp: number('[0, ∞)'),
      volDown: number('[0, ∞)'),
      volPowerShort: number(),
      volPowerLong: number(),
      volFloorDays: number('(0, ∞)'),
      volFloor: number('[0, ∞)'),
      tails: list(record({ move: number(), weight: number() })),
      shortOptionRate: number('[0, ∞)'),
      linearRate: number('[0, ∞)'),
    }),
  },
  explain: ref('portfolioExplain'),
  explainDefs: {
    portfolioExplain: record({
      underlyings: list(record({
        underlying: string(),
        worstLoss: figure,
        worstScenario: record({ spotMove: number(), volShock: string(), tail: boolean(), weight: number(), label: string() }),
        contributions: list(record({ source: choice(['position', 'collateral']), id: string(), pnl: figure })),
        grid: record({
          spotMoves: list(number()),
          volShocks: list(string()),
          pnl: list(list(figure)),
          tails: list(record({ spotMove: number(), volShock: string(), weight: number(), pnl: figure })),
        }),
      })),
      aggregation,
      scenarioLoss: figure,
      addOns: list(record({
        kind: choice(['shortOption', 'linearNotional']),
        underlying: string(),
        strike: number(),
        net: number(),
        amount: figure,
      }, ['strike'])),
    }),
  },
};
