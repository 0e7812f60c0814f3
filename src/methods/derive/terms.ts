/**
 * Per-expiry terms of Derive portfolio margin, shared by every account holding the expiry: time, discount, the
 * vol shock multipliers, the static discounts and the skew shape. Pure functions of the params and the feeds; the
 * rules are stated in the README ("Derive portfolio margin") and each function's comment. Time τ is in years of
 * 365 days (Derive annualises seconds / 31,536,000).
 */
import { exp, log } from '../../kernels/js/elementary.js';
import type { DeriveParams } from './params.js';

// exp and log from the kernels' own elementary functions, not Math's: the same bits in every JS engine (Node, browsers)

export const SECONDS_PER_YEAR = 365 * 86_400;
const SECONDS_PER_DAY = 86_400;
const THIRTY_DAYS = 30 * SECONDS_PER_DAY;

/** The inputs of one expiry (USD, seconds, annual decimals, confidences in [0, 1]). */
export interface ExpiryFeed {
  /** Index of the underlying the expiry's options are on. */
  underlying: number;
  seconds: number;
  /** USD: the whole forward; `forwardFixed` of it no longer moves with spot. */
  forward: number;
  forwardFixed: number;
  /** Continuously compounded, per year; Derive floors it at 0. */
  rate: number;
  /** min(forward, rate and vol feed confidences). */
  confidence: number;
}

export interface ExpiryTerms extends ExpiryFeed {
  /** Years (seconds / 31,536,000), 0 once expired. */
  years: number;
  /** max(rate, 0). */
  flooredRate: number;
  /** e^(−flooredRate·years). */
  discount: number;
  /** Spot-driven share of the forward: (forward − forwardFixed) / forward. */
  variableShare: number;
  /** Vol multipliers of the vol-up and vol-down scenarios. */
  volUp: number;
  volDown: number;
  /** Multipliers of the expiry's shocked value when it is ≥ 0 (pos) or < 0 (neg). */
  staticPos: number;
  staticNeg: number;
  /** The expiry's basis loss counts × this. */
  basisFactor: number;
  /** Skew: the caps of the linear and absolute multipliers, and k*. */
  linearCap: number;
  absCap: number;
  kStar: number;
}

/**
 * Vol shock scale m = (30 days / max(t, floor))^p, p = shortTermPower up to 30 days to expiry, longTermPower beyond;
 * up = 1 + rangeUp·m, down = max(0, 1 − rangeDown·m). A zero time with a zero floor (which Derive's contract
 * cannot divide by) takes 1 second.
 */
export function volShockMultipliers(seconds: number, p: DeriveParams['volShock']): { up: number; down: number } {
  const t = Math.max(seconds, p.dteFloorDays * SECONDS_PER_DAY, 1);
  const m = exp((seconds <= THIRTY_DAYS ? p.shortTermPower : p.longTermPower) * log(THIRTY_DAYS / t));
  return { up: 1 + p.rangeUp * m, down: Math.max(0, 1 - p.rangeDown * m) };
}

/** The terms of one expiry. */
export function expiryTerms(feed: ExpiryFeed, params: DeriveParams): ExpiryTerms {
  const seconds = Math.max(feed.seconds, 0);
  const years = seconds / SECONDS_PER_YEAR;
  const flooredRate = Math.max(feed.rate, 0);
  const discount = exp(-flooredRate * years);
  const { up, down } = volShockMultipliers(seconds, params.volShock);
  const m = params.margin;
  const staticPos = m.longStaticDiscount * exp(-years * (flooredRate * m.longRateMultScale + m.longRateAddScale));
  // a short's value is marked up, but never beyond its undiscounted value
  const staticNeg = Math.min(1 / discount, m.shortStaticDiscount / exp(-years * (flooredRate * m.shortRateMultScale + m.shortRateAddScale)));
  const sqrtT = Math.sqrt(years);
  const sk = params.skew;
  const kStar = Math.max(sk.minKStar, sqrtT * sk.widthScale * (sk.volParamStatic + sqrtT * sk.volParamScale));
  return {
    ...feed,
    seconds,
    years,
    flooredRate,
    discount,
    variableShare: (feed.forward - feed.forwardFixed) / feed.forward,
    volUp: up,
    volDown: down,
    staticPos,
    staticNeg,
    basisFactor: params.basis.addFactor + params.basis.multFactor * years,
    linearCap: sk.linearCapSlope * sqrtT + sk.linearCap,
    absCap: sk.absCapSlope * sqrtT + sk.absCap,
    kStar,
  };
}

/**
 * The skew scenarios' vol multiplier of a strike: k = ln(strike / forward) (|k| for the absolute rotation), and
 * 1 + k·cap/k*, clamped to 1 ± cap, then floored at 0.
 */
export function skewMultiplier(strike: number, t: ExpiryTerms, abs: boolean): number {
  const cap = abs ? t.absCap : t.linearCap;
  let k = log(strike / t.forward);
  if (abs) k = Math.abs(k);
  // k* = 0 (minKStar 0 at expiry): the multiplier jumps straight to its cap on either side of the forward
  const slope = t.kStar > 0 ? (k * cap) / t.kStar : k > 0 ? Infinity : k < 0 ? -Infinity : 0;
  const mult = 1 + (k >= 0 ? Math.min(cap, slope) : Math.max(-cap, slope));
  return mult < 0 ? 0 : mult;
}
