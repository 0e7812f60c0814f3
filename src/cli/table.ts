/** Plain-text tables and number formats for the CLI (no colours: output is often piped). */

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
