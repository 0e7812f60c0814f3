/**
 * A tick that reaches more accounts than one kernel call takes (src/kernels/backend.ts: the listed accounts are margined
 * MARGIN_CHUNK at a time) gives every account the bits of a fresh run on the ticked market: a generated book of
 * three chunks of accounts (about 39 % of them hold BTC), cross margin on WASM, BTC moved up then down.
 */
import { describe, expect, it } from 'vitest';
import { createEngine, generateSample } from '../../src/index.js';
import { MARGIN_CHUNK } from '../../src/kernels/backend.js';

describe('a tick reaching more accounts than one kernel call takes', () => {
  it('re-margins them in chunks with the bits of a fresh run', async () => {
    const engine = await createEngine({ backend: 'wasm' });
    const sample = generateSample({ accounts: 3 * MARGIN_CHUNK, seed: 5 });
    const live = engine.live(sample.book, sample.market, { method: 'cross' });
    try {
      for (const move of [1.03, 0.96]) {
        const btc = live.marketJson.assets.BTC;
        const update = live.applyTick({ assets: { BTC: { price: btc.price * move } } });
        expect(update.remargined).toBeGreaterThan(MARGIN_CHUNK); // two calls of the kernel at least
        const fresh = engine.margin(sample.book, live.marketJson, { method: 'cross' });
        expect(JSON.stringify(live.report())).toBe(JSON.stringify(fresh));
      }
    } finally {
      live.release();
    }
  });
});
