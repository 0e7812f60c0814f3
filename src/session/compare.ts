/**
 * Margin efficiency: every method of the session (MARGIN_METHODS by default) on the same book, market and
 * parameters, with each account's IM per method and the capital each method frees versus the isolated and the
 * cross baselines (freed = IM_baseline − IM_method, and as a fraction of IM_baseline).
 */
import type { MarginMethod, MarginReport } from '../margin/report.js';
import type { Status } from '../margin/status.js';
import type { ValidatedMarket } from '../model/types.js';
import { describeValue, InputError, type InputProblem } from '../errors.js';
import { unknownMethodMessage } from '../methods/registry.js';
import { withWarnings } from '../model/warnings.js';
import type { MarginSession } from './session.js';
import type { OptionKinds } from '../model/options-check.js';

export interface CapitalFreed {
  /**
   * IM_baseline − IM_method (negative when the method needs more): in the account's margin currency on an account's
   * row (USD, or its coin: the row's `marginCurrency`), in USD in the totals.
   */
  usd: number;
  /** usd / IM_baseline (NaN when the baseline IM is 0). */
  fraction: number;
}

export interface AccountComparison {
  id: string;
  /** IM per method, in the account's margin currency (as its margin report rows). */
  im: Partial<Record<MarginMethod, number>>;
  /** A coin-margined account: the asset its `im` and `freed` figures are in (absent: USD). */
  marginCurrency?: string | undefined;
  /** With `marginCurrency`: USD per unit of it (its index price, the margin rows' `usd.price`); the totals add im × this. */
  usdPerUnit?: number | undefined;
  status: Partial<Record<MarginMethod, Status>>;
  /** Per method, versus isolated and versus cross (absent when either side's status is `error`). */
  freed: Partial<Record<MarginMethod, { vsIsolated?: CapitalFreed | undefined; vsCross?: CapitalFreed | undefined }>>;
}

export interface MethodComparison {
  methods: MarginMethod[];
  backend: string;
  valuationTime: string;
  accounts: AccountComparison[];
  totals: {
    /** Accounts whose status is not `error` under any method: the ones the totals sum. */
    accounts: number;
    /** Accounts left out of the totals (status `error` under some method). */
    excluded: number;
    /** Σ IM per method over those accounts, USD (a coin account's at its coin's index price). */
    im: Partial<Record<MarginMethod, number>>;
    freed: Partial<Record<MarginMethod, { vsIsolated?: CapitalFreed | undefined; vsCross?: CapitalFreed | undefined }>>;
  };
  /** Every method's report warnings, each once (see MarginReport.warnings); present only when there is one. */
  warnings?: InputProblem[] | undefined;
}

export interface CompareOptions {
  /** Parameters as JSON, shared by every method (each reads its own sections). */
  params?: unknown;
  /** Methods to run (default: every method of the session, in registry order). */
  methods?: readonly MarginMethod[] | undefined;
  /** As MarginOptions.lenient: unknown fields become warnings. */
  lenient?: boolean | undefined;
  /** As MarginOptions.repairCorrelation (when `compareMethods` validates JSON). */
  repairCorrelation?: boolean | undefined;
}

/** {@link CompareOptions}' keys (src/model/options-check.ts). */
export const COMPARE_OPTION_KINDS: OptionKinds<CompareOptions> = { params: 'any', methods: 'any', lenient: 'boolean', repairCorrelation: 'boolean' };

function freed(baseline: number | undefined, im: number | undefined): CapitalFreed | undefined {
  if (baseline === undefined || im === undefined) return undefined;
  return { usd: baseline - im, fraction: baseline > 0 ? (baseline - im) / baseline : NaN };
}

function freedBoth(im: Partial<Record<MarginMethod, number>>, m: MarginMethod): { vsIsolated?: CapitalFreed | undefined; vsCross?: CapitalFreed | undefined } {
  const out: { vsIsolated?: CapitalFreed | undefined; vsCross?: CapitalFreed | undefined } = {};
  const iso = freed(im.isolated, im[m]);
  const cross = freed(im.cross, im[m]);
  if (iso) out.vsIsolated = iso;
  if (cross) out.vsCross = cross;
  return out;
}

/**
 * Runs each method on the session's book and `market` and lines the results up per account: every method over every
 * account (an account's own `method` and the master policies do not apply: the question is what each method gives).
 */
export function compareMethods(session: MarginSession, market: ValidatedMarket, options: CompareOptions = {}): MethodComparison {
  if (options.methods !== undefined && !Array.isArray(options.methods)) {
    throw new InputError([{ path: 'options.methods', message: `expected an array of method names (["cross", "portfolio"]), got ${describeValue(options.methods)}` }]);
  }
  const methods = [...(options.methods ?? (session.methods as readonly MarginMethod[]))];
  const unknown = methods.flatMap((m, i) => (session.methods.includes(m) ? [] : [{ path: `options.methods[${i}]`, message: unknownMethodMessage(m, session.methods) }]));
  if (unknown.length > 0) throw new InputError(unknown);
  const reports = methods.map((method) => session.marginAlone(market, { method, params: options.params, lenient: options.lenient }));
  return compareReports(methods, reports, market);
}

/** The comparison from one report per method (`reports[r]` by `methods[r]`, accounts in book order). */
export function compareReports(methods: MarginMethod[], reports: readonly MarginReport[], market: ValidatedMarket): MethodComparison {
  const byId = new Map<string, AccountComparison>();
  reports.forEach((report, r) => {
    for (const a of report.accounts) {
      let row = byId.get(a.id);
      if (!row) byId.set(a.id, (row = { id: a.id, im: {}, status: {}, freed: {} }));
      if (a.marginCurrency !== undefined && a.usd !== undefined) {
        row.marginCurrency = a.marginCurrency;
        row.usdPerUnit = a.usd.price;
      }
      row.status[methods[r]] = a.status;
      if (a.status !== 'error') row.im[methods[r]] = a.im;
    }
  });
  const accounts = [...byId.values()];
  const im: Partial<Record<MarginMethod, number>> = {};
  for (const m of methods) im[m] = 0;
  let included = 0;
  for (const row of accounts) {
    for (const m of methods) row.freed[m] = freedBoth(row.im, m);
    if (methods.every((m) => row.im[m] !== undefined)) {
      included++;
      // in USD: a coin account's IM at its coin's index price (× 1 leaves a USD account's bits)
      for (const m of methods) im[m]! += row.im[m]! * (row.usdPerUnit ?? 1);
    }
  }
  const totalsFreed: MethodComparison['totals']['freed'] = {};
  for (const m of methods) totalsFreed[m] = freedBoth(im, m);
  return withWarnings({
    methods,
    backend: reports[0]?.backend ?? 'js',
    valuationTime: reports[0]?.valuationTime ?? market.valuationTime,
    accounts,
    totals: { accounts: included, excluded: accounts.length - included, im, freed: totalsFreed },
  }, reports.flatMap((r) => r.warnings ?? []));
}
