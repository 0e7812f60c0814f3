/**
 * A partition's book cut from a validated book: the accounts of the partition (families together: a subaccount is in
 * its master's partition, partitionOf(master ?? id)), in book order, with the WHOLE instruments table, so ticks and
 * fills validate the same in every partition and instrument rows are the book's. The cut is certified as it is (every
 * account was validated with the book, and a family's master travels with it), as src/scale/shard-book.ts does for a
 * shard, so opening a partition does not validate its accounts again; a columnar book (an Arrow book read whole) is cut
 * column by column, no object per position (nor is the book's object view built: 2.2 GB at 1M accounts × 20).
 *
 * Which partition each account is in is worked out once per book, in one pass (accountsByPartition), not once per
 * partition cut: 64 cuts of a 1M-account book hash 1M ids, not 64M.
 */
import { certifyBook, instrumentRowsOf } from '../model/brand.js';
import { accountIdsOf, accountMastersOf, type BookColumns, bookColumnsOf, columnarBook } from '../model/book-columns.js';
import type { ValidatedAccount, ValidatedBook } from '../model/types.js';
import { PARTITION_COUNT, partitionOf } from './partitions.js';

const BY_PARTITION = new WeakMap<ValidatedBook, Int32Array[]>();

/** For each partition, the book indices of its accounts in book order; computed once per book (one hash per account). */
export function accountsByPartition(book: ValidatedBook): readonly Int32Array[] {
  let out = BY_PARTITION.get(book);
  if (out) return out;
  const ids = accountIdsOf(book), masters = accountMastersOf(book);
  const of = new Uint8Array(ids.length), counts = new Int32Array(PARTITION_COUNT);
  for (let a = 0; a < ids.length; a++) counts[(of[a] = partitionOf(masters?.[a] ?? ids[a]))]++;
  out = Array.from(counts, (n) => new Int32Array(n));
  const fill = new Int32Array(PARTITION_COUNT);
  for (let a = 0; a < ids.length; a++) out[of[a]][fill[of[a]]++] = a;
  BY_PARTITION.set(book, out);
  return out;
}

/** The accounts of `book` in partition `partition`, with the book's whole instruments table (see the module comment). */
export function partitionBook(book: ValidatedBook, partition: number): ValidatedBook {
  const kept = accountsByPartition(book)[partition];
  if (kept === undefined) throw new RangeError(`partition must be an integer in [0, ${PARTITION_COUNT}), got ${partition}`);
  const columns = bookColumnsOf(book);
  if (columns) return columnarBook(cutColumns(columns, kept));
  const rows = instrumentRowsOf(book);
  const accounts: ValidatedAccount[] = [], keptRows: number[] = [];
  let next = 0, k = 0; // position rows are in book order, account after account
  book.accounts.forEach((account, a) => {
    const mine = kept[k] === a;
    for (let p = 0; p < account.positions.length; p++, next++) if (mine) keptRows.push(rows[next]);
    if (mine) {
      accounts.push(account);
      k++;
    }
  });
  return certifyBook({ instruments: book.instruments, accounts, warnings: [] }, Int32Array.from(keptRows));
}

/** The columns of accounts `kept` (book indices, in order). */
function cutColumns(c: BookColumns, kept: Int32Array): BookColumns {
  let positions = 0, balances = 0;
  for (const a of kept) {
    positions += c.positionStart[a + 1] - c.positionStart[a];
    balances += c.balanceStart[a + 1] - c.balanceStart[a];
  }
  const positionStart = new Int32Array(kept.length + 1), balanceStart = new Int32Array(kept.length + 1);
  const positionInstrument = new Int32Array(positions), quantity = new Float64Array(positions), entryPrice = new Float64Array(positions);
  const isolatedMargin = c.isolatedMargin && new Float64Array(positions);
  const balanceAsset = new Int32Array(balances), amount = new Float64Array(balances);
  const locations = c.locations && new Array<string | undefined>(balances);
  let p = 0, b = 0;
  kept.forEach((a, k) => {
    const from = c.positionStart[a], to = c.positionStart[a + 1];
    positionInstrument.set(c.positionInstrument.subarray(from, to), p);
    quantity.set(c.quantity.subarray(from, to), p);
    entryPrice.set(c.entryPrice.subarray(from, to), p);
    isolatedMargin?.set(c.isolatedMargin!.subarray(from, to), p);
    p += to - from;
    positionStart[k + 1] = p;
    const bFrom = c.balanceStart[a], bTo = c.balanceStart[a + 1];
    balanceAsset.set(c.balanceAsset.subarray(bFrom, bTo), b);
    amount.set(c.amount.subarray(bFrom, bTo), b);
    for (let j = bFrom; j < bTo; j++) if (locations) locations[b + j - bFrom] = c.locations![j];
    b += bTo - bFrom;
    balanceStart[k + 1] = b;
  });
  const pick = <T>(values: readonly T[] | undefined) => values && Array.from(kept, (a) => values[a]);
  const masters = pick(c.masters), methods = pick(c.methods), marginCurrencies = pick(c.marginCurrencies);
  return {
    instruments: c.instruments, accountIds: Array.from(kept, (a) => c.accountIds[a]), cashUsd: Float64Array.from(kept, (a) => c.cashUsd[a]),
    ...(masters && masters.some((m) => m !== undefined) ? { masters } : {}),
    ...(methods && methods.some((m) => m !== undefined) ? { methods } : {}),
    ...(marginCurrencies && marginCurrencies.some((m) => m !== undefined) ? { marginCurrencies } : {}),
    positionStart, positionInstrument, quantity, entryPrice, ...(isolatedMargin ? { isolatedMargin } : {}),
    balanceStart, balanceAsset, balanceAssets: c.balanceAssets, amount, ...(locations ? { locations } : {}),
  };
}
