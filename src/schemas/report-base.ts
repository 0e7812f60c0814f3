/**
 * The report schema's parts no method owns: the report, its totals and subaccounts, and an account row without the
 * methods' breakdown parts, which src/schemas/generate.ts adds from the registry (`accounts[].<method>`).
 */
import type { JsonSchema } from '../methods/method-schema.js';

export const REPORT_TOP: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://margin-core.dev/schemas/report.schema.json',
  title: 'margin-core margin report',
  description: 'What engine.margin returns, as JSON (JSON.stringify of the report, or `margin-core margin --format json`). Money in USD. A number that is not finite is written null: health with no maintenance margin (unbounded; its sign is that of equityMm), efficiency with no initial margin (not applicable), and the figures of an account in status error.',
  type: 'object',
  required: ['method', 'valuationTime', 'backend', 'accounts', 'totals'],
  additionalProperties: false,
  properties: {
    method: { type: 'string' },
    profile: {
      description: 'The methodology profile (options.profile) that chose the method and its parameters; absent without one.',
      type: 'object',
      required: ['name', 'version'],
      additionalProperties: false,
      properties: { name: { type: 'string' }, version: { type: 'string' } },
    },
    valuationTime: { type: 'string' },
    backend: { enum: ['wasm-simd', 'wasm-scalar', 'js'] },
    accounts: { type: 'array', items: { $ref: '#/$defs/account' } },
    totals: {
      type: 'object',
      description: 'equity, im, mm and grossNotional are exact sums (rounded once: the same bits however the book is ordered or split) over the `covered` of `accounts` accounts not in status error; `complete` is false when some account is in error and the sums leave it out.',
      required: ['accounts', 'byStatus', 'complete', 'covered', 'equity', 'im', 'mm', 'grossNotional', 'efficiency'],
      additionalProperties: false,
      properties: {
        accounts: { type: 'integer', minimum: 0 },
        complete: {
          type: 'boolean',
          description: 'true when no account is in status error: the sums cover the whole book',
        },
        covered: { type: 'integer', minimum: 0, description: 'the accounts the sums cover (not in status error)' },
        byStatus: {
          type: 'object',
          additionalProperties: false,
          required: ['healthy', 'margin_call', 'liquidatable', 'bankrupt', 'error'],
          properties: {
            healthy: { type: 'integer' },
            margin_call: { type: 'integer' },
            liquidatable: { type: 'integer' },
            bankrupt: { type: 'integer' },
            error: { type: 'integer' },
          },
        },
        equity: { $ref: '#/$defs/figure' },
        im: { $ref: '#/$defs/figure' },
        mm: { $ref: '#/$defs/figure' },
        grossNotional: { $ref: '#/$defs/figure' },
        efficiency: { $ref: '#/$defs/figure' },
      },
    },
    subaccounts: { $ref: '#/$defs/subaccounts' },
    warnings: { type: 'array', items: { $ref: '#/$defs/problem' } },
    computedBy: {
      description: 'A sharded run\'s workers: each one whose rows the report merged, its backend and its shards. Absent from a run in one process.',
      type: 'array',
      items: {
        type: 'object',
        required: ['worker', 'backend', 'shards'],
        additionalProperties: false,
        properties: {
          worker: { type: 'string' },
          backend: { enum: ['wasm-simd', 'wasm-scalar', 'js'] },
          shards: { type: 'array', items: { type: 'integer', minimum: 0 } },
        },
      },
    },
  },
};

/** Subschemas before the account row. */
export const REPORT_SHARED_DEFS: Readonly<Record<string, JsonSchema>> = {
  figure: { type: ['number', 'null'], description: 'null: not finite (see the report\'s description)' },
  problem: {
    type: 'object',
    required: ['path', 'message'],
    additionalProperties: false,
    properties: { path: { type: 'string' }, message: { type: 'string' } },
  },
  status: { enum: ['healthy', 'margin_call', 'liquidatable', 'bankrupt', 'error'] },
  groupFigures: {
    type: 'object',
    additionalProperties: false,
    required: ['equity', 'equityIm', 'equityMm', 'im', 'mm', 'health', 'excessOverMm', 'status'],
    properties: {
      equity: { type: 'number' },
      equityIm: { type: 'number' },
      equityMm: { type: 'number' },
      im: { type: 'number' },
      mm: { type: 'number' },
      health: { $ref: '#/$defs/figure' },
      excessOverMm: { type: 'number' },
      status: { $ref: '#/$defs/status' },
    },
  },
  subaccounts: {
    description: 'The master/subaccount roll-up (README, "Subaccounts"): per master, the group alone and under the policy, and the IM pooling freed.',
    type: 'object',
    additionalProperties: false,
    required: ['policy', 'masters', 'totals'],
    properties: {
      policy: { enum: ['independent', 'cross', 'backstop'] },
      masters: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['id', 'subaccounts', 'method', 'standalone', 'combined', 'imFreed', 'imFreedShare'],
          properties: {
            id: { type: 'string' },
            subaccounts: { type: 'array', items: { type: 'string' } },
            method: { type: 'string' },
            standalone: { $ref: '#/$defs/groupFigures' },
            combined: { $ref: '#/$defs/groupFigures' },
            imFreed: { type: 'number' },
            imFreedShare: { type: 'number' },
            backstop: {
              type: 'object',
              additionalProperties: false,
              required: ['freeUsd', 'coveredUsd', 'uncoveredUsd', 'covers'],
              properties: {
                freeUsd: { type: 'number' },
                coveredUsd: { type: 'number' },
                uncoveredUsd: { type: 'number' },
                covers: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['account', 'usd'],
                    properties: { account: { type: 'string' }, usd: { type: 'number' } },
                  },
                },
              },
            },
          },
        },
      },
      totals: {
        type: 'object',
        additionalProperties: false,
        required: ['masters', 'subaccounts', 'standaloneIm', 'im', 'imFreed', 'imFreedShare', 'backstopUsd'],
        properties: {
          masters: { type: 'integer' },
          subaccounts: { type: 'integer' },
          standaloneIm: { type: 'number' },
          im: { type: 'number' },
          imFreed: { type: 'number' },
          imFreedShare: { type: 'number' },
          backstopUsd: { type: 'number' },
        },
      },
    },
  },
};

