/**
 * The book a policy margins: the books that make the `cross` and `backstop` policies ordinary margin runs, so that
 * margin, liquidation and stress respect them with no per-policy code below.
 *
 * - {@link pooledBook} (cross): each master and its subaccounts become one account with the master's id and method:
 *   the union of their positions (rows on one instrument netted, as validation nets any account's rows, P&L
 *   realised into cash), their balances summed per asset, their cash summed. A pool is margined in its members'
 *   currency (docs/coin-margined.md: BTC-margined members make a BTC-margined pool); members margined in different
 *   currencies cannot be one account (InputError at the first that differs from its master). Isolated allocations do not survive
 *   pooling (the pool's method is never isolated). A pooled balance of an asset held at several locations keeps
 *   each location's share of the positive holdings (`locationShares`), so src/locations/ deducts each location's
 *   haircut from its share.
 * - {@link backstoppedBook}: the book with the master's covers paid as USD cash from master to subaccount.
 */
import type { BookLayout } from '../layout/book-layout.js';
import { InputError } from '../errors.js';
import { type InstrumentTable, instrumentTable, validateBook, validateBookOn } from '../model/validate.js';
import type { Account, CollateralBalance, Position, ValidatedAccount, ValidatedBook, ValidatedInstrument } from '../model/types.js';
import type { MasterGroup } from './groups.js';

/**
 * The book with every group pooled into its master's account (module comment). `methods`: each account's method, in
 * book order (a pool takes its master's; empty: none, the run's).
 */
export function pooledBook(book: ValidatedBook, groups: readonly MasterGroup[], methods: readonly (string | undefined)[]): ValidatedBook {
  const groupOf = new Map<number, MasterGroup>();
  for (const g of groups) {
    groupOf.set(g.master, g);
    for (const s of g.subaccounts) groupOf.set(s, g);
  }
  const accounts: Account[] = [];
  const shares = new Map<string, Map<string, { location: string; share: number }[]>>(); // pool id → asset → shares
  book.accounts.forEach((account, i) => {
    const g = groupOf.get(i);
    if (!g) {
      accounts.push(rawAccount(account));
      return;
    }
    if (g.master !== i) return; // pooled into its master, at the master's place
    const members = [book.accounts[g.master], ...g.subaccounts.map((s) => book.accounts[s])];
    const currency = account.marginCurrency;
    const other = g.subaccounts.find((s) => book.accounts[s].marginCurrency !== currency);
    if (other !== undefined) {
      throw new InputError([{
        path: `accounts[${other}].marginCurrency`,
        message: `${currencyName(book.accounts[other].marginCurrency)}, its master ${JSON.stringify(account.id)} ${currencyName(currency)}: under the cross policy (params.subaccounts.policy) a master and its subaccounts are margined as one account, in one currency; give them one, or use the independent policy`,
      }]);
    }
    const positions: Position[] = [];
    let cashUsd = 0;
    const amounts = new Map<string, number>();
    const located = new Map<string, Map<string, number>>(); // asset → location ('' at home) → positive amount
    for (const m of members) {
      for (const p of m.positions) positions.push({ instrument: p.instrument, quantity: p.quantity, entryPrice: p.entryPrice });
      cashUsd = cashUsd + (m.cashUsd ?? 0);
      for (const b of m.collateral) {
        amounts.set(b.asset, (amounts.get(b.asset) ?? 0) + b.amount);
        if (b.amount > 0) {
          let at = located.get(b.asset);
          if (!at) located.set(b.asset, (at = new Map()));
          at.set(b.location ?? '', (at.get(b.location ?? '') ?? 0) + b.amount);
        }
      }
    }
    const collateral: CollateralBalance[] = [...amounts].map(([asset, amount]) => ({ asset, amount }));
    const poolShares = new Map<string, { location: string; share: number }[]>();
    for (const [asset, at] of located) {
      if (at.size === 1 && at.has('')) continue;
      let positive = 0;
      for (const amount of at.values()) positive = positive + amount;
      poolShares.set(asset, [...at].filter(([location]) => location !== '').map(([location, amount]) => ({ location, share: amount / positive })));
    }
    if (poolShares.size > 0) shares.set(account.id, poolShares);
    const method = methods[g.master];
    accounts.push({ id: account.id, positions, collateral, ...(cashUsd !== 0 ? { cashUsd } : {}), ...(method ? { method } : {}), ...(currency !== undefined ? { marginCurrency: currency } : {}) });
  });
  // the instruments are the validated book's: only the pooled accounts are read (a live session pools group by group)
  const pooled = validateBookOn(instrumentTableOf(book.instruments), accounts);
  for (const account of pooled.accounts) {
    const poolShares = shares.get(account.id);
    if (!poolShares) continue;
    for (const balance of account.collateral) {
      const s = poolShares.get(balance.asset);
      if (s) (balance as { locationShares?: readonly { location: string; share: number }[] | undefined }).locationShares = s;
    }
  }
  return pooled;
}

