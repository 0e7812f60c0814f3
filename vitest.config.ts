import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The parity suites push ~10^5 options through three backends; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
