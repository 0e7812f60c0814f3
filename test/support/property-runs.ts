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

/**
 * The floor of a property's coverage check (how many of its cases reached what it is about: an ADL fill, a partial
 * root): `min` when the property draws the suite's own cases (its fixed seed, at least `defaultRuns` runs), which the
 * floor was sized on; 0 for a smaller or a random draw, which may miss a rare case by chance (exploring with
 * MARGIN_CORE_PROPERTY_SEED=random or few MARGIN_CORE_PROPERTY_RUNS must not fail on coverage alone).
 */
export function coverageFloor(min: number, defaultRuns: number): number {
  const ownDraw = process.env.MARGIN_CORE_PROPERTY_SEED === undefined && propertyRuns(defaultRuns).numRuns >= defaultRuns;
  return ownDraw ? min : 0;
}
