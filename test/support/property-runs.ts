/**
 * fast-check settings for the slower property tests: a short run by default (the suite stays fast);
 * MARGIN_CORE_PROPERTY_RUNS=N runs N cases instead; the seed is fixed unless MARGIN_CORE_PROPERTY_SEED says otherwise
 * (test/support/fast-check-seed.ts).
 *   MARGIN_CORE_PROPERTY_RUNS=200 npx vitest run test/liquidation/properties.test.ts
 */
export function propertyRuns(defaultRuns: number): { numRuns: number; seed?: number } {
  const runs = Number(process.env.MARGIN_CORE_PROPERTY_RUNS);
  const seed = Number(process.env.MARGIN_CORE_PROPERTY_SEED);
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    ...(process.env.MARGIN_CORE_PROPERTY_SEED !== undefined && Number.isInteger(seed) ? { seed } : {}),
  };
}
