/**
 * What a live session's master/subaccount roll-up and pools read of the session that opened it ({@link RollupSource}:
 * src/live/layout-rollup.ts, src/live/pool-trial.ts), and the book a live run holds now ({@link bookNow}).
 */
import type { Book, ValidatedBook } from '../model/types.js';
import { layoutToBook } from '../layout/to-book.js';
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
 * run's masters, `methods` (each account's own, by layout index) and each balance's location, which the layout does
 * not keep. A fresh run of
 * it on the session's market gives the session's figures.
 */
export function bookNow(run: PreparedRun, methods?: readonly (string | undefined)[], locationOf?: (accountId: string, asset: string) => string | undefined): Book {
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
  // where each balance sits, which the layout does not keep: where the book opened held it
  if (locationOf) {
    for (const account of json.accounts) {
      for (const balance of account.collateral ?? []) {
        const location = locationOf(account.id, balance.asset);
        if (location !== undefined) (balance as { location?: string }).location = location;
      }
    }
  }
  return json;
}
