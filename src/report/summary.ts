/**
 * What a user wants from several margin methods run on one book: how many accounts in each status,
 * how much initial margin each method asks for, how much capital it frees against isolated margin,
 * and which accounts are closest to liquidation. Pure functions over reports, shared by the CLI demo
 * and the browser page.
 */
import { wasSetAside } from '../margin/currency-view.js';
import type { AccountMargin, MarginMethod, MarginReport } from '../margin/report.js';
import { STATUS, type Status } from '../margin/status.js';
import { compactMoney, compactMoneyIn, count, isCoin, moveLabel, percent } from './format.js';

export interface MethodSummary {
  method: MarginMethod;
  accounts: number;
  byStatus: Record<Status, number>;
  /** True when no account is in status error: the totals cover every account. */
  complete: boolean;
  /** The accounts the totals cover (not in status error). */
  covered: number;
  /** Total initial and maintenance margin over the `covered` accounts, those without errors (USD). */
  im: number;
  mm: number;
  /** Gross notional / IM over all accounts. */
  efficiency: number;
  /**
   * (IM_isolated − IM_method) / IM_isolated: the share of isolated margin this method releases.
   * Undefined when there is no isolated report or its IM is zero.
   */
  capitalFreed?: number | undefined;
}

/** (IM_isolated − IM) / IM_isolated, or undefined when isolated margin is not positive. */
export function capitalFreed(imIsolated: number, im: number): number | undefined {
  return imIsolated > 0 ? (imIsolated - im) / imIsolated : undefined;
}

/**
 * What the totals cover, for a label beside them: '' when every account is in them, else e.g.
 * `298 of 300 accounts (2 in error left out)`, so a partial total is never read as the book's.
 */
export function coverageLabel(t: { accounts: number; covered: number; complete: boolean }): string {
  if (t.complete) return '';
  const out = t.accounts - t.covered;
  return `${count(t.covered)} of ${count(t.accounts)} accounts (${count(out)} in error left out)`;
}

/** One row per report, in the order given; capital freed is measured against the `isolated` report. */
export function summarizeMethods(reports: readonly MarginReport[]): MethodSummary[] {
  const isolated = reports.find((r) => r.method === 'isolated');
  return reports.map((r) => {
    const row: MethodSummary = {
      method: r.method, accounts: r.totals.accounts, byStatus: { ...r.totals.byStatus }, complete: r.totals.complete, covered: r.totals.covered,
      im: r.totals.im, mm: r.totals.mm, efficiency: r.totals.efficiency,
    };
    const freed = isolated ? capitalFreed(isolated.totals.im, r.totals.im) : undefined;
    if (freed !== undefined) row.capitalFreed = freed;
    return row;
  });
}

/** One account seen under every method. */
export interface RiskyAccount {
  id: string;
  /** The account's row in each report, keyed by method (absent if a report lacks the account). */
  byMethod: Partial<Record<MarginMethod, AccountMargin>>;
  /** The method under which it is riskiest, and its health and status there. */
  worstMethod: MarginMethod;
  health: number;
  status: Status;
}

/**
 * Severity order for ranking: a higher status (error > bankrupt > liquidatable > margin call >
 * healthy) first, then lower health. An `error` account is the riskiest: nothing vouches for it.
 */
export function riskier(a: AccountMargin, b: AccountMargin): number {
  const bySeverity = STATUS.indexOf(b.status) - STATUS.indexOf(a.status);
  if (bySeverity !== 0) return bySeverity;
  const ha = Number.isNaN(a.health) ? -Infinity : a.health;
  const hb = Number.isNaN(b.health) ? -Infinity : b.health;
  return ha === hb ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : ha - hb;
}

/**
 * The `n` riskiest accounts over all reports, each ranked by its worst method (see {@link riskier}). A row a USD-only
 * method set aside (a coin-margined account it does not margin: src/margin/currency-view.ts) is no risk and not ranked.
 */
export function riskiestAccounts(reports: readonly MarginReport[], n = 10): RiskyAccount[] {
  const byId = new Map<string, RiskyAccount>();
  for (const report of reports) {
    for (const account of report.accounts) {
      if (wasSetAside(account)) continue;
      let entry = byId.get(account.id);
      if (!entry) {
        entry = { id: account.id, byMethod: {}, worstMethod: report.method, health: account.health, status: account.status };
        byId.set(account.id, entry);
      } else if (riskier(account, entry.byMethod[entry.worstMethod]!) < 0) {
        Object.assign(entry, { worstMethod: report.method, health: account.health, status: account.status });
      }
      entry.byMethod[report.method] = account;
    }
  }
  return [...byId.values()].sort((a, b) => riskier(a.byMethod[a.worstMethod]!, b.byMethod[b.worstMethod]!)).slice(0, n);
}

/**
 * The account's worst scenario in words, when its method explains one: the portfolio method's
 * worst underlying ("BTC -16% vol up: -12.3k"), or VaR's measure ("VaR 99% 1d 12.3k, ES 15.0k").
 * Undefined for methods without a scenario (and rows without a breakdown). A coin-margined account's loss is in its
 * coin, to three significant digits with its symbol ("BTC -16% vol up: -0.0936 BTC").
 */
export function worstScenario(account: AccountMargin): string | undefined {
  const p = account.portfolio;
  if (p && p.underlyings.length > 0) {
    const worst = p.underlyings.reduce((w, u) => (u.worstLoss > w.worstLoss ? u : w));
    const s = worst.worstScenario;
    const coin = isCoin(account.marginCurrency) ? account.marginCurrency : undefined;
    const loss = `${compactMoneyIn(coin)(-worst.worstLoss)}${coin ? ` ${coin}` : ''}`;
    return `${worst.underlying} ${moveLabel(s.spotMove)} vol ${s.volShock}${s.tail ? ' (tail)' : ''}: ${loss}`;
  }
  const v = account.var;
  if (v) return `${v.model} VaR ${percent(v.confidence, 1)} ${v.horizonDays}d ${compactMoney(v.var)}, ES ${compactMoney(v.es)}`;
  return undefined;
}
