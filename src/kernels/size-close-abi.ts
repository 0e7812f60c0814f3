/**
 * The rows of the close-sizing kernel (assembly/liquidation/size-close.ts, twin src/kernels/js/size-close.ts): one
 * row of f64 per close to size, rows packed one after the other, each a header of {@link SIZE_HEADER} fields then
 * its variable parts: the base terms of the slots after the closed one (4 each: IM, MM, P&L, notional), the close's
 * breakpoints (ascending sizes), and the instrument's bracket row (6 × stride: up to, lower, cumulative IM, IM rate,
 * cumulative MM, MM rate). The kernel writes {@link SIZE_OUT} f64 per row: the smallest root (NaN: none) and the fee
 * of the close at it. The offsets are repeated in the AssemblyScript kernel, which cannot import them.
 */
export const S_LIMIT = 0, S_SLACK0 = 1, S_ENOUGH = 2, S_BASE_MM = 3, S_BOUND = 4, S_HAS_END = 5;
/** The close at the limit when already tried: slack, MM, slack before the fee, the fee before its cap, its cap. */
export const S_END_SLACK = 6, S_END_MM = 7, S_END_BEFORE = 8, S_END_NOMINAL = 9, S_END_CAP = 10;
export const S_BASE_QTY = 11, S_ENTRY = 12, S_CASH = 13, S_BACKING = 14, S_MARK = 15, S_MULT = 16;
/** Slippage: kind (0 none, 1 linear depth, 2 square-root law), pricePerUnit or y, advUsd, the underlying's annual vol. */
export const S_SLIP_KIND = 17, S_SLIP_A = 18, S_SLIP_ADV = 19, S_VOL = 20;
export const S_FEE_RATE = 21, S_TARGET_IM = 22, S_BUFFER = 23;
/** The balances' sums (value, IM- and MM-weighted) and the position sums before the closed slot. */
export const S_RAW = 24, S_W_IM = 25, S_W_MM = 26, S_PRE_IM = 27, S_PRE_MM = 28, S_PRE_MTM = 29, S_PRE_GROSS = 30;
/** The instrument's terms record (TERMS_STRIDE f64, src/kernels/js/margin.ts; its schedule offset read as 0). */
export const S_TERMS = 31;
export const S_TAIL = 45, S_BREAKS = 46, S_STRIDE = 47;
export const SIZE_HEADER = 48;
export const SIZE_OUT = 2;
export const SLIP_NONE = 0, SLIP_LINEAR = 1, SLIP_SQRT = 2;

/** The length of a row with `tail` slots after the closed one, `breaks` breakpoints and a bracket row of `stride`. */
export function sizeRowLength(tail: number, breaks: number, stride: number): number {
  return SIZE_HEADER + 4 * tail + breaks + 6 * stride;
}

/**
 * The block of the probing kernel (assembly/liquidation/probe-closes.ts, twin src/kernels/js/probe-closes.ts): one
 * pooled rule-based account, every position's whole step tried at once. A header of {@link PROBE_HEADER} fields; the
 * base terms of the account's n positions (4 each, in slot order); a record of {@link PR_DYN} per position that
 * changes with every step (whether to try it, its base size and entry, the close (its cap) with the cash, cost and fee
 * before its cap of closing it (close-effect.ts), the equity behind it); then, fixed while the account is liquidated,
 * each position's instrument terms and bracket row ({@link probeStaticLength} each). The kernel writes
 * {@link PROBE_OUT} f64 per position: the slack after the fee, MM, the fee, the slack before it, and the fee's cap
 * (NaN for a position not tried).
 */
export const B_N = 0, B_CASH = 1, B_RAW = 2, B_W_IM = 3, B_W_MM = 4, B_BASE_MM = 5, B_TARGET_IM = 6, B_BUFFER = 7, B_STRIDE = 8;
export const PROBE_HEADER = 9;
export const PR_ON = 0, PR_QTY = 1, PR_ENTRY = 2, PR_CAP = 3, PR_CASH_AT_FILL = 4, PR_COST = 5, PR_NOMINAL = 6, PR_BACKING = 7;
export const PR_DYN = 8;
/** A position's fixed part: its terms record (TERMS_STRIDE f64), then its bracket row (6 × stride). */
export const PR_TERMS_LENGTH = 14;
export const PROBE_OUT = 5;

export function probeStaticLength(stride: number): number {
  return PR_TERMS_LENGTH + 6 * stride;
}

/** Where the part that changes with every step ends, for n positions (the fixed part starts there). */
export function probeDynamicLength(n: number): number {
  return PROBE_HEADER + 4 * n + PR_DYN * n;
}

/** The block's length for n positions and a bracket row of `stride`. */
export function probeBlockLength(n: number, stride: number): number {
  return probeDynamicLength(n) + n * probeStaticLength(stride);
}
