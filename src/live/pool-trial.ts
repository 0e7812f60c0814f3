/**
 * What-ifs and pre-trade checks judged by the pool, under the `cross` subaccount policy: a group is one account for
 * margin and liquidation (the pool under its master's id, docs/subaccounts.md), so what a member's trade does to the
 * pool is what decides it; the member's own figures are only shown for comparison.
 *
 * The pool's figures are the live roll-up's (`report.subaccounts`, src/live/live-rollup.ts) computed on the group
 * alone: its members as the layout holds them, the member asked about as the changes would leave it (a scratch copy,
 * src/margin/account-draft.ts), validated as a book of the group (on the instruments, validated once; the group once a
 * call, the changed member at each evaluation) and pooled by the policy layer on the live run (src/subaccounts/policy.ts
 * crossPools). So a pool's `after` has the bits the roll-up shows once the same fills are applied, and `before` the
 * bits it shows now. O(group) per call, O(member) plus the pool's margin per evaluation, nothing changed.
 *
 * Pool status events: after every update, the pools of the groups it reached, from their unions of holdings read
 * from the layout (kept until a fill or transfer changes a member: a tick changes no holding) and margined in one
 * MethodRun.pools.unionMargin call; a group with no such union (coin-margined) as a book, as above.
 */
import { InputError } from '../errors.js';
import { accountOf, accountOfRows, instrumentsOf } from '../layout/to-book.js';
import { AccountDraft } from '../margin/account-draft.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';
import type { Account, Market, ValidatedBook } from '../model/types.js';
import { type InstrumentTable, validateBookOn, validatedInstruments, validateMarket, withAccounts } from '../model/validate.js';
import type { UnionHoldings } from '../methods/method.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { crossPools, type PolicyHost } from '../subaccounts/policy.js';
import { LayoutUnions } from '../subaccounts/union.js';
import { healthOf } from '../margin/derived-figures.js';
import { STATUS } from '../margin/status.js';
import type { StatusChange } from './status-change.js';
import type { RollupSource } from './live-rollup.js';

/** The pool an account is judged by: its master's id and the group's layout indices (layout order). */
export interface PoolOf {
  master: string;
  members: readonly number[];
}

export class PoolTrials {
  /** Groups by master id (the master's index, then its subaccounts' in layout order), for the account count they were built at. */
  private groups: Map<string, number[]> | null = null;
  private groupsAt = -1;
  private instruments: InstrumentTable | null = null;
  private draft: AccountDraft | undefined;
  /**
   * Each pool's status code as last published, by master id: set by {@link startStatuses} once the run has margined
   * every account, then kept by {@link statusChanges}.
   */
  private readonly statuses = new Map<string, number>();
  /** Each group's union of holdings (null: none can be made from the layout), kept until its members' holdings change. */
  private readonly unions = new Map<string, UnionHoldings | null>();

  constructor(private readonly run: PreparedRun, private readonly source: RollupSource, private readonly market: () => Market) {}

  /** The pool account a is judged by, or undefined: no `cross` policy, in no group, or its master not in the layout. */
  poolOf(a: number): PoolOf | undefined {
    const masters = this.run.accountMasters;
    if (this.source.policy !== 'cross' || masters === undefined) return undefined;
    const layout = this.run.context.layout;
    const master = masters[a] ?? layout.accountIds[a];
    // a master taken out of the layout leaves its subaccounts standalone (as the roll-up does)
    if (master === null || layout.accountIndex(master) < 0) return undefined;
    const members = this.groupsNow().get(master);
    return members === undefined ? undefined : { master, members };
  }

  /**
   * The pool's figures (USD) as a function of changes to account a (a member of `pool`), for one call's evaluations
   * (a what-if's before and after, a check's search): the group is read and validated once, each evaluation
   * validates the changed member alone. InputError at `changes[i]` for a change refused.
   */
  trial(a: number, pool: PoolOf): (changes: readonly AccountChange[]) => GroupFigures {
    const layout = this.run.context.layout, masters = this.run.accountMasters!;
    const withMaster = (k: number, account: Account): Account => (masters[k] === undefined ? account : { ...account, master: masters[k] });
    const members = pool.members.filter((k) => layout.accountIds[k] !== null);
    const at = members.indexOf(a);
    const table = this.instrumentsNow();
    const lenient = this.source.options.lenient === true;
    const base = validateBookOn(table, members.map((k) => withMaster(k, accountOf(layout, k))), { lenient });
    const draft = (this.draft ??= new AccountDraft(layout));
    return (changes) => {
      let book = base;
      if (changes.length > 0) {
        const refused = draft.load(a).apply(changes);
        if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
        book = withAccounts(base, new Map([[at, withMaster(a, accountOfRows(layout, a, draft, 0, draft.positions, 0, draft.balances))]]), table, { lenient });
      }
      return this.poolFigures(book);
    };
  }

