/**
 * Generalised Black–Scholes–Merton price and Greeks in 50-digit decimal arithmetic, straight from
 * the textbook formulas (Haug, The Complete Guide to Option Pricing Formulas, 2nd ed., ch. 1 and 2;
 * cost of carry b = r − q). Independent of the kernels: no shared code or constants.
 */
import { cdfRef, D, type Dec, dec, pdfRef } from './decimal-normal.js';

export interface RefOption {
  isCall: boolean;
  spot: number;
  strike: number;
  expiryYears: number;
  vol: number;
  rate: number;
  carry: number;
}

export interface RefGreeks {
  price: number;
  delta: number;
  gamma: number;
  vega: number;
  theta: number;
  rho: number;
}

export function bsmRef(o: RefOption): RefGreeks {
  const S = dec(o.spot), K = dec(o.strike), T = dec(o.expiryYears), v = dec(o.vol);
  const r = dec(o.rate), q = dec(o.carry);
  const sqrtT = T.sqrt();
  const vs = v.times(sqrtT);
  const d1 = S.div(K).ln().plus(r.minus(q).plus(v.times(v).div(2)).times(T)).div(vs);
  const d2 = d1.minus(vs);
  const dq = q.neg().times(T).exp();
  const dr = r.neg().times(T).exp();
  const w = o.isCall ? 1 : -1;
  const N = (x: Dec): Dec => cdfRef(x.times(w));
  const Sq = S.times(dq), Kr = K.times(dr);
  const nd1 = pdfRef(d1);
  const price = Sq.times(N(d1)).minus(Kr.times(N(d2))).times(w);
  const delta = dq.times(N(d1)).times(w);
  const gamma = dq.times(nd1).div(S.times(vs));
  const vega = Sq.times(nd1).times(sqrtT);
  const theta = Sq.times(nd1).times(v).div(sqrtT.times(2)).neg()
    .plus(q.times(Sq).times(N(d1)).minus(r.times(Kr).times(N(d2))).times(w));
  const rho = T.times(Kr).times(N(d2)).times(w);
  return {
    price: price.toNumber(), delta: delta.toNumber(), gamma: gamma.toNumber(),
    vega: vega.toNumber(), theta: theta.toNumber(), rho: rho.toNumber(),
  };
}
