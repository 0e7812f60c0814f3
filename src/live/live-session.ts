/**
 * Live margin: a book kept in memory under one method, brought up to date tick by tick and fill by fill, with
 * what-ifs and pre-trade checks in between and the current report readable at any time. Every update leaves
 * each account with the bits a fresh session on the current book and market would give it (tested on long
 * random sequences, every method and backend).
 *
 * - applyTick: the tick is validated, written into the market columns (src/live/market-update.ts), and the
 *   method brings itself up to date for the moved underlyings and re-margins the accounts exposed to them
 *   (src/live/exposure-index.ts) through MethodRun.live.marketMoved, or, for a method without it, is prepared again
 *   on the changed market and run. Returns the accounts whose status changed.
 * - applyFills / applyTransfers: every item validated first (a rejected batch changes nothing), then netted
 *   into the layout in place (src/margin/account-changes.ts) and the touched accounts re-margined.
 * - whatIf / check: no state changes (the run's AccountTrial, src/session/trial.ts; src/live/check.ts); under the
 *   `cross` subaccount policy a group member's are judged by its pool (src/live/pool-trial.ts).
 * Subscribers receive every status change (account, from, to, health) as it happens.
 */
import { describeValue, InputError } from '../errors.js';
import type { GreeksInput, GreeksOutput } from '../model/greeks-types.js';
import type { BookLayout } from '../layout/book-layout.js';
import { AccountDraft } from '../margin/account-draft.js';
import type { AccountChange } from '../margin/account-changes.js';
import { applyOrTakeBack } from '../margin/layout-account.js';
import type { AccountMargin, MarginReport } from '../margin/report.js';
import { STATUS, STATUS_ERROR, type Status } from '../margin/status.js';
import type { AccountRequirement, Binding } from '../margin/what-if.js';
import type { Book, Market, ValidatedBook, ValidatedMarket } from '../model/types.js';
import type { PreparedRun } from '../session/prepared-run.js';
import type { PreparedMarginRun } from '../session/types.js';
import { type CheckResult, checkLimitsAgainstBook, type Limits, preTradeCheck } from './check.js';
import { ExposureIndex } from './exposure-index.js';
import { bookNow, type RollupSource } from './live-rollup.js';
import { LayoutRollup } from './layout-rollup.js';
import { PoolTrials } from './pool-trial.js';
import type { StatusChange } from './status-change.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';
import { instrumentsByAsset, type LiveColumns } from './market-update.js';
import { type AccountItem, type Fill, type OrderRequest, readFills, readOrder, readTrades, readTransfers, type SpotNow, type Trade, type Transfer } from './requests.js';
import { growthAt } from '../layout/market-layout.js';
import type { Tick } from './tick.js';
import { LiveDomain, type TickTarget, writeTick } from './live-domain.js';
import { readSubaccountTransfer, type SubaccountTransfer, transferRefusal, TransferRules } from './subaccount-transfer.js';

export type { StatusChange } from './status-change.js';

/** What an update did: accounts re-margined and the status changes among them. */
export interface UpdateResult {
  remargined: number;
  events: StatusChange[];
}

/** A what-if on the live session: the account before and after, the IM the trades add, and what binds. */
export interface WhatIfResult {
  account: string;
  before: AccountRequirement;
  after: AccountRequirement;
  /** after.im − before.im, in the account's margin currency (USD, or its coin: as `before` and `after`). */
  marginalIm: number;
  binding: Binding | null;
  /**
   * Under the `cross` subaccount policy, for a member of a group: the pool (its master's id) before and after, the
   * figures that decide (src/live/pool-trial.ts), in USD as `report.subaccounts` shows them.
   */
  pool?: PoolWhatIf | undefined;
}

/** A group's pool before and after a member's trades (USD), and the IM they add to it. */
export interface PoolWhatIf {
  master: string;
  before: GroupFigures;
  after: GroupFigures;
  marginalIm: number;
}

