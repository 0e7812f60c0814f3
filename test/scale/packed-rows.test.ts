/**
 * Packed rows (src/scale/packed-rows.ts) carry every row back unchanged: figures bit for bit (−0, NaN, ±Infinity),
 * status, the optional cashUsd and error, and status reasons of any length and alphabet, more than one chunk of the
 * reason joiner (256 rows) of them. The rows are written here by hand, not produced by the engine.
 */
import { describe, expect, test } from 'vitest';
import type { AccountMargin } from '../../src/margin/report.js';
import { STATUS } from '../../src/margin/status.js';
import { idsDigest, packRows, unpackRow } from '../../src/scale/packed-rows.js';
import { firstDifference } from '../support/bits.js';

const REASONS = ['', 'equity for IM 1 ≥ IM 0', 'x', 'emoji 🦀 and a surrogate pair', 'tab\tnewline\nend', 'a'.repeat(300)];
const SPECIAL = [-0, Number.NaN, Infinity, -Infinity, 5e-324, Number.MAX_VALUE];

function row(i: number): AccountMargin {
  const r: AccountMargin = {
    id: `acct-${i}`,
    status: STATUS[i % STATUS.length],
    statusReason: `${REASONS[i % REASONS.length]}#${i}`,
    equity: SPECIAL[i % SPECIAL.length],
    equityIm: i + 0.1,
    equityMm: -i,
    im: i / 3,
    mm: i / 7,
    health: Infinity,
    excessOverMm: -0,
    grossNotional: 1e300 * i,
    efficiency: i === 0 ? Infinity : 3 / i,
    collateralValue: 0.1 + 0.2,
  };
  if (i % 3 === 0) r.cashUsd = -i - 0.5;
  if (r.status === 'error') r.error = `the account's error ${i} ≠ ok`;
  return r;
}

describe('packed rows', () => {
  test('round trip of 700 hand-written rows, bit for bit and key order kept', () => {
    const rows = Array.from({ length: 700 }, (_, i) => row(i));
    const packed = packRows(rows);
    if (packed.kind !== 'packed') throw new Error('summary rows must pack');
    expect(packed.count).toBe(700);
    expect(packed.idsDigest).toBe(idsDigest(rows.map((r) => r.id)));
    const errors = new Map(packed.errors);
    const back = rows.map((r, i) => unpackRow(packed, i, r.id, errors.get(i)));
    expect(firstDifference(back, rows)).toBeNull();
    expect(back[3].statusReason).toBe('emoji 🦀 and a surrogate pair#3');
  });

  test('a changed reason is seen (the round trip can fail)', () => {
    const rows = Array.from({ length: 300 }, (_, i) => row(i));
    const packed = packRows(rows);
    if (packed.kind !== 'packed') throw new Error('summary rows must pack');
    const back = unpackRow(packed, 299, rows[299].id, undefined);
    rows[299].statusReason += '!';
    expect(firstDifference(back, rows[299])).toMatch(/statusReason/);
  });

  test('rows with more than the summary fields travel as rows', () => {
    const rows = [{ ...row(1), positions: [] }];
    expect(packRows(rows).kind).toBe('rows');
  });
});
