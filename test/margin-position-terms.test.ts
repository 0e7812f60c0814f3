import { expect, test } from 'vitest';
import { createEngine, generateSample, validateInputs } from '../src/index.js';
import { positionTerms } from '../src/kernels/js/margin.js';
import { marginColumnMap, marginViews } from '../src/margin/outputs.js';
import type { PreparedRun } from '../src/session/prepared-run.js';

// positionTerms is a copy of the rule-based kernel's position loop body (calling it from the loop slows the JS twin):
// the copy must give every position's IM, MM, mark-to-market and notional with the kernel's bits, on each backend's run.
test('positionTerms gives the bits the rule-based kernel keeps for every position', async () => {
  const sample = generateSample({ accounts: 2_000, seed: 21, positionsPerAccount: 6 });
  const { book, market } = validateInputs(sample.book, sample.market);
  for (const backend of ['js', 'wasm'] as const) {
    const engine = await createEngine({ backend });
    const session = engine.openBook(book);
    const run = session.prepare(market, { method: 'cross', breakdown: true }) as PreparedRun;
    try {
      run.run();
      const { layout, market: m, rules, out } = run.context;
      const c = marginViews(marginColumnMap(layout, m, rules, out));
      const terms = new Float64Array(4);
      let checked = 0, outsideFirstBracket = 0;
      for (let a = 0; a < layout.accountCount; a++) {
        for (let p = c.posStart[a]; p < c.posEnd[a]; p++) {
          positionTerms(c, c.posInstrument[p], c.entryPrice[p], c.quantity[p], terms, 0);
          expect([...terms]).toEqual([c.posIm[p], c.posMm[p], c.posMtm[p], c.posNotional[p]]);
          if (c.posNotional[p] > 50_000) outsideFirstBracket++;
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(10_000);
      expect(outsideFirstBracket).toBeGreaterThan(100); // the bracket search path is exercised too
    } finally {
      run.release();
      session.release();
    }
  }
});
