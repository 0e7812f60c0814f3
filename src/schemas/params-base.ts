/**
 * The params schema's parts no method owns: the header, the rule-based sections every method's equity reads
 * (linear, options, collateral), the engine's sections (liquidation, stress, locations, subaccounts, dynamic) and
 * the shared subschemas a method's fragment may refer to (`#/$defs/fraction`, `upTo`, `rateBrackets`,
 * `haircutBrackets`). src/schemas/generate.ts puts the methods' sections between them.
 */
import type { JsonSchema } from '../methods/method-schema.js';

export const PARAMS_HEADER: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://margin-core.dev/schemas/params.schema.json',
  title: 'margin-core risk parameters',
  description: 'Merged over the defaults. Rule-based sections (linear, options, collateral) serve every method\'s equity and the isolated and cross methods; portfolio and var are those methods\' own sections. Rates and haircuts are fractions (0.01 = 1%), bounds in USD. Keys of the per-asset maps are asset symbols or "default".',
  type: 'object',
  additionalProperties: false,
};

/** Sections before the methods' (in properties order). */
export const PARAMS_SHARED: Readonly<Record<string, JsonSchema>> = {
  $schema: { type: 'string' },
  linear: { type: 'object', additionalProperties: { $ref: '#/$defs/rateBrackets' } },
  options: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['imBase', 'imFloor', 'mmRate'],
      additionalProperties: false,
      properties: {
        imBase: { $ref: '#/$defs/fraction' },
        imFloor: { $ref: '#/$defs/fraction' },
        mmRate: { $ref: '#/$defs/fraction' },
      },
    },
  },
  linearSize: {
    description: 'A linear rate that grows with the position\'s size in units of the underlying (Deribit\'s futures: 0.005% per BTC): IM = bracket IM + notional × imPerUnit × size, MM likewise. Absent: none.',
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['imPerUnit', 'mmPerUnit'],
      additionalProperties: false,
      properties: {
        imPerUnit: { $ref: '#/$defs/fraction' },
        mmPerUnit: { $ref: '#/$defs/fraction' },
      },
    },
  },
  collateral: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      required: ['brackets'],
      additionalProperties: false,
      properties: {
        brackets: { $ref: '#/$defs/haircutBrackets' },
        liabilityWeightIm: { type: 'number', minimum: 1 },
        liabilityWeightMm: { type: 'number', minimum: 1 },
      },
    },
  },
};

