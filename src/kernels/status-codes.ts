/**
 * The status codes the margin kernels write (u8 per account and per isolated position), ordered by severity.
 * Their names and meaning: src/margin/status.ts.
 */
export const STATUS_HEALTHY = 0;
export const STATUS_MARGIN_CALL = 1;
export const STATUS_LIQUIDATABLE = 2;
export const STATUS_BANKRUPT = 3;
export const STATUS_ERROR = 4;
