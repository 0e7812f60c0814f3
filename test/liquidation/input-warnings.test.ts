/**
 * A liquidation report carries what validating its inputs let through (docs/liquidation.md, "The report": `warnings`
 * when lenient), as the margin report of the same inputs does, before the liquidation's own warnings.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type Engine } from '../../src/index.js';
import { book, market } from '../support/margin-books.js';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine();
});

const colour = { path: 'accounts[0].colour', message: 'unknown field (expected id, positions, collateral, cashUsd, master, method or marginCurrency)' };

describe('liquidate under lenient', () => {
  it('reports an unknown field of the book, as margin does, then a misspelt liquidation parameter', () => {
    const b = book({ positions: [{ instrument: 'BTC-PERP', quantity: 1, entryPrice: 100_000 }], collateral: [{ asset: 'USDC', amount: 300 }] });
    (b.accounts[0] as Record<string, unknown>).colour = 'red';
    expect(engine.margin(b, market(), { lenient: true }).warnings).toEqual([colour]);
    const r = engine.liquidate(b, market(), { lenient: true, liquidation: { feeRat: 0.001 } } as never);
    expect(r.warnings?.[0]).toEqual(colour);
    expect(r.warnings?.map((w) => w.path)).toEqual(['accounts[0].colour', 'options.liquidation.feeRat']);
    expect(r.accounts).toHaveLength(1); // the account below MM (300 against MM 450) is liquidated all the same
  });
});
