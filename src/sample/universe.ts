/**
 * The sample market and venue listing, drawn once per seed: spot levels, vols, rates and carry per
 * asset; perpetuals, quarterly futures and option chains; marks, smiles and a correlation matrix.
 */

import { MS_PER_YEAR } from '../model/time.js';
import type { Instrument } from '../model/types.js';
import { ASSET_PROFILES, decimalsOf, roundTo, type AssetProfile } from './assets.js';
import { dailyExpiries, dateCode, monthlyExpiries, weeklyExpiries } from './calendar.js';
import type { Random } from './random.js';
import { atmVolAt, impliedVol, smileSlice, type SmileSlice } from './smile.js';

export interface AssetState {
  readonly profile: AssetProfile;
  readonly price: number;
  readonly vol: number;
  readonly rate: number;
  readonly carry: number;
}

export interface ChainExpiry {
  readonly expiryMs: number;
  readonly years: number;
  readonly code: string;
  readonly forward: number;
  readonly strikes: readonly number[];
  readonly smile: SmileSlice;
}

export interface Universe {
  readonly valuationMs: number;
  readonly assets: ReadonlyMap<string, AssetState>;
  /** Option chains by asset, expiries ascending. */
  readonly chains: ReadonlyMap<string, readonly ChainExpiry[]>;
  /** Quarterly futures by asset: id and expiry. */
  readonly futures: ReadonlyMap<string, readonly { id: string; expiryMs: number }[]>;
  readonly instruments: Instrument[];
  readonly marks: Map<string, number>;
  readonly impliedVols: Map<string, number>;
  readonly correlationAssets: string[];
  readonly correlation: number[][];
}

const USD_RATE = 0.042;

export function buildUniverse(rng: Random, valuationMs: number): Universe {
  const rate = roundTo(USD_RATE + 0.002 * rng.normal(), 4);
  const assets = new Map<string, AssetState>();
  for (const profile of ASSET_PROFILES) {
    const price = profile.stablecoin ? profile.price : significant(profile.price * Math.exp(0.03 * rng.normal()), 6);
    const vol = profile.stablecoin ? 0 : roundTo(profile.vol * (1 + 0.06 * rng.normal()), 4);
    const carry = profile.stablecoin ? rate : roundTo(rate - profile.basis * (1 + 0.1 * rng.normal()), 4);
    assets.set(profile.symbol, { profile, price, vol, rate, carry });
  }
  const instruments: Instrument[] = [];
  const marks = new Map<string, number>();
  const impliedVols = new Map<string, number>();
  const chains = new Map<string, ChainExpiry[]>();
  const futures = new Map<string, { id: string; expiryMs: number }[]>();
  for (const state of assets.values()) {
    if (state.profile.stablecoin) continue;
    listLinear(state, rng, valuationMs, instruments, marks, futures);
    chains.set(state.profile.symbol, listOptions(state, rng, valuationMs, instruments, impliedVols));
  }
  const { symbols, matrix } = correlationOf(assets, rng);
  return { valuationMs, assets, chains, futures, instruments, marks, impliedVols, correlationAssets: symbols, correlation: matrix };
}

function listLinear(
  state: AssetState,
  rng: Random,
  valuationMs: number,
  instruments: Instrument[],
  marks: Map<string, number>,
  futures: Map<string, { id: string; expiryMs: number }[]>,
): void {
  const { symbol, multiplier } = state.profile;
  const perp = `${symbol}-PERP`;
  instruments.push({ id: perp, kind: 'perpetual', underlying: symbol, multiplier });
  marks.set(perp, significant(state.price * (1 + 0.0004 * rng.normal()), 6));
  const listed: { id: string; expiryMs: number }[] = [];
  for (const expiryMs of monthlyExpiries(valuationMs, state.profile.futures, true)) {
    const id = `${symbol}-${dateCode(expiryMs)}`;
    const years = (expiryMs - valuationMs) / MS_PER_YEAR;
    instruments.push({ id, kind: 'future', underlying: symbol, multiplier, expiry: isoOf(expiryMs) });
    marks.set(id, significant(state.price * Math.exp((state.rate - state.carry) * years) * (1 + 0.001 * rng.normal()), 6));
    listed.push({ id, expiryMs });
  }
  futures.set(symbol, listed);
}

