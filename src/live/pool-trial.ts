/**
 * What-ifs and pre-trade checks judged by the pool, under the `cross` subaccount policy: a group is one account for
 * margin and liquidation (the pool under its master's id, docs/subaccounts.md), so what a member's trade does to the
 * pool is what decides it; the member's own figures are only shown for comparison.
 *
 * The pool's figures are the live roll-up's (`report.subaccounts`, src/live/live-rollup.ts) computed on the group
 * alone: its members as the layout holds them, the member asked about as the changes would leave it (a scratch copy,
 * src/margin/account-draft.ts), validated as a book of the group (on the instruments, validated once) and pooled by the policy
 * layer on the live run (src/subaccounts/policy.ts crossPools). So a pool's `after` has the bits the roll-up shows once
 * the same fills are applied, and `before` the bits it shows now. O(group) per evaluation, nothing changed.
 */
import { InputError } from '../errors.js';
import { accountOf, accountOfRows, instrumentsOf } from '../layout/to-book.js';
import { AccountDraft } from '../margin/account-draft.js';
import type { AccountChange } from '../margin/account-changes.js';
import type { GroupFigures } from '../margin/subaccount-rollup.js';
import type { Market } from '../model/types.js';
import { type InstrumentTable, validateBookOn, validatedInstruments, validateMarket } from '../model/validate.js';
import type { PreparedRun } from '../session/prepared-run.js';
import { crossPools, type PolicyHost } from '../subaccounts/policy.js';
import type { RollupSource } from './live-rollup.js';

/** The pool an account is judged by: its master's id and the group's layout indices (layout order). */
export interface PoolOf {
  master: string;
  members: readonly number[];
}

export class PoolTrials {
  /** Groups by master id (the master's index and its subaccounts', in layout order), for the account count they were built at. */
  private groups: Map<string, number[]> | null = null;
  private groupsAt = -1;
  private instruments: InstrumentTable | null = null;
  private draft: AccountDraft | undefined;

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

  /** The pool's figures (USD) if account a (a member of `pool`) took `changes`; InputError at `changes[i]` for one refused. */
  figures(a: number, pool: PoolOf, changes: readonly AccountChange[]): GroupFigures {
    const layout = this.run.context.layout, masters = this.run.accountMasters!;
    const draft = (this.draft ??= new AccountDraft(layout)).load(a);
    const refused = draft.apply(changes);
    if (refused) throw new InputError([{ path: `changes[${refused.index}]`, message: refused.reason }]);
    const accounts = pool.members.filter((k) => layout.accountIds[k] !== null).map((k) => {
      const account = k === a ? accountOfRows(layout, a, draft, 0, draft.positions, 0, draft.balances) : accountOf(layout, k);
      const master = masters[k];
      return master === undefined ? account : { ...account, master };
    });
    const lenient = this.source.options.lenient === true;
    const book = validateBookOn(this.instrumentsNow(), accounts, { lenient });
    const host: PolicyHost = {
      book,
      registry: this.source.registry,
      layout,
      marginAlone: () => {
        throw new Error('a pool what-if margins no standalone run'); // crossPools asks the live run or a pooled book
      },
      openBook: (b) => this.source.openBook(b),
    };
    const market = () => validateMarket(this.market(), book, { lenient, repairCorrelation: this.source.options.repairCorrelation === true });
    return crossPools(host, this.run, market, this.source.options, this.source.runMethod)[0];
  }

  private groupsNow(): Map<string, number[]> {
    const layout = this.run.context.layout, masters = this.run.accountMasters!;
    if (this.groups !== null && this.groupsAt === layout.accountCount) return this.groups;
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
      if (at >= 0) groups.set(master, [at, ...list].sort((x, y) => x - y));
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
