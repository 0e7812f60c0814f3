import type { PortfolioExports } from './portfolio.js';
import type { RiskExports } from './risk.js';
import type { ScenarioExports } from './scenario.js';

/**
 * The raw exports of assembly/index.ts: pointers are byte offsets into `memory`. The risk, scenario
 * and portfolio kernels' exports are declared beside their bindings.
 */
export interface KernelExports extends RiskExports, ScenarioExports, PortfolioExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  simdEnabled(): number;
  /** See assembly/pricing/bsm.ts: `args` points at 12 u32 column pointers. */
  bsmGreeks(n: number, isCallPtr: number, argsPtr: number): void;
  mathBatch(op: number, inputPtr: number, outputPtr: number, n: number): void;
  /** First option in [0, n) outside the ranges block (12 f64: [lo, hi] per input column), or −1. */
  checkGreeks(n: number, isCallPtr: number, argsPtr: number, rangesPtr: number): number;
  /** Rule-based margin for accounts [0, accounts): `args` holds the pointers of MARGIN_COLUMNS (src/margin/buffers.ts). */
  ruleBasedMargin(accounts: number, flags: number, argsPtr: number): void;
}

/** Operation codes of `mathBatch` (MATH_* in assembly/index.ts). */
export const MathOp = { exp: 0, log: 1, normCdf: 2 } as const;
export type MathOpName = keyof typeof MathOp;
