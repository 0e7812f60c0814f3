/**
 * A transcribed Derive PMRM_2 case (cases.json) as margin-core's public inputs: one account on one underlying `X`,
 * a book (its options, its perp, its balances), a market and the `derive` params, for `engine.margin(book, market,
 * { profile: 'derive', params })`.
 *
 * - Options: one instrument per option, expiring the case's seconds after the valuation time, its vol the case's mark
 *   vol, held `amount` contracts (multiplier 1); each expiry's forward, fixed part, rate and confidences go in
 *   params.derive.feeds (Derive's feeds), keyed by the expiry.
 * - The perp: a perpetual marked at the case's perp price (Derive moves it from that price).
 * - Cash: a balance of USDC, Derive's cash (params.derive.cashAsset): in the margin, never in the requirement.
 * - Collaterals: a balance of each, priced at the case's price, with its haircuts, confidence and risk-cancelling flag in
 *   params.derive.collateral (risk-cancelling for X when flagged).
 * Derive's published figures are margins (MtM + cash − requirement); {@link publishedRequirements} turns them into
 * requirements with the case's own MtM, so the report's IM and MM compare with Derive's numbers alone.
 */
import type { DeriveCase } from './support.js';

export const VALUATION = '2026-01-01T00:00:00Z';

/** The ISO timestamp `seconds` after the valuation time. */
export function at(seconds: number): string {
  return new Date(Date.parse(VALUATION) + seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The instrument id of the k-th option of expiry e. */
export function optionId(e: number, k: number): string {
  return `X-E${e}-O${k}`;
}

export function engineInputs(c: DeriveCase) {
  const p = c.portfolio;
  const instruments: Record<string, unknown>[] = [{ id: 'X-PERP', kind: 'perpetual', underlying: 'X' }];
  const positions: Record<string, unknown>[] = [];
  const impliedVols: Record<string, number> = {};
  const expiries: Record<string, unknown> = {};
  p.expiries.forEach((e, ei) => {
    expiries[at(e.secondsToExpiry)] = {
      forward: e.forward, rate: e.rate, forwardFixed: e.forwardFixed,
      forwardConfidence: e.forwardConfidence, rateConfidence: e.rateConfidence, volConfidence: e.volConfidence,
    };
    e.options.forEach((o, k) => {
      const id = optionId(ei, k);
      instruments.push({ id, kind: 'option', underlying: 'X', right: o.isCall ? 'call' : 'put', strike: o.strike, expiry: at(e.secondsToExpiry) });
      positions.push({ instrument: id, quantity: o.amount, entryPrice: 0 });
      impliedVols[id] = o.vol;
    });
  });
  if (p.perp.position !== 0) positions.push({ instrument: 'X-PERP', quantity: p.perp.position, entryPrice: p.perp.price });
  const assets: Record<string, { price: number; vol: number }> = { X: { price: p.spot.price, vol: 0.5 }, USDC: { price: 1, vol: 0 } };
  const collateral: Record<string, unknown> = {};
  const balances = [{ asset: 'USDC', amount: p.cash }];
  for (const x of p.collaterals) {
    assets[x.name] = { price: x.price, vol: 0 };
    balances.push({ asset: x.name, amount: x.amount });
    collateral[x.name] = { riskCancelling: x.riskCancelling ? 'X' : null, imHaircut: x.imHaircut, mmHaircut: x.mmHaircut, confidence: x.confidence };
  }
  return {
    book: { instruments, accounts: [{ id: `case-${c.id}`, positions, collateral: balances }] },
    market: {
      valuationTime: VALUATION,
      assets,
      marks: { 'X-PERP': p.perp.price || p.spot.price },
      impliedVols,
      correlation: { assets: ['X'], matrix: [[1]] },
    },
    params: {
      derive: {
        ...c.params, stablePrice: p.stablePrice, cashAsset: 'USDC', collateral,
        feeds: { X: { spotConfidence: p.spot.confidence, perpConfidence: p.perp.confidence, expiries } },
      },
    },
  };
}

/**
 * Derive's requirements from its published case: MtM (its option and collateral marks, the perp's unrealised P&L and
 * funding) + cash − the published margin.
 */
export function publishedRequirements(c: DeriveCase): { im: number; mm: number } {
  const p = c.portfolio;
  const perp = p.perp.position !== 0 ? p.perp.unrealisedPnl + p.perp.unrealisedFunding : 0;
  const equity = c.expected.optionMtm + c.expected.collateralMtm + perp + p.cash;
  return { im: equity - c.expected.im, mm: equity - c.expected.mm };
}

/** The case's largest implied vol (annual, decimal). */
export function largestVol(c: DeriveCase): number {
  let v = 0;
  for (const e of c.portfolio.expiries) for (const o of e.options) v = Math.max(v, o.vol);
  return v;
}
