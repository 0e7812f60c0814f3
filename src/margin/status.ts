/**
 * Account (and isolated-position) status, from equity E against initial and maintenance margin:
 *   healthy (E_im ≥ IM) · margin_call (E_mm ≥ MM, E_im < IM) · liquidatable (E ≥ 0, E_mm < MM) ·
 *   bankrupt (E < 0, before haircuts) · error (inputs prevented a result; never reported as zero).
 * The codes are the kernels' u8 output and order by severity.
 */
export const STATUS = ['healthy', 'margin_call', 'liquidatable', 'bankrupt', 'error'] as const;
export type Status = (typeof STATUS)[number];

export const STATUS_HEALTHY = 0;
export const STATUS_MARGIN_CALL = 1;
export const STATUS_LIQUIDATABLE = 2;
export const STATUS_BANKRUPT = 3;
export const STATUS_ERROR = 4;