/** What {@link LiveSession.transfer} did: accepted (and applied) or refused (nothing changed), with the source after it. */
export interface TransferResult {
  accepted: boolean;
  /** Why it was refused (absent when accepted). */
  reason?: string | undefined;
  /** The source account as the transfer leaves it (or would have left it). */
  source: AccountRequirement;
  /** The update, when accepted: both accounts re-margined, their status changes. */
  update?: UpdateResult | undefined;
}

export class LiveSession {
  private readonly exposure: ExposureIndex;
  private readonly byAsset: Int32Array[];
  private readonly status: Uint8Array;
  private readonly listeners = new Set<(events: readonly StatusChange[]) => void>();
  private readonly columns: LiveColumns;
  private released = false;
  /** The live market snapshot (JSON, as a market file would hold it): the opening snapshot with every tick applied. */
  /** The live market as JSON (ticks applied in place), read through {@link marketJson}. */
  private readonly market: Market;
  /** An asset's spot now (by layout index, USD), what a coin-settled option's trade price is bounded at (requests.ts). */
  private readonly spotNow: SpotNow = { spot: (asset) => this.market.assets[this.run.context.layout.assets[asset]].price, growth: (asset, row) => growthAt(this.run.context.market, asset, row) };

  private readonly releaseHooks: (() => void)[] = [];
  /** The scratch account that fills and transfers are tried on (its arrays reused: a fill batch is often a few accounts). */
  private draft: AccountDraft | undefined;

  /** Who may transfer to whom (masters and subaccounts of the book). */
  private readonly transferRules: TransferRules;
  /** The master/subaccount roll-up, read from the layout (src/live/layout-rollup.ts), when the book has masters. */
  private readonly layoutRollup: LayoutRollup | undefined;
  /** What-ifs and checks judged by a group's pool, under the cross policy (src/live/pool-trial.ts). */
  private readonly pools: PoolTrials | undefined;
  /** The domain's bounds on what an account is worth, at the market now (src/live/live-domain.ts). */
  private readonly domain: LiveDomain;

  /**
   * Use MarginSession.live or Engine.live. Takes ownership of `run`. `book`: the book laid out (its masters). `rollup`:
   * what the master/subaccount roll-up of the report needs, when the book has masters (src/live/live-rollup.ts).
   */
  constructor(
    private readonly run: PreparedRun,
    market: ValidatedMarket,
    private readonly limits: Limits,
    book?: ValidatedBook,
    private readonly rollup?: RollupSource,
  ) {
    this.transferRules = new TransferRules(book ?? { accounts: [] } as unknown as ValidatedBook);
    const ctx = run.context;
    checkLimitsAgainstBook(limits, ctx.layout);
    this.market = marketJsonOf(market);
    this.pools = rollup?.policy === 'cross' ? new PoolTrials(run, rollup, () => this.market) : undefined;
    this.layoutRollup = rollup === undefined ? undefined : new LayoutRollup(run, rollup, this.pools);
    run.run();
    this.status = Uint8Array.from(ctx.out.status.array.subarray(0, ctx.layout.accountCount));
    ctx.layout.indexAccountIds(); // requests name accounts: the index built while opening, not by the first request
    this.pools?.startStatuses(); // (masters are found by id)
    this.exposure = new ExposureIndex(ctx.layout);
    this.byAsset = instrumentsByAsset(ctx.layout);
    this.columns = {
      layout: ctx.layout, market: ctx.market, rules: ctx.rules, out: ctx.out,
      greeks: (input: GreeksInput): GreeksOutput => ctx.kernels().greeks(input),
    };
    this.domain = new LiveDomain(() => this.run.context.layout, ctx.market, () => this.market);
  }

  /** The book as laid out now (fills and transfers applied): read it, change it only through this session. */
  get layout(): BookLayout {
    return this.run.context.layout;
  }

  /**
   * The market the session margins now, as JSON (every tick applied): `engine.margin(live.book(), live.marketJson)`
   * gives this session's report. Refused after release, as every other read (a released session's market is no one's).
   */
  get marketJson(): Market {
    this.assertLive();
    return this.market;
  }