function listOptions(state: AssetState, rng: Random, valuationMs: number, instruments: Instrument[], impliedVols: Map<string, number>): ChainExpiry[] {
  const { symbol, multiplier, optionExpiries, strikesPerSide, skew } = state.profile;
  const [daily, weekly, monthly, quarterly] = optionExpiries;
  const expiries = [
    ...new Set([
      ...dailyExpiries(valuationMs, daily),
      ...weeklyExpiries(valuationMs, weekly),
      ...monthlyExpiries(valuationMs, monthly),
      ...monthlyExpiries(valuationMs, quarterly, true),
    ]),
  ].sort((x, y) => x - y);
  const rho = Math.max(-0.6, Math.min(0.4, skew + 0.05 * rng.normal()));
  return expiries.map((expiryMs) => {
    const years = (expiryMs - valuationMs) / MS_PER_YEAR;
    const forward = state.price * Math.exp((state.rate - state.carry) * years);
    const smile = smileSlice(atmVolAt(state.vol, years), years, rho, 0.4);
    const strikes = strikeLadder(forward, state.vol * Math.sqrt(years), strikesPerSide);
    const code = dateCode(expiryMs);
    for (const strike of strikes) {
      for (const right of ['call', 'put'] as const) {
        const id = `${symbol}-${code}-${strike}-${right === 'call' ? 'C' : 'P'}`;
        instruments.push({ id, kind: 'option', underlying: symbol, multiplier, right, strike, expiry: isoOf(expiryMs) });
        impliedVols.set(id, roundTo(impliedVol(smile, forward, strike), 4));
      }
    }
    return { expiryMs, years, code, forward, strikes, smile };
  });
}

/**
 * Strikes around the forward on a "nice" grid (1, 2, 2.5, 5 × 10^k) wide enough to span about
 * ±2.2 standard deviations, so longer expiries get wider spacing, as venues list them.
 */
export function strikeLadder(forward: number, stdDev: number, perSide: number): number[] {
  const span = forward * (Math.exp(2.2 * Math.max(stdDev, 0.02)) - 1);
  const step = niceStep(span / perSide);
  const decimals = decimalsOf(step) + (step * 10 ** decimalsOf(step) % 1 === 0 ? 0 : 1);
  const center = Math.round(forward / step);
  const strikes: number[] = [];
  for (let i = -perSide; i <= perSide; i++) {
    const strike = roundTo((center + i) * step, decimals);
    if (strike > 0) strikes.push(strike);
  }
  return strikes;
}

function niceStep(raw: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const mantissa = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= raw) as number;
  return mantissa * magnitude;
}

/**
 * A two-factor model (a common crypto factor and an "alt" factor; stablecoins on their own factor)
 * gives ρ_ij = β_i β_j + γ_i γ_j with idiosyncratic variance filling the diagonal, so the matrix is
 * positive definite by construction, with room to spare for rounding to 4 decimals.
 */
function correlationOf(assets: ReadonlyMap<string, AssetState>, rng: Random): { symbols: string[]; matrix: number[][] } {
  const states = [...assets.values()];
  const symbols = states.map((s) => s.profile.symbol);
  const market = states.map((s) => (s.profile.stablecoin ? 0 : Math.min(0.93, s.profile.marketBeta + 0.03 * rng.normal())));
  const alt = states.map((s) => (s.profile.stablecoin ? 0 : Math.max(0, s.profile.altBeta + 0.03 * rng.normal())));
  const peg = states.map((s) => (s.profile.stablecoin ? 0.5 : 0));
  const n = states.length;
  const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    matrix[i][i] = 1;
    for (let j = i + 1; j < n; j++) {
      const rho = roundTo(market[i] * market[j] + alt[i] * alt[j] + peg[i] * peg[j], 4);
      matrix[i][j] = rho;
      matrix[j][i] = rho;
    }
  }
  return { symbols, matrix };
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** `x` to `digits` significant digits. */
export function significant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}
