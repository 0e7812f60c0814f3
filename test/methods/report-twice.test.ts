/**
 * Building a report reads the run's output columns and must not change them: a second report (with breakdown,
 * whose rule-based liquidation-price search margins trial prices) has the same bytes. A live session builds
 * reports again and again from one run.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample, MARGIN_METHODS, validateInputs } from '../../src/index.js';

describe('a prepared run reports the same bytes every time', () => {
  const sample = generateSample({ accounts: 70, seed: 11 });
  for (const method of MARGIN_METHODS) {
    it(method, async () => {
      const engine = await createEngine({ backend: 'js' });
      const { book, market } = validateInputs(sample.book, sample.market);
      const session = engine.openBook(book);
      const run = session.prepare(market, { method, breakdown: true });
      run.run();
      const first = JSON.stringify(run.report());
      expect(JSON.stringify(run.report())).toBe(first);
      run.release();
      session.release();
    });
  }
});