  /**
   * The method run behind the session (src/session/prepared-run.ts): its `whatIf(accountId, changes)` takes changes
   * by layout index (no JSON), for callers that ask many what-ifs (liquidation, a matching engine). Do not
   * change the book through it: fills and transfers go through this session.
   */
  get prepared(): PreparedMarginRun {
    return this.run;
  }

  /** The backend the next kernel call runs on. */
  get backend(): string {
    return this.run.context.kernels().backend;
  }

  /** The method the session margins by. */
  get method(): string {
    return this.run.method.name;
  }

  /**
   * The method run behind the session, for reading the report in pieces (src/service/report-stream.ts copies it a
   * slice at a time rather than building every row at once). Read only.
   */
  get reportParts(): PreparedRun {
    return this.run;
  }

  /** The report of every account, as it stands (with the master/subaccount roll-up when the book has masters). */
  report(): MarginReport {
    this.assertLive();
    const report = this.run.report();
    this.layoutRollup?.complete(report);
    return report;
  }

  /**
   * The book as it stands (fills and transfers applied, positions netted, realized P&L in cash), as book JSON: a fresh
   * `engine.margin(live.book(), live.marketJson, options)` gives this session's report, bit for bit.
   */
  book(): Book {
    this.assertLive();
    return bookNow(this.run, this.rollup?.accountMethods, (id, asset) => this.transferRules.locationOf(id, asset));
  }

  /** The master/subaccount roll-up of the report as it stands (undefined: the book has no masters). */
  subaccounts(): MarginReport['subaccounts'] {
    this.assertLive();
    return this.layoutRollup?.rollup();
  }

  /** One account's row, as it stands (InputError for an unknown id). */
  account(accountId: string): AccountMargin {
    this.assertLive();
    return this.run.account(accountId);
  }