/** An account row; the methods' parts are added to its properties. */
export const REPORT_ACCOUNT: JsonSchema = {
  type: 'object',
  required: [
    'id',
    'status',
    'equity',
    'equityIm',
    'equityMm',
    'im',
    'mm',
    'health',
    'excessOverMm',
    'grossNotional',
    'efficiency',
    'collateralValue',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    status: { $ref: '#/$defs/status' },
    statusReason: { type: 'string', description: 'Which figure (or which isolated position) sets the status.' },
    error: { type: 'string' },
    equity: { $ref: '#/$defs/figure' },
    equityIm: { $ref: '#/$defs/figure' },
    equityMm: { $ref: '#/$defs/figure' },
    im: { $ref: '#/$defs/figure' },
    mm: { $ref: '#/$defs/figure' },
    health: { $ref: '#/$defs/figure' },
    excessOverMm: { $ref: '#/$defs/figure' },
    grossNotional: { $ref: '#/$defs/figure' },
    efficiency: { $ref: '#/$defs/figure' },
    collateralValue: { $ref: '#/$defs/figure' },
    marginCurrency: {
      type: 'string',
      minLength: 1,
      description: 'A coin-margined account: the asset every money figure of the row is in (its cash is collateralValue); absent: USD (docs/coin-margined.md).',
    },
    usd: {
      type: 'object',
      description: 'With marginCurrency: the row\'s money figures in USD, each times price (the asset\'s index price).',
      required: [
        'price',
        'equity',
        'equityIm',
        'equityMm',
        'im',
        'mm',
        'excessOverMm',
        'grossNotional',
        'collateralValue',
      ],
      additionalProperties: false,
      properties: {
        price: { type: 'number', exclusiveMinimum: 0 },
        equity: { $ref: '#/$defs/figure' },
        equityIm: { $ref: '#/$defs/figure' },
        equityMm: { $ref: '#/$defs/figure' },
        im: { $ref: '#/$defs/figure' },
        mm: { $ref: '#/$defs/figure' },
        excessOverMm: { $ref: '#/$defs/figure' },
        grossNotional: { $ref: '#/$defs/figure' },
        collateralValue: { $ref: '#/$defs/figure' },
      },
    },
    cashUsd: { type: 'number' },
    master: { type: 'string', description: 'The account\'s master (it is a subaccount).' },
    method: { type: 'string', description: 'The method that margined the account, when the book gives it its own.' },
    backstopUsd: {
      type: 'number',
      description: 'Backstop policy: USD received from the master (negative on a master: paid out).',
    },
    liquidationPrice: {
      type: 'object',
      required: ['underlying', 'below', 'above'],
      additionalProperties: false,
      properties: {
        underlying: { type: 'string' },
        below: { type: ['number', 'null'] },
        above: { type: ['number', 'null'] },
      },
    },
    positions: {
      type: 'array',
      items: {
        type: 'object',
        required: ['instrument', 'quantity', 'notional', 'markToMarket', 'im', 'mm'],
        additionalProperties: false,
        properties: {
          instrument: { type: 'string' },
          quantity: { type: 'number' },
          notional: { $ref: '#/$defs/figure' },
          markToMarket: { $ref: '#/$defs/figure' },
          im: { $ref: '#/$defs/figure' },
          mm: { $ref: '#/$defs/figure' },
          allocated: { $ref: '#/$defs/figure' },
          status: { $ref: '#/$defs/status' },
        },
      },
    },
    collateral: {
      type: 'array',
      items: {
        type: 'object',
        required: ['asset', 'amount', 'value', 'imValue', 'mmValue'],
        additionalProperties: false,
        properties: {
          asset: { type: 'string' },
          amount: { type: 'number' },
          value: { $ref: '#/$defs/figure' },
          imValue: { $ref: '#/$defs/figure' },
          mmValue: { $ref: '#/$defs/figure' },
        },
      },
    },
  },
};
