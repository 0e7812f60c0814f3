/**
 * Deterministic sample books: `generateSample({ accounts, seed })` always returns the same book and
 * market for the same arguments (byte-identical JSON), and both pass validation.
 */

import { formatIsoTimestamp, parseIsoTimestamp } from '../model/time.js';
import type { Account, Book, Market } from '../model/types.js';
import { ARCHETYPES } from './archetypes.js';
import { Random } from './random.js';
import { buildUniverse } from './universe.js';

export const DEFAULT_VALUATION_TIME = '2026-11-20T08:00:00Z';

export interface SampleOptions {
  /** Number of accounts (≥ 1). */
  accounts: number;
  /** Any integer; same seed, same sample. */
  seed: number;
  /** ISO-8601 with a zone. Default 2026-11-20T08:00:00Z. */
  valuationTime?: string;
}

export interface Sample {
  book: Book;
  market: Market;
}

export function generateSample(options: SampleOptions): Sample {
  const { accounts: count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`accounts must be a positive integer, got ${count}`);
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const valuationMs = parseIsoTimestamp(options.valuationTime ?? DEFAULT_VALUATION_TIME);
  if (Number.isNaN(valuationMs)) throw new RangeError(`valuationTime is not an ISO-8601 timestamp with a zone: ${options.valuationTime}`);

  // Separate streams: the market does not shift when the number of accounts changes.
  const universe = buildUniverse(new Random(seed), valuationMs);
  const rng = new Random(seed + 0x9e3779b9);
  const weights = ARCHETYPES.map((a) => a.weight);
  const digits = Math.max(6, String(count).length);
  const accounts: Account[] = [];
  for (let i = 0; i < count; i++) {
    // The first accounts visit every archetype once, so even a small sample shows them all.
    const archetype = i < ARCHETYPES.length ? ARCHETYPES[i] : ARCHETYPES[rng.weighted(weights)];
    accounts.push(archetype.build({ rng, universe }, `${archetype.name}-${String(i).padStart(digits, '0')}`));
  }

  const market: Market = {
    valuationTime: formatIsoTimestamp(valuationMs),
    assets: Object.fromEntries(
      [...universe.assets].map(([symbol, s]) => [symbol, { price: s.price, vol: s.vol, rate: s.rate, carry: s.carry }]),
    ),
    marks: Object.fromEntries(universe.marks),
    impliedVols: Object.fromEntries(universe.impliedVols),
    correlation: { assets: universe.correlationAssets, matrix: universe.correlation },
  };
  return { book: { instruments: universe.instruments, accounts }, market };
}

/** The JSON text written for a sample file: two-space indented, trailing newline. */
export function sampleJson(value: Book | Market): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}
