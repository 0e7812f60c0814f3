/**
 * The var method's part of the published JSON Schemas: its params section (`params.var`) and its part of a
 * report row with breakdown (`accounts[].var`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';
import { choice, figure, integer, list, number, record, ref, section, string } from '../../model/schema-builder.js';

const model = choice(['delta-normal', 'delta-gamma', 'monte-carlo', 'historical']);
const measure = choice(['var', 'es']);

export const varSchema: MethodSchema = {
  params: section({
    model,
    measure,
    confidence: number('[0.5, 1)'),
    horizonDays: number('(0, 365]'),
    scenarios: integer('[1, 1000000]'),
    seed: integer('[0, 4294967295]'),
    floorRate: number('[0, ∞)'),
    floorUsd: number('[0, ∞)'),
    mmFactor: number('(0, 1]'),
    covariance: choice(['market', 'ewma']),
    ewmaLambda: number('(0, 1)'),
    returns: {
      oneOf: [
        { type: 'null' },
        record({ assets: list(string()), matrix: list(list(number('(-1, ∞)'))), periodDays: number('(0, ∞)') }, ['periodDays']),
      ],
    },
  }),
  explain: ref('varExplain'),
  explainDefs: {
    varExplain: record({
      model,
      measure,
      confidence: number(),
      horizonDays: number(),
      var: figure,
      es: figure,
      floor: figure,
      scenarios: integer(),
      components: list(record({ underlying: string(), contribution: figure })),
      exposures: list(record({ underlying: string(), dollarDelta: figure, dollarGamma: figure, vega: figure })),
      note: string(),
    }, ['scenarios', 'note']),
  },
};
