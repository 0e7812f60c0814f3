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
import type { Account, Market, ValidatedBook, ValidatedMarket } from '../model/types.js';
import { type InstrumentTable, instrumentTable, validateBookOn, validatedInstruments, validateMarket, withAccounts } from '../model/validate.js';
import type { UnionHoldings } from '../methods/method.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { inMemberOrder } from '../subaccounts/groups.js';
import { crossPools, type PolicyHost } from '../subaccounts/policy.js';
import { LayoutUnions } from '../subaccounts/union.js';
import { figuresOfHoldings } from '../subaccounts/group-figures.js';
import { healthOf } from '../margin/derived-figures.js';
import { STATUS } from '../margin/status.js';
import type { StatusChange } from './status-change.js';
import type { RollupSource } from './live-rollup.js';

/** The pool an account is judged by: its master's id and the group's layout indices (layout order). */
export interface PoolOf {
  master: string;
  members: readonly number[];
}

/** The groups of the layout, by group index: each master's id, its members (the master, then its subaccounts), and each account's group. */
interface Groups {
  /** The account count they were built at. */
  accounts: number;
  master: string[];
  members: number[][];
  /** Per layout account: its group, or −1. */
  groupOf: Int32Array;
}

/** A pool status not recorded yet (STATUS codes are below it). */
const UNKNOWN = 255;

export class PoolTrials {
  /** The groups, for the account count they were built at (rebuilt when accounts are added). */
  private groups: Groups | null = null;
  private instruments: InstrumentTable | null = null;
  private draft: AccountDraft | undefined;
  /**
   * Per group: its pool's status code as last published (UNKNOWN before {@link startStatuses}, which the session
   * calls once its run has margined every account), and its union of holdings (null: none can be made from the
   * layout; undefined: not read yet, or a member's holdings changed since).
   */
  private statuses = new Uint8Array(0);
  private unions: (UnionHoldings | null | undefined)[] = [];
  /** Scratch per group: marks of the groups an update reached, and the pools' status and health worked out. */
  private mark = new Uint8Array(0);
  private nowStatus = new Uint8Array(0);
  private nowHealth = new Float64Array(0);
  /** The last {@link unionsOf}: the groups asked for, and their unions (see there). */
  private lastUnions: { touched: Int32Array; ready: number[]; unions: UnionHoldings[] } | null = null;
  /**
   * Every group's unions as the roll-up last asked for them ({@link figuresByMaster}), kept apart from the status
   * events' (which ask for the groups an update reached) until a union is read again: the method keeps what it derives
   * from the array (about a second at 100,000 groups), which the roll-up after a tick would otherwise derive again.
   */
  private allUnions: { version: number; ready: number[]; unions: UnionHoldings[] } | null = null;
  /** Moved on whenever a group's union is dropped (a fill or transfer reached a member, or the groups were made again). */
  private unionsVersion = 0;

  /** While a pass over many groups runs ({@link inPass}): the market validated for it, once. */
  private passing = false;
  private passMarket: ValidatedMarket | undefined = undefined;

  constructor(private readonly run: PreparedRun, private readonly source: RollupSource, private readonly market: () => Market) {}

  /** The pool account a is judged by, or undefined: no `cross` policy, in no group, or its master not in the layout. */
  poolOf(a: number): PoolOf | undefined {
    if (this.source.policy !== 'cross' || this.run.accountMasters === undefined) return undefined;
    const groups = this.groupsNow(), g = groups.groupOf[a];
    // a master taken out of the layout leaves its subaccounts standalone (as the roll-up does)
    if (g < 0 || this.run.context.layout.accountIds[groups.members[g][0]] === null) return undefined;
    return { master: groups.master[g], members: groups.members[g] };
  }

  /**
   * The pool's figures (USD) as a function of changes to account a (a member of `pool`), for one call's evaluations
   * (a what-if's before and after, a check's search): the group is read and validated once, each evaluation
   * validates the changed member alone. InputError at `changes[i]` for a change refused.
   */
  trial(a: number, pool: PoolOf): (changes: readonly AccountChange[]) => GroupFigures {
    const layout = this.run.context.layout;
    const members = pool.members.filter((k) => layout.accountIds[k] !== null);
    const at = members.indexOf(a);
    const table = this.instrumentsNow();
    const lenient = this.source.options.lenient === true;
    const base = validateBookOn(table, members.map((k) => this.withMaster(k, accountOf(layout, k))), { lenient });
    const draft = (this.draft ??= new AccountDraft(layout));
    return (changes) => {
      let book = base;
      if (changes.length > 0) {
        const refused = draft.load(a).apply(changes);
        if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
        book = withAccounts(base, new Map([[at, this.withMaster(a, accountOfRows(layout, a, draft, 0, draft.positions, 0, draft.balances))]]), table, { lenient });
      }
      return this.poolFigures(book);
    };
  }

