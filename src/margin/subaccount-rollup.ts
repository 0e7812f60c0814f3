/**
 * The subaccount roll-up of a margin report (`report.subaccounts`): per master, the group's figures under the
 * policy beside every member margined alone, and what pooling freed. Money in USD.
 *
 * Fails closed as an account row does (docs/domain.md): figures that would have to cover an account in status
 * error are NaN (null in JSON, `n/a` in tables), never a sum that silently leaves it out, and the totals leave such
 * groups out and say so (`complete`, `covered`), as the report's totals do.
 */
import type { Status } from './status.js';
import type { AccountFigureValues } from './figures.js';

/** How a master and its subaccounts are margined together (src/subaccounts/params.ts validates it; docs/subaccounts.md). */
export type SubaccountPolicy = 'independent' | 'cross' | 'backstop';
export const SUBACCOUNT_POLICIES: readonly SubaccountPolicy[] = ['independent', 'cross', 'backstop'];

/**
 * A group's figures (figures.ts): sums over its accounts (or the pool's own, under cross); health and excess from the
 * sums. With status `error` (a member in error, or a pool that could not be computed) every figure is NaN, as on an
 * account row in error: null in JSON.
 */
export interface GroupFigures extends Pick<AccountFigureValues, 'equity' | 'equityIm' | 'equityMm' | 'im' | 'mm' | 'health' | 'excessOverMm'> {
  /** The pool's status under cross; otherwise the worst status among the members (healthy < margin_call < liquidatable < bankrupt < error). */
  status: Status;
}

export interface MasterRollup {
  /** The master's account id. */
  id: string;
  /** Its subaccounts' ids, by id (frozen: every report on the same book shares the array). */
  subaccounts: readonly string[];
  /** The method that margins the group under the policy: the pool's (the master's) under cross, the master's own otherwise. */
  method: string;
  /** The master and its subaccounts each margined alone by its own method, summed. */
  standalone: GroupFigures;
  /** The group under the policy: the pool (cross), the sums after the master's covers (backstop), = standalone (independent). */
  combined: GroupFigures;
  /**
   * standalone.im − combined.im: initial margin freed by pooling (cross; 0 under the other policies). Negative when
   * pooling costs more (size tiers). NaN (null in JSON) when either side is in status error.
   */
  imFreed: number;
  /** imFreed / standalone.im (0 when standalone.im = 0; NaN when imFreed is). */
  imFreedShare: number;
  /** Backstop policy: the master's free collateral and what it paid to which subaccounts. */
  backstop?: { freeUsd: number; coveredUsd: number; uncoveredUsd: number; covers: { account: string; usd: number }[] } | undefined;
}

export interface SubaccountRollup {
  policy: SubaccountPolicy;
  masters: MasterRollup[];
  /**
   * The IM sums leave out every account in status error and every group whose standalone or combined figures are in
   * error (its members all, so that both sums cover the same accounts): `covered` of the report's `totals.accounts`.
   */
  totals: {
    masters: number;
    subaccounts: number;
    /** True when the sums leave out no account (none in status error, no pool that could not be computed): they cover the whole book. */
    complete: boolean;
    /** The accounts the sums cover: those in no group not in status error, and every member of a group not left out. */
    covered: number;
    /** Σ over every covered account margined alone (the report's totals.im when every account has the run's method and none is in error). */
    standaloneIm: number;
    /** Σ over the covered groups' IM under the policy plus the covered accounts in no group. */
    im: number;
    /** standaloneIm − im, and as a share of standaloneIm. */
    imFreed: number;
    imFreedShare: number;
    /** Backstop: Σ paid by masters to subaccounts. */
    backstopUsd: number;
  };
}
