/**
 * The market an import builds (docs/book-format.md, "Market"): prices, marks and implied vols from the venue's
 * data; what the feeds do not carry (an asset's own vol, correlations) filled in by the rules below, each noted.
 */
import type { InputProblem } from '../errors.js';
import type { Market } from '../model/types.js';
import { formatIsoTimestamp, MS_PER_DAY } from '../model/time.js';
import { USD_STABLECOINS } from './types.js';

/** An option quote an asset's vol may be taken from. */
export interface VolCandidate {
  asset: string;
  expiryMs: number;
  strike: number;
  /** Annualised decimal. */
  vol: number;
  /** The forward or spot the venue priced it on (USD per unit). */
  underlyingPrice: number;
  /** Instrument name and path, for the note. */
  name: string;
  path: string;
}

export interface MarketDraft {
  valuationMs: number;
  /** USD per unit, every asset the book names. */
  prices: ReadonlyMap<string, number>;
  /** Quoted marks by instrument id, in the instrument's quote (see docs/data-import.md). */
  marks: ReadonlyMap<string, number>;
  /** Annualised decimal by option id. */
  impliedVols: ReadonlyMap<string, number>;
  volCandidates: readonly VolCandidate[];
  /** Filled with the path each asset's vol was read from (its option quote's), when given. */
  volSources?: Map<string, string> | undefined;
}

/** The days to expiry an asset's vol is read at (the 30-day at-the-money vol, as a DVOL-style index reads it). */
const VOL_TENOR_DAYS = 30;

/**
 * Each asset's vol: stablecoins 0; a coin's from its option quote nearest 30 days and then nearest the money; 0 with
 * a note when the data has no option on it (VaR then sees no risk in it: give a vol in market.json).
 */
function assetVols(draft: MarketDraft, notes: InputProblem[]): Map<string, number> {
  const vols = new Map<string, number>();
  for (const asset of draft.prices.keys()) {
    if (USD_STABLECOINS.has(asset)) {
      vols.set(asset, 0);
      continue;
    }
    let best: VolCandidate | undefined;
    let bestKey = [Infinity, Infinity];
    for (const c of draft.volCandidates) {
      if (c.asset !== asset || c.expiryMs <= draft.valuationMs) continue;
      const key = [Math.abs((c.expiryMs - draft.valuationMs) / MS_PER_DAY - VOL_TENOR_DAYS), Math.abs(Math.log(c.strike / c.underlyingPrice))];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = c;
        bestKey = key;
      }
    }
    if (best) {
      vols.set(asset, best.vol);
      draft.volSources?.set(asset, best.path);
      notes.push({ path: best.path, message: `${asset} vol ${best.vol} taken from ${best.name} (the option quote nearest 30 days and at the money)` });
    } else {
      vols.set(asset, 0);
      notes.push({ path: `market.assets.${asset}.vol`, message: `no option quote on ${asset}: its vol set to 0 (VaR sees no risk in it); give one in market.json` });
    }
  }
  return vols;
}

/**
 * The market: rate and carry 0 (the forward of every asset is its index price; quoted marks value the positions
 * exactly, the risk methods revalue from the index), a correlation of 1 between every pair of assets with a vol (the
 * feeds carry none; 1 is the conservative choice for exposures of one sign), noted.
 */
export function assembleMarket(draft: MarketDraft, notes: InputProblem[]): Market {
  const vols = assetVols(draft, notes);
  const assets: Market['assets'] = {};
  for (const [asset, price] of [...draft.prices].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) assets[asset] = { price, vol: vols.get(asset) ?? 0 };
  const risky = Object.keys(assets).filter((a) => assets[a].vol > 0);
  if (risky.length > 1) notes.push({ path: 'market.correlation', message: `the venue data carries no correlations: 1 between ${risky.join(', ')}; edit market.json for yours` });
  return {
    valuationTime: formatIsoTimestamp(draft.valuationMs),
    assets,
    marks: Object.fromEntries(draft.marks),
    impliedVols: Object.fromEntries(draft.impliedVols),
    correlation: { assets: risky, matrix: risky.map(() => risky.map(() => 1)) },
  };
}
