/**
 * Why an account has its status, in words with the figures that decide it (STATUS in status.ts states the rules):
 * shown beside the status in the report, the CLI and the page, so that e.g. an account with no maintenance margin
 * but an underwater borrowing, or an isolated position in trouble inside a well-funded account, explains itself.
 */
import type { Status } from './status.js';
import { amount } from './money-text.js';

/**
 * A figure in a reason: the display formatter's amount of money in a sentence (src/margin/money-text.ts: grouped digits
 * and cents, `-78.27`, `567,970.00`), so the "why" reads like the tables beside it.
 */
export const figure: (x: number) => string = amount;

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
