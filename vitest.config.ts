import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // one fixed fast-check seed unless MARGIN_CORE_PROPERTY_SEED says otherwise (test/support/fast-check-seed.ts)
    setupFiles: ['test/support/fast-check-seed.ts'],
    // The parity suites push ~10^5 options through three backends; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
