/**
 * Why an account has its status, in words with the figures that decide it (STATUS in status.ts states the rules):
 * shown beside the status in the report, the CLI and the page, so that e.g. an account with no maintenance margin
 * but an underwater borrowing, or an isolated position in trouble inside a well-funded account, explains itself.
 */
import type { Status } from './status.js';

/**
 * A figure for a sentence: six significant digits (`x.toPrecision(6)`), trailing zeros dropped, no exponent for
 * ordinary amounts. Every row of a report says one to four, so ordinary amounts take an arithmetic path with the same
 * text at half the cost (test/status-reason.test.ts checks the two on 800,000 values, ties included).
 */
export function figure(x: number): string {
  const ax = Math.abs(x);
  if (!(ax >= 1e-5 && ax < 1e14)) return figureByPrecision(x);
  const e = Math.floor(Math.log10(ax));
  // the six digits as an integer: |x| scaled to [10^5, 10^6), off by ~1e-10 at most (one or two roundings)
  const q = e >= 5 ? ax / POW10[e - 5 + POW10_ZERO] : ax * POW10[5 - e + POW10_ZERO];
  if (q < 100_000 || q >= 999_999.5) return figureByPrecision(x); // log10 a digit off near a power of ten, or rounding up to 10^6
  const whole = Math.floor(q), frac = q - whole;
  if (Math.abs(frac - 0.5) < 1e-6) return figureByPrecision(x); // near a tie, only the exact value decides
  const digits = String(frac > 0.5 ? whole + 1 : whole);
  let text: string;
  if (e >= 5) text = digits + '0'.repeat(e - 5);
  else {
    let end = 6;
    while (end > e + 1 && digits.charCodeAt(end - 1) === 48) end--; // trailing zeros of the fraction
    if (e >= 0) text = end > e + 1 ? `${digits.slice(0, e + 1)}.${digits.slice(e + 1, end)}` : digits.slice(0, e + 1);
    else text = `0.${'0'.repeat(-e - 1)}${digits.slice(0, end)}`;
  }
  return x < 0 ? `-${text}` : text;
}

/** {@link figure} by its definition: what the arithmetic path must equal. */
export function figureByPrecision(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Number(x.toPrecision(6));
  return Math.abs(r) >= 1e15 || (r !== 0 && Math.abs(r) < 1e-6) ? r.toExponential(5) : String(r);
}

/** Powers of ten 10^-20 … 10^19 (POW10[k + POW10_ZERO] = 10^k), each the double nearest to it. */
const POW10_ZERO = 20;
const POW10 = Array.from({ length: 40 }, (_, k) => Number(`1e${k - POW10_ZERO}`));

/** The pooled rule: which comparison of equity (with haircuts) against IM or MM sets the status. */
export function pooledStatusReason(status: Status, f: { equity: number; equityIm: number; equityMm: number; im: number; mm: number }): string {
  switch (status) {
    case 'healthy':
      return `equity for IM ${figure(f.equityIm)} ≥ IM ${figure(f.im)}`;
    case 'margin_call':
      return `equity for IM ${figure(f.equityIm)} < IM ${figure(f.im)} (equity for MM ${figure(f.equityMm)} ≥ MM ${figure(f.mm)})`;
    case 'liquidatable':
      return f.mm > 0
        ? `equity for MM ${figure(f.equityMm)} < MM ${figure(f.mm)}`
        : `no maintenance margin, but equity for MM ${figure(f.equityMm)} < 0 (borrowings weighted up)`;
    case 'bankrupt':
      return `equity ${figure(f.equity)} < 0`;
    case 'error':
      return 'margin could not be computed (see error)';
  }
}

/** An isolated position's rule: its allocated collateral plus its P&L against its own IM and MM. */
export function isolatedStatusReason(status: Status, instrument: string, f: { allocated: number; markToMarket: number; im: number; mm: number }): string {
  const equity = f.allocated + f.markToMarket;
  const own = `isolated position ${instrument}: allocated ${figure(f.allocated)} + P&L ${figure(f.markToMarket)} = ${figure(equity)}`;
  switch (status) {
    case 'healthy':
      return `${own} ≥ IM ${figure(f.im)}`;
    case 'margin_call':
      return `${own} < IM ${figure(f.im)}`;
    case 'liquidatable':
      return `${own} < MM ${figure(f.mm)}`;
    case 'bankrupt':
      return `${own} < 0`;
    case 'error':
      return `${own}: not computable`;
  }
}
