// margin-core WASM kernels. Exports take only i32/usize/f64: the façade (src/kernels/) owns
// all memory above __heap_base and passes column pointers; kernels never allocate.
import { exp, expV, expNegHalfSquare, expNegHalfSquareV } from './math/exp';
import { log, logV } from './math/log';
import { NORMAL_ABS_MAX, normalTail, normalTailV } from './math/normal';
import { select } from './math/vec';

export { bsmGreeks } from './pricing/bsm';

/** First byte the façade may use (everything below is the module's static data). */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 when this build uses SIMD. */
export function simdEnabled(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}

export const MATH_EXP = 0;
export const MATH_LOG = 1;
export const MATH_NORM_CDF = 2;

@inline function normCdf(x: f64): f64 {
  const y = min(abs(x), NORMAL_ABS_MAX);
  const tail = normalTail(y, expNegHalfSquare(y));
  return x > 0.0 ? 1.0 - tail : tail;
}

@inline function normCdfV(x: v128): v128 {
  const y = f64x2.pmin(f64x2.abs(x), f64x2.splat(NORMAL_ABS_MAX));
  const tail = normalTailV(y, expNegHalfSquareV(y));
  return select(f64x2.sub(f64x2.splat(1.0), tail), tail, f64x2.gt(x, f64x2.splat(0.0)));
}

/**
 * Applies one elementary function (MATH_EXP, MATH_LOG, MATH_NORM_CDF) to n f64s: lets tests measure
 * the kernels' own exp/log/N(x) against references and against the JS twin.
 */
export function mathBatch(op: i32, input: usize, output: usize, n: i32): void {
  let i: usize = 0;
  const end = <usize>n;
  if (ASC_FEATURE_SIMD) {
    for (; i + 2 <= end; i += 2) {
      const x = v128.load(input + (i << 3));
      const y = op == MATH_EXP ? expV(x) : op == MATH_LOG ? logV(x) : normCdfV(x);
      v128.store(output + (i << 3), y);
    }
  }
  for (; i < end; i++) {
    const x = load<f64>(input + (i << 3));
    store<f64>(output + (i << 3), op == MATH_EXP ? exp(x) : op == MATH_LOG ? log(x) : normCdf(x));
  }
}

export { checkGreeks } from './pricing/check';
export { ruleBasedMargin, ruleBasedAccounts, ruleBasedAccountList } from './margin/rule-based';

// Correlation-matrix VaR / ES kernels (docs/risk-kernels.md).
export { quadForms } from './risk/quadratic';
export { cholesky } from './risk/cholesky';
export { philox4x32 } from './risk/philox';
export { normalDraws, correlate } from './risk/normal-draws';
export { accountPnl, tailRisk } from './risk/quantile';

// Portfolio margin: risk-array revaluation (docs/portfolio-margin.md).
export { riskArrays } from './scenario/risk-arrays';
export { portfolioReduce } from './portfolio/reduce';
// and its per-book preparation: slots grouped by underlying, add-on entries
export { portfolioSlots, addOnEntries } from './portfolio/book-slots';

// Exact, order-independent sums for report totals (docs/domain.md, "Exact totals").
export { exactClear, exactAdd, exactCarry, exactMerge, exactRound, exactTotals } from './sum/exact';

// book.json's accounts scanned into records (src/io/json-book/, docs/performance.md).
export { jsonScanAccounts } from './json/scan-accounts';
