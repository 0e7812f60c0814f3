/**
 * One account's Derive portfolio margin from the shared value table (revalue.ts): per underlying, the P&L of every
 * scenario and the forward (basis) contingency, the worst of them; then the contingencies (perp, naked short options,
 * feed confidence, collateral haircuts) and the requirements
 *
 *     IM requirement = −worst·(imFactor + de-peg term) + IM contingencies + MM contingencies
 *     MM requirement = −worst·mmFactor + MM contingencies
 *
 * Derive states a margin as MtM + cash − requirement (≥ 0: enough). All money in USD (balances valued in the stable
 * coin: amount × price / stablePrice); P&L signed, gain > 0; worst ≤ 0.
 */
import type { DeriveParams } from './params.js';
import { FAMILY_COUNT, FAMILY_NONE, type OptionSpec, type ShockColumns } from './revalue.js';
import type { ExpiryTerms } from './terms.js';

/** An underlying's spot and the confidences of its spot and perp feeds. */
export interface UnderlyingFeedTerms {
  spot: number;
  spotConfidence: number;
  perpConfidence: number;
}

/** The shared, account-independent state: params, scenarios, expiries, options and their value table. */
export interface DeriveMarketState {
  params: DeriveParams;
  columns: ShockColumns;
  underlyings: readonly UnderlyingFeedTerms[];
  expiries: readonly ExpiryTerms[];
  options: readonly OptionSpec[];
  /** Per option: confidence of its vol feed. */
  optionConfidence: Float64Array;
  values: Float64Array;
}

export interface DeriveHoldings {
  /** Option holdings (option index, signed contracts in units of the underlying). */
  options: readonly { option: number; amount: number }[];
  /** Linear holdings (perpetuals, futures): signed units of the underlying and the mark price (USD) they move from. */
  perps: readonly { underlying: number; position: number; price: number }[];
  /** Balances valued in USD (amount × price / stablePrice). riskCancelling: the underlying that moves it, or −1. */
  collaterals: readonly { value: number; confidence: number; riskCancelling: number; imHaircut: number; mmHaircut: number }[];
  /** Underlyings the account is margined on even without positions there (its market: the spot confidence applies). */
  markets?: readonly number[] | undefined;
}

export interface UnderlyingResult {
  underlying: number;
  /** P&L of each params scenario (USD). */
  scenarioPnl: Float64Array;
  /** Σ over expiries of min(up − mtm, down − mtm, 0) × basis factor (USD, ≤ 0). */
  basisContingency: number;
  /** min(basisContingency, every scenario P&L) (USD, ≤ 0). */
  worst: number;
  /** Index of the worst scenario, or −1 when the basis contingency is the worst. */
  worstScenario: number;
  /** Σ of its expiries' marks (USD). */
  optionMtm: number;
}

export interface DeriveAccountResult {
  underlyings: UnderlyingResult[];
  /** Σ worst (USD, ≤ 0). */
  worst: number;
  imFactor: number;
  mmFactor: number;
  imContingency: number;
  mmContingency: number;
  /** Derive's marks of the account's options and balances (USD). */
  optionMtm: number;
  collateralValue: number;
  im: number;
  mm: number;
}

/** Charge of a feed with confidence c on a notional: (1 − c)·confMargin·notional below the threshold, else 0. */
export function confidenceCharge(c: number, notional: number, p: DeriveParams['contingency']): number {
  return c < p.confThreshold ? (1 - c) * p.confMargin * notional : 0;
}

/** Per scenario: shock − 1 and dampening, computed once per params object (accounts share them). */
const SCENARIO_TERMS = new WeakMap<DeriveParams, { shockMinus1: Float64Array; dampening: Float64Array }>();
function scenarioTerms(params: DeriveParams): { shockMinus1: Float64Array; dampening: Float64Array } {
  let t = SCENARIO_TERMS.get(params);
  if (!t) {
    t = { shockMinus1: Float64Array.from(params.scenarios, (s) => s.spotShock - 1), dampening: Float64Array.from(params.scenarios, (s) => s.dampening) };
    SCENARIO_TERMS.set(params, t);
  }
  return t;
}

/**
 * The account's underlyings, in first-seen order, and each one's confidence (spot, and perp when one is held);
 * `spotConfidence`: the lowest spot confidence over them (what balances see).
 */
function underlyingsOf(state: DeriveMarketState, h: DeriveHoldings): { us: number[]; confidence: Map<number, number>; spotConfidence: number } {
  const { expiries, options } = state;
  const us: number[] = [];
  const see = (u: number): void => {
    if (!us.includes(u)) us.push(u);
  };
  for (const u of h.markets ?? []) see(u);
  for (const p of h.perps) see(p.underlying);
  for (const o of h.options) see(expiries[options[o.option].expiry].underlying);
  for (const c of h.collaterals) if (c.riskCancelling >= 0) see(c.riskCancelling);
  // positions see the spot and (when a perp is held) the perp feed; balances see the spot feed only, as in PMRM_2
  const confidence = new Map<number, number>();
  let spotConfidence = 1;
  for (const u of us) {
    let c = state.underlyings[u].spotConfidence;
    spotConfidence = Math.min(spotConfidence, c);
    for (const p of h.perps) if (p.underlying === u && p.position !== 0) c = Math.min(c, state.underlyings[u].perpConfidence);
    confidence.set(u, c);
  }
  return { us, confidence, spotConfidence };
}

/**
 * Expiry e of the account's options: adds its scenario P&L into `pnl` (`shocked`: scratch of S), and returns its
 * mark-to-market, basis contingency (≤ 0) and its naked-short and confidence contingencies (MM, IM; USD).
 */
