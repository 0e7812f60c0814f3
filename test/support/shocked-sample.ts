/** Generated books at a moved market, for liquidation tests that need accounts below maintenance margin. */
import { generateSample } from '../../src/index.js';

/**
 * A generated book (`accounts`, `seed`, and `coinAccounts` BTC-margined subaccounts after them) and its market with every non-stable asset moved by `shock` (BTC by the shock,
 * the others by 1.3 times it): linear marks move with their underlying, option marks are dropped (repriced).
 */
export function shockedSample(accounts: number, seed: number, shock: number, coinAccounts = 0) {
  const { book, market } = generateSample({ accounts, seed, coinAccounts });
  const m = structuredClone(market);
  const under = new Map(book.instruments.map((i) => [i.id, i]));
  for (const [symbol, a] of Object.entries(m.assets)) if (a.vol > 0) a.price *= 1 + shock * (symbol === 'BTC' ? 1 : 1.3);
  for (const id of Object.keys(m.marks ?? {})) {
    const ins = under.get(id)!;
    if (ins.kind === 'option') delete m.marks![id];
    else m.marks![id] *= 1 + shock * (ins.underlying === 'BTC' ? 1 : 1.3);
  }
  return { book, market: m };
}
