/**
 * Account (and isolated-position) status, from equity E against initial and maintenance margin:
 *   healthy (E_im ≥ IM) · margin_call (E_mm ≥ MM, E_im < IM) · liquidatable (E ≥ 0, E_mm < MM) ·
 *   bankrupt (E < 0, before haircuts) · error (inputs prevented a result; never reported as zero).
 * The codes (src/kernels/status-codes.ts) are the kernels' u8 output and order by severity.
 */
// frozen: a caller's sort or write of the exported list would relabel every later report's statuses
export const STATUS = Object.freeze(['healthy', 'margin_call', 'liquidatable', 'bankrupt', 'error'] as const);
export type Status = (typeof STATUS)[number];

/** Status name → its code (the index in STATUS). */
export const STATUS_CODE: ReadonlyMap<string, number> = new Map(STATUS.map((name, code) => [name, code]));

export { STATUS_HEALTHY, STATUS_MARGIN_CALL, STATUS_LIQUIDATABLE, STATUS_BANKRUPT, STATUS_ERROR } from '../kernels/status-codes.js';