  /** Calls `listener` with the status changes of every update; returns the unsubscribe. */
  onStatusChange(listener: (events: readonly StatusChange[]) => void): () => void {
    this.assertLive();
    // refused here: called with the events, a value that is not a function would fail where its failure is swallowed
    if (typeof listener !== 'function') throw new InputError([{ path: 'listener', message: `expected a function of the status changes, got ${describeValue(listener)}` }]);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Applies a market tick (src/live/tick.ts: `{ assets: { BTC: { price, vol } }, marks, impliedVols }`; a price move
   * carries the quoted marks of futures and perpetuals on the asset with it unless the tick gives them,
   * src/live/tick-marks.ts), re-margins the accounts exposed to what moved, and returns the status changes. InputError (with paths) and no change
   * for an invalid tick; if the method cannot margin the new market (e.g. a Monte Carlo Σ no longer positive
   * definite), the tick is taken back and the method's InputError thrown.
   */
  applyTick(json: Tick): UpdateResult {
    this.assertLive();
    const written = writeTick(json, this.tickTarget());
    if (written === null) return { remargined: 0, events: [] };
    const { applied, accounts } = written;
    const methodRun = this.run.methodRun;
    try {
      if (methodRun.live) methodRun.live.marketMoved({ assets: applied.assets, volAssets: applied.volAssets, instruments: applied.instruments, accounts });
      else this.run.reprepare();
    } catch (error) {
      applied.undo();
      this.domain.takeBack();
      this.run.reprepare();
      throw error;
    }
    // every account when the method re-margined every account (or was prepared again): any status may have changed
    return this.publish(methodRun.live && methodRun.live.everyAccount !== true ? accounts : null, false);
  }

  /** Checks tick `json` as {@link applyTick} does before re-margining (fields, bounds: BeyondDomainError), changing nothing. */
  validateTick(json: Tick): void {
    this.assertLive();
    const written = writeTick(json, this.tickTarget());
    if (written === null) return;
    written.applied.undo();
    this.domain.takeBack();
  }

  private tickTarget(): TickTarget {
    return { layout: this.run.context.layout, market: this.market, columns: this.columns, byAsset: this.byAsset, exposure: this.exposure, domain: this.domain };
  }

  /**
   * Applies fills `[{ account, instrument, quantity, price }]` in order: each nets into the account's position
   * (average cost; realized P&L and option premiums through cashUsd). All are validated first: one bad fill
   * (unknown account or instrument, non-finite numbers, a result that overflows) rejects the batch unchanged.
   */
  applyFills(json: readonly Fill[]): UpdateResult {
    this.assertLive();
    return this.applyItems(readFills(json, this.run.context.layout, 'fills', this.spotNow));
  }

  /** Applies deposits and withdrawals `[{ account, asset, amount }]` (signed amount) or `{ account, cashUsd }`, as {@link applyFills}. */
  applyTransfers(json: readonly Transfer[]): UpdateResult {
    this.assertLive();
    return this.applyItems(readTransfers(json, this.run.context.layout));
  }

  /**
   * Checks fills as {@link applyFills} does, netted into the current book (a position or cash the batch would take out
   * of the domain is refused here too), and changes nothing: throws the InputError `applyFills` would throw. A caller
   * that writes the batch somewhere before applying it (a durable log) checks it first with this.
   */
  validateFills(json: readonly Fill[]): void {
    this.assertLive();
    this.refuseUnless(readFills(json, this.run.context.layout, 'fills', this.spotNow));
  }

  /** Checks transfers as {@link applyTransfers} does, and changes nothing (as {@link validateFills}). */
  validateTransfers(json: readonly Transfer[]): void {
    this.assertLive();
    this.refuseUnless(readTransfers(json, this.run.context.layout));
  }

  /**
   * Moves collateral or cash between two accounts of one master group (src/live/subaccount-transfer.ts:
   * `{ from, to, asset, amount }` or `{ from, to, cashUsd }`, amount > 0), checked like a withdrawal: refused, with
   * nothing changed, when it would leave the source's equity for IM below its IM, or its equity for MM below its MM
   * (a balance that counts for IM but less for MM: collateral at a slow location), (under isolated margin, any of its
   * positions short of its own IM: the source's status after it not healthy). InputError for a malformed transfer or
   * accounts outside one group.
   */
  transfer(json: SubaccountTransfer): TransferResult {
    this.assertLive();
    const plan = readSubaccountTransfer(json, this.run.context.layout, this.transferRules);
    const source = this.run.trial.withChanges(plan.from, [plan.out]);
    const id = this.run.context.layout.accountIds[plan.from];
    const refused = transferRefusal(id as string, source, this.run.positionsOwnEquity);
    if (refused !== undefined) return { accepted: false, reason: refused, source };
    const update = this.applyItems([
      { account: plan.from, change: plan.out, path: 'transfer' },
      { account: plan.to, change: plan.in, path: 'transfer' },
    ]);
    return { accepted: true, source, update };
  }

  /**
   * The account before and after `trades` (`[{ instrument, quantity, price? }]`, transfers `{ asset, amount }`,
   * `{ cashUsd }`; a trade's price defaults to the instrument's current value), without changing anything.
   */
  whatIf(accountId: string, trades: readonly Trade[]): WhatIfResult {
    this.assertLive();
    const a = this.run.indexOf(accountId);
    const changes = readTrades(trades, this.run.context.layout, (row) => this.run.context.out.value.array[row], 'trades', a, this.spotNow);
    this.refuseBeyondDomain(a, changes, (k) => `trades[${k}]`);
    return atRequestPaths('trades', true, () => {
      const before = this.run.trial.withChanges(a, []);
      const after = this.run.trial.withChanges(a, changes);
      const result: WhatIfResult = { account: accountId, before, after, marginalIm: after.im - before.im, binding: after.binding };
      const pool = this.pools?.poolOf(a);
      if (pool !== undefined) {
        const figures = this.pools!.trial(a, pool);
        const poolBefore = figures([]), poolAfter = figures(changes);
        result.pool = { master: pool.master, before: poolBefore, after: poolAfter, marginalIm: poolAfter.im - poolBefore.im };
      }
      return result;
    });
  }

  /** Pre-trade check of `order` (`{ instrument, quantity, price? }`): accept or reject with the reason, and the largest size accepted. */
  check(accountId: string, order: OrderRequest): CheckResult {
    this.assertLive();
    const a = this.run.indexOf(accountId);
    const o = readOrder(order, this.run.context.layout, (row) => this.run.context.out.value.array[row], 'order', a, this.spotNow);
    this.refuseBeyondDomain(a, [{ instrument: o.instrument, quantity: o.quantity, price: o.price }], () => 'order');
    const pool = this.pools?.poolOf(a);
    const pools = this.pools;
    return atRequestPaths('order', false, () => preTradeCheck(this.run, a, o, this.limits, pool === undefined || pools === undefined ? undefined : { master: pool.master, members: pool.members, after: pools.trial(a, pool) }, (fill) => this.refuseBeyondDomain(a, fill, () => 'order')));
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.listeners.clear();
    this.run.release();
    for (const hook of this.releaseHooks.splice(0)) hook();
  }

  /** Runs `hook` when the session is released (e.g. releasing the book it was opened on). */
  onReleased(hook: () => void): void {
    this.releaseHooks.push(hook);
  }

  /**
   * The items by account, in input order, each account's changes tried on a copy (the rule that applies them is the
   * same code): throws InputError, with every refused item's path, when one would not apply.
   */
  private refuseUnless(items: AccountItem[]): Map<number, { changes: AccountChange[]; paths: string[] }> {
    const layout = this.run.context.layout;
    const byAccount = new Map<number, { changes: AccountChange[]; paths: string[] }>();
    for (const item of items) {
      let entry = byAccount.get(item.account);
      if (!entry) byAccount.set(item.account, (entry = { changes: [], paths: [] }));
      entry.changes.push(item.change);
      entry.paths.push(item.path);
    }
    if (this.draft?.layout !== layout) this.draft = new AccountDraft(layout);
    const draft = this.draft;
    const problems: { path: string; message: string }[] = [];
    for (const [a, { changes, paths }] of byAccount) {
      const refused = draft.load(a).apply(changes);
      if (refused) problems.push({ path: paths[refused.index], message: refused.reason });
      else {
        const beyond = this.domain.beyond(draft, a, changes);
        if (beyond) problems.push({ path: paths[beyond.index], message: beyond.reason });
      }
    }
    if (problems.length > 0) throw new InputError(problems);
    return byAccount;
  }

  /** Throws the InputError of a what-if's or an order's change (its path by `pathOf`) that takes account a beyond the domain. */
  private refuseBeyondDomain(a: number, changes: readonly AccountChange[], pathOf: (k: number) => string): void {
    const layout = this.run.context.layout;
    if (this.draft?.layout !== layout) this.draft = new AccountDraft(layout);
    if (this.draft.load(a).apply(changes)) return; // a change refused on its own: the what-if says which
    const beyond = this.domain.beyond(this.draft, a, changes);
    if (beyond) throw new InputError([{ path: pathOf(beyond.index), message: beyond.reason }]);
  }

  private applyItems(items: AccountItem[]): UpdateResult {
    const layout = this.run.context.layout;
    const byAccount = this.refuseUnless(items);
    const accounts = [...byAccount.keys()].sort((x, y) => x - y);
    const changed = Int32Array.from(accounts);
    // in one call when the method can (each account's figures as alone); a batch the method cannot margin (a plug-in
    // threw) is taken back whole, as a refused batch changes nothing
    const status = this.run.context.out.status;
    applyOrTakeBack(layout, accounts, (a) => byAccount.get(a)!.changes, (a) => {
      this.exposure.note(a);
      this.domain.changed(a);
    }, () => this.run.remarginList(changed), () => {
      for (const a of accounts) status.array[a] = STATUS_ERROR; // figures not of what they hold: in error, none shown
    });
    return this.publish(changed, true);
  }

  /**
   * Status changes among `accounts` (null: every account), recorded and sent to subscribers; under the cross
   * policy their pools' too (`holdingsChanged`: fills or transfers, not a tick, changed what these accounts hold).
   */
  private publish(accounts: Int32Array | null, holdingsChanged: boolean): UpdateResult {
    const count = accounts === null ? this.run.context.layout.accountCount : accounts.length;
    // one tight loop over a million accounts on a tick of a widely held asset: no closure, the columns in locals
    const events: StatusChange[] = [];
    const ctx = this.run.context;
    const out = ctx.out.status.array, live = ctx.layout.live.array, status = this.status;
    if (accounts === null) {
      for (let a = 0; a < count; a++) if (out[a] !== status[a] && live[a] !== 0) events.push(this.statusChange(a));
    } else {
      for (let k = 0; k < count; k++) {
        const a = accounts[k];
        if (out[a] !== status[a] && live[a] !== 0) events.push(this.statusChange(a));
      }
    }
    if (this.pools !== undefined) events.push(...this.pools.statusChanges(accounts, holdingsChanged));
    if (events.length > 0) {
      for (const listener of this.listeners) {
        try {
          const answer: unknown = listener(events);
          // an async subscriber's rejection is its own too (left unhandled, it ended the process)
          if (typeof (answer as PromiseLike<unknown> | null)?.then === 'function') void Promise.resolve(answer).catch(() => undefined);
        } catch {
          // a subscriber's failure is its own: the update is applied and every other subscriber still hears of it
        }
      }
    }
    return { remargined: count, events };
  }

  /** Account a's status change (its status now differs from the one last published), recorded. */
  private statusChange(a: number): StatusChange {
    const ctx = this.run.context;
    const to = ctx.out.status.array[a], equityMm = ctx.out.equityMm.array[a], mm = ctx.out.mm.array[a];
    // an account in error has no figures: its health is NaN (null in JSON)
    const health = to === STATUS_ERROR ? Number.NaN : mm > 0 ? equityMm / mm : equityMm >= 0 ? Infinity : -Infinity;
    const change = { account: ctx.layout.accountIds[a]!, from: STATUS[this.status[a]], to: STATUS[to], health };
    this.status[a] = to;
    return change;
  }

  private assertLive(): void {
    if (this.released) throw new Error('live session used after release');
  }
}

/** A validated market as JSON (the live session's snapshot): records with no prototype, so any id is data. */
function marketJsonOf(m: ValidatedMarket): Market {
  const record = <T>(entries: Iterable<[string, T]>): Record<string, T> => {
    const out = Object.create(null) as Record<string, T>;
    for (const [k, v] of entries) out[k] = v;
    return out;
  };
  const n = m.correlation.assets.length;
  return {
    valuationTime: m.valuationTime,
    assets: record([...m.assets].map(([s, a]) => [s, { price: a.price, vol: a.vol, rate: a.rate, carry: a.carry }] as [string, Market['assets'][string]])),
    marks: record(m.marks),
    impliedVols: record(m.impliedVols),
    ...(m.correlation.given ? { correlation: { assets: [...m.correlation.assets], matrix: Array.from({ length: n }, (_, i) => Array.from(m.correlation.matrix.subarray(i * n, (i + 1) * n))) } } : {}),
  };
}

/**
 * Runs a trial of a request's trades, its refusals named at the request's paths: the trial names the k-th change
 * `changes[k]`, which is `trades[k]` of a what-if (`list`) and the `order` of a check.
 */
function atRequestPaths<T>(base: string, list: boolean, trial: () => T): T {
  try {
    return trial();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const renamed = (path: string) => path.replace(/^changes(\[\d+\])?/, (_all, index: string | undefined) => (list && index !== undefined ? base + index : base));
    throw new InputError(error.problems.map((q) => {
      // a method's trial may say the change in its message (`changes[2]: …` at path `changes`)
      const said = q.path === 'changes' ? /^(changes\[\d+\]): (.*)$/s.exec(q.message) : null;
      return said ? { ...q, path: renamed(said[1]), message: said[2] } : { ...q, path: renamed(q.path) };
    }), error.truncated);
  }
}
