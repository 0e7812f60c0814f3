/** Plain-text tables and number formats shared by the CLI and the browser page (no colours: output is often piped). */

export type Align = 'left' | 'right';

/** Renders rows as a fixed-width table with a header rule. Numbers are right-aligned by default. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly Align[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const side = (c: number): Align => align?.[c] ?? (c === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) =>
    cells.map((cell, c) => (side(c) === 'left' ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Grouped digits with a fixed number of decimals: 91500 → "91,500.00". */
export function money(x: number, decimals = 2): string {
  return x.toLocaleString('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
}

/** Significant-digit format for Greeks of any magnitude: 0.000012345 → "1.2345e-5". */
export function sig(x: number, digits = 5): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-3 && a < 1e7 ? Number(x.toPrecision(digits)).toString() : x.toExponential(digits - 1);
}

/** CSV with RFC 4180 quoting. */
export function csv(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cell = (v: string | number) => {
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

/** A ratio for tables: ∞ where there is no requirement, "n/a" where there is no number. */
export function ratio(x: number): string {
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return Number.isNaN(x) ? 'n/a' : sig(x, 4);
}

/** A fraction as a signed percentage: 0.4213 → "42.1%", −0.05 → "-5.0%". */
export function percent(x: number, decimals = 1): string {
  return `${(x * 100).toFixed(decimals)}%`;
}

/** Short money for dense grids, 3 significant digits: 1234567 → "1.23M", −45678 → "-45.7k", 812.4 → "812". */
export function compactMoney(x: number): string {
  if (Math.abs(x) < 9999.5) return String(Math.round(x)); // String(-0) is "0"
  for (const [scale, suffix] of [[1e3, 'k'], [1e6, 'M'], [1e9, 'B']] as const) {
    const v = x / scale;
    const a = Math.abs(v);
    const s = v.toFixed(a < 9.995 ? 2 : a < 99.95 ? 1 : 0);
    if (Math.abs(Number(s)) < 1000 || suffix === 'B') return `${s}${suffix}`;
  }
  return String(x); // unreachable: the B branch always returns
}

/** A relative spot move as a column label: −0.16 → "-16%", 0 → "0%", 0.02 → "+2%". */
export function moveLabel(move: number): string {
  const p = Number((move * 100).toPrecision(4));
  return `${p > 0 ? '+' : ''}${p}%`;
}