  /**
   * The pool of layout accounts `members` as they stand (no change): the group as a book on the instruments its members
   * hold only (a book on all of the session's would be laid out whole for each group: most of a tick's cost with many
   * groups margined this way, coin-margined ones).
   */
  private asIs(members: readonly number[]): GroupFigures {
    const layout = this.run.context.layout, all = this.instrumentsNow();
    const pos = layout.positions, instrument = pos.column<'i32'>('instrument').array, start = pos.start.array, end = pos.end.array;
    const rows = new Set<number>();
    for (const k of members) for (let s = start[k]; s < end[k]; s++) rows.add(instrument[s]);
    const held = instrumentTable([...rows].sort((x, y) => x - y).map((row) => all.list[row]));
    const accounts = members.map((k) => this.withMaster(k, accountOf(layout, k)));
    return this.poolFigures(validateBookOn(held, accounts, { lenient: this.source.options.lenient === true }));
  }

  /** Layout account k's book account with its master (the layout keeps masters beside it, in the run). */
  private withMaster(k: number, account: Account): Account {
    const master = this.run.accountMasters![k];
    return master === undefined ? account : { ...account, master };
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
    // within one pass over many groups (poolsNow, figuresByMaster) the market is validated once: it is the session's,
    // checked against its whole book when opened and at every tick, so against each group's members already
    const market = () => (this.passing ? (this.passMarket ??= this.validatedMarket(book)) : this.validatedMarket(book));
    return crossPools(host, this.run, market, options, this.source.runMethod)[0];
  }

  private validatedMarket(book: ValidatedBook): ValidatedMarket {
    const options = this.source.options;
    return validateMarket(this.market(), book, { lenient: options.lenient === true, repairCorrelation: options.repairCorrelation === true });
  }

  /** Runs `pass` over many groups with the market validated once for all of them (see {@link poolFigures}). */
  private inPass<T>(pass: () => T): T {
    this.passing = true;
    try {
      return pass();
    } finally {
      this.passing = false;
      this.passMarket = undefined;
    }
  }

  /**
   * Every group's pool (USD), by its master's layout index: the roll-up's `combined` (src/live/layout-rollup.ts), from
   * the unions margined by the run in one call, else (a group with no union) the group as a book of its own.
   */
  figuresByMaster(): Map<number, GroupFigures> {
    return this.inPass(() => this.figuresByMasterInPass());
  }

  private figuresByMasterInPass(): Map<number, GroupFigures> {
    const groups = this.groupsNow(), all = Int32Array.from(groups.master.keys());
    let kept = this.allUnions;
    // (through unionsOf: the status events' arrays when they last asked for every group, as the first statuses did)
    if (kept === null || kept.version !== this.unionsVersion) kept = this.allUnions = { version: this.unionsVersion, ...this.unionsOf(all) };
    const { ready, unions } = kept;
    const margins = unions.length > 0 ? this.run.unionMargin(unions) : [];
    const out = new Map<number, GroupFigures>();
    if (margins !== undefined) ready.forEach((g, j) => out.set(groups.members[g][0], figuresOfHoldings(margins[j])));
    const layout = this.run.context.layout;
    for (const g of all) {
      const master = groups.members[g][0];
      if (out.has(master)) continue;
      const members = groups.members[g].filter((k) => layout.accountIds[k] !== null);
      out.set(master, this.asIs(members));
    }
    return out;
  }

  /** Records every pool's status (the session's first run is done): the statuses later changes are from. */
  startStatuses(): void {
    if (this.source.policy !== 'cross' || this.run.accountMasters === undefined) return;
    const all = Int32Array.from(this.groupsNow().master.keys());
    this.poolsNow(all);
    for (const g of all) this.statuses[g] = this.nowStatus[g];
  }

  /**
   * The pools whose status changed among the groups of `accounts` (layout indices; null: every group), as events
   * under the master's id with `pool: true`, in the order of the accounts; recorded as published. `holdingsChanged`:
   * fills or transfers changed what these accounts hold (their groups' unions are read again; a tick changes none).
   */
  statusChanges(accounts: Int32Array | null, holdingsChanged: boolean): StatusChange[] {
    if (this.source.policy !== 'cross' || this.run.accountMasters === undefined) return [];
    const groups = this.groupsNow();
    let touched: Int32Array;
    if (accounts === null) touched = Int32Array.from(groups.master.keys());
    else {
      const list: number[] = [], mark = this.mark;
      for (let k = 0; k < accounts.length; k++) {
        const g = groups.groupOf[accounts[k]];
        if (g >= 0 && mark[g] === 0) {
          mark[g] = 1;
          list.push(g);
        }
      }
      for (const g of list) mark[g] = 0;
      touched = Int32Array.from(list);
    }
    if (holdingsChanged && touched.length > 0) {
      for (const g of touched) this.unions[g] = undefined;
      this.unionsVersion++;
    }
    this.poolsNow(touched);
    const events: StatusChange[] = [];
    for (const g of touched) {
      const from = this.statuses[g], to = this.nowStatus[g];
      if (from === to) continue;
      this.statuses[g] = to;
      // a group formed since the session opened has no status to change from: it is recorded, not announced
      if (from !== UNKNOWN) events.push({ account: groups.master[g], from: STATUS[from], to: STATUS[to], health: this.nowHealth[g], pool: true });
    }
    return events;
  }

