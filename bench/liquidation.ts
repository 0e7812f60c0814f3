/**
 * Liquidation benchmark (issue 14): the generated 100,000-account book under a market shock that leaves ≥ 2% of the
 * accounts below maintenance margin, liquidated under cross and portfolio margin (WASM SIMD and the JS twin in the
 * same run), the margin run alone beside it; and one account of 20 positions liquidated under cross.
 */
import { createEngine } from '../src/engine.js';
import type { Book, Market } from '../src/model/types.js';
import { validateInputs } from '../src/model/validate.js';
import { generateSample } from '../src/sample/generate.js';

export interface LiquidationBenchRow {
  backend: string;
  method: string;
  accounts: number;
  breaching: number;
  steps: number;
  /** The margin run alone, and margin + liquidation (ms, best of the rounds). */
  marginMs: number;
  liquidateMs: number;
}

/** The market with every risky asset moved by `shock` (alts 1.3× as far), linear marks with them, option marks dropped (repriced). */
export function shockedMarket(book: Book, market: Market, shock: number): Market {
  const m = structuredClone(market);
  const kind = new Map(book.instruments.map((i) => [i.id, i]));
  const move = (asset: string) => 1 + shock * (asset === 'BTC' ? 1 : 1.3);
  for (const [symbol, a] of Object.entries(m.assets)) if (a.vol > 0) a.price *= move(symbol);
  for (const id of Object.keys(m.marks ?? {})) {
    const ins = kind.get(id)!;
    if (ins.kind === 'option') delete m.marks![id];
    else m.marks![id] *= move(ins.underlying);
  }
  return m;
}

const best = (xs: number[]) => Math.min(...xs);

export async function liquidationBench(accounts = 100_000, shock = -0.12, rounds = 3): Promise<{ rows: LiquidationBenchRow[]; oneAccount: { backend: string; microseconds: number; steps: number }[] }> {
  const sample = generateSample({ accounts, seed: 7 });
  const { book, market } = validateInputs(sample.book, shockedMarket(sample.book, sample.market, shock));
  const rows: LiquidationBenchRow[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    for (const method of ['cross', 'portfolio']) {
      const marginMs: number[] = [], liquidateMs: number[] = [];
      let breaching = 0, steps = 0;
      for (let r = 0; r < rounds; r++) {
        const session = engine.openBook(book); // a fresh layout each round: liquidation changes it
        let t = performance.now();
        session.margin(market, { method });
        marginMs.push(performance.now() - t);
        t = performance.now();
        const report = session.liquidate(market, { method });
        liquidateMs.push(performance.now() - t);
        breaching = report.totals.accountsBreaching;
        steps = report.accounts.reduce((n, a) => n + a.steps.length, 0);
        session.release();
      }
      rows.push({ backend: engine.backend, method, accounts, breaching, steps, marginMs: best(marginMs), liquidateMs: best(liquidateMs) });
    }
  }
  // one account of 20 positions (perps and futures on several coins), below MM: the plan alone, the margin run excluded
  const one = generateSample({ accounts: 1, seed: 3, positionsPerAccount: 20 });
  const oneBook = structuredClone(one.book);
  oneBook.instruments = oneBook.instruments.filter((i) => i.kind !== 'option');
  const linear = oneBook.instruments.map((i) => i.id);
  oneBook.accounts[0] = {
    id: 'twenty', collateral: [{ asset: 'USDC', amount: 30_000 }],
    positions: linear.slice(0, 20).map((instrument, k) => ({ instrument, quantity: (k % 2 ? -1 : 1) * 2 * (1 + (k % 3)), entryPrice: (one.market.marks as Record<string, number>)[instrument] * (k % 2 ? 0.97 : 1.03) })),
  };
  const oneValid = validateInputs(oneBook, one.market);
  const oneAccount: { backend: string; microseconds: number; steps: number }[] = [];
  for (const backend of ['wasm', 'js'] as const) {
    const engine = await createEngine({ backend });
    const times: number[] = [];
    let steps = 0;
    for (let r = 0; r < 200; r++) {
      const session = engine.openBook(oneValid.book);
      const run = session.prepare(oneValid.market, { method: 'cross' });
      run.run();
      run.release();
      const t = performance.now();
      const report = session.liquidate(oneValid.market, { method: 'cross' });
      times.push(performance.now() - t);
      steps = report.accounts[0]?.steps.length ?? 0;
      session.release();
    }
    oneAccount.push({ backend: engine.backend, microseconds: best(times) * 1000, steps });
  }
  return { rows, oneAccount };
}
