/**
 * Per-account exposures to the VaR risk factors (money per unit return), from positions and
 * collateral balances, with the option Greeks from the engine's Greeks kernel (bit-identical on every
 * backend, so exposures are too):
 *   dollar delta  Δ$[a][j] = Σ q·mult·∂V/∂S·S   (options: BSM delta; linear: value ∝ S, so mark)
 *                           + Σ amount·price       (collateral balances of the factor's asset)
 *   dollar gamma  Γ$[a][j] = Σ q·mult·∂²V/∂S²·S²  (P&L ≈ Δ$·r + ½·Γ$·r² for a return r)
 *   vega          V[a][j]  = Σ q·mult·∂V/∂σ       (USD per 1.00 of vol; reported, not a VaR factor)
 * Sums run over positions then balances, in slot order. Options on one asset have no cross-gamma
 * with other assets, so Γ$ is diagonal per account and stored as a vector.
 */
import type { GreeksInput, GreeksOutput } from '../../model/greeks-types.js';
import type { BookLayout } from '../../layout/book-layout.js';
import { KIND_OPTION } from '../../layout/codes.js';
import type { MarketLayout } from '../../layout/market-layout.js';
import type { RiskFactors } from './covariance.js';
import type { UnionHoldings } from '../method.js';

/** Price and Greeks of every option instrument at the market (other rows 0). */
export interface InstrumentGreeks {
  /** Model value per unit of underlying (options: BSM at implied vol; linear: the mark). */
  readonly value: Float64Array;
  /** ∂V/∂S·S per unit (linear: the mark). */
  readonly dollarDelta: Float64Array;
  /** ∂²V/∂S²·S² per unit (linear: 0). */
  readonly dollarGamma: Float64Array;
  /** ∂V/∂σ per unit (linear: 0). */
  readonly vega: Float64Array;
}

export function instrumentGreeks(layout: BookLayout, market: MarketLayout, greeks: (input: GreeksInput) => GreeksOutput): InstrumentGreeks {
  const ins = layout.instruments;
  const n = ins.count;
  const kind = ins.kind.array, underlying = ins.underlying.array;
  const price = market.price.array;
  const rows: number[] = [];
  for (let i = 0; i < n; i++) if (kind[i] === KIND_OPTION) rows.push(i);
  const k = rows.length;
  const input: Required<GreeksInput> = {
    isCall: new Uint8Array(k), spot: new Float64Array(k), strike: new Float64Array(k), expiryYears: new Float64Array(k),
    vol: new Float64Array(k), rate: new Float64Array(k), carry: new Float64Array(k),
  };
  rows.forEach((i, j) => {
    const u = underlying[i];
    input.isCall[j] = ins.isCall.array[i];
    input.spot[j] = price[u];
    input.strike[j] = ins.strike.array[i];
    input.expiryYears[j] = market.expiryYears.array[i];
    input.vol[j] = market.impliedVol.array[i];
    input.rate[j] = market.rate.array[u];
    input.carry[j] = market.carry.array[u];
  });
  const g = k > 0 ? greeks(input) : null;
  const value = Float64Array.from(market.mark.array.subarray(0, n));
  const dollarDelta = Float64Array.from(value);
  const dollarGamma = new Float64Array(n), vega = new Float64Array(n);
  rows.forEach((i, j) => {
    const s = input.spot[j];
    value[i] = g!.price[j];
    dollarDelta[i] = g!.delta[j] * s;
    dollarGamma[i] = g!.gamma[j] * s * s;
    vega[i] = g!.vega[j];
  });
  return { value, dollarDelta, dollarGamma, vega };
}

/** Accounts × factors, row-major. Rows of removed accounts are zero. */
export interface Exposures {
  readonly accounts: number;
  readonly factors: number;
  readonly delta: Float64Array;
  /** Empty unless requested (delta-gamma). */
  readonly gamma: Float64Array;
  /** Empty unless requested. */
  readonly vega: Float64Array;
}

/**
 * Exposures of accounts [first, first + count) (default: all); gamma and vega only when asked (the
 * delta-normal model needs neither, and at 100,000 accounts × 50 factors each is 40 MB). `deltaInto`:
 * a zeroed count × m array to build the dollar deltas in (e.g. a view of a column in the kernels'
 * memory, so the quadratic-form kernel reads them where they were built).
 */
export function accountExposures(
  layout: BookLayout, market: MarketLayout, factors: RiskFactors, g: InstrumentGreeks,
  want: { gamma?: boolean | undefined; vega?: boolean | undefined; deltaInto?: Float64Array | undefined } = {}, first = 0, count = layout.accountCount - first,
): Exposures {
  const n = count, m = factors.symbols.length;
  if (want.deltaInto && want.deltaInto.length !== n * m) throw new RangeError(`deltaInto: expected ${n * m} entries, got ${want.deltaInto.length}`);
  const delta = want.deltaInto ?? new Float64Array(n * m), gamma = new Float64Array(want.gamma ? n * m : 0), vega = new Float64Array(want.vega ? n * m : 0);
  const withGamma = want.gamma === true, withVega = want.vega === true;
  const pos = layout.positions, col = layout.collateral;
  const pStart = pos.start.array, pEnd = pos.end.array;
  const inst = pos.column('instrument').array as Int32Array, qty = pos.column('quantity').array as Float64Array;
  const cStart = col.start.array, cEnd = col.end.array;
  const asset = col.column('asset').array as Int32Array, amount = col.column('amount').array as Float64Array;
  const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array;
  const price = market.price.array, live = layout.live.array, factorOf = factors.factorOf;
  const dd = g.dollarDelta, dg = g.dollarGamma, vg = g.vega;
  for (let r = 0; r < n; r++) {
    const a = first + r;
    if (live[a] === 0) continue;
    const row = r * m;
    for (let p = pStart[a]; p < pEnd[a]; p++) {
      const i = inst[p];
      const j = factorOf[underlying[i]];
      if (j < 0) continue;
      const units = qty[p] * mult[i];
      delta[row + j] += units * dd[i];
      if (withGamma) gamma[row + j] += units * dg[i];
      if (withVega) vega[row + j] += units * vg[i];
    }
    for (let c = cStart[a]; c < cEnd[a]; c++) {
      const j = factorOf[asset[c]];
      if (j >= 0) delta[row + j] += amount[c] * price[asset[c]];
    }
  }
  return { accounts: n, factors: m, delta, gamma, vega };
}

/**
 * Dollar deltas of accounts in no layout (masters' pools, MethodRun.pools.unionMargin), into `delta` (zeroed, count × m):
 * {@link accountExposures}' sums over each union's positions then balances, in slot order, with its operations.
 */
export function unionDeltas(unions: readonly UnionHoldings[], layout: BookLayout, market: MarketLayout, factors: RiskFactors, g: InstrumentGreeks, delta: Float64Array): void {
  const m = factors.symbols.length;
  const underlying = layout.instruments.underlying.array, mult = layout.instruments.multiplier.array;
  const price = market.price.array, factorOf = factors.factorOf, dd = g.dollarDelta;
  for (let r = 0; r < unions.length; r++) {
    const u = unions[r], row = r * m;
    for (let p = 0; p < u.instrument.length; p++) {
      const i = u.instrument[p];
      const j = factorOf[underlying[i]];
      if (j < 0) continue;
      delta[row + j] += u.quantity[p] * mult[i] * dd[i];
    }
    for (let c = 0; c < u.asset.length; c++) {
      const j = factorOf[u.asset[c]];
      if (j >= 0) delta[row + j] += u.amount[c] * price[u.asset[c]];
    }
  }
}
