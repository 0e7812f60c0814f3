import { it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createEngine, MARGIN_METHODS } from '../../src/index.js';
it('old rows identical', async () => {
  const oldB = JSON.parse(readFileSync('/tmp/i39/old/book.json', 'utf8')), oldM = JSON.parse(readFileSync('/tmp/i39/old/market.json', 'utf8'));
  const newB = JSON.parse(readFileSync('data/sample/book.json', 'utf8')), newM = JSON.parse(readFileSync('data/sample/market.json', 'utf8'));
  const e = await createEngine({ backend: 'wasm' });
  for (const method of MARGIN_METHODS) {
    const o = e.margin(oldB, oldM, { method, breakdown: true }), n = e.margin(newB, newM, { method, breakdown: true });
    const same = o.accounts.every((a, i) => JSON.stringify(a) === JSON.stringify(n.accounts[i]));
    console.log(method, same, o.accounts.length, n.accounts.length);
    expect(same).toBe(true);
  }
});
