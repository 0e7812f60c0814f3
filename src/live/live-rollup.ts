/**
 * What a live session's master/subaccount roll-up and pools read of the session that opened it ({@link RollupSource}:
 * src/live/layout-rollup.ts, src/live/pool-trial.ts), and the book a live run holds now ({@link bookNow}).
 */
import type { Book, ValidatedBook } from '../model/types.js';
import { layoutToBook } from '../layout/to-book.js';
import { locatedBalancesOf } from '../model/book-columns.js';
import type { MethodRegistry } from '../methods/registry.js';
import type { PreparedRun } from '../session/prepared-run.js';
import type { MarginOptions } from '../session/types.js';
import type { PolicyHost } from '../subaccounts/policy.js';
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
 * The book a live run holds now, as book JSON: its layout's (fills and transfers applied, positions netted) with the
 * run's masters and `methods` (each account's own, by layout index), which the layout does not keep. A fresh run of
 * it on the session's market gives the session's figures.
 */
export function bookNow(run: PreparedRun, methods?: readonly (string | undefined)[], locations?: ReadonlyMap<string, ReadonlyMap<string, string>>): Book {
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
  if (locations) {
    for (const account of json.accounts) {
      const byAsset = locations.get(account.id);
      if (byAsset) for (const balance of account.collateral ?? []) (balance as { location?: string }).location ??= byAsset.get(balance.asset);
    }
  }
  return json;
}

/**
 * Where the opened book holds each located balance: account id → asset → location (absent: a book with none). The
 * layout keeps amounts by asset, not where they sit (the location adjuster reads the opened book), so the book a live
 * session gives back ({@link bookNow}) takes its locations from here: a balance stays where it was (a transfer changes
 * its amount, not its place).
 */
export function locationsOf(book: ValidatedBook): Map<string, Map<string, string>> | undefined {
  const located = locatedBalancesOf(book);
  if (located !== undefined && located.length === 0) return undefined; // a book read by columns, with none
  let out: Map<string, Map<string, string>> | undefined;
  const accounts = book.accounts;
  const add = (a: number, k: number) => {
    const account = accounts[a], balance = account.collateral[k];
    if (balance.location === undefined) return;
    let byAsset = (out ??= new Map()).get(account.id);
    if (!byAsset) out.set(account.id, (byAsset = new Map()));
    byAsset.set(balance.asset, balance.location);
  };
  if (located !== undefined) for (const [a, k] of located) add(a, k);
  else accounts.forEach((account, a) => account.collateral.forEach((_, k) => add(a, k)));
  return out;
}
