/**
 * Table rows kept packed until the table is written (src/report/packed-rows.ts): each row comes back as the cells it
 * was given, empty cells and characters outside one UTF-16 unit included, past the first growth of its offsets.
 */
import { describe, expect, it } from 'vitest';
import { PackedRows } from '../../src/report/packed-rows.js';

describe('PackedRows', () => {
  it('gives back each row as the cells pushed, in order', () => {
    const rows = new PackedRows(3);
    const given = [['acct-1', '', 'resolved'], ['', '', ''], ['é→', '🙂x', 'a deficit of 5.00 USD']];
    for (const cells of given) rows.push(cells);
    expect(rows.count).toBe(3);
    expect([0, 1, 2].map((i) => rows.row(i))).toEqual(given);
  });

  it('keeps every row when it holds more than its first capacity (1,024 rows)', () => {
    const rows = new PackedRows(2);
    for (let i = 0; i < 2_500; i++) rows.push([`id-${i}`, String(i * 7)]);
    expect(rows.count).toBe(2_500);
    expect(rows.row(0)).toEqual(['id-0', '0']);
    expect(rows.row(1_024)).toEqual(['id-1024', '7168']);
    expect(rows.row(2_499)).toEqual(['id-2499', '17493']);
  });

  it('refuses a row of another width', () => {
    expect(() => new PackedRows(3).push(['a', 'b'])).toThrow(/a row of 2 cells in a table of 3 columns/);
  });
});