function expiryTerms(state: DeriveMarketState, h: DeriveHoldings, e: number, minConf: number, spot: number, pnl: Float64Array, shocked: Float64Array): { mtm: number; basis: number; mm: number; im: number } {
  const { params, columns, expiries, options, values } = state;
  const cont = params.contingency;
  const S = params.scenarios.length, M = columns.shocks.length;
  const { dampening } = scenarioTerms(params);
  const t = expiries[e];
  let mtm = 0, up = 0, down = 0, gross = 0, expConf = Math.min(minConf, t.confidence);
  shocked.fill(0);
  const netByStrike = new Map<number, number>();
  for (const o of h.options) {
    const spec = options[o.option];
    if (spec.expiry !== e) continue;
    const row = o.option * FAMILY_COUNT;
    const none = (row + FAMILY_NONE) * M;
    mtm += values[none + columns.unitColumn] * o.amount;
    up += values[none + columns.basisUpColumn] * o.amount;
    down += values[none + columns.basisDownColumn] * o.amount;
    for (let s = 0; s < S; s++) shocked[s] += values[(row + columns.scenarioFamily[s]) * M + columns.scenarioColumn[s]] * o.amount;
    gross += Math.abs(o.amount);
    expConf = Math.min(expConf, state.optionConfidence[o.option]);
    netByStrike.set(spec.strike, (netByStrike.get(spec.strike) ?? 0) + o.amount);
  }
  const basis = Math.min(up - mtm, down - mtm, 0) * t.basisFactor;
  for (let s = 0; s < S; s++) {
    const v = shocked[s];
    const expiryPnl = (v * (v >= 0 ? t.staticPos : t.staticNeg) - mtm) * dampening[s];
    const skew = columns.scenarioFamily[s] >= 3; // linear, abs: the worse of rotating the skew either way
    pnl[s] += skew && expiryPnl > 0 ? -expiryPnl : expiryPnl;
  }
  // naked shorts: per strike, calls and puts netted, the short remainder
  let naked = 0;
  for (const net of netByStrike.values()) if (net < 0) naked -= net;
  return { mtm, basis, mm: naked * spot * cont.mmOptionPercent, im: naked * spot * cont.imOptionPercent + confidenceCharge(expConf, gross * spot, cont) };
}

/** One account's requirements. */
export function accountMargin(state: DeriveMarketState, h: DeriveHoldings): DeriveAccountResult {
  const { params, columns, expiries, options, values } = state;
  const cont = params.contingency;
  const S = params.scenarios.length, M = columns.shocks.length;
  const { shockMinus1, dampening } = scenarioTerms(params);

  const { us, confidence, spotConfidence } = underlyingsOf(state, h);

  let imCont = 0, mmCont = 0, optionMtm = 0, collateralValue = 0, worstTotal = 0;
  const results: UnderlyingResult[] = [];
  for (const u of us) {
    const spot = state.underlyings[u].spot;
    const minConf = confidence.get(u) as number;
    const pnl = new Float64Array(S);
    for (const p of h.perps) {
      if (p.underlying !== u || p.position === 0) continue;
      for (let s = 0; s < S; s++) pnl[s] += p.position * (shockMinus1[s] * p.price) * dampening[s];
      const notional = Math.abs(p.position) * spot;
      mmCont += notional * cont.mmPerpPercent;
      imCont += notional * cont.imPerpPercent + confidenceCharge(minConf, notional, cont);
    }
    // expiries of u, in order of first holding
    const held: number[] = [];
    for (const o of h.options) {
      const e = options[o.option].expiry;
      if (expiries[e].underlying === u && !held.includes(e)) held.push(e);
    }
    let basis = 0, uMtm = 0;
    const shocked = new Float64Array(S);
    for (const e of held) {
      const x = expiryTerms(state, h, e, minConf, spot, pnl, shocked);
      uMtm += x.mtm;
      basis += x.basis;
      mmCont += x.mm;
      imCont += x.im;
    }
    for (const c of h.collaterals) {
      if (c.riskCancelling !== u) continue;
      for (let s = 0; s < S; s++) pnl[s] += c.value * shockMinus1[s] * dampening[s];
    }
    let worst = basis, worstScenario = -1;
    for (let s = 0; s < S; s++) {
      if (pnl[s] < worst) {
        worst = pnl[s];
        worstScenario = s;
      }
    }
    worstTotal += worst;
    optionMtm += uMtm;
    results.push({ underlying: u, scenarioPnl: pnl, basisContingency: basis, worst, worstScenario, optionMtm: uMtm });
  }
  for (const c of h.collaterals) {
    collateralValue += c.value;
    mmCont += c.value * c.mmHaircut;
    const conf = Math.min(c.confidence, c.riskCancelling >= 0 ? state.underlyings[c.riskCancelling].spotConfidence : spotConfidence);
    imCont += c.value * c.imHaircut + confidenceCharge(conf, c.value, cont);
  }
  const peg = params.stablePrice < cont.pegLossThreshold ? (cont.pegLossThreshold - params.stablePrice) * cont.pegLossFactor : 0;
  const imFactor = params.margin.imFactor + peg, mmFactor = params.margin.mmFactor;
  return {
    underlyings: results,
    worst: worstTotal,
    imFactor,
    mmFactor,
    imContingency: imCont,
    mmContingency: mmCont,
    optionMtm,
    collateralValue,
    im: -worstTotal * imFactor + imCont + mmCont,
    mm: -worstTotal * mmFactor + mmCont,
  };
}