  /** The pool of the one group `book` holds, by the policy layer on the live run (module comment). */
  private poolFigures(book: ValidatedBook): GroupFigures {
    const host: PolicyHost = {
      book,
      registry: this.source.registry,
      layout: this.run.context.layout,
      marginAlone: () => {
        throw new Error('a pool what-if margins no standalone run'); // crossPools asks the live run or a pooled book
      },
      openBook: (b) => this.source.openBook(b),
    };
    const options = this.source.options;
    const market = () => validateMarket(this.market(), book, { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true });
    return crossPools(host, this.run, market, options, this.source.runMethod)[0];
  }

  /** Records every pool's status (the session's first run is done): the statuses later changes are from. */
  startStatuses(): void {
    if (this.source.policy !== 'cross' || this.run.accountMasters === undefined) return;
    const masters = [...this.groupsNow().keys()];
    const figures = this.poolsNow(masters);
    masters.forEach((m, k) => this.statuses.set(m, STATUS.indexOf(figures[k].status)));
  }

  /**
   * The pools whose status changed among the groups of `accounts` (layout indices; null: every group), as events
   * under the master's id with `pool: true`, in the order of the accounts; recorded as published.
   */
  statusChanges(accounts: Int32Array | null, holdingsChanged: boolean): StatusChange[] {
    const masters = this.run.accountMasters;
    if (this.source.policy !== 'cross' || masters === undefined) return [];
    const layout = this.run.context.layout, groups = this.groupsNow();
    if (holdingsChanged) {
      // fills and transfers change the unions of their groups; a tick changes none
      if (accounts === null) this.unions.clear();
      else for (let k = 0; k < accounts.length; k++) this.unions.delete(masters[accounts[k]] ?? layout.accountIds[accounts[k]] ?? '');
    }
    let touched: string[];
    if (accounts === null) touched = [...groups.keys()];
    else {
      const seen = new Set<string>();
      for (let k = 0; k < accounts.length; k++) {
        const a = accounts[k], id = layout.accountIds[a];
        const master = masters[a] ?? id;
        if (master !== null && groups.has(master)) seen.add(master);
      }
      touched = [...seen];
    }
    const figures = this.poolsNow(touched);
    const events: StatusChange[] = [];
    touched.forEach((master, k) => {
      const f = figures[k], to = STATUS.indexOf(f.status), from = this.statuses.get(master);
      if (from === to) return;
      this.statuses.set(master, to);
      // a group formed since the session opened has no status to change from: it is recorded, not announced
      if (from !== undefined) events.push({ account: master, from: STATUS[from], to: f.status, health: f.health, pool: true });
    });
    return events;
  }

  /**
   * The pools of `masters` as they stand: through MethodRun.pools.unionMargin on unions read from the layout, in one
   * call (the roll-up's path), else each group as a book ({@link trial}); the roll-up's figures either way.
   */
  private poolsNow(masters: readonly string[]): Pick<GroupFigures, 'status' | 'health'>[] {
    const layout = this.run.context.layout, groups = this.groupsNow();
    const live = masters.map((m) => groups.get(m)!.filter((k) => layout.accountIds[k] !== null));
    const reader = new LayoutUnions(layout);
    const unions = masters.map((m, k) => {
      let u = this.unions.get(m);
      if (u === undefined) this.unions.set(m, (u = reader.of(live[k])));
      return u;
    });
    const ready: number[] = [];
    unions.forEach((u, k) => u !== null && ready.push(k));
    const margins = ready.length > 0 ? this.run.unionMargin(ready.map((k) => unions[k]!)) : [];
    const out = new Array<Pick<GroupFigures, 'status' | 'health'>>(masters.length);
    if (margins !== undefined) ready.forEach((k, j) => (out[k] = { status: STATUS[margins[j].status], health: healthOf(margins[j].equityMm, margins[j].mm) }));
    masters.forEach((master, k) => {
      if (out[k] === undefined) out[k] = this.trial(live[k][0], { master, members: live[k] })([]);
    });
    return out;
  }

  private groupsNow(): Map<string, number[]> {
    const layout = this.run.context.layout, masters = this.run.accountMasters!;
    if (this.groups !== null && this.groupsAt === layout.accountCount) return this.groups;
    this.unions.clear(); // members may have joined
    const subs = new Map<string, number[]>();
    for (let k = 0; k < layout.accountCount; k++) {
      const m = masters[k];
      if (m === undefined || layout.accountIds[k] === null) continue;
      let list = subs.get(m);
      if (!list) subs.set(m, (list = []));
      list.push(k);
    }
    const groups = new Map<string, number[]>();
    for (const [master, list] of subs) {
      const at = layout.accountIndex(master);
      if (at >= 0) groups.set(master, [at, ...list]); // the union's order: the master, then its subaccounts (book order)
    }
    this.groupsAt = layout.accountCount;
    return (this.groups = groups);
  }

  /** The layout's instruments, validated once (again when one was added). */
  private instrumentsNow(): InstrumentTable {
    const layout = this.run.context.layout;
    if (this.instruments === null || this.instruments.list.length !== layout.instruments.count) this.instruments = validatedInstruments(instrumentsOf(layout));
    return this.instruments;
  }
}
