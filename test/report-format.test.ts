/** The text formats shared by the CLI and the page. */
import { describe, expect, it } from 'vitest';
import { money, percent, ratio, table, tableLines, wrap } from '../src/report/format.js';
import { mulberry32 } from './support/random.js';

describe('money', () => {
  const intl = (x: number, d: number) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

  it('writes what Intl writes, including its half-away-from-zero rounding of the shortest decimal form', () => {
    // 1.005 is 1.00499999…: toFixed(2) says 1.00, Intl (and money) 1.01
    for (const [x, d, text] of [[1.005, 2, '1.01'], [2.675, 2, '2.68'], [-1.005, 2, '-1.01'], [999.995, 2, '1,000.00'], [-0, 2, '-0.00'], [91_500, 2, '91,500.00'], [1234.5, 0, '1,235'], [0.004, 2, '0.00'], [1e21, 2, intl(1e21, 2)], [1e-7, 2, '0.00'], [Infinity, 2, '∞'], [-Infinity, 2, '-∞'], [NaN, 0, 'n/a']] as const) {
      expect(money(x, d), String(x)).toBe(text);
    }
  });

  it('equals Intl on 40,000 random amounts of every magnitude', () => {
    const rnd = mulberry32(42);
    for (let i = 0; i < 10_000; i++) {
      const x = (rnd() - 0.5) * 10 ** (rnd() * 16 - 3);
      for (const v of [x, Math.round(x * 1000) / 1000]) for (const d of [0, 2]) if (money(v, d) !== intl(v, d)) expect(money(v, d), `${v}, ${d}`).toBe(intl(v, d));
    }
  });

  it('equals Intl on amounts at and near a half cent or a half unit, up to 1e11 and past it', () => {
    // the cases where rounding the double and rounding its shortest decimal form can differ (1.005, 2.675, …)
    const rnd = mulberry32(7);
    for (let i = 0; i < 20_000; i++) {
      const whole = Math.floor(10 ** (rnd() * 12));
      for (const v of [whole + 0.005, whole + 0.995, whole + 0.5, whole + 0.015, -(whole + 0.125), whole + 0.004999999, whole + 0.0050001]) {
        for (const d of [0, 2]) if (money(v, d) !== intl(v, d)) expect(money(v, d), `${v}, ${d}`).toBe(intl(v, d));
      }
    }
  });

  it('equals Intl on the doubles within 6 ulps of a half cent or a half unit (where the shortest form decides)', () => {
    const rnd = mulberry32(8);
    for (let i = 0; i < 1_200; i++) {
      const whole = Math.floor(10 ** (rnd() * 11));
      for (const half of [whole + 0.005, whole + 0.5, whole + 0.125, whole + 0.875]) {
        for (let k = -6; k <= 6; k++) {
          const v = ulpsAway(half, k);
          for (const d of [0, 2]) if (money(v, d) !== intl(v, d)) expect(money(v, d), `${v} (${k} ulps from ${half}), ${d}`).toBe(intl(v, d));
        }
      }
    }
  });
});

/** The double k ulps above x > 0 (below for k < 0), by its bits. */
function ulpsAway(x: number, k: number): number {
  const bits = new BigInt64Array(new Float64Array([x]).buffer);
  bits[0] += BigInt(k);
  return new Float64Array(bits.buffer)[0];
}

describe('table', () => {
  it('streams the same lines it renders whole, at any size (no spread over the rows)', () => {
    const rows = Array.from({ length: 300_000 }, (_, i) => [`acct-${i}`, money(i * 1.5)]);
    const lines = [...tableLines(['account', 'IM'], rows.length, (i) => rows[i])];
    expect(lines.length).toBe(300_002);
    // widths: 'acct-299999' (11) and money(449998.5) = '449,998.50' (10)
    expect(lines.slice(0, 3)).toEqual(['account              IM', '───────────  ──────────', 'acct-0             0.00']);
    expect(table(['a', 'b'], [['x', '1'], ['yy', '22']])).toBe('a    b\n──  ──\nx    1\nyy  22');
  });
  it('pads a column to at most 96 characters: a longer cell is written whole on its row, the others not padded to it', () => {
    const huge = 'x'.repeat(1_000_000);
    const lines = [...tableLines(['account', 'IM'], 3, (i) => [[`a`, huge, 'b'][i], '1.00'])];
    expect(lines[1]).toBe(`${'─'.repeat(96)}  ────`);
    expect(lines[2]).toBe(`a${' '.repeat(95)}  1.00`);
    expect(lines[3]).toBe(`${huge}  1.00`);
    expect(lines.reduce((n, l) => n + l.length, 0)).toBeLessThan(huge.length + 1_000);
  });
});

describe('ratio, percent and wrap', () => {
  it('writes a ratio to three significant digits, never in exponent form, with one minus sign', () => {
    const cases: [number, string][] = [
      [13.84, '13.8'], [-0.2717, '-0.272'], [1, '1.00'], [0.00139, '0.00139'], [12_345.6, '12,346'], [9.996, '10.0'],
      [3.36e-17, '0'], [Infinity, '∞'], [-Infinity, '-∞'], [0, '0'],
    ];
    for (const [x, text] of cases) expect(ratio(x), String(x)).toBe(text);
    expect(ratio(0.99312, 4)).toBe('0.9931'); // amplification: four digits
    expect(percent(-0.05)).toBe('-5.0%');
    expect(percent(99_999, 2)).toBe('9,999,900.00%'); // grouped above 1,000%, as money
    expect(percent(9.99)).toBe('999.0%');
  });

  it('wraps prose at the width, keeping a leading indent and indenting the continuation', () => {
    expect(wrap('  alpha beta gamma', 12, '    ')).toBe('  alpha beta\n    gamma');
    expect(wrap('one two', 120)).toBe('one two');
  });
});
