/**
 * What a liquidation hands the margin run it prepares: its margin options without its own `liquidation` section (the
 * methods read neither the option nor the params' section, and a prepared run refuses options it does not take).
 */
import { marginOptionsIn } from '../margin/options.js';
import type { MarginOptions } from '../session/types.js';

/** A liquidation's margin options: without `liquidation`, and its params without their `liquidation` section. */
export function marginOptionsOf(options: MarginOptions & { liquidation?: unknown }): MarginOptions {
  return { ...marginOptionsIn(options), params: withoutLiquidation(options.params) };
}

/** The margin params without their `liquidation` section (the methods do not read it). */
export function withoutLiquidation(params: unknown): unknown {
  if (typeof params !== 'object' || params === null || Array.isArray(params) || !Object.hasOwn(params, 'liquidation')) return params;
  const { liquidation: _l, ...rest } = params as Record<string, unknown>;
  return rest;
}
