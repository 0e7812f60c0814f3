/**
 * The margin report: what every method computes for every account (equity, IM, MM, health, status), plus the
 * breakdown rows. Methods add their own explain section to {@link AccountMargin} (e.g. `portfolio`, `var`).
 */
import type { BackendName } from '../kernels/backend-name.js';
import type { InputProblem } from '../errors.js';
import type { Status } from './status.js';
import type { SubaccountRollup } from './subaccount-rollup.js';
import type { AccountFigureValues, MoneyFigure } from './figures.js';

/**
 * The margin methods by name, each mapped to the type of its validated parameters. Empty here, so that this
 * module depends on no method: each method's folder adds its entry by declaration merging, e.g.
 * `declare module '../../margin/report.js' { interface MarginMethods { portfolio: PortfolioParams } }`
 * (src/methods/portfolio/index.ts), and may add its explain section to {@link AccountMargin} the same way.
 */
export interface MarginMethods {}

/** The name of a margin method of this build (src/methods/registry.ts lists them in report order). */
export type MarginMethod = keyof MarginMethods & string;

/**
 * One position's part of an account's requirement (breakdown). Money in the account's margin currency (USD, or a
 * coin-margined account's coin). `im` and `mm` are the rule-based figures (the position alone under cross margin, or
 * isolated margin's own): under a method that margins the account as a whole (portfolio, var, span, derive, deribit)
 * they do not sum to the account's IM and MM.
 */
export interface PositionMargin {
  instrument: string;
  quantity: number;
  /** |units| × mark for linear instruments, |units| × underlying price for options (the account's margin currency). */
  notional: number;
  /** Mark-to-market contribution to equity: options at model value, linear at P&L from entry. */
  markToMarket: number;
  im: number;
  mm: number;
  /** Isolated margin: collateral allocated and the position's own status. */
  allocated?: number | undefined;
  status?: Status | undefined;
}

/** One collateral balance: its value and what the haircuts leave of it (breakdown). */
export interface CollateralMargin {
  asset: string;
  amount: number;
  /** amount × price (negative when borrowed): USD, or for a coin-margined account its coin (its own coin is its cash). */
  value: number;
  /** Value counted towards IM (after haircut, or × liability weight when borrowed). */
  imValue: number;
  mmValue: number;
}

/**
 * A coin-margined account's figures in USD (docs/coin-margined.md): each money figure of the row (figures.ts: the
 * table's `money` figures) times `price`, the USD index price of its margin asset.
 */
export interface UsdView extends Pick<AccountFigureValues, MoneyFigure> {
  price: number;
}

/**
 * Per-account result: the account figures (src/margin/figures.ts, one table: equity, equityIm, equityMm, im, mm,
 * health, excessOverMm, grossNotional, efficiency, collateralValue) and what the row says of them. Money in USD, or in
 * `marginCurrency` when the row has one (then `usd` converts it).
 */
export interface AccountMargin extends AccountFigureValues {
  id: string;
  status: Status;
  /** Why the account has its status: the figures (or, isolated, the position) that decide it (src/margin/status-reason.ts). */
  statusReason: string;
  /** Why the status is `error` (absent otherwise). */
  error?: string | undefined;
  /**
   * A coin-margined account (book `marginCurrency`): the asset every money figure of this row is in; its cash (its
   * balance of that asset) is `collateralValue`. Absent: USD.
   */
  marginCurrency?: string | undefined;
  /** With `marginCurrency`: the row's money figures in USD at the asset's index price. */
  usd?: UsdView | undefined;
  /**
   * Settled cash (USD) in every equity at full weight: the book's `cashUsd` plus the P&L realized by
   * netting position rows. Present only when non-zero.
   */
  cashUsd?: number | undefined;
  /**
   * Underlying (index) price at which equityMm = mm, moving that underlying alone, its linear marks in proportion
   * (single-underlying accounts, with breakdown; docs/rule-based-margin.md).
   */
  liquidationPrice?: { underlying: string; below: number | null; above: number | null } | undefined;
  positions?: PositionMargin[] | undefined;
  collateral?: CollateralMargin[] | undefined;
  /** The account's master (it is a subaccount; docs/subaccounts.md). */
  master?: string | undefined;
  /** The method that margined this account, when the book gives the account its own. */
  method?: string | undefined;
  /**
   * Backstop policy: USD of the master's free collateral this subaccount received (its figures include it), or, on
   * a master, minus what it paid out.
   */
  backstopUsd?: number | undefined;
}

/**
 * The book's totals. Equity, IM, MM and gross notional are exact sums (each the exact sum of the accounts' figures,
 * rounded once: the same bits whatever the order of the accounts or the split of the book) over the accounts not in
 * status error: `covered` of `accounts`. `complete` is false when some account is in error, so the sums leave it out
 * and cover only part of the book. In USD: a coin-margined account's figures at its coin's index (its `usd` view).
 */
export interface MarginTotals {
  accounts: number;
  byStatus: Record<Status, number>;
  /** True when every account was computed (none in status error): the sums cover the whole book. */
  complete: boolean;
  /** The accounts the sums cover (those not in status error). */
  covered: number;
  equity: number;
  im: number;
  mm: number;
  grossNotional: number;
  /**
   * Σ grossNotional / Σ im over the accounts with im > 0 (status not `error`), so accounts without a
   * requirement do not inflate it; Infinity (null in JSON) when no account has one.
   */
  efficiency: number;
}

/** A methodology profile's name and version (src/profiles/). */
export interface ProfileTag {
  name: string;
  version: string;
}

export interface MarginReport {
  method: MarginMethod;
  /** The methodology profile that chose the method and its params (`options.profile`); absent without one. */
  profile?: ProfileTag | undefined;
  valuationTime: string;
  backend: BackendName;
  accounts: AccountMargin[];
  totals: MarginTotals;
  /** The master/subaccount roll-up, when the book has masters (src/margin/subaccount-rollup.ts). */
  subaccounts?: SubaccountRollup | undefined;
  /**
   * What validation let through or changed (book, market, params): unknown fields under `lenient`, a
   * correlation matrix that is not PSD or its repair. Present only when there is at least one.
   */
  warnings?: InputProblem[] | undefined;
  /**
   * A sharded run's workers (src/scale/): each worker (and backend) whose rows the report merged, with the shards it
   * computed, by worker name. Absent from a run in one process. (`backend` is the lowest shard's worker's.)
   */
  computedBy?: { worker: string; backend: BackendName; shards: number[] }[] | undefined;
}
