/** The `derive` method's explain section of a report row (`account.derive`, with breakdown). */
import type { DeriveParams } from './params.js';

/** Derive portfolio margin of one account, explained. Money in USD, P&L signed (gain > 0). */
export interface DeriveExplain {
  underlyings: {
    underlying: string;
    /** The worst of the scenario P&Ls and the basis contingency (≤ 0). */
    worst: number;
    /** The worst scenario as `spot ×1.18 / vol up ×1`, or `basis contingency`. */
    worstScenario: string;
    basisContingency: number;
    /** Each params scenario's P&L, in params order. */
    scenarioPnl: number[];
    /** Derive's mark of the account's options on this underlying. */
    optionMtm: number;
  }[];
  /** IM factor (imFactor plus the de-peg term) and MM factor applied to −Σ worst. */
  imFactor: number;
  mmFactor: number;
  /** Contingencies: perp, naked short options, feed confidence, collateral haircuts. */
  imContingency: number;
  mmContingency: number;
}

declare module '../../margin/report.js' {
  interface MarginMethods {
    /** Derive portfolio margin (PMRM_2): docs/profiles.md. */
    derive: DeriveParams;
  }
  interface AccountMargin {
    /** Method `derive` with breakdown: scenarios, basis contingency and contingencies. */
    derive?: DeriveExplain | undefined;
  }
}
