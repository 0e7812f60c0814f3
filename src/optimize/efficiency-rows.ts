/** The account rows of the capital efficiency report (src/optimize/efficiency.ts) and the hedge effect they carry. */
import type { MarginMethod } from '../margin/report.js';
import type { CapitalFreed } from '../session/compare.js';
import type { RestoreResult } from './result.js';

/** The optimised hedge of one account below its target, and what it did (in the account's margin currency: USD, or its coin). */
export interface HedgeEffect {
  outcome: RestoreResult['outcome'];
  /** Σ trade costs. */
  cost: number;
  trades: number;
  imBefore: number;
  imAfter: number;
  /** imBefore − imAfter: the margin the hedge releases (negative when it adds margin). */
  imReleased: number;
  slackBefore: number;
  slackAfter: number;
  confirmed: boolean;
}

export interface EfficiencyRow {
  /** `account` (a book account); `master` rows join when the book groups accounts under masters. */
  level: 'account';
  id: string;
  /** IM per method, in the account's margin currency (USD, or `marginCurrency`). */
  im: Partial<Record<MarginMethod, number>>;
  /** A coin-margined account: the asset its money figures (im, freed, hedge) are in (absent: USD). */
  marginCurrency?: string;
  /** With `marginCurrency`: USD per unit of it (its index price). */
  usdPerUnit?: number;
  /** Versus isolated margin, per method (absent where a status is `error`). */
  freed: Partial<Record<MarginMethod, CapitalFreed>>;
  /** Present for accounts below their target under the hedge method, when hedges were given. */
  hedge?: HedgeEffect;
}

