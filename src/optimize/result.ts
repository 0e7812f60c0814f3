/**
 * What "restore health at least cost" answers (src/optimize/restore.ts, src/optimize/isolated.ts): the target, the
 * trades, and the engine's figures before and after. Money in the account's margin currency: USD, or a coin-margined
 * account's coin (`before.marginCurrency` names it, as its report row does: docs/coin-margined.md).
 */
import type { AccountRequirement } from '../margin/what-if.js';
import type { OptionKinds } from '../model/options-check.js';
import type { InputProblem } from '../errors.js';

/** The allocation a position should hold (isolated margin). */
export interface PositionAllocation {
  instrument: string;
  /** In the account's margin currency (USD; a coin-margined account's coin). */
  usd: number;
}

/** What the account must reach: equity for IM ≥ IM, or equity for MM ≥ MM × (1 + buffer). */
export type HealthTarget = 'im' | 'mm';

export interface RestoreOptions {
  /** Default 'im'. */
  target?: HealthTarget | undefined;
  /** Target 'mm': MM is multiplied by 1 + buffer (default 0.02, the liquidation engine's). Refused with target 'im' (InputError at `buffer`). */
  buffer?: number | undefined;
}

/** {@link RestoreOptions}' keys, for the options of the calls that take them (src/model/options-check.ts). */
export const RESTORE_OPTION_KINDS: OptionKinds<RestoreOptions> = { target: 'any', buffer: 'any' };

export interface HedgeTrade {
  instrument: string;
  /** Signed contracts (buy > 0). */
  quantity: number;
  /**
   * Fill price, value ± spread, as the instrument is quoted: USD per unit of the underlying; an inverse contract's in
   * USD per coin (F ± spread); an instrument settled in a coin, in that coin per unit (the spread converted at its index).
   */
  price: number;
  /**
   * What the trade costs the account in its margin currency: |quantity| × (spread × multiplier + fee) for a USD
   * account; in a coin account's coin, an inverse contract's |quantity| × (multiplier·|1/F − 1/price| + fee/index).
   */
  cost: number;
}

export interface RestoreResult {
  account: string;
  method: string;
  target: HealthTarget;
  buffer: number;
  /** `met` (nothing to do), `restored` (trades found and confirmed by the engine), `infeasible` (no trades within the limits reach the target). */
  outcome: 'met' | 'restored' | 'infeasible';
  /** The least-cost trades (restored), or the closest the hedges come (infeasible). */
  trades: HedgeTrade[];
  /** Σ trade costs (the account's margin currency). */
  cost: number;
  /** The engine's figures before and after the trades (after = before when there are none). */
  before: AccountRequirement;
  after: AccountRequirement;
  /** Target slack (the account's margin currency): equity for the target − the target's requirement; < 0 below it. */
  slackBefore: number;
  slackAfter: number;
  /** True when the engine's after-figures meet the target (restored, met), false otherwise. */
  confirmed: boolean;
  /** Why the outcome is what it is, in one sentence. */
  reason: string;
  /** Solver work: linear programmes solved and tangent planes added. */
  solver: { programmes: number; cuts: number };
  /** Isolated margin: what each position should hold as its allocation after the trades, in the account's margin currency (empty when none is needed). */
  allocations?: PositionAllocation[] | undefined;
  /**
   * Under the `cross` subaccount policy, when `account` is a master: the figures are its group's pool (the master's
   * and these subaccounts' positions and collateral as one account, the one liquidation acts on).
   */
  pool?: { subaccounts: string[] } | undefined;
  /** What validation let through or changed (unknown fields under `lenient`, a repaired correlation matrix), as a margin report's. */
  warnings?: InputProblem[] | undefined;
}