/** Sections after the methods'; `dynamic.methods` lists the methods with a dynamic-margin hook (filled in by generation). */
export const PARAMS_ENGINE: Readonly<Record<string, JsonSchema>> = {
  liquidation: {
    description: 'The liquidation engine\'s rules (src/liquidation/params.ts; README Liquidation).',
    type: 'object',
    additionalProperties: false,
    properties: {
      target: { enum: ['mm-buffer', 'im'] },
      buffer: { type: 'number', minimum: 0 },
      maxFractionPerStep: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      maxNotionalPerStep: { anyOf: [{ type: 'null' }, { type: 'number', exclusiveMinimum: 0 }] },
      smallShortfallUsd: { type: 'number', minimum: 0 },
      order: { enum: ['efficiency', 'largest-notional', 'linear-first'] },
      feeRate: { type: 'number', minimum: 0, maximum: 1 },
      optionFeeCap: { type: 'number', minimum: 0, maximum: 1 },
      feeSplit: {
        type: 'object',
        additionalProperties: false,
        properties: {
          liquidator: { type: 'number', minimum: 0, maximum: 1 },
          insuranceFund: { type: 'number', minimum: 0, maximum: 1 },
        },
        required: ['liquidator', 'insuranceFund'],
      },
      collateralDiscount: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
      stableAssets: { type: 'array', items: { type: 'string', minLength: 1 } },
      insuranceFund: {
        type: 'object',
        additionalProperties: false,
        properties: {
          balanceUsd: { type: 'number', minimum: 0 },
          maxPerStepUsd: { anyOf: [{ type: 'null' }, { type: 'number', minimum: 0 }] },
        },
      },
      adl: { enum: ['queue', 'pro-rata'] },
      slippage: {
        type: 'object',
        additionalProperties: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              properties: { model: { const: 'none' } },
              required: ['model'],
            },
            {
              type: 'object',
              additionalProperties: false,
              properties: { model: { const: 'linear' }, pricePerUnit: { type: 'number', minimum: 0 } },
              required: ['model', 'pricePerUnit'],
            },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                model: { const: 'sqrt' },
                y: { type: 'number', minimum: 0 },
                advUsd: { type: 'number', exclusiveMinimum: 0 },
              },
              required: ['model', 'y', 'advUsd'],
            },
          ],
        },
      },
      optionSpreadVol: { type: 'number', minimum: 0 },
      maxStepsPerAccount: { type: 'integer', minimum: 1 },
    },
  },
  stress: {
    description: 'Market impact and the cascade loop\'s stops (src/stress/params.ts; README Stress testing).',
    type: 'object',
    additionalProperties: false,
    properties: {
      impact: {
        type: 'object',
        additionalProperties: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              properties: { model: { const: 'none' } },
              required: ['model'],
            },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                model: { const: 'linear' },
                pricePerUnit: { type: 'number', minimum: 0 },
                permanent: { type: 'number', minimum: 0, maximum: 1 },
                spotVolBeta: { type: 'number', minimum: -100, maximum: 100 },
              },
              required: ['model', 'pricePerUnit'],
            },
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                model: { const: 'sqrt' },
                y: { type: 'number', minimum: 0 },
                advUsd: { type: 'number', exclusiveMinimum: 0 },
                permanent: { type: 'number', minimum: 0, maximum: 1 },
                spotVolBeta: { type: 'number', minimum: -100, maximum: 100 },
              },
              required: ['model', 'y', 'advUsd'],
            },
          ],
        },
      },
      contagion: { type: 'boolean' },
      maxRounds: { type: 'integer', minimum: 1, maximum: 10000 },
      priceTolerance: { type: 'number', minimum: 0 },
    },
  },
  locations: {
    description: 'Collateral by location (README, "Collateral by location"): the chains and venues a balance may sit at, each with an extra haircut and a settlement delay; collateral arriving after the liquidation horizon counts for IM but not MM (exclude-mm) or with a haircut σ·√delay (haircut).',
    type: 'object',
    additionalProperties: false,
    properties: {
      horizonHours: { type: 'number', minimum: 0, description: 'Liquidation horizon in hours (default 1).' },
      delayRule: {
        enum: ['exclude-mm', 'haircut'],
        description: 'What late collateral counts for MM (default exclude-mm).',
      },
      at: {
        type: 'object',
        additionalProperties: {
          type: 'object',
          additionalProperties: false,
          properties: {
            haircut: {
              type: 'number',
              minimum: 0,
              exclusiveMaximum: 1,
              description: 'Extra haircut (decimal) on positive balances held there, IM and MM.',
            },
            delayHours: {
              type: 'number',
              minimum: 0,
              description: 'Hours for collateral there to reach the margin account.',
            },
          },
        },
      },
    },
  },
  subaccounts: {
    description: 'How a master and its subaccounts (book accounts[].master) are margined together (README, "Subaccounts").',
    type: 'object',
    additionalProperties: false,
    properties: {
      policy: {
        enum: ['independent', 'cross', 'backstop'],
        description: 'independent (default): each account alone; cross: one pool per master under the master\'s method; backstop: the master\'s free collateral covers subaccount shortfalls below MM.',
      },
    },
  },
  dynamic: {
    description: 'Volatility-driven margin (docs/dynamic-margin.md): the methods that follow the forecast, the forecast per asset, the mapping, the anti-procyclicality tool and the circuit breaker.',
    type: 'object',
    additionalProperties: false,
    properties: {
      methods: { type: 'array', items: { enum: [] } },
      volAnnual: { type: 'object', additionalProperties: { type: 'number', minimum: 0, maximum: 10 } },
      multipliers: { type: 'object', additionalProperties: { type: 'number', minimum: 1, maximum: 100 } },
      horizonDays: { type: 'number', exclusiveMinimum: 0, maximum: 365 },
      periodsPerYear: { type: 'number', minimum: 1, maximum: 8784 },
      portfolio: {
        type: 'object',
        additionalProperties: false,
        properties: { k: { type: 'number', exclusiveMinimum: 0, maximum: 20 } },
      },
      ruleBased: {
        type: 'object',
        additionalProperties: false,
        properties: {
          baseVolAnnual: {
            type: 'object',
            additionalProperties: { type: 'number', exclusiveMinimum: 0, maximum: 10 },
          },
          floor: { type: 'number', exclusiveMinimum: 0, maximum: 100 },
        },
      },
      forecast: {
        type: 'object',
        additionalProperties: false,
        properties: {
          model: { enum: ['ewma', 'garch'] },
          lambda: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
          refitDays: { type: 'integer', minimum: 1, maximum: 100000 },
        },
      },
      apc: {
        type: 'object',
        additionalProperties: false,
        properties: {
          tool: { enum: ['buffer', 'stressed-weight', 'lookback-floor', null] },
          bufferRate: { type: 'number', minimum: 0.25, maximum: 10 },
          releaseOnRise: { type: 'number', minimum: 0 },
          releaseWindowDays: { type: 'integer', minimum: 1, maximum: 3650 },
          stressedWeight: { type: 'number', minimum: 0.25, maximum: 1 },
          maxDailyIncrease: { anyOf: [{ type: 'null' }, { type: 'number', exclusiveMinimum: 0 }] },
        },
      },
      circuitBreaker: {
        type: 'object',
        additionalProperties: false,
        properties: {
          horizonDays: { type: 'integer', minimum: 1, maximum: 3650 },
          trip: { type: 'number', exclusiveMinimum: 0 },
          release: { type: 'number', minimum: 0 },
          stepUp: { type: 'number', minimum: 1, maximum: 100 },
        },
      },
    },
  },
};

export const PARAMS_SHARED_DEFS: Readonly<Record<string, JsonSchema>> = {
  fraction: { type: 'number', minimum: 0, maximum: 1 },
  upTo: {
    type: ['number', 'null'],
    exclusiveMinimum: 0,
    description: 'USD; omitted or null on the last bracket (unbounded)',
  },
  rateBrackets: {
    type: 'array',
    minItems: 1,
    maxItems: 16,
    items: {
      type: 'object',
      required: ['imRate', 'mmRate'],
      additionalProperties: false,
      properties: {
        upTo: { $ref: '#/$defs/upTo' },
        imRate: { $ref: '#/$defs/fraction' },
        mmRate: { $ref: '#/$defs/fraction' },
      },
    },
  },
  haircutBrackets: {
    type: 'array',
    minItems: 1,
    maxItems: 16,
    items: {
      type: 'object',
      required: ['imHaircut', 'mmHaircut'],
      additionalProperties: false,
      properties: {
        upTo: { $ref: '#/$defs/upTo' },
        imHaircut: { $ref: '#/$defs/fraction' },
        mmHaircut: { $ref: '#/$defs/fraction' },
      },
    },
  },
};