/** A validated book's instruments as a table, made once per instruments array (a validated book never changes them). */
const tables = new WeakMap<readonly ValidatedInstrument[], InstrumentTable>();
function instrumentTableOf(instruments: readonly ValidatedInstrument[]): InstrumentTable {
  let table = tables.get(instruments);
  if (table === undefined) tables.set(instruments, (table = instrumentTable(instruments)));
  return table;
}

/** The book with `covers` (USD by account id, from its master) paid: cash moved from each master to its subaccounts. */
export function backstoppedBook(book: ValidatedBook, covers: ReadonlyMap<string, number>): ValidatedBook {
  const deltas = coverDeltas(book, covers);
  const accounts = book.accounts.map((account) => {
    const raw = rawAccount(account);
    const delta = deltas.get(account.id);
    if (delta !== undefined) raw.cashUsd = (account.cashUsd ?? 0) + delta;
    return raw;
  });
  return validateBook({ instruments: book.instruments, accounts });
}

/** `covers` paid in `layout` itself (its accounts are `book`'s, USD-margined: a cover is USD cash), as {@link backstoppedBook} pays them. */
export function payCovers(layout: BookLayout, book: ValidatedBook, covers: ReadonlyMap<string, number>): void {
  for (const [id, delta] of coverDeltas(book, covers)) layout.cashUsd.array[layout.accountIndex(id)] += delta;
}

/** What paying `covers` changes in each account's USD cash (non-zero changes only): + its cover, − what a master paid out. */
function coverDeltas(book: ValidatedBook, covers: ReadonlyMap<string, number>): Map<string, number> {
  const paid = new Map<string, number>(); // master id → USD paid out
  for (const account of book.accounts) {
    const usd = covers.get(account.id);
    if (usd !== undefined && account.master !== undefined) paid.set(account.master, (paid.get(account.master) ?? 0) + usd);
  }
  const deltas = new Map<string, number>();
  for (const account of book.accounts) {
    const delta = (covers.get(account.id) ?? 0) - (paid.get(account.id) ?? 0);
    if (delta !== 0) deltas.set(account.id, delta);
  }
  return deltas;
}

/** A validated account as book JSON again. */
function rawAccount(a: ValidatedAccount): Account {
  const out: Account = { id: a.id, positions: a.positions.map((p) => ({ ...p })), collateral: a.collateral.map((b) => ({ ...b })) };
  if (a.cashUsd !== undefined) out.cashUsd = a.cashUsd;
  if (a.master !== undefined) out.master = a.master;
  if (a.method !== undefined) out.method = a.method;
  if (a.marginCurrency !== undefined) out.marginCurrency = a.marginCurrency;
  return out;
}

/** `margined in "BTC"`, or `in USD` for an account without a margin currency. */
function currencyName(currency: string | undefined): string {
  return currency === undefined ? 'margined in USD' : `margined in ${JSON.stringify(currency)}`;
}