  /**
   * The pools of groups `touched` as they stand, into {@link nowStatus} and {@link nowHealth}: through
   * MethodRun.pools.unionMargin on unions read from the layout, in one call (the roll-up's path), else each group as a
   * book ({@link trial}); the roll-up's figures either way.
   */
  private poolsNow(touched: Int32Array): void {
    this.inPass(() => this.poolsNowInPass(touched));
  }

  private poolsNowInPass(touched: Int32Array): void {
    const { ready, unions } = this.unionsOf(touched);
    const margins = unions.length > 0 ? this.run.unionMargin(unions) : [];
    const layout = this.run.context.layout, groups = this.groupsNow(), done = this.mark;
    if (margins !== undefined) {
      ready.forEach((g, j) => {
        this.nowStatus[g] = margins[j].status;
        this.nowHealth[g] = healthOf(margins[j].equityMm, margins[j].mm);
        done[g] = 1;
      });
    }
    for (const g of touched) {
      if (done[g] === 1) {
        done[g] = 0;
        continue;
      }
      const members = groups.members[g].filter((k) => layout.accountIds[k] !== null);
      const f = this.asIs(members);
      this.nowStatus[g] = STATUS.indexOf(f.status);
      this.nowHealth[g] = f.health;
    }
  }

  /**
   * The unions of the groups `touched` that have one (`ready`: their groups), read from the layout where not kept.
   * The same array as the last call's when the same groups came with the same unions (a tick after a tick): the
   * method keeps what it derives from an array (the packed unions of the rule-based methods), which a new array each
   * tick would derive again.
   */
  private unionsOf(touched: Int32Array): { touched: Int32Array; ready: number[]; unions: UnionHoldings[] } {
    const last = this.lastUnions;
    if (last !== null && sameGroups(last.touched, touched) && touched.every((g) => this.unions[g] !== undefined) && last.ready.every((g, j) => this.unions[g] === last.unions[j])) return last;
    return (this.lastUnions = { touched: touched.slice(), ...this.readUnions(touched) });
  }

  /** The unions of the groups `touched` that have one (`ready`: their groups), read from the layout where not kept. */
  private readUnions(touched: Int32Array): { ready: number[]; unions: UnionHoldings[] } {
    const layout = this.run.context.layout, groups = this.groupsNow();
    const reader = new LayoutUnions(layout); // (an account taken out holds nothing: it adds nothing to a union)
    const ready: number[] = [], unions: UnionHoldings[] = [];
    for (const g of touched) {
      let u = this.unions[g];
      if (u === undefined) this.unions[g] = u = reader.of(groups.members[g]);
      if (u !== null) {
        ready.push(g);
        unions.push(u);
      }
    }
    return { ready, unions };
  }

  /** The groups as the layout holds them now, by group index (the order masters first appear in the layout). */
  private groupsNow(): Groups {
    const layout = this.run.context.layout, masters = this.run.accountMasters!;
    if (this.groups !== null && this.groups.accounts === layout.accountCount) return this.groups;
    const byMaster = new Map<string, number[]>();
    for (let k = 0; k < layout.accountCount; k++) {
      const m = masters[k];
      if (m === undefined || layout.accountIds[k] === null) continue;
      let list = byMaster.get(m);
      if (!list) byMaster.set(m, (list = []));
      list.push(k);
    }
    const groups: Groups = { accounts: layout.accountCount, master: [], members: [], groupOf: new Int32Array(layout.accountCount).fill(-1) };
    for (const [master, list] of byMaster) {
      const at = layout.accountIndex(master);
      if (at < 0) continue; // a master not in the layout: its subaccounts stand alone
      const g = groups.master.length;
      groups.master.push(master);
      groups.members.push([at, ...inMemberOrder(list, layout.accountIds)]); // the union's order, as a fresh run's
      groups.groupOf[at] = g;
      for (const k of list) groups.groupOf[k] = g;
    }
    // (a live session adds no account: built once; were one added, the pools would start again unannounced)
    this.statuses = new Uint8Array(groups.master.length).fill(UNKNOWN);
    this.unions = new Array(groups.master.length).fill(undefined);
    this.unionsVersion++;
    this.mark = new Uint8Array(groups.master.length);
    this.nowStatus = new Uint8Array(groups.master.length);
    this.nowHealth = new Float64Array(groups.master.length);
    return (this.groups = groups);
  }

  /** The layout's instruments, validated once (again when one was added). */
  private instrumentsNow(): InstrumentTable {
    const layout = this.run.context.layout;
    if (this.instruments === null || this.instruments.list.length !== layout.instruments.count) this.instruments = validatedInstruments(instrumentsOf(layout));
    return this.instruments;
  }
}

/** True when two lists of groups are the same, in the same order. perf: loop-alone (docs/performance.md) */
function sameGroups(x: Int32Array, y: Int32Array): boolean {
  if (x.length !== y.length) return false;
  for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  return true;
}
