/**
 * The table's account lines kept as figures until the table is written (src/report/liquidation-lines.ts): each line's
 * cells, worked by hand from the account's figures, in the order pushed, past the first growth of its buffer.
 */
import { describe, expect, it } from 'vitest';
import type { AccountLiquidation } from '../../src/liquidation/report.js';
import { LiquidationLines } from '../../src/report/liquidation-lines.js';

/** An account with only what a line reads (the rest of a report's account is not read). */
function account(id: string, state: AccountLiquidation['state'], health: [number, number], equity: [number, number], notionals: number[], fees: number, note?: string): AccountLiquidation {
  return {
    id, state, ...(note !== undefined ? { note } : {}),
    before: { health: health[0], equity: equity[0] }, after: { health: health[1], equity: equity[1] },
    steps: notionals.map((notional) => ({ notional })), waterfall: { fees },
  } as unknown as AccountLiquidation;
}

describe('LiquidationLines', () => {
  it('gives each line the cells of its figures, in the order pushed', () => {
    const lines = new LiquidationLines();
    lines.push(account('distressed-1', 'bankrupt', [0.76312, 1.0249], [17627.314, 0], [1000.5, 2000.25], 6869.281, 'a deficit of 5.00 USD was left uncovered'));
    lines.push(account('L2', 'deleveraged', [71.4, 62.7], [6000, 5000], [], 0));
    expect(lines.count).toBe(2);
    // health to three significant digits, money to cents with thousands separators, closed notional = the steps' sum
    expect(lines.row(0)).toEqual(['distressed-1', 'left in deficit', '2', '0.763', '1.02', '17,627.31', '0.00', '3,000.75', '6,869.28', 'a deficit of 5.00 USD was left uncovered']);
    expect(lines.row(1)).toEqual(['L2', 'deleveraged by ADL', '0', '71.4', '62.7', '6,000.00', '5,000.00', '0.00', '0.00', '']);
  });

  it('keeps every line when it holds more than its first buffer (1,024 lines)', () => {
    const lines = new LiquidationLines();
    for (let i = 0; i < 2_500; i++) lines.push(account(`a${i}`, 'resolved', [0.5, 1.5], [i, i + 1], [i], 1));
    expect(lines.count).toBe(2_500);
    expect(lines.row(1_024)).toEqual(['a1024', 'resolved', '1', '0.500', '1.50', '1,024.00', '1,025.00', '1,024.00', '1.00', '']);
    expect(lines.row(2_499)[0]).toBe('a2499');
  });
});
