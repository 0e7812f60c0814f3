/** The flat method's part of the JSON Schemas: its params section (`params.flat`) and its report-row part (`accounts[].flat`). */
import type { MarginMethodPlugin } from 'margin-core/plugin';

export const flatSchema: NonNullable<MarginMethodPlugin['schema']> = {
  params: {
    description: 'Flat-rate margin (a test-only method): IM = k × gross notional, MM = IM / 2.',
    type: 'object',
    additionalProperties: false,
    properties: {
      k: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'IM per USD of gross notional (default 0.1)' },
      baseVolAnnual: { type: 'number', exclusiveMinimum: 0, maximum: 10, description: 'the vol k was set for (default 0.5): a forecast scales k by σ̂ / baseVolAnnual' },
    },
  },
  explain: {
    description: 'Method flat with breakdown: the rate and the gross notional it applies to.',
    type: 'object', required: ['k', 'grossNotional'], additionalProperties: false,
    properties: { k: { type: 'number' }, grossNotional: { type: 'number' } },
  },
};
