/**
 * The master/subaccount roll-up of a live session's report (`report.subaccounts`, src/margin/subaccount-rollup.ts), made by
 * the policy layer a margin run uses (src/subaccounts/policy.ts marginWithPolicy) over the session's own run: the
 * rows are the live run's, each pool of the `cross` policy is margined by that run (MethodRun.pools.unionMargin, or a
 * run on the pooled book when the method has no such hook), over the book as the layout holds it now (fills and
 * transfers applied) and the live market. So the roll-up is the one `engine.margin` gives on the same book and market.
 * Made when the report is read, O(book); validating the current book, its main cost, is paid once ({@link RollupBook}:
 * a tick changes no holding, a fill re-reads the accounts it changed).
 */
import { type InstrumentTable, instrumentTable, validateBook, validateMarket, withAccounts } from '../model/validate.js';
import type { Book, Market, ValidatedBook } from '../model/types.js';
import { accountOf, layoutToBook } from '../layout/to-book.js';
import { inheritGroups } from '../subaccounts/groups.js';
import type { MarginReport } from '../margin/report.js';
import type { MethodRegistry } from '../methods/registry.js';
import type { PreparedRun } from '../session/prepared-run.js';
import type { MarginOptions } from '../session/types.js';
import { inheritPools, marginWithPolicy, type PolicyHost } from '../subaccounts/policy.js';
import type { SubaccountPolicy } from '../subaccounts/params.js';

/** What the roll-up needs of the session that opened the live one. */
export interface RollupSource {
  readonly registry: MethodRegistry;
  readonly options: MarginOptions;
  readonly runMethod: string;
  readonly policy: SubaccountPolicy;
  /** Each account's own method by layout index (the run's, when named: a live session runs one), absent when none names one. */
  readonly accountMethods?: readonly (string | undefined)[] | undefined;
  /** A host on another book (the pooled book of the cross policy, when the method cannot margin pools itself). */
  openBook(book: ValidatedBook): PolicyHost & { release(): void };
}

/**
 * The book a roll-up reads: the layout's, validated, kept between reads. A tick moves prices only, so a report read
 * after ticks validates nothing and its pools' unions are made once (policy.ts keeps them by book); fills and
 * transfers name the accounts they changed, and only those are read again (as validation reads each account).
 */
export class RollupBook {
  private book: ValidatedBook | null = null;
  private accounts = -1;
  /** Layout indices of accounts changed since the book was made. */
  private readonly changed = new Set<number>();
  private table: InstrumentTable | null = null;
  /** Book index by account id, of the book made. */
  private readonly bookIndex = new Map<string, number>();

  /** Fills or transfers changed what these accounts (layout indices) hold. */
  invalidate(accounts: Iterable<number>): void {
    for (const a of accounts) this.changed.add(a);
  }

  /** The book; `methods`: each account's own method by layout index (the layout keeps none). */
  of(run: PreparedRun, lenient: boolean, methods?: readonly (string | undefined)[]): ValidatedBook {
    const layout = run.context.layout, masters = run.accountMasters;
    if (this.book === null || this.accounts !== layout.accountCount || this.table?.list.length !== layout.instruments.count) return this.build(run, lenient, methods);
    if (this.changed.size === 0) return this.book;
    const replaced = new Map<number, unknown>();
    for (const a of this.changed) {
      const id = layout.accountIds[a], k = id === null ? undefined : this.bookIndex.get(id);
      if (k === undefined) return this.build(run, lenient, methods); // an account the book does not hold: made again
      const master = masters?.[a], method = methods?.[a];
      replaced.set(k, { ...accountOf(layout, a), ...(master !== undefined && this.bookIndex.has(master) ? { master } : {}), ...(method !== undefined ? { method } : {}) });
    }
    this.changed.clear();
    const book = withAccounts(this.book, replaced, this.table!, { lenient });
    // the same masters at the same places: the groups are not made again, nor the unions of groups no fill reached
    inheritGroups(this.book, book, replaced.keys());
    inheritPools(this.book, book, replaced.keys());
    return (this.book = book);
  }

  private build(run: PreparedRun, lenient: boolean, methods?: readonly (string | undefined)[]): ValidatedBook {
    const layout = run.context.layout;
    const book = validateBook(bookNow(run, methods), { lenient });
    this.accounts = layout.accountCount;
    this.changed.clear();
    this.table = instrumentTable(book.instruments);
    this.bookIndex.clear();
    book.accounts.forEach((a, k) => this.bookIndex.set(a.id, k));
    return (this.book = book);
  }
}

/**
 * The roll-up of `run`'s report on the layout's current book (`books`: where it is kept) and `marketJson` (the live
 * snapshot). `report`: the run's report already made, which the policy completes as `engine.margin` does (a row of an
 * account naming its method carries `method`), rather than a second one made here.
 */
export function liveRollup(run: PreparedRun, marketJson: Market, source: RollupSource, books = new RollupBook(), report?: MarginReport): MarginReport['subaccounts'] {
  const layout = run.context.layout;
  const book = books.of(run, source.options.lenient === true, source.accountMethods);
  const host: PolicyHost = {
    book,
    registry: source.registry,
    layout,
    // the live run is the one run of the session's method: its report, and the run for the pools while it is open
    marginAlone: (_market, _options, after) => {
      const made = report ?? run.report();
      after?.(run);
      return made;
    },
    openBook: (b) => source.openBook(b),
  };
  const lenient = { lenient: source.options.lenient === true, repairCorrelation: source.options.repairCorrelation === true };
  return marginWithPolicy(host, validateMarket(marketJson, book, lenient), source.options, source.runMethod, source.policy).subaccounts;
}

/**
 * The book a live run holds now, as book JSON: its layout's (fills and transfers applied, positions netted) with the
 * run's masters and `methods` (each account's own, by layout index), which the layout does not keep. A fresh run of
 * it on the session's market gives the session's figures.
 */
export function bookNow(run: PreparedRun, methods?: readonly (string | undefined)[]): Book {
  const layout = run.context.layout;
  const json = layoutToBook(layout);
  const masters = run.accountMasters;
  if (masters || methods) {
    const here = masters ? new Set(json.accounts.map((a) => a.id)) : undefined;
    for (const account of json.accounts) {
      const a = layout.accountIndex(account.id), method = methods?.[a], master = masters?.[a];
      if (method !== undefined) (account as { method?: string | undefined }).method = method;
      // a master taken out of the layout leaves its subaccounts standalone in the roll-up
      if (master !== undefined && here!.has(master)) account.master = master;
    }
  }
  return json;
}
