/**
 * The var method's part of the published JSON Schemas: its params section (`params.var`) and its part of a
 * report row with breakdown (`accounts[].var`). schemas/*.schema.json are generated from these
 * (src/schemas/generate.ts, `npm run schemas`).
 */
import type { MethodSchema } from '../method-schema.js';

export const varSchema: MethodSchema = {
  params: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: { enum: ['delta-normal', 'delta-gamma', 'monte-carlo', 'historical'] },
      measure: { enum: ['var', 'es'] },
      confidence: { type: 'number', minimum: 0.5, exclusiveMaximum: 1 },
      horizonDays: { type: 'number', exclusiveMinimum: 0, maximum: 365 },
      scenarios: { type: 'integer', minimum: 1, maximum: 1000000 },
      seed: { type: 'integer', minimum: 0, maximum: 4294967295 },
      floorRate: { type: 'number', minimum: 0 },
      floorUsd: { type: 'number', minimum: 0 },
      mmFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      covariance: { enum: ['market', 'ewma'] },
      ewmaLambda: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      returns: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['assets', 'matrix'],
            additionalProperties: false,
            properties: {
              assets: { type: 'array', items: { type: 'string' } },
              matrix: { type: 'array', items: { type: 'array', items: { type: 'number', exclusiveMinimum: -1 } } },
              periodDays: { type: 'number', exclusiveMinimum: 0 },
            },
          },
        ],
      },
    },
  },
  explain: { $ref: '#/$defs/varExplain' },
  explainDefs: {
    varExplain: {
      type: 'object',
      required: ['model', 'measure', 'confidence', 'horizonDays', 'var', 'es', 'floor', 'components', 'exposures'],
      additionalProperties: false,
      properties: {
        model: { enum: ['delta-normal', 'delta-gamma', 'monte-carlo', 'historical'] },
        measure: { enum: ['var', 'es'] },
        confidence: { type: 'number' },
        horizonDays: { type: 'number' },
        var: { $ref: '#/$defs/figure' },
        es: { $ref: '#/$defs/figure' },
        floor: { $ref: '#/$defs/figure' },
        scenarios: { type: 'integer' },
        components: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'contribution'],
            additionalProperties: false,
            properties: { underlying: { type: 'string' }, contribution: { $ref: '#/$defs/figure' } },
          },
        },
        exposures: {
          type: 'array',
          items: {
            type: 'object',
            required: ['underlying', 'dollarDelta', 'dollarGamma', 'vega'],
            additionalProperties: false,
            properties: {
              underlying: { type: 'string' },
              dollarDelta: { $ref: '#/$defs/figure' },
              dollarGamma: { $ref: '#/$defs/figure' },
              vega: { $ref: '#/$defs/figure' },
            },
          },
        },
        note: { type: 'string' },
      },
    },
  },
};
