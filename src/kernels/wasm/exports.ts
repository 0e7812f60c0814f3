/**
 * The raw exports of assembly/index.ts, every kernel's entry point in one place: pointers are byte offsets into
 * `memory`; column kernels take a pointer to an argument block of u32 column pointers in the order of
 * src/kernels/abi.ts. The typed bindings (src/kernels/risk.ts, scenario.ts, portfolio.ts) wrap them.
 */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  simdEnabled(): number;
  /** See assembly/pricing/bsm.ts: `args` points at 12 u32 column pointers. */
  bsmGreeks(n: number, isCallPtr: number, argsPtr: number): void;
  mathBatch(op: number, inputPtr: number, outputPtr: number, n: number): void;
  /** First option in [0, n) outside the ranges block (12 f64: [lo, hi] per input column), or −1. */
  checkGreeks(n: number, isCallPtr: number, argsPtr: number, rangesPtr: number): number;
  /** Rule-based margin: instrument terms, then accounts [0, accounts). Flags: bit 0 isolated, bit 1 keep per-position rows. */
  ruleBasedMargin(accounts: number, flags: number, argsPtr: number): void;
  /** Rule-based margin of accounts [first, last) only, on instrument terms a full run already wrote. */
  ruleBasedAccounts(first: number, last: number, flags: number, argsPtr: number): void;
  /** Rule-based margin of the `count` accounts listed (i32) at `listPtr`, on instrument terms a full run already wrote. */
  ruleBasedAccountList(listPtr: number, count: number, flags: number, argsPtr: number): void;
  // scenario risk arrays (assembly/scenario/risk-arrays.ts)
  riskArrays(nInstruments: number, nUnderlyings: number, nScenarios: number, argsPtr: number): void;
  // portfolio reduction (assembly/portfolio/reduce.ts)
  portfolioReduce(nGroups: number, nScenarios: number, argsPtr: number): void;
  // a portfolio run's per-book preparation (assembly/portfolio/book-slots.ts): `words` is the bit column's length
  portfolioSlots(accounts: number, words: number, argsPtr: number): number;
  addOnEntries(entries: number, firstLinear: number, words: number, argsPtr: number): void;
  // correlation-matrix VaR / ES (assembly/risk/)
  quadForms(n: number, m: number, sigmaPtr: number, dPtr: number, qPtr: number, gradPtr: number, workPtr: number): void;
  cholesky(m: number, aPtr: number): number;
  philox4x32(outPtr: number, nBlocks: number, c0: number, c1: number, c2: number, c3: number, k0: number, k1: number): void;
  normalDraws(outPtr: number, n: number, seed: number, stream: number, firstBlock: number, counterHi: number): void;
  correlate(nScenarios: number, m: number, zPtr: number, ltPtr: number, xPtr: number): void;
  accountPnl(nAccounts: number, nScenarios: number, riskPtr: number, startPtr: number, endPtr: number, instPtr: number, qtyPtr: number, outPtr: number): void;
  // exact sums (assembly/sum/exact.ts): accumulators of ACC_SLOTS f64s
  exactClear(accPtr: number, count: number): void;
  exactAdd(accPtr: number, valuesPtr: number, n: number): void;
  exactCarry(accPtr: number): void;
  exactMerge(accPtr: number, otherPtr: number): void;
  exactRound(accPtr: number): number;
  /** Report sums over accounts [first, last) into five accumulators at `accPtr`; `argsPtr`: EXACT_TOTALS_COLUMNS pointers. */
  exactTotals(accPtr: number, first: number, last: number, argsPtr: number): void;
  /** book.json's accounts scanned into records (assembly/json/scan-accounts.ts): `argsPtr` is the argument block of src/io/json-book/scan-abi.ts; SCAN_*. */
  jsonScanAccounts(argsPtr: number): number;
  tailRisk(nAccounts: number, nScenarios: number, pnlPtr: number, tailCount: number, workPtr: number, varPtr: number, esPtr: number): void;
}

/** Operation codes of `mathBatch` (MATH_* in assembly/index.ts). */
export const MathOp = { exp: 0, log: 1, normCdf: 2 } as const;
export type MathOpName = keyof typeof MathOp;
